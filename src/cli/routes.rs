//! `factory routes`: the information-flow route into the last token (`model/routes.rs`): every
//! part (residual, attention edge per head, FFN) whose share of its node is above the threshold,
//! traced back from the model's output at the last position.

use anyhow::Result;

use super::args::ModelArg;
use crate::model::routes::{Edge, Flow, Node, Part};

/// `factory routes`.
#[derive(Debug, clap::Args)]
pub(super) struct RoutesArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    /// The text whose last token's route is traced
    #[arg(long, value_name = "TEXT")]
    pub(super) prompt: String,
    /// Keep the parts whose share of their node is above this, 0 to 1
    #[arg(long, value_name = "X", default_value_t = 0.04)]
    pub(super) threshold: f64,
    /// Print JSON: {"schema": 1, "model", "tokens", "threshold", "edges": [{"from", "to", "kind",
    /// "head" (attention), "share"}]}, a node being {"layer", "mid", "position"}
    #[arg(long)]
    pub(super) json: bool,
}

/// Traces the route and prints its edges.
pub(super) fn routes_command(args: RoutesArgs) -> Result<()> {
    if !(0.0..=1.0).contains(&args.threshold) {
        anyhow::bail!("--threshold must be from 0 to 1, not {}", args.threshold);
    }
    let m = args.model.open()?;
    let ids = m.tokenizer.encode(&args.prompt)?;
    if ids.is_empty() || ids.len() > m.config.n_positions {
        anyhow::bail!(
            "the text must be 1 to {} tokens, not {}",
            m.config.n_positions,
            ids.len()
        );
    }
    let flow = Flow::run(&m.gpt, &ids)?;
    let edges = flow.route(args.threshold);
    let tokens: Vec<String> = ids.iter().map(|&i| m.tokenizer.token_text(i)).collect();
    if args.json {
        let name = m.dir.file_name().map_or_else(
            || m.dir.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        let out = serde_json::json!({
            "schema": 1,
            "model": name,
            "tokens": tokens,
            "threshold": args.threshold,
            "edges": edges,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_route(&edges, &tokens);
    }
    Ok(())
}

/// A node as a reader names it.
fn node(n: Node, tokens: &[String]) -> String {
    let where_ = if n.mid { "mid" } else { "in" };
    format!(
        "L{}.{where_} @{} {:?}",
        n.layer, n.position, tokens[n.position]
    )
}

/// The route, an edge per line, strongest first within each node.
fn print_route(edges: &[Edge], tokens: &[String]) {
    println!("{} edges into the last token's output", edges.len());
    for e in edges {
        let what = match e.part {
            Part::Residual => "residual".to_string(),
            Part::Attention { head } => format!("head {head}"),
            Part::Ffn => "FFN".to_string(),
            Part::Bias => "bias".to_string(),
        };
        println!(
            "{:<28} <- {:<10} {:<28} {:.3}",
            node(e.to, tokens),
            what,
            node(e.from, tokens),
            e.share
        );
    }
}
