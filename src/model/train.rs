//! `factory train`: a byte-level BPE tokenizer and a GPT-2 trained from scratch on text files, on the CPU.
//!
//! AdamW with a linear warm-up and cosine decay, a held-out validation split, checkpoints that resume
//! exactly (weights, optimiser moments and the step), a CSV log and a loss-curve PNG. The output folder
//! is a normal model folder (Hugging Face GPT-2 layout) that the factory and other GPT-2 tools open.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use candle_core::backprop::GradStore;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::checkpoint::{
    CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE, expected_tensors, save_config, save_weights,
};
use super::config::Config;
use super::error::{ModelError, Result};
use super::gpt::Gpt;
use super::tokenizer::{END_OF_TEXT, Tokenizer, train_bpe};

/// Training state file: the step reached and the options, for `--resume`.
pub const STATE_FILE: &str = "train_state.json";
/// AdamW moments, for `--resume`.
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
/// One row per logged step.
pub const LOG_FILE: &str = "train_log.csv";
/// The loss curve.
pub const PLOT_FILE: &str = "loss.png";

/// Everything `factory train` can be told.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TrainOptions {
    /// Text files to learn from.
    pub corpus: Vec<PathBuf>,
    /// Output folder.
    pub out: PathBuf,
    /// Transformer blocks.
    pub layers: usize,
    /// Attention heads per block.
    pub heads: usize,
    /// Width of the residual stream.
    pub embd: usize,
    /// Context length (n_positions), also the training sequence length.
    pub context: usize,
    /// Vocabulary size of the BPE tokenizer trained here.
    pub vocab: usize,
    /// Total optimisation steps.
    pub steps: usize,
    /// Sequences per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// Seed for initialisation, batches and the split.
    pub seed: u64,
    /// Use this tokenizer instead of training one.
    pub tokenizer: Option<PathBuf>,
    /// Steps of linear warm-up.
    pub warmup: usize,
    /// Evaluate on the validation split every this many steps.
    pub eval_every: usize,
    /// Save a checkpoint every this many steps.
    pub save_every: usize,
    /// Weight decay for matrices.
    pub weight_decay: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            corpus: Vec::new(),
            out: PathBuf::new(),
            layers: 4,
            heads: 4,
            embd: 128,
            context: 128,
            vocab: 4096,
            steps: 2000,
            batch: 16,
            lr: 3e-3,
            seed: 1337,
            tokenizer: None,
            warmup: 100,
            eval_every: 100,
            save_every: 250,
            weight_decay: 0.1,
        }
    }
}

/// What is saved beside the checkpoint so a run can resume where it stopped.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainState {
    /// Steps completed.
    pub step: usize,
    /// The options of the run.
    pub options: TrainOptions,
    /// Tokens in the training split.
    pub train_tokens: usize,
    /// Tokens in the validation split.
    pub val_tokens: usize,
    /// Last validation loss, if any.
    pub val_loss: Option<f64>,
    /// Last training loss (mean over the last logging interval).
    pub train_loss: Option<f64>,
    /// Seconds spent training, across resumes.
    pub seconds: f64,
}

/// One row of `train_log.csv`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRow {
    /// Step number (1-based: steps completed).
    pub step: usize,
    /// Mean training loss since the previous row.
    pub train_loss: f64,
    /// Validation loss, when evaluated at this step.
    pub val_loss: Option<f64>,
    /// Learning rate at this step.
    pub lr: f64,
    /// Training throughput since the previous row.
    pub tokens_per_s: f64,
}

/// What a finished (or interrupted) run reports.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// The state written last.
    pub state: TrainState,
    /// True when Ctrl-C stopped the run early.
    pub interrupted: bool,
}

fn bad(msg: impl Into<String>) -> ModelError {
    ModelError::Train(msg.into())
}

