//! `factory train`: a byte-level BPE tokenizer and a GPT-2 trained from scratch on text files, on the CPU.
//!
//! AdamW with a linear warm-up and cosine decay, a held-out validation split, checkpoints that resume
//! exactly (weights, optimiser moments and the step), a CSV log and a loss-curve PNG. The output folder
//! is a normal model folder (Hugging Face GPT-2 layout) that the factory and other GPT-2 tools open.
mod data;
mod log;
mod optim;
mod options;
mod run;
mod save;
mod setup;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::config::Config;
use super::error::{ModelError, Result};
use super::gpt::Gpt;
use super::tokenizer::END_OF_TEXT;
use data::batch_at;
pub use data::{check_options, read_corpus, split_tokens};
pub use log::{PlotError, Progress, Quiet, plot_losses, read_log};
pub(crate) use optim::AdamW;
use optim::init_vars;
pub use optim::{learning_rate, loss};
pub use options::{
    LOG_FILE, LogRow, OPTIMIZER_FILE, PLOT_FILE, SNAPSHOT_DIR, STATE_FILE, TrainOptions,
    TrainReport, TrainState, snapshot_name,
};
use run::Run;
use save::RunFiles;
pub use setup::memory_estimate;
use setup::{
    build_model, check_memory, effective_options, encode_corpus, model_config, open_tokenizer,
    read_prior_state, start_state, with_init_shape,
};

/// Runs `factory train`. `stop` is polled every step (Ctrl-C sets it); the run then saves and returns.
pub fn train(
    opts: &TrainOptions,
    resume: bool,
    stop: Arc<AtomicBool>,
    progress: &mut dyn Progress,
) -> Result<TrainReport> {
    let opts = &with_init_shape(opts)?;
    check_options(opts)?;
    let out = &opts.out;
    let prior = read_prior_state(out, resume)?;
    let o = effective_options(opts, prior.as_ref());
    let texts = read_corpus(&o.corpus)?;
    let tokenizer = open_tokenizer(&o, resume, &texts, progress)?;
    let eot = tokenizer.token_id(END_OF_TEXT);
    let tokens = encode_corpus(&tokenizer, &texts, eot, &o)?;
    let cfg = model_config(&o, tokenizer.vocab_size(), resume)?;
    check_memory(&cfg, o.batch)?;
    // everything is checked: only now is anything written
    std::fs::create_dir_all(out).map_err(|e| ModelError::Io {
        path: out.clone(),
        source: e,
    })?;
    let varmap = VarMap::new();
    let (gpt, mut opt) = build_model(&varmap, &cfg, &o, resume)?;
    let state = start_state(prior, &o, &mut opt, &tokenizer, &tokens)?;
    let files = RunFiles::new(out, &varmap, &cfg, &tokenizer, eot);
    let rows: Vec<LogRow> = read_log(&files.log_path)
        .into_iter()
        .filter(|r| r.step <= state.step)
        .collect();
    if state.step == 0 && o.snapshot_due(0) {
        files.snapshot(0)?;
    }
    progress.start(state.step, o.steps);
    let mut run = Run {
        o: &o,
        gpt,
        opt,
        tokens: &tokens,
        state,
        rows,
        files,
    };
    let interrupted = run.run_steps(&stop, progress)?;
    run.files.save(&run.state, &run.opt, &run.rows)?;
    Ok(TrainReport {
        state: run.state,
        interrupted,
    })
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
