//! The command line: `factory [view]`, `factory trace`, `factory generate`, `factory bench`.
//!
//! Errors end here: each command returns `anyhow::Result`, printed as one readable message.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use serde_json::json;

use crate::model::generate::{encode_prompt, generate};
use crate::model::trace::{softmax, top_n};
use crate::model::train::{Progress, TrainOptions};
use crate::model::{Config, Gpt, KvCache, LoadedModel, Sampler, SamplingParams, default_model_dir};

/// Transformer Factory: walk through a real GPT-2-style language model.
#[derive(Debug, Parser)]
#[command(name = "factory", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    view: ViewArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Open the 3D factory (the default when no command is given).
    View(ViewArgs),
    /// Run a prompt once and print tokens, next-token guesses and attention.
    Trace(TraceArgs),
    /// Continue a prompt, one cached step per new token.
    Generate(GenerateArgs),
    /// Measure the model's speed (median of many runs).
    Bench(BenchArgs),
    /// Train a tokenizer and a GPT-2 from scratch on text files.
    Train(TrainArgs),
    /// Render a guided tour off-screen to PNG frames or an MP4, deterministically.
    Record(RecordArgs),
}

#[derive(Debug, Args, Clone)]
struct ModelArg {
    /// Model folder in the Hugging Face GPT-2 layout [default: models/factory-small]
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
}

impl ModelArg {
    fn dir(&self) -> PathBuf {
        self.model.clone().unwrap_or_else(default_model_dir)
    }

    fn open(&self) -> Result<LoadedModel> {
        let dir = self.dir();
        LoadedModel::open(&dir)
            .with_context(|| format!("could not open the model in {}", dir.display()))
    }
}

#[derive(Debug, Args, Clone)]
struct ViewArgs {
    #[command(flatten)]
    model: ModelArg,
    /// Prompt to start with.
    #[arg(long)]
    prompt: Option<String>,
    /// Render until the prompt is fully shown, save a PNG of the window here, and exit.
    #[arg(long, value_name = "PATH")]
    screenshot: Option<PathBuf>,
    /// Window size.
    #[arg(long, default_value = "1280x720", value_name = "WxH")]
    size: String,
    /// Start at this station (0 = receiving dock, counting along the hall) instead of the home view.
    #[arg(long, value_name = "N")]
    station: Option<usize>,
    /// Guided tour file [default: assets/tours/default.ron]
    #[arg(long, value_name = "FILE")]
    tour: Option<PathBuf>,
    /// Start the guided tour at once.
    #[arg(long)]
    start_tour: bool,
    /// Museum kiosk: fullscreen, simple controls, attract loop when idle, Esc does not quit.
    #[arg(long)]
    kiosk: bool,
    /// Kiosk settings [default: assets/kiosk/kiosk.ron]
    #[arg(long, value_name = "FILE", requires = "kiosk")]
    kiosk_config: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct TraceArgs {
    #[command(flatten)]
    model: ModelArg,
    /// Text to run through the model.
    #[arg(long)]
    prompt: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// With --json: include every intermediate of every layer.
    #[arg(long, requires = "json")]
    full: bool,
    /// How many next-token candidates to list.
    #[arg(long, default_value_t = 5)]
    top: usize,
}

#[derive(Debug, Args)]
struct SamplingArgs {
    /// Temperature: 0 always picks the most likely token; higher is more adventurous.
    #[arg(long, default_value_t = SamplingParams::default().temperature, allow_negative_numbers = true)]
    temperature: f32,
    /// Keep only the K most likely tokens.
    #[arg(long, value_name = "K")]
    top_k: Option<usize>,
    /// Keep the most likely tokens until their probabilities add up to P (0 < P ≤ 1).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 1.0,
        allow_negative_numbers = true
    )]
    top_p: f32,
    /// Seed of the random draw; the same seed gives the same text.
    #[arg(long, default_value_t = SamplingParams::default().seed)]
    seed: u64,
}

