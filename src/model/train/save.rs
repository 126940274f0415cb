//! Writing a run to disk: the resumable checkpoint in the output folder and the f16 snapshots
//! under `snapshots/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Tensor};
use candle_nn::VarMap;

use super::super::checkpoint::{TOKENIZER_FILE, save_config, save_weights};
use super::super::config::Config;
use super::super::error::{ModelError, Result};
use super::super::tokenizer::Tokenizer;
use super::log::{plot_losses, write_log, write_state};
use super::optim::AdamW;
use super::options::{
    LOG_FILE, LogRow, OPTIMIZER_FILE, PLOT_FILE, SNAPSHOT_DIR, TrainState, snapshot_name,
};

/// What a run writes and where: the model's variables, shape and tokenizer, and the output folder.
pub(super) struct RunFiles<'a> {
    /// The output folder.
    out: &'a Path,
    /// The weights being trained.
    varmap: &'a VarMap,
    /// The model's shape, written as `config.json`.
    cfg: &'a Config,
    /// The tokenizer, copied into each snapshot.
    tokenizer: &'a Tokenizer,
    /// The end-of-text token id, written into the config.
    eot: Option<u32>,
    /// `train_log.csv` in the output folder.
    pub(super) log_path: PathBuf,
    /// The loss plot's caption: the model's shape.
    title: String,
}

impl<'a> RunFiles<'a> {
    /// Files for the run in `out` training `varmap` with shape `cfg`.
    pub(super) fn new(
        out: &'a Path,
        varmap: &'a VarMap,
        cfg: &'a Config,
        tokenizer: &'a Tokenizer,
        eot: Option<u32>,
    ) -> Self {
        let title = format!(
            "{} layers × {} heads × {} dims, vocab {}, context {}",
            cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.vocab_size, cfg.n_positions
        );
        Self {
            out,
            varmap,
            cfg,
            tokenizer,
            eot,
            log_path: out.join(LOG_FILE),
            title,
        }
    }

    /// Writes the resumable checkpoint: f32 weights, config, optimiser moments, log, state and
    /// the loss plot (a plot that fails only warns).
    pub(super) fn save(&self, state: &TrainState, opt: &AdamW, rows: &[LogRow]) -> Result<()> {
        let tensors: HashMap<String, Tensor> = self
            .varmap
            .data()
            .lock()
            .expect("varmap lock")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
            .collect();
        save_weights(self.out, &tensors)?;
        save_config(self.out, self.cfg, self.eot)?;
        opt.save(&self.out.join(OPTIMIZER_FILE))?;
        write_log(&self.log_path, rows)?;
        write_state(self.out, state)?;
        if let Err(e) = plot_losses(&self.out.join(PLOT_FILE), rows, &self.title) {
            eprintln!("warning: could not draw {PLOT_FILE}: {e}");
        }
        Ok(())
    }

    /// Writes the snapshot after `step` steps.
    pub(super) fn snapshot(&self, step: usize) -> Result<()> {
        // A snapshot is a complete model folder with f16 weights: it opens with --model like any model.
        let dir = self.out.join(SNAPSHOT_DIR).join(snapshot_name(step));
        std::fs::create_dir_all(&dir).map_err(|e| ModelError::Io {
            path: dir.clone(),
            source: e,
        })?;
        let mut tensors = HashMap::new();
        for (k, v) in self.varmap.data().lock().expect("varmap lock").iter() {
            tensors.insert(k.clone(), v.as_tensor().to_dtype(DType::F16)?);
        }
        save_weights(&dir, &tensors)?;
        save_config(&dir, self.cfg, self.eot)?;
        self.tokenizer.save(&dir.join(TOKENIZER_FILE))
    }
}
