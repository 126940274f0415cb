//! Before the first step: the state of a run being resumed, the options that win, the tokenizer,
//! the corpus as tokens split for validation, and the fresh or reloaded model with its optimiser.

use std::path::Path;

use candle_core::{DType, Device};
use candle_nn::{VarBuilder, VarMap};

use super::super::checkpoint::{CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE, load_weights};
use super::super::config::Config;
use super::super::error::{ModelError, Result};
use super::super::gpt::Gpt;
use super::super::tokenizer::{Tokenizer, train_bpe};
use super::data::split_tokens;
use super::log::Progress;
use super::optim::{AdamW, init_vars, load_vars};
use super::options::{OPTIMIZER_FILE, STATE_FILE, TrainOptions, TrainState, bad};

/// The corpus as token ids, cut into the part trained on and the held-out validation part.
pub(super) struct Tokens {
    /// Tokens the batches are drawn from.
    pub(super) train: Vec<u32>,
    /// Held-out tokens for the validation loss.
    pub(super) val: Vec<u32>,
}

/// The saved state of the run in `out` when resuming; otherwise refuses a folder that already
/// holds a model.
pub(super) fn read_prior_state(out: &Path, resume: bool) -> Result<Option<TrainState>> {
    let has_model = out.join(CONFIG_FILE).exists() || out.join(WEIGHTS_FILE).exists();
    let state_path = out.join(STATE_FILE);
    if resume {
        let text = std::fs::read_to_string(&state_path).map_err(|_| {
            bad(format!(
                "--resume: {} has no {STATE_FILE}, so there is no run of ours to resume",
                out.display()
            ))
        })?;
        let prior: TrainState = serde_json::from_str(&text).map_err(|e| ModelError::Config {
            path: state_path.clone(),
            problem: format!("unreadable training state: {e}"),
        })?;
        Ok(Some(prior))
    } else {
        if has_model {
            return Err(bad(format!(
                "{} already holds a model; choose an empty folder, or pass --resume to continue its training",
                out.display()
            )));
        }
        Ok(None)
    }
}

/// The options this run uses: those given, or on resume the saved ones with the few that may change.
pub(super) fn effective_options(opts: &TrainOptions, prior: Option<&TrainState>) -> TrainOptions {
    // On resume the saved shape and schedule win; only --steps may grow. The folder and the corpus
    // files are the ones given now (a run moved into the repository, or a corpus rebuilt
    // elsewhere by its pinned script, resumes where it is), and so are the snapshot steps.
    match prior {
        Some(p) => TrainOptions {
            steps: opts.steps.max(p.options.steps),
            out: opts.out.clone(),
            corpus: opts.corpus.clone(),
            snapshot_every: opts.snapshot_every,
            snapshot_at: opts.snapshot_at.clone(),
            ..p.options.clone()
        },
        None => opts.clone(),
    }
}

/// With `--init DIR`: the options with DIR's shape (its config.json) and tokenizer; as given otherwise.
pub(super) fn with_init_shape(opts: &TrainOptions) -> Result<TrainOptions> {
    let Some(dir) = &opts.init else {
        return Ok(opts.clone());
    };
    for file in [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE] {
        if !dir.join(file).is_file() {
            return Err(bad(format!(
                "--init {}: no {file} there; give a model folder (config.json, tokenizer.json, model.safetensors)",
                dir.display()
            )));
        }
    }
    let cfg = Config::from_file(&dir.join(CONFIG_FILE))?;
    Ok(TrainOptions {
        layers: cfg.n_layer,
        heads: cfg.n_head,
        embd: cfg.n_embd,
        context: cfg.n_positions,
        vocab: cfg.vocab_size,
        tokenizer: Some(dir.join(TOKENIZER_FILE)),
        ..opts.clone()
    })
}

/// The model's shape: a resumed `--init` run's own (in its folder), `--init`'s config (kept exactly,
/// whatever it holds), else the options'.
pub(super) fn model_config(o: &TrainOptions, vocab_size: usize, resume: bool) -> Result<Config> {
    let cfg = match &o.init {
        Some(_) if resume => Config::from_file(&o.out.join(CONFIG_FILE))?,
        Some(dir) => Config::from_file(&dir.join(CONFIG_FILE))?,
        None => Config::new(o.layers, o.heads, o.embd, o.context, vocab_size),
    };
    cfg.validate().map_err(bad)?;
    Ok(cfg)
}

