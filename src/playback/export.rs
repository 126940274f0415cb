//! The floor as JSON, from the app: the same shape as `factory trace --json` (model, tokens,
//! ablations, per layer the attention and the logit lens, the next token's logits and top five),
//! plus each token's surprise. For a researcher who wants the numbers behind the picture.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use super::Floor;
use super::history::{History, LayerRows};
use super::surprise::TokenSurprise;
use crate::model::LoadedModel;
use crate::model::trace::{softmax, top_n};

/// The most an export may write, bytes: a long prompt on a large model has tens of millions of
/// attention weights (GPT-2 small at 1024 tokens: 75 million rows, gigabytes of text).
pub const EXPORT_LIMIT: u64 = 512 << 20;

/// About how many bytes the export of `h` writes: the attention table dominates (its CSV row and
/// its JSON number, about 40 bytes a weight).
pub fn export_bytes(h: &History) -> u64 {
    let t = h.len() as u64;
    let heads: u64 = h.layers.iter().map(|l| l.attention.len() as u64).sum();
    let weights = heads * t * (t + 1) / 2;
    let masked = heads * t * t - weights;
    40 * weights + 2 * masked + 64 * t * (h.layers.len() as u64 + 1) + 20 * h.logits.len() as u64
}

/// What an export writes, copied out of the floor (the tokens, the attention, the lens, the logits
/// and each token's surprise; nothing else of the floor's rows), so that it is written on the task
/// pool while the factory goes on.
pub struct Snapshot {
    floor: Floor,
    surprise: TokenSurprise,
    model: Arc<LoadedModel>,
}

/// The steps of writing an export, for its progress: the JSON made, the JSON written, the CSV tables
/// made, the CSV tables written.
pub const EXPORT_STEPS: usize = 4;

impl Snapshot {
    /// Copies what the export needs.
    pub fn of(floor: &Floor, surprise: &TokenSurprise, model: &Arc<LoadedModel>) -> Self {
        let h = &floor.history;
        let history = History {
            ids: h.ids.clone(),
            texts: h.texts.clone(),
            n_prompt: h.n_prompt,
            layers: h
                .layers
                .iter()
                .map(|l| LayerRows {
                    attention: l.attention.clone(),
                    ..LayerRows::default()
                })
                .collect(),
            logits: h.logits.clone(),
            lens: h.lens.clone(),
            ..History::default()
        };
        Self {
            floor: Floor {
                history,
                version: floor.version,
                ablations: floor.ablations.clone(),
                ..Floor::default()
            },
            surprise: surprise.numbers(),
            model: model.clone(),
        }
    }

