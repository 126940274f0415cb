//! What a training run is told and what it reports: the options, the state saved for `--resume`,
//! one row of the log, and the names of the files a run writes.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::super::error::ModelError;

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
    /// Save a complete model folder (f16 weights) every this many steps under
    /// `OUT/snapshots/step-NNNNNN/`, step 0 included; 0 for none.
    #[serde(default)]
    pub snapshot_every: usize,
    /// Also save snapshots at these steps (e.g. closer together early on, where a model changes most).
    #[serde(default)]
    pub snapshot_at: Vec<usize>,
    /// Start from the weights of this model folder (its shape and tokenizer, a new warm-up and
    /// decay, fresh optimiser moments) instead of random ones.
    #[serde(default)]
    pub init: Option<PathBuf>,
}

impl TrainOptions {
    /// True when a training snapshot is due after `step` steps.
    pub fn snapshot_due(&self, step: usize) -> bool {
        (self.snapshot_every > 0 && step.is_multiple_of(self.snapshot_every))
            || self.snapshot_at.contains(&step)
    }
}

/// Where training snapshots live inside a model folder.
pub const SNAPSHOT_DIR: &str = "snapshots";

/// The folder name of the snapshot after `step` steps: `step-000200`.
pub fn snapshot_name(step: usize) -> String {
    format!("step-{step:06}")
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
            snapshot_every: 0,
            snapshot_at: Vec::new(),
            init: None,
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

pub(super) fn bad(msg: impl Into<String>) -> ModelError {
    ModelError::Train(msg.into())
}
