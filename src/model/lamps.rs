//! Lamp cards: for every FFN neuron (its GELU output, a lamp on the FFN machine's wall), the places
//! in a text where it lights most: the top [`TOP`] token positions over the text's windows (cut as
//! `factory heads` cuts them: consecutive windows of N tokens, each run on its own), each with
//! [`SIDE`] tokens of the text either side and the strongest token marked; ties go to the earlier
//! position. Precomputed into the model folder (`factory lamps`, [`CARDS_FILE`]) and shown when a
//! visitor points at or selects a lamp.

use serde::{Deserialize, Serialize};

use super::error::Result;
use super::heads::windows;
use super::{Gpt, KvCache, Record};

/// Contexts kept per lamp.
pub const TOP: usize = 8;
/// Tokens of the text shown either side of the marked one.
pub const SIDE: usize = 5;
/// The file in a model folder that keeps the cards.
pub const CARDS_FILE: &str = "lamps.json";

/// One place where a lamp lights: the token at `position` of the text (the marked one), with the
/// text's tokens around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lit {
    /// The lamp's GELU output there.
    pub value: f32,
    /// The marked token's position in the whole text.
    pub position: usize,
    /// The text's token ids from `position - SIDE` to `position + SIDE` (fewer at its ends).
    pub ids: Vec<u32>,
    /// Where the marked token is in `ids`.
    pub mark: usize,
}

/// Every lamp's card: `lamps[layer][neuron]`, the strongest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LampCards {
    /// The file's layout version (1).
    pub schema: u32,
    /// Tokens per window.
    pub window: usize,
    /// The text's length in tokens.
    pub tokens: usize,
    /// The cards.
    pub lamps: Vec<Vec<Vec<Lit>>>,
}

/// Keeps the `TOP` strongest (value, position) pairs: larger value first, then the earlier.
fn keep(top: &mut Vec<(f32, usize)>, value: f32, position: usize) {
    let better = |a: (f32, usize), b: (f32, usize)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
    if top.len() == TOP && !better((value, position), top[TOP - 1]) {
        return;
    }
    let at = top
        .iter()
        .position(|&t| better((value, position), t))
        .unwrap_or(top.len());
    top.insert(at, (value, position));
    top.truncate(TOP);
}

/// Every lamp's card over the text `ids`, in windows of `window` tokens (2..=context).
pub fn lamp_cards(gpt: &Gpt, ids: &[u32], window: usize) -> Result<LampCards> {
    let cfg = gpt.config();
    let window = window.clamp(2, cfg.n_positions);
    let cut = windows(ids, window);
    if cut.is_empty() {
        return Err(super::ModelError::Prompt(
            "the text has fewer than 2 tokens: no lamp can be measured".into(),
        ));
    }
    let hidden = cfg.n_inner;
    let mut top = vec![vec![Vec::<(f32, usize)>::with_capacity(TOP + 1); hidden]; cfg.n_layer];
    for (k, w) in cut.iter().enumerate() {
        let start = k * window;
        let trace = gpt.trace_with(w, &mut KvCache::new(), Record::View)?;
        for (l, layer) in trace.layers.iter().enumerate() {
            for t in 0..w.len() {
                for (n, &v) in layer.ffn_act.row(&[t]).iter().enumerate() {
                    keep(&mut top[l][n], v, start + t);
                }
            }
        }
    }
    let lit = |&(value, position): &(f32, usize)| {
        let from = position.saturating_sub(SIDE);
        let to = (position + SIDE + 1).min(ids.len());
        Lit {
            value,
            position,
            ids: ids[from..to].to_vec(),
            mark: position - from,
        }
    };
    Ok(LampCards {
        schema: 1,
        window,
        tokens: ids.len(),
        lamps: top
            .iter()
            .map(|layer| layer.iter().map(|t| t.iter().map(lit).collect()).collect())
            .collect(),
    })
}

/// The cards kept in `dir`'s [`CARDS_FILE`]: none when there is no file; why not when it cannot
/// be read.
pub fn load_cards(dir: &std::path::Path) -> Option<std::result::Result<LampCards, String>> {
    let text = match std::fs::read_to_string(dir.join(CARDS_FILE)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(e.to_string())),
        Ok(t) => t,
    };
    Some(match serde_json::from_str::<LampCards>(&text) {
        Ok(c) if c.schema == 1 => Ok(c),
        Ok(c) => Err(format!("schema {} (this program reads 1)", c.schema)),
        Err(e) => Err(e.to_string()),
    })
}

/// A card's context as text, the marked token in [brackets] ("the dog [ran] to the").
pub fn context_text(tok: &super::Tokenizer, lit: &Lit) -> String {
    let piece = |id: u32| tok.token_text(id).replace('\n', " ");
    let mut s = String::new();
    for (i, &id) in lit.ids.iter().enumerate() {
        let p = piece(id);
        if i == lit.mark {
            let lead = p.len() - p.trim_start().len();
            s.push_str(&format!("{}[{}]", &p[..lead], p.trim_start()));
        } else {
            s.push_str(&p);
        }
    }
    s.trim().to_string()
}

/// The lamps that light most for a word (its token ids, e.g. with and without a space before it):
/// (layer, neuron, how many of its top contexts mark one of them, its strongest value there), each
/// lamp once, most contexts first, then the strongest.
pub fn lamps_for(cards: &LampCards, ids: &[u32]) -> Vec<(usize, usize, usize, f32)> {
    let mut found = Vec::new();
    for (l, layer) in cards.lamps.iter().enumerate() {
        for (n, card) in layer.iter().enumerate() {
            let hits: Vec<f32> = card
                .iter()
                .filter(|c| c.ids.get(c.mark).is_some_and(|id| ids.contains(id)))
                .map(|c| c.value)
                .collect();
            if let Some(best) = hits.iter().copied().reduce(f32::max) {
                found.push((l, n, hits.len(), best));
            }
        }
    }
    found.sort_by(|a, b| b.2.cmp(&a.2).then(b.3.total_cmp(&a.3)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_stay_and_ties_go_to_the_earlier() {
        let mut top = Vec::new();
        for (p, v) in [3.0, 1.0, 3.0, 5.0, 0.5, 2.0, 2.0, 4.0, 1.5, 6.0]
            .into_iter()
            .enumerate()
        {
            keep(&mut top, v, p);
        }
        assert_eq!(
            top,
            vec![
                (6.0, 9),
                (5.0, 3),
                (4.0, 7),
                (3.0, 0),
                (3.0, 2),
                (2.0, 5),
                (2.0, 6),
                (1.5, 8)
            ]
        );
    }
}