impl SamplingArgs {
    fn params(&self) -> SamplingParams {
        SamplingParams {
            temperature: self.temperature,
            top_k: self.top_k,
            top_p: self.top_p,
            seed: self.seed,
        }
    }
}

#[derive(Debug, Args)]
struct GenerateArgs {
    #[command(flatten)]
    model: ModelArg,
    /// Text to continue.
    #[arg(long)]
    prompt: String,
    /// How many tokens to add.
    #[arg(long, default_value_t = 40)]
    max_new_tokens: usize,
    #[command(flatten)]
    sampling: SamplingArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct BenchArgs {
    /// Model folder; without it, a random model of the default size (4 layers, 4 heads, 128 dims, vocab 4096).
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// Tokens in the full trace.
    #[arg(long, default_value_t = 64)]
    tokens: usize,
    /// Timed runs per measurement.
    #[arg(long, default_value_t = 200)]
    iters: usize,
    /// Time the scene instead: frames of the headless factory with this many tokens and every beam lit.
    #[arg(long, conflicts_with = "train")]
    scene: bool,
    /// Time training steps instead (default size, batch 16 × 128, random tokens).
    #[arg(long)]
    train: bool,
}

#[derive(Debug, Args)]
struct RecordArgs {
    #[command(flatten)]
    model: ModelArg,
    /// Tour to play [default: assets/tours/default.ron]
    #[arg(long, value_name = "FILE")]
    tour: Option<PathBuf>,
    /// A folder for numbered PNG frames, or a file ending in .mp4 (needs ffmpeg).
    #[arg(long, value_name = "PATH")]
    out: PathBuf,
    /// Frame size.
    #[arg(long, default_value = "1280x720", value_name = "WxH")]
    size: String,
    /// Frames per second (time advances exactly 1/fps per frame).
    #[arg(long, default_value_t = 30)]
    fps: u32,
    /// Number of frames.
    #[arg(long, conflicts_with = "seconds")]
    frames: Option<usize>,
    /// Length in seconds [default: the whole tour].
    #[arg(long)]
    seconds: Option<f64>,
    /// Sampling seed.
    #[arg(long, default_value_t = SamplingParams::default().seed)]
    seed: u64,
}

fn record_cmd(a: RecordArgs) -> Result<()> {
    let (w, h) = parse_size(&a.size)?;
    let tour = a.tour.unwrap_or_else(crate::tour::default_tour_path);
    let model = a.model.open()?;
    let frames = match (a.frames, a.seconds) {
        (Some(n), _) => n,
        (None, Some(s)) if s.is_finite() && s > 0.0 => (s * a.fps as f64).round().max(1.0) as usize,
        (None, Some(s)) => anyhow::bail!("--seconds must be a positive number, not {s}"),
        (None, None) => {
            let t = crate::tour::Tour::load(&tour)?;
            let secs: f32 = t.stops.iter().map(|s| s.seconds).sum();
            (secs as f64 * a.fps as f64).ceil() as usize
        }
    };
    crate::record::record(crate::record::RecordOptions {
        model: std::sync::Arc::new(model),
        tour,
        out: a.out,
        size: (w, h),
        fps: a.fps,
        frames,
        seed: a.seed,
    })
}

#[derive(Debug, Args)]
struct TrainArgs {
    /// Text files to learn from (UTF-8).
    #[arg(long, required = true, num_args = 1.., value_name = "FILE")]
    corpus: Vec<PathBuf>,
    /// Output folder (model, tokenizer, checkpoints, log, loss plot).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Transformer blocks.
    #[arg(long, default_value_t = TrainOptions::default().layers)]
    layers: usize,
    /// Attention heads per block.
    #[arg(long, default_value_t = TrainOptions::default().heads)]
    heads: usize,
    /// Width of the residual stream.
    #[arg(long, default_value_t = TrainOptions::default().embd)]
    embd: usize,
    /// Context length in tokens.
    #[arg(long, default_value_t = TrainOptions::default().context)]
    context: usize,
    /// Vocabulary size of the tokenizer trained on the corpus.
    #[arg(long, default_value_t = TrainOptions::default().vocab)]
    vocab: usize,
    /// Optimisation steps in total.
    #[arg(long, default_value_t = TrainOptions::default().steps)]
    steps: usize,
    /// Sequences per step.
    #[arg(long, default_value_t = TrainOptions::default().batch)]
    batch: usize,
    /// Peak learning rate (warm-up, then cosine decay to a tenth).
    #[arg(long, default_value_t = TrainOptions::default().lr)]
    lr: f64,
    /// Steps of linear learning-rate warm-up.
    #[arg(long, default_value_t = TrainOptions::default().warmup)]
    warmup: usize,
    /// Seed for initialisation and batches.
    #[arg(long, default_value_t = TrainOptions::default().seed)]
    seed: u64,
    /// Use this tokenizer.json instead of training one.
    #[arg(long, value_name = "FILE")]
    tokenizer: Option<PathBuf>,
    /// Validation every N steps.
    #[arg(long, default_value_t = TrainOptions::default().eval_every)]
    eval_every: usize,
    /// Checkpoint every N steps (and at the end, and on Ctrl-C).
    #[arg(long, default_value_t = TrainOptions::default().save_every)]
    save_every: usize,
    /// Continue the run saved in --out (its shape and corpus are kept; --steps may grow).
    #[arg(long)]
    resume: bool,
}

/// Parses the command line, runs the command, prints any error; the process's exit code.
pub fn main() -> ExitCode {
    pin_thread_count();
    #[cfg(unix)]
    // SAFETY: restores the default action for SIGPIPE before any thread starts, so that
    // `factory trace ... | head` ends quietly like other command-line tools instead of panicking
    // in println! on a closed pipe.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// candle asks the OS for the CPU count on every matmul unless `RAYON_NUM_THREADS` is set, which
/// made a one-token step 3× slower here (1.0 ms instead of 0.3 ms). Set it once, before any thread starts.
fn pin_thread_count() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        // SAFETY: called first thing in main, while the process has a single thread.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", n.to_string()) };
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        None => view(cli.view),
        Some(Command::View(args)) => view(args),
        Some(Command::Trace(args)) => trace(args),
        Some(Command::Generate(args)) => generate_cmd(args),
        Some(Command::Bench(args)) => bench(args),
        Some(Command::Train(args)) => train_cmd(args),
        Some(Command::Record(args)) => record_cmd(args),
    }
}