/// Learning rate at `step`: linear warm-up to `lr`, then cosine down to `lr / 10`.
pub fn learning_rate(o: &TrainOptions, step: usize) -> f64 {
    let min = o.lr / 10.0;
    if step < o.warmup {
        return o.lr * (step + 1) as f64 / o.warmup as f64;
    }
    let span = (o.steps.saturating_sub(o.warmup)).max(1) as f64;
    let progress = ((step - o.warmup) as f64 / span).min(1.0);
    min + 0.5 * (o.lr - min) * (1.0 + (std::f64::consts::PI * progress).cos())
}

/// Checks the options and the corpus before any work; the errors say what to change.
pub fn check_options(o: &TrainOptions) -> Result<()> {
    if o.corpus.is_empty() {
        return Err(bad("give at least one --corpus text file"));
    }
    for (name, v) in [
        ("--layers", o.layers),
        ("--heads", o.heads),
        ("--embd", o.embd),
        ("--steps", o.steps),
        ("--batch", o.batch),
        ("--eval-every", o.eval_every),
        ("--save-every", o.save_every),
    ] {
        if v == 0 {
            return Err(bad(format!("{name} must be at least 1")));
        }
    }
    if o.context < 2 {
        return Err(bad("--context must be at least 2"));
    }
    if !o.embd.is_multiple_of(o.heads) {
        return Err(bad(format!(
            "--heads ({}) must divide --embd ({}): each head gets an equal slice of the vector",
            o.heads, o.embd
        )));
    }
    if o.tokenizer.is_none() && o.vocab < 258 {
        return Err(bad(
            "--vocab must be at least 258 (256 bytes, <|endoftext|> and one merge)",
        ));
    }
    if !(o.lr.is_finite() && o.lr > 0.0 && o.lr < 1.0) {
        return Err(bad(format!("--lr must be between 0 and 1, not {}", o.lr)));
    }
    if !(o.weight_decay.is_finite() && o.weight_decay >= 0.0) {
        return Err(bad("--weight-decay must be 0 or more"));
    }
    Ok(())
}

/// Reads the corpus files; each must exist and hold some text.
pub fn read_corpus(files: &[PathBuf]) -> Result<Vec<String>> {
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => ModelError::MissingFile {
                    path: path.clone(),
                    hint: " (corpus file)".into(),
                },
                std::io::ErrorKind::InvalidData => ModelError::Tokenizer {
                    path: path.clone(),
                    problem: "is not UTF-8 text".into(),
                },
                _ => ModelError::Io {
                    path: path.clone(),
                    source: e,
                },
            })?;
            if text.trim().is_empty() {
                return Err(ModelError::Tokenizer {
                    path: path.clone(),
                    problem: "is empty: a corpus file needs text to learn from".into(),
                });
            }
            Ok(text)
        })
        .collect()
}

/// Splits a token stream into training and validation parts: every 10th block of 1024 tokens
/// (at least one block) is held out.
pub fn split_tokens(tokens: &[u32], context: usize) -> (Vec<u32>, Vec<u32>) {
    let block = 1024.max(context + 1);
    let (mut train, mut val) = (Vec::new(), Vec::new());
    let n_blocks = tokens.len().div_ceil(block);
    for (i, chunk) in tokens.chunks(block).enumerate() {
        // hold out blocks 5, 15, 25, ... (or the last one when there are fewer than 10)
        let held = if n_blocks >= 10 {
            i % 10 == 5
        } else {
            i + 1 == n_blocks && n_blocks > 1
        };
        if held { &mut val } else { &mut train }.extend_from_slice(chunk);
    }
    if val.len() < context + 1 {
        // tiny corpora: hold out the last tenth
        let cut = tokens.len() - (tokens.len() / 10).max(context + 1).min(tokens.len() / 2);
        return (tokens[..cut].to_vec(), tokens[cut..].to_vec());
    }
    (train, val)
}

/// AdamW whose moments can be saved and restored.
struct AdamW {
    params: Vec<(String, Var, Tensor, Tensor, bool)>,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
}

