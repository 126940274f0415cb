//! `factory patch`: activation patching between a clean and a corrupted prompt of the same token
//! length (`model/patch.rs`): a layer × position grid (layer × head for heads) of the corrupted
//! run's metric with one activation taken from the clean run.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};

use super::args::{AblateArg, ModelArg};
use crate::model::patch::{Metric, PatchGrid, Site, patch};

/// `factory patch`.
#[derive(Debug, clap::Args)]
pub(super) struct PatchArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    /// The clean prompt (A): its activations are put into B's run
    #[arg(long, value_name = "TEXT")]
    pub(super) clean: String,
    /// The corrupted prompt (B), of A's token length
    #[arg(long, value_name = "TEXT")]
    pub(super) corrupt: String,
    /// Where: resid_pre, attn_out, mlp_out (one layer and position each) or head (one head, every
    /// position)
    #[arg(long, value_name = "SITE")]
    pub(super) site: Site,
    /// prob:TOKEN (its probability at the last position) or diff:TOKEN1,TOKEN2 (TOKEN1's logit
    /// minus TOKEN2's); tokens byte for byte, leading space included, or #ID
    #[arg(long, value_name = "prob:TOKEN|diff:T1,T2", allow_hyphen_values = true)]
    pub(super) metric: String,
    #[command(flatten)]
    pub(super) ablate: AblateArg,
    /// Print JSON: {"schema": 1, "model", "clean", "corrupt", "site", "metric", "tokens", "grid"}
    #[arg(long)]
    pub(super) json: bool,
    /// Also write the grid as CSV (a row per layer)
    #[arg(long, value_name = "FILE")]
    pub(super) csv: Option<PathBuf>,
}

/// Patches every layer and position (or head) and prints the grid.
pub(super) fn patch_command(args: PatchArgs) -> Result<()> {
    let m = args.model.open()?;
    let abl = args.ablate.for_model(&m.config)?;
    let metric = Metric::parse(&args.metric, &m.tokenizer).map_err(anyhow::Error::msg)?;
    let a = m.tokenizer.encode(&args.clean)?;
    let b = m.tokenizer.encode(&args.corrupt)?;
    let context = m.config.n_positions;
    if a.len() > context || b.len() > context {
        anyhow::bail!("the prompts must be at most {context} tokens (the model's context)");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    })
    .context("could not install the Ctrl-C handler")?;
    let started = std::time::Instant::now();
    let mut progress = |done: usize, total: usize| {
        if done.is_multiple_of(16) || done == total {
            eprint!("\rpatched {done}/{total} runs");
        }
    };
    let grid = patch(
        &m.gpt,
        (&a, &b),
        (args.site, metric),
        &abl,
        &mut progress,
        &stop,
    )?;
    eprintln!(" in {:.1} s", started.elapsed().as_secs_f64());
    if let Some(path) = &args.csv {
        std::fs::write(path, csv(&grid))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    let name = m.dir.file_name().map_or_else(
        || m.dir.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    let tokens: Vec<String> = b.iter().map(|&id| m.tokenizer.token_text(id)).collect();
    if args.json {
        let out = serde_json::json!({
            "schema": 1,
            "model": name,
            "clean": grid.clean,
            "corrupt": grid.corrupt,
            "site": args.site.name(),
            "metric": args.metric,
            "tokens": tokens,
            "grid": grid.grid,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_grid(&grid, args.site, &tokens);
    }
    Ok(())
}

/// The grid as CSV: a header of positions (or heads), a row per layer.
fn csv(grid: &PatchGrid) -> String {
    let columns = grid.grid.first().map_or(0, Vec::len);
    let mut out = String::from("layer");
    for c in 0..columns {
        out.push_str(&format!(",{c}"));
    }
    out.push('\n');
    for (l, row) in grid.grid.iter().enumerate() {
        out.push_str(&l.to_string());
        for v in row {
            out.push_str(&format!(",{v}"));
        }
        out.push('\n');
    }
    out
}

/// A metric's value in ten characters: four decimals, or three significant digits when small.
fn number(v: f64) -> String {
    if v != 0.0 && v.abs() < 0.01 {
        format!("{v:.3e}")
    } else {
        format!("{v:.4}")
    }
}

/// The grid as a table, with the clean and corrupted metric and where patching moved it most.
fn print_grid(grid: &PatchGrid, site: Site, tokens: &[String]) {
    println!("clean {:.6}   corrupt {:.6}", grid.clean, grid.corrupt);
    let columns = grid.grid.first().map_or(0, Vec::len);
    print!("{:>6}", "layer");
    let heading: Vec<String> = match site {
        Site::Head => (0..columns).map(|c| format!("head {c}")).collect(),
        _ => tokens
            .iter()
            .enumerate()
            .map(|(c, t)| format!("{c}:{}", t.trim()).chars().take(10).collect())
            .collect(),
    };
    for h in heading {
        print!(" {h:>10}");
    }
    println!();
    for (l, row) in grid.grid.iter().enumerate() {
        print!("{l:>6}");
        for &v in row {
            print!(" {:>10}", number(v));
        }
        println!();
    }
    let best = grid
        .grid
        .iter()
        .enumerate()
        .flat_map(|(l, r)| r.iter().enumerate().map(move |(c, &v)| (l, c, v)))
        .max_by(|x, y| {
            (x.2 - grid.corrupt)
                .abs()
                .total_cmp(&(y.2 - grid.corrupt).abs())
        });
    if let Some((l, c, v)) = best {
        println!(
            "moved most: layer {l}, {} {c}: {v:.6} (corrupt {:.6}, clean {:.6})",
            if site == Site::Head {
                "head"
            } else {
                "position"
            },
            grid.corrupt,
            grid.clean
        );
    }
}
