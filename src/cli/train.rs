//! `factory train`: the options checked, a progress bar, Ctrl-C saves and stops.

use anyhow::{Context, Result};

use super::args::TrainArgs;
use crate::model::train::{Progress, TrainOptions};

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

pub(super) fn train(a: TrainArgs) -> Result<()> {
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
        snapshot_every: a.snapshot_every,
        snapshot_at: a.snapshot_at,
        init: a.init,
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
            "stopped at step {} of {}; continue with: factory train --out {} --resume --corpus {}",
            s.step,
            s.options.steps,
            opts.out.display(),
            opts.corpus
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
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
