//! `factory learn`: one training example (a text) through the model forwards and backwards, and
//! updates applied to a copy of the weights in memory (`model/learn.rs`); the model's file is never
//! written. Entry k of the output is measured after k updates (entry 0: the model as loaded).

use anyhow::Result;

use super::args::ModelArg;
use crate::model::learn::{Entry, LearnReport, Learner, Optimizer, Probe, check_tokens, learn};

/// `factory learn`.
#[derive(Debug, clap::Args)]
pub(super) struct LearnArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    /// The training example: a text of 2 tokens up to the model's context
    #[arg(long, value_name = "TEXT")]
    pub(super) prompt: String,
    /// Updates to apply (0: only measure); N + 1 entries are printed
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub(super) steps: usize,
    /// The learning rate, a finite positive number [default: 0.01 for sgd, 0.001 for adam]
    #[arg(long, value_name = "X")]
    pub(super) lr: Option<f64>,
    /// sgd (θ −= lr·g) or adam (β1 0.9, β2 0.95, ε 1e-8, bias-corrected, no weight decay, no
    /// clipping)
    #[arg(long, value_name = "sgd|adam", default_value = "sgd")]
    pub(super) optimizer: Optimizer,
    /// d loss / d one stored weight entry at entry 0, e.g. h.0.mlp.c_fc.weight[3,17] (Conv1D
    /// weights are [in, out]; a `transformer.` prefix is optional); repeatable
    #[arg(long, value_name = "NAME[I,J]", value_parser = Probe::parse)]
    pub(super) probe: Vec<Probe>,
    /// Print JSON: {"schema": 1, "model", "tokens", "optimizer", "lr", "steps": [{"step",
    /// "loss", "mean_prob", "grad_norms": {...}, "weight_grad_norms": {...}}], "probes":
    /// [{"name", "grad"}]}
    #[arg(long)]
    pub(super) json: bool,
}

/// Learns the text and prints what each step measured.
pub(super) fn learn_command(args: LearnArgs) -> Result<()> {
    let m = args.model.open()?;
    let ids = m.tokenizer.encode(&args.prompt)?;
    check_tokens(&ids, m.config.n_positions)?;
    let lr = args.lr.unwrap_or(args.optimizer.default_lr());
    let mut learner = Learner::new(&m, args.optimizer, lr)?;
    let report = learn(&mut learner, &ids, args.steps, &args.probe)?;
    let name = m.dir.file_name().map_or_else(
        || m.dir.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json(&report, &name, ids.len(), &learner))?
        );
    } else {
        print_report(&report, ids.len(), &learner);
    }
    Ok(())
}

/// The report as `--json` prints it.
fn json(report: &LearnReport, model: &str, tokens: usize, learner: &Learner) -> serde_json::Value {
    let entry = |e: &Entry| {
        let grads: serde_json::Map<String, serde_json::Value> = e
            .grad_norms
            .iter()
            .map(|(k, v)| (k.clone(), (*v).into()))
            .collect();
        serde_json::json!({
            "step": e.step,
            "loss": e.loss,
            "mean_prob": e.mean_prob,
            "grad_norms": grads,
            "weight_grad_norms": e.weight_grad_norms,
        })
    };
    serde_json::json!({
        "schema": 1,
        "model": model,
        "tokens": tokens,
        "optimizer": learner.optimizer().name(),
        "lr": learner.lr(),
        "steps": report.entries.iter().map(entry).collect::<Vec<_>>(),
        "probes": report.probes.iter().map(|(p, g)| serde_json::json!({
            "name": p.name(),
            "grad": g,
        })).collect::<Vec<_>>(),
    })
}

/// The entries as a table, then where the gradient is largest at entry 0, and the probes.
fn print_report(report: &LearnReport, tokens: usize, learner: &Learner) {
    println!(
        "learning one example of {tokens} tokens ({} predictions) with {} at lr {}",
        tokens - 1,
        learner.optimizer().name(),
        learner.lr()
    );
    println!("{:>5} {:>9} {:>10}", "step", "loss", "mean prob");
    for e in &report.entries {
        println!("{:>5} {:>9.4} {:>10.4}", e.step, e.loss, e.mean_prob);
    }
    if let Some(first) = report.entries.first() {
        println!("\nthe gradient at each station's output (L2 norm over all positions), step 0:");
        for (name, v) in &first.grad_norms {
            println!("  {name:<16} {v:.4e}");
        }
        let mut weights: Vec<(&String, &f64)> = first.weight_grad_norms.iter().collect();
        weights.sort_by(|a, b| b.1.total_cmp(a.1));
        println!("the largest weight gradients, step 0:");
        for (name, v) in weights.iter().take(5) {
            println!("  {name:<24} {v:.4e}");
        }
    }
    for (p, g) in &report.probes {
        println!("d loss / d {} = {g:.6e}", p.name());
    }
}