    /// Writes `STEM.json` and `STEM-{tokens,attention,lens}.csv`, counting the steps done in
    /// `done` (of [`EXPORT_STEPS`]).
    pub fn write(&self, stem: &str, done: &AtomicUsize) -> std::io::Result<()> {
        let (floor, model, surprise) = (&self.floor, &*self.model, &self.surprise);
        let json = floor_json(floor, model, surprise);
        done.fetch_add(1, Ordering::Relaxed);
        let mut file = std::io::BufWriter::new(std::fs::File::create(format!("{stem}.json"))?);
        serde_json::to_writer(&mut file, &json)?;
        file.flush()?;
        drop(json);
        done.fetch_add(1, Ordering::Relaxed);
        let tables = floor_csv(floor, model, surprise);
        done.fetch_add(1, Ordering::Relaxed);
        for (name, text) in tables {
            std::fs::write(format!("{stem}-{name}.csv"), text)?;
        }
        done.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// The floor's numbers as one JSON object.
pub fn floor_json(floor: &Floor, model: &LoadedModel, surprise: &TokenSurprise) -> Value {
    let h = &floor.history;
    let cfg = &model.config;
    let tok = &model.tokenizer;
    let layers: Vec<Value> = h
        .layers
        .iter()
        .zip(&h.lens)
        .map(|(l, lens)| {
            // [head][query][key], the masked future as zeros, as `trace --json` writes it
            let attention: Vec<Vec<Vec<f32>>> = l
                .attention
                .iter()
                .map(|head| {
                    head.iter()
                        .map(|row| {
                            let mut full = row.clone();
                            full.resize(h.len(), 0.0);
                            full
                        })
                        .collect()
                })
                .collect();
            let lens: Vec<Value> = lens
                .iter()
                .map(|g| json!({"id": g.id, "token": tok.token_text(g.id), "prob": g.prob}))
                .collect();
            json!({ "attention": attention, "lens": lens })
        })
        .collect();
    let probs = softmax(&h.logits);
    let top: Vec<Value> = top_n(&probs, 5)
        .iter()
        .map(|&(id, p)| json!({"id": id, "text": tok.token_text(id as u32), "prob": p}))
        .collect();
    let tokens: Vec<Value> = (0..h.len())
        .map(|t| {
            json!({
                "id": h.ids[t],
                "text": h.texts[t],
                "surprise_nats": surprise.of(floor, t),
            })
        })
        .collect();
    json!({
        "model": {
            "dir": model.dir,
            "n_layer": cfg.n_layer, "n_head": cfg.n_head, "n_embd": cfg.n_embd,
            "n_positions": cfg.n_positions, "vocab_size": cfg.vocab_size,
            "n_params": cfg.n_params(),
        },
        "tokens": tokens,
        "ablations": floor.ablations.list().iter().map(ToString::to_string).collect::<Vec<_>>(),
        "layers": layers,
        "next_token": { "logits": h.logits, "top": top },
    })
}

/// One CSV field: quoted when it holds a comma, a quote or a line break (quotes doubled).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The floor's numbers as three CSV tables, for a spreadsheet: (name, text) for `tokens` (position,
/// id, text, surprise in nats), `attention` (one row per layer, head, query and the key it may read:
/// the weight) and `lens` (per layer its top guesses at the last token, temperature 1).
pub fn floor_csv(
    floor: &Floor,
    model: &LoadedModel,
    surprise: &TokenSurprise,
) -> [(&'static str, String); 3] {
    use std::fmt::Write;
    let h = &floor.history;
    let tok = &model.tokenizer;
    let mut tokens = String::from("position,id,text,surprise_nats\n");
    for t in 0..h.len() {
        let s = surprise
            .of(floor, t)
            .map_or(String::new(), |s| s.to_string());
        let _ = writeln!(tokens, "{t},{},{},{s}", h.ids[t], csv_field(&h.texts[t]));
    }
    let mut attention = String::from("layer,head,query,key,weight\n");
    for (layer, rows) in h.layers.iter().enumerate() {
        for (head, head_rows) in rows.attention.iter().enumerate() {
            for (query, row) in head_rows.iter().enumerate() {
                for (key, w) in row.iter().enumerate() {
                    let _ = writeln!(attention, "{layer},{head},{query},{key},{w}");
                }
            }
        }
    }
    let mut lens = String::from("layer,rank,id,token,prob\n");
    for (layer, guesses) in h.lens.iter().enumerate() {
        for (rank, g) in guesses.iter().enumerate() {
            let text = csv_field(&tok.token_text(g.id));
            let _ = writeln!(lens, "{layer},{rank},{},{text},{}", g.id, g.prob);
        }
    }
    [("tokens", tokens), ("attention", attention), ("lens", lens)]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A history of `t` tokens with `layers` × `heads` attention heads (no numbers: the size is what
    /// is measured).
    fn shaped(t: usize, layers: usize, heads: usize) -> History {
        History {
            ids: vec![0; t],
            layers: (0..layers)
                .map(|_| LayerRows {
                    attention: vec![Vec::new(); heads],
                    ..LayerRows::default()
                })
                .collect(),
            ..History::default()
        }
    }

    #[test]
    fn an_export_of_gpt2_at_1024_tokens_is_refused_and_the_default_models_is_not() {
        // GPT-2 small, 1024 tokens: 12 · 12 · 1024 · 1025 / 2 = 75.6 million weights
        let big = export_bytes(&shaped(1024, 12, 12));
        assert!(big > EXPORT_LIMIT, "{big}");
        assert!(big > 40 * 75_000_000, "{big}");
        // the default model's whole context: 6 · 4 heads, 128 tokens (about 8 MB)
        let small = export_bytes(&shaped(128, 6, 4));
        assert!(small < EXPORT_LIMIT / 50, "{small}");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field(" dog"), " dog");
        assert_eq!(csv_field(","), "\",\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("\n"), "\"\n\"");
    }
}