/// Bytes a training run of this shape needs, roughly: the weights, their gradients and AdamW's two
/// moments (16 bytes a parameter), and the activations the backward pass keeps, twice (they and their
/// gradients): per token and layer about 35 vectors of the width (norms, q/k/v, the FFN's four-wide
/// GELU and its intermediates) and 3 rows of attention per head, and per token 3 rows of the
/// vocabulary (logits, their softmax and its gradient).
pub fn memory_estimate(cfg: &Config, batch: usize) -> u64 {
    let (c, t, h, v) = (
        cfg.n_embd as u64,
        cfg.n_positions as u64,
        cfg.n_head as u64,
        cfg.vocab_size as u64,
    );
    let params = v * c + t * c + cfg.n_layer as u64 * (12 * c * c + 13 * c) + 2 * c;
    let per_token = cfg.n_layer as u64 * (35 * c + 3 * h * t) + 3 * v;
    16 * params + 2 * 4 * batch as u64 * t * per_token
}

/// Refuses a run whose [`memory_estimate`] exceeds the memory available now (Linux's
/// `MemAvailable`; no check where that cannot be read).
pub(super) fn check_memory(cfg: &Config, batch: usize) -> Result<()> {
    let need = memory_estimate(cfg, batch);
    let available = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    });
    match available {
        Some(have) if need > have => Err(bad(format!(
            "this run would need about {:.1} GB of memory ({} layers × {} wide, context {}, vocabulary {}, \
             batch {}) but {:.1} GB are available; lower --batch (or --context, or the model's size, where \
             not given by --init)",
            need as f64 / 1e9,
            cfg.n_layer,
            cfg.n_embd,
            cfg.n_positions,
            cfg.vocab_size,
            batch,
            have as f64 / 1e9
        ))),
        _ => Ok(()),
    }
}

/// The tokenizer: the run's own on resume, the one passed with --tokenizer, or a new BPE trained on
/// the corpus.
pub(super) fn open_tokenizer(
    o: &TrainOptions,
    resume: bool,
    texts: &[String],
    progress: &mut dyn Progress,
) -> Result<Tokenizer> {
    if resume {
        Tokenizer::from_file(&o.out.join(TOKENIZER_FILE))
    } else if let Some(path) = &o.tokenizer {
        Tokenizer::from_file(path)
    } else {
        progress.note("training the BPE tokenizer");
        let paragraphs = texts.iter().flat_map(|t| t.split("\n\n"));
        train_bpe(paragraphs, o.vocab).map_err(bad)
    }
}

/// Encodes every corpus file (each followed by `eot`), splits off the validation part, and checks
/// that both parts are big enough for one batch.
pub(super) fn encode_corpus(
    tokenizer: &Tokenizer,
    texts: &[String],
    eot: Option<u32>,
    o: &TrainOptions,
) -> Result<Tokens> {
    let mut tokens = Vec::new();
    for t in texts {
        tokens.extend(tokenizer.encode(t)?);
        tokens.extend(eot);
    }
    let (train, val) = split_tokens(&tokens, o.context);
    let need = o.batch * (o.context + 1);
    if train.len() < need || val.len() < o.context + 1 {
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
    Ok(Tokens { train, val })
}

/// Fills `varmap` (reloaded on resume, from `--init`'s weights, freshly initialised otherwise) and builds the trainable
/// model and its optimiser on it.
pub(super) fn build_model(
    varmap: &VarMap,
    cfg: &Config,
    o: &TrainOptions,
    resume: bool,
) -> Result<(Gpt, AdamW)> {
    if resume {
        load_vars(varmap, &o.out)?;
    } else if let Some(dir) = &o.init {
        // checked like any model we open: names (a `transformer.` prefix stripped), shapes, types;
        // buffers such as attention masks left out
        let weights = load_weights(&dir.join(WEIGHTS_FILE), cfg)?;
        let mut data = varmap.data().lock().expect("varmap lock");
        for (name, t) in weights {
            data.insert(name, candle_core::Var::from_tensor(&t)?);
        }
    } else {
        init_vars(varmap, cfg, o.seed)?;
    }
    let mut gpt = Gpt::new(
        cfg,
        VarBuilder::from_varmap(varmap, DType::F32, &Device::Cpu),
    )?;
    gpt.set_differentiable(true);
    let opt = AdamW::new(varmap, o.weight_decay)?;
    Ok((gpt, opt))
}

/// The state the run starts from: on resume the saved one (and the optimiser moments are
/// reloaded), otherwise step 0 (and the tokenizer is saved into the folder).
pub(super) fn start_state(
    prior: Option<TrainState>,
    o: &TrainOptions,
    opt: &mut AdamW,
    tokenizer: &Tokenizer,
    tokens: &Tokens,
) -> Result<TrainState> {
    Ok(match prior {
        Some(p) => {
            opt.load(&o.out.join(OPTIMIZER_FILE))?;
            TrainState {
                options: o.clone(),
                ..p
            }
        }
        None => {
            tokenizer.save(&o.out.join(TOKENIZER_FILE))?;
            TrainState {
                step: 0,
                options: o.clone(),
                train_tokens: tokens.train.len(),
                val_tokens: tokens.val.len(),
                val_loss: None,
                train_loss: None,
                seconds: 0.0,
            }
        }
    })
}