fn view(args: ViewArgs) -> Result<()> {
    let model = args.model.open()?;
    let prompt = args
        .prompt
        .unwrap_or_else(|| crate::ui::DEFAULT_PROMPT.to_string());
    let (w, h) = parse_size(&args.size)?;
    if let Some(dir) = args.screenshot.as_ref().and_then(|p| p.parent())
        && !dir.as_os_str().is_empty()
        && !dir.is_dir()
    {
        anyhow::bail!("--screenshot: the folder {} does not exist", dir.display());
    }
    let kiosk = if args.kiosk {
        let path = args
            .kiosk_config
            .clone()
            .unwrap_or_else(|| crate::project_path("assets/kiosk/kiosk.ron"));
        let cfg = crate::kiosk::KioskConfig::load(&path).map_err(anyhow::Error::msg)?;
        Some(crate::kiosk::Kiosk::new(cfg).map_err(anyhow::Error::msg)?)
    } else {
        None
    };
    let exit = crate::app::run_viewer(crate::app::ViewerOptions {
        model: std::sync::Arc::new(model),
        prompt,
        screenshot: args.screenshot,
        size: (w, h),
        station: args.station,
        tour: args.tour.unwrap_or_else(crate::tour::default_tour_path),
        start_tour: args.start_tour,
        kiosk,
    });
    match exit {
        bevy::app::AppExit::Success => Ok(()),
        bevy::app::AppExit::Error(code) => {
            anyhow::bail!("the viewer stopped with error code {code}")
        }
    }
}