impl AdamW {
    fn new(varmap: &VarMap, weight_decay: f64) -> Result<Self> {
        let data = varmap.data().lock().expect("varmap lock");
        let mut names: Vec<&String> = data.keys().collect();
        names.sort();
        let params = names
            .into_iter()
            .map(|n| {
                let var = data[n].clone();
                let zeros = var.as_tensor().zeros_like()?;
                let decay = var.as_tensor().rank() >= 2;
                Ok((n.clone(), var, zeros.clone(), zeros, decay))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            params,
            beta1: 0.9,
            beta2: 0.95,
            eps: 1e-8,
            weight_decay,
        })
    }

    /// One update at `step` (1-based); gradients are clipped to global norm 1. Returns the norm.
    fn step(&mut self, grads: &GradStore, lr: f64, step: usize) -> Result<f64> {
        let mut sq = 0.0f64;
        for (_, var, ..) in &self.params {
            if let Some(g) = grads.get(var.as_tensor()) {
                sq += g.sqr()?.sum_all()?.to_scalar::<f32>()? as f64;
            }
        }
        let norm = sq.sqrt();
        let scale = if norm > 1.0 { 1.0 / norm } else { 1.0 };
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(step as i32);
        let c2 = 1.0 - b2.powi(step as i32);
        for (_, var, m, v, decay) in &mut self.params {
            let Some(g) = grads.get(var.as_tensor()) else {
                continue;
            };
            // detach: the gradient's graph holds the whole step's activations; the moments must not
            let g = (g.detach() * scale)?;
            *m = ((&*m * b1)? + (&g * (1.0 - b1))?)?.detach();
            *v = ((&*v * b2)? + (g.sqr()? * (1.0 - b2))?)?.detach();
            let update = ((&*m / c1)? / ((&*v / c2)?.sqrt()? + self.eps)?)?;
            let mut theta = var.as_tensor().clone();
            if *decay && self.weight_decay > 0.0 {
                theta = (theta * (1.0 - lr * self.weight_decay))?;
            }
            var.set(&(theta - (update * lr)?)?)?;
        }
        Ok(norm)
    }

    fn save(&self, path: &Path) -> Result<()> {
        let mut map = HashMap::new();
        for (name, _, m, v, _) in &self.params {
            map.insert(format!("m.{name}"), m.clone());
            map.insert(format!("v.{name}"), v.clone());
        }
        let tmp = path.with_extension("tmp");
        candle_core::safetensors::save(&map, &tmp)?;
        std::fs::rename(&tmp, path).map_err(|e| ModelError::Io {
            path: path.to_owned(),
            source: e,
        })
    }

    fn load(&mut self, path: &Path) -> Result<()> {
        let map = candle_core::safetensors::load(path, &Device::Cpu)?;
        for (name, _, m, v, _) in &mut self.params {
            let (Some(mm), Some(vv)) =
                (map.get(&format!("m.{name}")), map.get(&format!("v.{name}")))
            else {
                return Err(ModelError::MissingTensor {
                    path: path.to_owned(),
                    name: name.clone(),
                });
            };
            *m = mm.clone();
            *v = vv.clone();
        }
        Ok(())
    }
}

/// Normal samples from a seeded generator (Box–Muller), so initialisation repeats exactly.
fn randn(rng: &mut StdRng, n: usize, std: f64) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let u1: f64 = rng.random::<f64>().max(1e-12);
            let u2: f64 = rng.random();
            ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos() * std) as f32
        })
        .collect()
}

