//! The training loop: one optimisation step at a time, the periodic log row with its validation
//! loss, and the checkpoints and snapshots due along the way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::super::error::Result;
use super::super::gpt::Gpt;
use super::data::batch_at;
use super::log::Progress;
use super::optim::{AdamW, learning_rate, loss, val_loss};
use super::options::{LogRow, TrainOptions, TrainState, bad};
use super::save::RunFiles;
use super::setup::Tokens;

/// A training run under way: the model, its optimiser, the data, the state and the log so far.
pub(super) struct Run<'a> {
    /// The options in force.
    pub(super) o: &'a TrainOptions,
    /// The model being trained.
    pub(super) gpt: Gpt,
    /// Its optimiser.
    pub(super) opt: AdamW,
    /// The training and validation tokens.
    pub(super) tokens: &'a Tokens,
    /// Steps done, last losses, time spent.
    pub(super) state: TrainState,
    /// The rows of `train_log.csv`.
    pub(super) rows: Vec<LogRow>,
    /// Where checkpoints and snapshots go.
    pub(super) files: RunFiles<'a>,
}

/// Training losses and time gathered since the last log row.
struct Interval {
    /// Sum of the step losses.
    loss: f64,
    /// Steps taken.
    steps: usize,
    /// When the interval began.
    start: Instant,
}

impl Interval {
    /// An empty interval starting now.
    fn new() -> Self {
        Self {
            loss: 0.0,
            steps: 0,
            start: Instant::now(),
        }
    }
}

impl Run<'_> {
    /// Steps until `o.steps` or until `stop` is set (then returns true), logging, evaluating,
    /// saving and snapshotting when due; the final save is the caller's.
    pub(super) fn run_steps(
        &mut self,
        stop: &AtomicBool,
        progress: &mut dyn Progress,
    ) -> Result<bool> {
        let mut interval = Interval::new();
        let log_every = self.o.eval_every.clamp(1, 10);
        while self.state.step < self.o.steps {
            if stop.load(Ordering::SeqCst) {
                return Ok(true);
            }
            let (lv, lr) = self.step()?;
            interval.loss += lv;
            interval.steps += 1;
            let done = self.state.step == self.o.steps;
            let eval_now = self.state.step.is_multiple_of(self.o.eval_every) || done;
            if self.state.step.is_multiple_of(log_every) || eval_now {
                self.log_row(&mut interval, lr, eval_now, progress)?;
            }
            if self.state.step.is_multiple_of(self.o.save_every) && !done {
                self.files.save(&self.state, &self.opt, &self.rows)?;
            }
            if self.o.snapshot_due(self.state.step) || (done && self.o.snapshot_every > 0) {
                self.files.snapshot(self.state.step)?;
            }
        }
        Ok(false)
    }

    /// One optimisation step (forward, backward, AdamW) on the step's batch; returns its loss and
    /// learning rate. A loss that is not finite stops the run with an error.
    fn step(&mut self) -> Result<(f64, f64)> {
        let o = self.o;
        let step = self.state.step;
        let t0 = Instant::now();
        let lr = learning_rate(o, step);
        // batches depend only on (seed, step), so a resumed run sees the same data
        let mut rng =
            StdRng::seed_from_u64(o.seed ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (x, y) = batch_at(&self.tokens.train, o.batch, o.context, &mut rng)?;
        let l = loss(&self.gpt, &x, &y)?;
        let grads = l.backward()?;
        self.opt.step(&grads, lr, step + 1)?;
        let lv = l.to_scalar::<f32>()? as f64;
        if !lv.is_finite() {
            return Err(bad(format!(
                "the loss became {lv} at step {}; lower --lr",
                step + 1
            )));
        }
        self.state.step += 1;
        self.state.seconds += t0.elapsed().as_secs_f64();
        Ok((lv, lr))
    }

    /// Closes the interval: appends a log row (with the validation loss when `eval_now`),
    /// updates the state, reports progress, and starts the next interval.
    fn log_row(
        &mut self,
        interval: &mut Interval,
        lr: f64,
        eval_now: bool,
        progress: &mut dyn Progress,
    ) -> Result<()> {
        let secs = interval.start.elapsed().as_secs_f64();
        let tps = (interval.steps * self.o.batch * self.o.context) as f64 / secs.max(1e-9);
        let val = self.validation_loss(eval_now)?;
        let train_loss = interval.loss / interval.steps as f64;
        self.rows.push(LogRow {
            step: self.state.step,
            train_loss,
            val_loss: val,
            lr,
            tokens_per_s: tps,
        });
        self.state.train_loss = Some(train_loss);
        if val.is_some() {
            self.state.val_loss = val;
        }
        progress.step(self.state.step, train_loss, self.state.val_loss, tps);
        if let Some(v) = val {
            progress.note(&format!(
                "step {}: train loss {train_loss:.3}, validation loss {v:.3}, {tps:.0} tokens/s",
                self.state.step
            ));
        }
        *interval = Interval::new();
        Ok(())
    }

    /// The loss on the held-out tokens when `eval_now` (None otherwise), computed with gradients off.
    fn validation_loss(&mut self, eval_now: bool) -> Result<Option<f64>> {
        self.gpt.set_differentiable(false);
        let val = if eval_now {
            Some(val_loss(
                &self.gpt,
                &self.tokens.val,
                self.o.context,
                self.o.batch,
            )?)
        } else {
            None
        };
        self.gpt.set_differentiable(true);
        Ok(val)
    }
}