/// Parses `WIDTHxHEIGHT`.
pub fn parse_size(s: &str) -> Result<(u32, u32)> {
    let parsed = s
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some((w.trim().parse::<u32>().ok()?, h.trim().parse::<u32>().ok()?)));
    match parsed {
        Some((w, h)) if (64..=8192).contains(&w) && (64..=8192).contains(&h) => Ok((w, h)),
        _ => anyhow::bail!("size must look like 1280x720 (each side 64 to 8192), not {s:?}"),
    }
}

/// Prints a token's text so that spaces and newlines are visible.
fn shown(text: &str) -> String {
    format!("{text:?}")
}

fn trace(args: TraceArgs) -> Result<()> {
    let m = args.model.open()?;
    let cfg = &m.config;
    let prompt = encode_prompt(&m.tokenizer, &args.prompt, cfg.n_positions)?;
    if let Some(notice) = prompt.notice() {
        eprintln!("note: {notice}");
    }
    let ids = &prompt.ids;
    let tr = m.gpt.trace(ids, &mut KvCache::new())?;
    let probs = softmax(&tr.logits);
    let top = top_n(&probs, args.top.max(1));
    let texts: Vec<String> = ids.iter().map(|&id| m.tokenizer.token_text(id)).collect();
    if args.json {
        let layers: Vec<_> = tr
            .layers
            .iter()
            .map(|l| {
                let (nh, t, k) = (
                    l.attention.shape[0],
                    l.attention.shape[1],
                    l.attention.shape[2],
                );
                let att: Vec<Vec<&[f32]>> = (0..nh)
                    .map(|h| {
                        (0..t)
                            .map(|q| &l.attention.data[(h * t + q) * k..(h * t + q + 1) * k])
                            .collect()
                    })
                    .collect();
                json!({ "attention": att })
            })
            .collect();
        let mut out = json!({
            "model": {
                "dir": m.dir,
                "n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd,
                "n_positions": cfg.n_positions, "vocab_size": cfg.vocab_size,
                "n_params": cfg.n_params(),
            },
            "tokens": ids.iter().zip(&texts).map(|(id, text)| json!({"id": id, "text": text})).collect::<Vec<_>>(),
            "dropped_tokens": prompt.dropped,
            "layers": layers,
            "next_token": {
                "logits": tr.logits,
                "top": top.iter().map(|&(id, p)| json!({"id": id, "text": m.tokenizer.token_text(id as u32), "prob": p})).collect::<Vec<_>>(),
            },
        });
        if args.full {
            out["trace"] = serde_json::to_value(&tr)?;
        }
        println!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    println!(
        "model {}: {} layers, {} heads, {} dims, context {}, vocabulary {}, {:.2}M parameters",
        m.dir.display(),
        cfg.n_layer,
        cfg.n_head,
        cfg.n_embd,
        cfg.n_positions,
        cfg.vocab_size,
        cfg.n_params() as f64 / 1e6
    );
    println!("\ntokens ({}):", ids.len());
    for (i, (id, text)) in ids.iter().zip(&texts).enumerate() {
        println!("  {i:>4}  id {id:>6}  {}", shown(text));
    }
    println!("\nnext token, top {}:", top.len());
    for (id, p) in &top {
        println!(
            "  {:>6.2}%  id {id:>6}  {}",
            p * 100.0,
            shown(&m.tokenizer.token_text(*id as u32))
        );
    }
    println!("\nstrongest attention link per layer and head (query -> key, weight):");
    if ids.len() > 1 {
        println!("  (the first token can only look at itself, so its row is left out)");
    }
    for (li, l) in tr.layers.iter().enumerate() {
        let (nh, t, k) = (
            l.attention.shape[0],
            l.attention.shape[1],
            l.attention.shape[2],
        );
        for h in 0..nh {
            let first_q = usize::from(t > 1);
            let mut best = (0, 0, f32::NEG_INFINITY);
            for q in first_q..t {
                for key in 0..k {
                    let w = l.attention.at(&[h, q, key]);
                    if w > best.2 {
                        best = (q, key, w);
                    }
                }
            }
            println!(
                "  layer {li} head {h}: {}({}) -> {}({})  {:.3}",
                shown(&texts[best.0]),
                best.0,
                shown(&texts[best.1]),
                best.1,
                best.2
            );
        }
    }
    Ok(())
}

fn generate_cmd(args: GenerateArgs) -> Result<()> {
    let mut sampler = Sampler::new(args.sampling.params())?;
    let m = args.model.open()?;
    let prompt = encode_prompt(&m.tokenizer, &args.prompt, m.config.n_positions)?;
    if let Some(notice) = prompt.notice() {
        eprintln!("note: {notice}");
    }
    let new_ids = generate(
        &m.gpt,
        &prompt.ids,
        args.max_new_tokens,
        &mut sampler,
        |_| {},
    )?;
    let text = m.tokenizer.decode(&new_ids)?;
    if args.json {
        let out = json!({
            "prompt_ids": prompt.ids,
            "new_ids": new_ids,
            "text": text,
            "dropped_tokens": prompt.dropped,
            "sampling": sampler.params(),
        });
        println!("{}", serde_json::to_string(&out)?);
    } else {
        println!("{}{}", args.prompt, text);
    }
    Ok(())
}

/// Median, 10th and 90th percentile of durations in milliseconds.
fn summarize(mut ms: Vec<f64>) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.1), at(0.9))
}

