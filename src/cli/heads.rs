//! `factory heads`: what each attention head does in general, over a text (the model folder's
//! held-out text by default): its share of attention on the previous token, the first token,
//! itself, and its induction score, and the role they give it (`model/heads.rs`).

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::args::ModelArg;
use crate::model::LoadedModel;
use crate::model::heads::{self, CLEAR_RATIO, CLEAR_SCORE, HeadRole};

/// The file in a model folder that `heads` reads when no `--text` is given.
pub const HELDOUT: &str = "heldout.txt";

/// The text a measurement runs over and its windows (`heads` and `lamps`).
#[derive(Debug, clap::Args)]
pub(super) struct TextArgs {
    /// The text to measure over [default: the model folder's heldout.txt]
    #[arg(long, value_name = "FILE")]
    pub(super) text: Option<PathBuf>,
    /// Tokens per window, 2 to the model's context [default: the context]
    #[arg(long, value_name = "N")]
    pub(super) window: Option<usize>,
}

impl TextArgs {
    /// The text's token ids (tokenised whole) and the window, checked against `m`'s context.
    pub(super) fn read(&self, m: &LoadedModel) -> Result<(Vec<u32>, usize)> {
        let context = m.config.n_positions;
        let window = self.window.unwrap_or(context);
        if !(2..=context).contains(&window) {
            anyhow::bail!("--window must be 2 to {context} (the model's context), not {window}");
        }
        let path = self.text.clone().unwrap_or_else(|| m.dir.join(HELDOUT));
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read the text {} (give one with --text FILE)",
                path.display()
            )
        })?;
        Ok((m.tokenizer.encode(&text)?, window))
    }
}

/// `factory heads`.
#[derive(Debug, clap::Args)]
pub(super) struct HeadsArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    #[command(flatten)]
    pub(super) text: TextArgs,
    /// Print JSON: {"schema": 1, "model", "tokens", "heads": [{"layer", "head", "previous",
    /// "first", "self", "induction", "local", "role"}]}
    #[arg(long)]
    pub(super) json: bool,
}

/// Measures and prints every head's scores and role.
pub(super) fn heads(args: HeadsArgs) -> Result<()> {
    let m = args.model.open()?;
    let (ids, window) = args.text.read(&m)?;
    let started = std::time::Instant::now();
    let roles = heads::head_roles(&m.gpt, &ids, window)?;
    let seconds = started.elapsed().as_secs_f64();
    let name = m.dir.file_name().map_or_else(
        || m.dir.display().to_string(),
        |n| n.to_string_lossy().into(),
    );
    if args.json {
        let out = serde_json::json!({
            "schema": 1,
            "model": name,
            "tokens": ids.len(),
            "heads": roles,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        print_table(&roles, &name, ids.len());
    }
    eprintln!(
        "measured over {} tokens in windows of {window} in {seconds:.1} s",
        ids.len()
    );
    Ok(())
}

/// The scores as a table, a head per line, and the rule for a clear role.
fn print_table(roles: &[HeadRole], model: &str, tokens: usize) {
    println!("{model}: {tokens} tokens");
    println!(
        "{:>5} {:>4} {:>8} {:>6} {:>6} {:>9} {:>6}  role",
        "layer", "head", "previous", "first", "self", "induction", "local"
    );
    for r in roles {
        println!(
            "{:>5} {:>4} {:>8.3} {:>6.3} {:>6.3} {:>9.3} {:>6.3}  {}",
            r.layer,
            r.head,
            r.previous,
            r.first,
            r.itself,
            r.induction,
            r.local,
            r.role.name()
        );
    }
    println!(
        "a role is clear when its score is at least {CLEAR_SCORE} and {CLEAR_RATIO} times the \
         next; else local (itself and the two before) when that is {CLEAR_SCORE} and \
         {CLEAR_RATIO} times the first-token and induction scores; else mixed"
    );
}
