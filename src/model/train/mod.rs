//! `factory train`: a byte-level BPE tokenizer and a GPT-2 trained from scratch on text files, on the CPU.
//!
//! AdamW with a linear warm-up and cosine decay, a held-out validation split, checkpoints that resume
//! exactly (weights, optimiser moments and the step), a CSV log and a loss-curve PNG. The output folder
//! is a normal model folder (Hugging Face GPT-2 layout) that the factory and other GPT-2 tools open.
mod data;
mod log;
mod optim;
mod options;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use candle_core::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::checkpoint::{CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE, save_config, save_weights};
use super::config::Config;
use super::error::{ModelError, Result};
use super::gpt::Gpt;
use super::tokenizer::{END_OF_TEXT, Tokenizer, train_bpe};
use data::batch_at;
pub use data::{check_options, read_corpus, split_tokens};
pub use log::{PlotError, Progress, Quiet, plot_losses, read_log};
use log::{write_log, write_state};
use optim::{AdamW, init_vars, load_vars, val_loss};
pub use optim::{learning_rate, loss};
use options::bad;
pub use options::{
    LOG_FILE, LogRow, OPTIMIZER_FILE, PLOT_FILE, SNAPSHOT_DIR, STATE_FILE, TrainOptions,
    TrainReport, TrainState, snapshot_name,
};

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
    // On resume the saved shape and schedule win; only --steps may grow. The folder and the corpus
    // files are the ones given now (a run moved into the repository, or a corpus rebuilt
    // elsewhere by its pinned script, resumes where it is), and so are the snapshot steps.
    let o = match &prior {
        Some(p) => TrainOptions {
            steps: opts.steps.max(p.options.steps),
            out: opts.out.clone(),
            corpus: opts.corpus.clone(),
            snapshot_every: opts.snapshot_every,
            snapshot_at: opts.snapshot_at.clone(),
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
    // A snapshot is a complete model folder with f16 weights: it opens with --model like any model.
    let snapshot = |step: usize| -> Result<()> {
        let dir = out.join(SNAPSHOT_DIR).join(snapshot_name(step));
        std::fs::create_dir_all(&dir).map_err(|e| ModelError::Io {
            path: dir.clone(),
            source: e,
        })?;
        let mut tensors = HashMap::new();
        for (k, v) in varmap.data().lock().expect("varmap lock").iter() {
            tensors.insert(k.clone(), v.as_tensor().to_dtype(DType::F16)?);
        }
        save_weights(&dir, &tensors)?;
        save_config(&dir, &cfg, eot)?;
        tokenizer.save(&dir.join(TOKENIZER_FILE))
    };
    if state.step == 0 && o.snapshot_due(0) {
        snapshot(0)?;
    }
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
        if o.snapshot_due(state.step) || (done && o.snapshot_every > 0) {
            snapshot(state.step)?;
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