fn time_runs(iters: usize, mut f: impl FnMut() -> Result<()>) -> Result<(f64, f64, f64)> {
    for _ in 0..iters.div_ceil(10) {
        f()?; // warm-up
    }
    let mut ms = Vec::with_capacity(iters);
    for _ in 0..iters.max(1) {
        let start = Instant::now();
        f()?;
        ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    Ok(summarize(ms))
}

fn bench(args: BenchArgs) -> Result<()> {
    if args.train {
        let cfg = Config::factory_small(4096, 128);
        let batch = 16;
        let steps = args.iters.clamp(3, 1000);
        let secs = crate::model::train::time_steps(&cfg, batch, steps + 2)?;
        let ms: Vec<f64> = secs[2..].iter().map(|s| s * 1e3).collect();
        let (med, p10, p90) = summarize(ms);
        let tokens = (batch * cfg.n_positions) as f64;
        println!(
            "train bench: {} layers, {} heads, {} dims, vocab {}, batch {batch} x {}; {steps} steps; {} threads",
            cfg.n_layer,
            cfg.n_head,
            cfg.n_embd,
            cfg.vocab_size,
            cfg.n_positions,
            std::env::var("RAYON_NUM_THREADS").unwrap_or_default()
        );
        println!(
            "  step median {med:.0} ms (p10 {p10:.0}, p90 {p90:.0})  =  {:.0} tokens/s",
            tokens / med * 1e3
        );
        return Ok(());
    }
    if args.scene {
        let dir = args.model.clone().unwrap_or_else(default_model_dir);
        let m =
            LoadedModel::open(&dir).with_context(|| format!("could not open {}", dir.display()))?;
        return crate::bench::scene(std::sync::Arc::new(m), args.tokens, args.iters);
    }
    let (gpt, label) = match &args.model {
        Some(dir) => {
            let m = LoadedModel::open(dir)?;
            (m.gpt, dir.display().to_string())
        }
        None => {
            let cfg = Config::factory_small(4096, 128);
            (
                Gpt::random(&cfg)?,
                "random weights, default size".to_string(),
            )
        }
    };
    let cfg = gpt.config().clone();
    if cfg.n_positions < 2 {
        anyhow::bail!(
            "the model's context (n_positions = {}) is too short to time a cached step",
            cfg.n_positions
        );
    }
    let n = args.tokens.clamp(2, cfg.n_positions);
    let ids: Vec<u32> = (0..n as u32)
        .map(|i| (i * 7919) % cfg.vocab_size as u32)
        .collect();
    println!(
        "bench: {label}: {} layers, {} heads, {} dims, vocab {}; {} tokens; {} runs each; {} threads",
        cfg.n_layer,
        cfg.n_head,
        cfg.n_embd,
        cfg.vocab_size,
        n,
        args.iters,
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
    let report = |what: &str, (med, p10, p90): (f64, f64, f64)| {
        println!("  {what:<44} median {med:>8.3} ms   p10 {p10:>8.3}   p90 {p90:>8.3}");
    };
    report(
        &format!("full trace, {n} tokens (every intermediate)"),
        time_runs(args.iters, || {
            gpt.trace(&ids, &mut KvCache::new())?;
            Ok(())
        })?,
    );
    report(
        &format!("forward, {n} tokens (last logits only)"),
        time_runs(args.iters, || {
            gpt.next_logits(&ids, &mut KvCache::new())?;
            Ok(())
        })?,
    );
    let mut base = KvCache::new();
    gpt.next_logits(&ids[..n - 1], &mut base)?;
    report(
        &format!("cached step, token {n} (traced)"),
        time_runs(args.iters, || {
            let mut c = base.clone();
            gpt.trace(&ids[n - 1..], &mut c)?;
            Ok(())
        })?,
    );
    report(
        &format!("cached step, token {n} (logits only)"),
        time_runs(args.iters, || {
            let mut c = base.clone();
            gpt.next_logits(&ids[n - 1..], &mut c)?;
            Ok(())
        })?,
    );
    Ok(())
}

/// A progress bar on the terminal; plain lines when output is not a terminal.
struct Bar {
    bar: indicatif::ProgressBar,
    batch_tokens: usize,
}

impl Progress for Bar {
    fn start(&mut self, first: usize, total: usize) {
        self.bar.set_length(total as u64);
        self.bar.set_position(first as u64);
        self.bar.reset_eta();
    }

    fn step(&mut self, step: usize, train: f64, val: Option<f64>, tps: f64) {
        let val = val.map_or("-".to_string(), |v| format!("{v:.3}"));
        self.bar.set_position(step as u64);
        self.bar.set_message(format!(
            "train {train:.3}  val {val}  {:.1}k tok/s ({} per step)",
            tps / 1e3,
            self.batch_tokens
        ));
    }

    fn note(&mut self, line: &str) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }
}

fn train_cmd(a: TrainArgs) -> Result<()> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let opts = TrainOptions {
        corpus: a.corpus,
        out: a.out,
        layers: a.layers,
        heads: a.heads,
        embd: a.embd,
        context: a.context,
        vocab: a.vocab,
        steps: a.steps,
        batch: a.batch,
        lr: a.lr,
        seed: a.seed,
        tokenizer: a.tokenizer,
        warmup: a.warmup,
        eval_every: a.eval_every,
        save_every: a.save_every,
        ..TrainOptions::default()
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    // First Ctrl-C: finish the step, save, exit. Second: leave at once.
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!(
            "\nstopping after this step and saving a checkpoint (Ctrl-C again to quit at once)"
        );
    })
    .context("could not install the Ctrl-C handler")?;
    let style = indicatif::ProgressStyle::with_template(
        "{bar:30} {pos}/{len} steps  {msg}  [{elapsed_precise}, ETA {eta_precise}]",
    )
    .expect("valid template");
    let mut bar = Bar {
        bar: indicatif::ProgressBar::new(opts.steps as u64).with_style(style),
        batch_tokens: opts.batch * opts.context,
    };
    let report = crate::model::train::train(&opts, a.resume, stop, &mut bar)?;
    bar.bar.finish();
    let s = &report.state;
    let fmt = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.4}"));
    if report.interrupted {
        println!(
            "stopped at step {} of {}; continue with: factory train --out {} --resume",
            s.step,
            s.options.steps,
            opts.out.display()
        );
    }
    println!(
        "saved {} after {} steps ({:.1} min): train loss {}, validation loss {}; {} training and {} validation tokens",
        opts.out.display(),
        s.step,
        s.seconds / 60.0,
        fmt(s.train_loss),
        fmt(s.val_loss),
        s.train_tokens,
        s.val_tokens
    );
    Ok(())
}