/// Fills `varmap` with GPT-2's initialisation for `cfg`, from `seed`.
fn init_vars(varmap: &VarMap, cfg: &Config, seed: u64) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let proj_std = 0.02 / (2.0 * cfg.n_layer as f64).sqrt();
    let mut data = varmap.data().lock().expect("varmap lock");
    for (name, shape) in expected_tensors(cfg) {
        let n: usize = shape.iter().product();
        let values = if name.contains(".ln_") || name.starts_with("ln_") {
            vec![if name.ends_with("weight") { 1.0 } else { 0.0 }; n]
        } else if name.ends_with(".bias") {
            vec![0.0; n]
        } else if name.ends_with("c_proj.weight") {
            randn(&mut rng, n, proj_std)
        } else {
            randn(&mut rng, n, 0.02)
        };
        let t = Tensor::from_vec(values, shape, &Device::Cpu)?;
        data.insert(name, Var::from_tensor(&t)?);
    }
    Ok(())
}

fn load_vars(varmap: &VarMap, dir: &Path) -> Result<()> {
    let path = dir.join(WEIGHTS_FILE);
    let map = candle_core::safetensors::load(&path, &Device::Cpu).map_err(|e| {
        ModelError::Safetensors {
            path: path.clone(),
            problem: e.to_string(),
        }
    })?;
    let mut data = varmap.data().lock().expect("varmap lock");
    for (name, t) in map {
        data.insert(name, Var::from_tensor(&t.to_dtype(DType::F32)?)?);
    }
    Ok(())
}

/// A batch of `batch` windows of `context + 1` tokens starting at random offsets chosen by `rng`.
fn batch_at(
    tokens: &[u32],
    batch: usize,
    context: usize,
    rng: &mut StdRng,
) -> Result<(Tensor, Tensor)> {
    let max_start = tokens.len() - context - 1;
    let mut x = Vec::with_capacity(batch * context);
    let mut y = Vec::with_capacity(batch * context);
    for _ in 0..batch {
        let s = rng.random_range(0..=max_start);
        x.extend_from_slice(&tokens[s..s + context]);
        y.extend_from_slice(&tokens[s + 1..s + context + 1]);
    }
    Ok((
        Tensor::from_vec(x, (batch, context), &Device::Cpu)?,
        Tensor::from_vec(y, (batch, context), &Device::Cpu)?,
    ))
}

/// Mean cross-entropy of next-token prediction over a (B, T) batch.
fn loss(gpt: &Gpt, x: &Tensor, y: &Tensor) -> Result<Tensor> {
    let logits = gpt.forward_all(x)?; // (B, T, V)
    let (b, t, v) = logits.dims3()?;
    Ok(candle_nn::loss::cross_entropy(
        &logits.reshape((b * t, v))?,
        &y.flatten_all()?,
    )?)
}

/// Mean validation loss over up to `max_windows` evenly spaced windows (the same every time).
fn val_loss(gpt: &Gpt, val: &[u32], context: usize, batch: usize) -> Result<f64> {
    let max_windows = 8 * batch;
    let n = ((val.len() - 1) / context).clamp(1, max_windows);
    let stride = (val.len() - context - 1) / n.max(1);
    let starts: Vec<usize> = (0..n).map(|i| i * stride).collect();
    let mut total = 0.0;
    let mut count = 0;
    for chunk in starts.chunks(batch) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for &s in chunk {
            x.extend_from_slice(&val[s..s + context]);
            y.extend_from_slice(&val[s + 1..s + context + 1]);
        }
        let b = chunk.len();
        let x = Tensor::from_vec(x, (b, context), &Device::Cpu)?;
        let y = Tensor::from_vec(y, (b, context), &Device::Cpu)?;
        total += loss(gpt, &x, &y)?.to_scalar::<f32>()? as f64 * b as f64;
        count += b;
    }
    Ok(total / count as f64)
}

fn write_state(dir: &Path, state: &TrainState) -> Result<()> {
    let path = dir.join(STATE_FILE);
    let text = serde_json::to_string_pretty(state).expect("state serializes");
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|e| ModelError::Io { path, source: e })
}

