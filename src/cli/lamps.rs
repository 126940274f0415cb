//! `factory lamps`: every FFN lamp's card (where in a text it lights most, `model/lamps.rs`),
//! written into the model folder; `--search WORD`: which lamps light most for a word.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::args::ModelArg;
use crate::model::LoadedModel;
use crate::model::lamps::{self, CARDS_FILE, LampCards};

/// `factory lamps`.
#[derive(Debug, clap::Args)]
pub(super) struct LampsArgs {
    #[command(flatten)]
    pub(super) model: ModelArg,
    #[command(flatten)]
    pub(super) text: super::heads::TextArgs,
    /// Where the cards go (or, with --search, are read from) [default: the model folder's
    /// lamps.json]
    #[arg(long, value_name = "FILE")]
    pub(super) out: Option<PathBuf>,
    /// Instead of measuring: the lamps that light most for this word (read from the cards)
    #[arg(long, value_name = "WORD")]
    pub(super) search: Option<String>,
}

/// Measures and writes the cards, or searches them.
pub(super) fn lamps(args: LampsArgs) -> Result<()> {
    let m = args.model.open()?;
    let out = args.out.clone().unwrap_or_else(|| m.dir.join(CARDS_FILE));
    if let Some(word) = &args.search {
        return search(&m, &out, word);
    }
    let (ids, window) = args.text.read(&m)?;
    let started = std::time::Instant::now();
    let cards = lamps::lamp_cards(&m.gpt, &ids, window)?;
    let json = serde_json::to_string(&cards)?;
    std::fs::write(&out, &json).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "{} lamps' cards over {} tokens in {:.1} s: {} ({:.2} MB)",
        cards.lamps.iter().map(Vec::len).sum::<usize>(),
        ids.len(),
        started.elapsed().as_secs_f64(),
        out.display(),
        json.len() as f64 / 1e6
    );
    Ok(())
}

/// Prints the lamps that light most for `word` (as a token of its own, with or without a leading
/// space).
fn search(m: &LoadedModel, file: &std::path::Path, word: &str) -> Result<()> {
    let text = match std::fs::read_to_string(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "no lamp cards in {} yet: make them with factory lamps --model {}",
            file.display(),
            m.dir.display()
        ),
        r => r.with_context(|| format!("cannot read {}", file.display()))?,
    };
    let cards: LampCards = serde_json::from_str(&text)
        .with_context(|| format!("{} is not factory lamps' output", file.display()))?;
    let tok = &m.tokenizer;
    let mut ids = Vec::new();
    for form in [format!(" {}", word.trim()), word.trim().to_string()] {
        if let Ok(e) = tok.encode(&form)
            && let [id] = e[..]
        {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        anyhow::bail!(
            "{word:?} is not one token of this model's vocabulary (with or without a space before it)"
        );
    }
    let found = lamps::lamps_for(&cards, &ids);
    if found.is_empty() {
        println!(
            "no lamp has {word:?} among its {} strongest places",
            lamps::TOP
        );
    }
    for (l, n, hits, best) in found.into_iter().take(10) {
        let card = &cards.lamps[l][n];
        let example = card
            .iter()
            .find(|c| ids.contains(&c.ids[c.mark]))
            .map(|c| lamps::context_text(tok, c))
            .unwrap_or_default();
        println!(
            "layer {l} lamp {n}: {hits} of its {} strongest places, up to {best:+.2}: {example}",
            card.len()
        );
    }
    Ok(())
}