/// Reads `train_log.csv` back (for the plot and for resuming).
pub fn read_log(path: &Path) -> Vec<LogRow> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            Some(LogRow {
                step: f.first()?.parse().ok()?,
                train_loss: f.get(1)?.parse().ok()?,
                val_loss: f.get(2)?.parse().ok(),
                lr: f.get(3)?.parse().ok()?,
                tokens_per_s: f.get(4)?.parse().ok()?,
            })
        })
        .collect()
}

fn write_log(path: &Path, rows: &[LogRow]) -> Result<()> {
    let mut s = String::from("step,train_loss,val_loss,lr,tokens_per_s\n");
    for r in rows {
        let val = r.val_loss.map(|v| format!("{v:.5}")).unwrap_or_default();
        s.push_str(&format!(
            "{},{:.5},{},{:.6e},{:.1}\n",
            r.step, r.train_loss, val, r.lr, r.tokens_per_s
        ));
    }
    std::fs::write(path, s).map_err(|e| ModelError::Io {
        path: path.to_owned(),
        source: e,
    })
}

/// Draws the loss curve (training per logged step, validation as points) into a PNG.
pub fn plot_losses(path: &Path, rows: &[LogRow], title: &str) -> std::result::Result<(), String> {
    use plotters::prelude::*;
    static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
    static REGISTERED: std::sync::Once = std::sync::Once::new();
    REGISTERED.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
    if rows.is_empty() {
        return Ok(());
    }
    let max_step = rows.last().map_or(1, |r| r.step).max(1) as f64;
    let losses = rows
        .iter()
        .flat_map(|r| std::iter::once(r.train_loss).chain(r.val_loss))
        .filter(|v| v.is_finite());
    let (lo, hi) = losses.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let root = BitMapBackend::new(path, (900, 540)).into_drawing_area();
    let e = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..max_step, (lo - 0.1).max(0.0)..hi + 0.1)
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc("step")
        .y_desc("cross-entropy (nats/token)")
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(|x| e(&x))?;
    chart
        .draw_series(LineSeries::new(
            rows.iter().map(|r| (r.step as f64, r.train_loss)),
            &BLUE,
        ))
        .map_err(|x| e(&x))?
        .label("train")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE));
    let val: Vec<(f64, f64)> = rows
        .iter()
        .filter_map(|r| r.val_loss.map(|v| (r.step as f64, v)))
        .collect();
    chart
        .draw_series(LineSeries::new(val.clone(), RED.stroke_width(2)))
        .map_err(|x| e(&x))?
        .label("validation")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], RED));
    chart
        .draw_series(val.iter().map(|&p| Circle::new(p, 3, RED.filled())))
        .map_err(|x| e(&x))?;
    chart
        .configure_series_labels()
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))?;
    Ok(())
}

/// Progress callbacks, so the command line can draw a bar and tests can stay quiet.
pub trait Progress {
    /// Called once before the first step.
    fn start(&mut self, _first_step: usize, _total: usize) {}
    /// Called after each step.
    fn step(&mut self, _step: usize, _train_loss: f64, _val_loss: Option<f64>, _tokens_per_s: f64) {
    }
    /// A line of news (evaluation, checkpoint).
    fn note(&mut self, _line: &str) {}
}

/// Progress that prints nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// Runs `factory train`. `stop` is polled every step (Ctrl-C sets it); the run then saves and returns.
pub fn train(
    opts: &TrainOptions,
    resume: bool,
    stop: Arc<AtomicBool>,
    progress: &mut dyn Progress,
) -> Result<TrainReport> {
    check_options(opts)?;
    let out = &opts.out;
    let has_model = out.join(CONFIG_FILE).exists() || out.join(WEIGHTS_FILE).exists();
    let state_path = out.join(STATE_FILE);
    let prior: Option<TrainState> = if resume {
        let text = std::fs::read_to_string(&state_path).map_err(|_| {
            bad(format!(
                "--resume: {} has no {STATE_FILE}, so there is no run of ours to resume",
                out.display()
            ))
        })?;
        Some(serde_json::from_str(&text).map_err(|e| ModelError::Config {
            path: state_path.clone(),
            problem: format!("unreadable training state: {e}"),
        })?)
    } else {
        if has_model {
            return Err(bad(format!(
                "{} already holds a model; choose an empty folder, or pass --resume to continue its training",
                out.display()
            )));
        }
        None
    };
    // On resume the saved shape, corpus and schedule win; only --steps may grow.
    let o = match &prior {
        Some(p) => TrainOptions {
            steps: opts.steps.max(p.options.steps),
            ..p.options.clone()
        },
        None => opts.clone(),
    };
    let texts = read_corpus(&o.corpus)?;
    let tokenizer = if resume {
        Tokenizer::from_file(&out.join(TOKENIZER_FILE))?
    } else if let Some(path) = &o.tokenizer {
        Tokenizer::from_file(path)?
    } else {
        progress.note("training the BPE tokenizer");
        let paragraphs = texts.iter().flat_map(|t| t.split("\n\n"));
        train_bpe(paragraphs, o.vocab).map_err(bad)?
    };
    let eot = tokenizer.token_id(END_OF_TEXT);
    let mut tokens = Vec::new();
    for t in &texts {
        tokens.extend(tokenizer.encode(t)?);
        tokens.extend(eot);
    }
    let (train_tokens, val_tokens) = split_tokens(&tokens, o.context);
    let need = o.batch * (o.context + 1);
    if train_tokens.len() < need || val_tokens.len() < o.context + 1 {
        return Err(bad(format!(
            "the corpus is too small: {} tokens, but one batch of {} × {} needs {} for training plus {} for validation; \
             add text or lower --batch / --context",
            tokens.len(),
            o.batch,
            o.context + 1,
            need,
            o.context + 1
        )));
    }
    // everything is checked: only now is anything written
    std::fs::create_dir_all(out).map_err(|e| ModelError::Io {
        path: out.clone(),
        source: e,
    })?;
    let cfg = Config::new(o.layers, o.heads, o.embd, o.context, tokenizer.vocab_size());
    cfg.validate().map_err(bad)?;
    let varmap = VarMap::new();
    if resume {
        load_vars(&varmap, out)?;
    } else {
        init_vars(&varmap, &cfg, o.seed)?;
    }
    let mut gpt = Gpt::new(
        &cfg,
        VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu),
    )?;
    gpt.set_differentiable(true);
    let mut opt = AdamW::new(&varmap, o.weight_decay)?;
    let mut state = match prior {
        Some(p) => {
            opt.load(&out.join(OPTIMIZER_FILE))?;
            TrainState {
                options: o.clone(),
                ..p
            }
        }
        None => {
            tokenizer.save(&out.join(TOKENIZER_FILE))?;
            TrainState {
                step: 0,
                options: o.clone(),
                train_tokens: train_tokens.len(),
                val_tokens: val_tokens.len(),
                val_loss: None,
                train_loss: None,
                seconds: 0.0,
            }
        }
    };
    let log_path = out.join(LOG_FILE);
    let mut rows: Vec<LogRow> = read_log(&log_path)
        .into_iter()
        .filter(|r| r.step <= state.step)
        .collect();
    let title = format!(
        "{} layers × {} heads × {} dims, vocab {}, context {}",
        cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.vocab_size, cfg.n_positions
    );
    let save = |gpt_state: &TrainState, opt: &AdamW, rows: &[LogRow]| -> Result<()> {
        let tensors: HashMap<String, Tensor> = varmap
            .data()
            .lock()
            .expect("varmap lock")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
            .collect();
        save_weights(out, &tensors)?;
        save_config(out, &cfg, eot)?;
        opt.save(&out.join(OPTIMIZER_FILE))?;
        write_log(&log_path, rows)?;
        write_state(out, gpt_state)?;
        if let Err(e) = plot_losses(&out.join(PLOT_FILE), rows, &title) {
            eprintln!("warning: could not draw {PLOT_FILE}: {e}");
        }
        Ok(())
    };
    progress.start(state.step, o.steps);
    let mut interval_loss = 0.0;
    let mut interval_steps = 0;
    let mut interval_start = Instant::now();
    let mut interrupted = false;
    let log_every = o.eval_every.clamp(1, 10);
    while state.step < o.steps {
        if stop.load(Ordering::SeqCst) {
            interrupted = true;
            break;
        }
        let step = state.step;
        let t0 = Instant::now();
        let lr = learning_rate(&o, step);
        // batches depend only on (seed, step), so a resumed run sees the same data
        let mut rng =
            StdRng::seed_from_u64(o.seed ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (x, y) = batch_at(&train_tokens, o.batch, o.context, &mut rng)?;
        let l = loss(&gpt, &x, &y)?;
        let grads = l.backward()?;
        opt.step(&grads, lr, step + 1)?;
        let lv = l.to_scalar::<f32>()? as f64;
        if !lv.is_finite() {
            return Err(bad(format!(
                "the loss became {lv} at step {}; lower --lr",
                step + 1
            )));
        }
        state.step += 1;
        state.seconds += t0.elapsed().as_secs_f64();
        interval_loss += lv;
        interval_steps += 1;
        let done = state.step == o.steps;
        let eval_now = state.step % o.eval_every == 0 || done;
        if state.step % log_every == 0 || eval_now {
            let secs = interval_start.elapsed().as_secs_f64();
            let tps = (interval_steps * o.batch * o.context) as f64 / secs.max(1e-9);
            gpt.set_differentiable(false);
            let val = if eval_now {
                Some(val_loss(&gpt, &val_tokens, o.context, o.batch)?)
            } else {
                None
            };
            gpt.set_differentiable(true);
            let train_loss = interval_loss / interval_steps as f64;
            rows.push(LogRow {
                step: state.step,
                train_loss,
                val_loss: val,
                lr,
                tokens_per_s: tps,
            });
            state.train_loss = Some(train_loss);
            if val.is_some() {
                state.val_loss = val;
            }
            progress.step(state.step, train_loss, state.val_loss, tps);
            if let Some(v) = val {
                progress.note(&format!(
                    "step {}: train loss {train_loss:.3}, validation loss {v:.3}, {tps:.0} tokens/s",
                    state.step
                ));
            }
            interval_loss = 0.0;
            interval_steps = 0;
            interval_start = Instant::now();
        }
        if state.step % o.save_every == 0 && !done {
            save(&state, &opt, &rows)?;
        }
    }
    save(&state, &opt, &rows)?;
    Ok(TrainReport { state, interrupted })
}

/// Times `steps` full training steps (forward, backward, AdamW) of a fresh model of shape `cfg` on
/// random tokens; returns each step's seconds. For `factory bench --train`.
pub fn time_steps(cfg: &Config, batch: usize, steps: usize) -> Result<Vec<f64>> {
    let varmap = VarMap::new();
    init_vars(&varmap, cfg, 1)?;
    let mut gpt = Gpt::new(
        cfg,
        VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu),
    )?;
    gpt.set_differentiable(true);
    let mut opt = AdamW::new(&varmap, 0.1)?;
    let mut rng = StdRng::seed_from_u64(7);
    let tokens: Vec<u32> = (0..batch * (cfg.n_positions + 1) * 4)
        .map(|_| rng.random_range(0..cfg.vocab_size as u32))
        .collect();
    let mut out = Vec::with_capacity(steps);
    for step in 0..steps {
        let t = Instant::now();
        let (x, y) = batch_at(&tokens, batch, cfg.n_positions, &mut rng)?;
        let grads = loss(&gpt, &x, &y)?.backward()?;
        opt.step(&grads, 1e-3, step + 1)?;
        out.push(t.elapsed().as_secs_f64());
    }
    Ok(out)
}
