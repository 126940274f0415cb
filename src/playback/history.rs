//! Everything the model computed for the tokens on the floor, one row per token.
//!
//! A prompt arrives as one [`Trace`] of many tokens; each generated token adds a one-token trace run
//! with the key/value cache. [`History`] splits both into per-token rows, so the scene can show any
//! token's numbers wherever it is, and the attention of every query over all keys before it.

use crate::model::trace::top_n;
use crate::model::{Guess, Trace};

/// One layer's numbers for every token so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayerRows {
    /// ln_1 output per token.
    pub ln_1: Vec<Vec<f32>>,
    /// `attention[head][query]`: weights over keys `0..=query` (the masked future is not stored).
    pub attention: Vec<Vec<Vec<f32>>>,
    /// Attention output (after c_proj) per token.
    pub attn_proj: Vec<Vec<f32>>,
    /// Residual stream after attention per token.
    pub resid_attn: Vec<Vec<f32>>,
    /// ln_2 output per token.
    pub ln_2: Vec<Vec<f32>>,
    /// FFN neurons after GELU per token.
    pub ffn_act: Vec<Vec<f32>>,
    /// The FFN's output (after c_proj: what it adds to the stream) per token.
    pub ffn_out: Vec<Vec<f32>>,
    /// Residual stream after the FFN per token.
    pub resid_ffn: Vec<Vec<f32>>,
}

/// The floor's record of every token and what the model computed for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Token ids, in order.
    pub ids: Vec<u32>,
    /// Token texts as a person reads them.
    pub texts: Vec<String>,
    /// How many of the tokens came from the prompt (the rest were generated).
    pub n_prompt: usize,
    /// Rows of wte.
    pub tok_emb: Vec<Vec<f32>>,
    /// Rows of wpe.
    pub pos_emb: Vec<Vec<f32>>,
    /// Their sums.
    pub embed: Vec<Vec<f32>>,
    /// Per layer.
    pub layers: Vec<LayerRows>,
    /// ln_f output per token.
    pub ln_f: Vec<Vec<f32>>,
    /// Next-token logits after the last token.
    pub logits: Vec<f32>,
    /// Per layer, the logit lens at the last token: the top guesses if the model stopped there.
    pub lens: Vec<Vec<Guess>>,
}

fn rows(a: &crate::model::Array) -> impl Iterator<Item = Vec<f32>> + '_ {
    let n = *a.shape.last().unwrap_or(&1);
    a.data.chunks(n.max(1)).map(<[f32]>::to_vec)
}

impl History {
    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The ln_1 rows of `layer` that token `query` may read (tokens 0..=query), copied (for work on
    /// the task pool: a booth's q, k and v, a heatmap row's scores).
    pub fn ln_1_up_to(&self, layer: usize, query: usize) -> Option<Vec<Vec<f32>>> {
        Some(self.layers.get(layer)?.ln_1.get(..=query)?.to_vec())
    }

    /// True before any trace arrived.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds a trace whose tokens continue this history (`trace.start_pos == self.len()`), or starts
    /// over when `trace.start_pos == 0`.
    pub fn append(&mut self, trace: &Trace, texts: Vec<String>) {
        if trace.start_pos == 0 {
            *self = History {
                n_prompt: trace.ids.len(),
                ..Default::default()
            };
        }
        debug_assert_eq!(trace.start_pos, self.len());
        self.ids.extend_from_slice(&trace.ids);
        self.texts.extend(texts);
        self.tok_emb.extend(rows(&trace.tok_emb));
        self.pos_emb.extend(rows(&trace.pos_emb));
        self.embed.extend(rows(&trace.embed));
        self.layers
            .resize_with(trace.layers.len(), LayerRows::default);
        for (mine, lt) in self.layers.iter_mut().zip(&trace.layers) {
            mine.ln_1.extend(rows(&lt.ln_1));
            mine.attn_proj.extend(rows(&lt.attn_proj));
            mine.resid_attn.extend(rows(&lt.resid_attn));
            mine.ln_2.extend(rows(&lt.ln_2));
            mine.ffn_act.extend(rows(&lt.ffn_act));
            mine.ffn_out.extend(rows(&lt.ffn_out));
            mine.resid_ffn.extend(rows(&lt.resid_ffn));
            let (nh, t, k) = (
                lt.attention.shape[0],
                lt.attention.shape[1],
                lt.attention.shape[2],
            );
            mine.attention.resize_with(nh, Vec::new);
            for (h, head_rows) in mine.attention.iter_mut().enumerate() {
                for q in 0..t {
                    let abs_q = trace.start_pos + q;
                    let row = lt.attention.row(&[h, q]);
                    debug_assert_eq!(row.len(), k);
                    head_rows.push(row[..=abs_q].to_vec());
                }
            }
        }
        self.ln_f.extend(rows(&trace.ln_f));
        self.logits = trace.logits.clone();
        // a one-token step leaves the lens to `super::lens` (empty until it arrives)
        self.lens = if trace.layers.iter().any(|l| l.lens.is_empty()) {
            Vec::new()
        } else {
            trace.layers.iter().map(|l| l.lens.clone()).collect()
        };
    }

    /// Attention weight of `query` on `key` in (`layer`, `head`); 0 for masked or missing pairs.
    pub fn weight(&self, layer: usize, head: usize, query: usize, key: usize) -> f32 {
        self.layers
            .get(layer)
            .and_then(|l| l.attention.get(head))
            .and_then(|h| h.get(query))
            .and_then(|row| row.get(key))
            .copied()
            .unwrap_or(0.0)
    }
}

/// One lit beam: query token `query` looks at key token `key` with `weight`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Beam {
    /// Layer.
    pub layer: usize,
    /// Head.
    pub head: usize,
    /// The token doing the looking.
    pub query: usize,
    /// The token looked at (never later than `query`).
    pub key: usize,
    /// Its softmax weight.
    pub weight: f32,
}

/// The beams to draw: every weight at or above `threshold`, for the queries in `queries`, where
/// `lit(layer, head, query)` says that query's crate has been through that booth.
pub fn beams(
    history: &History,
    threshold: f32,
    queries: std::ops::Range<usize>,
    lit: impl Fn(usize, usize, usize) -> bool,
) -> Vec<Beam> {
    let mut out = Vec::new();
    for (layer, rows) in history.layers.iter().enumerate() {
        for (head, head_rows) in rows.attention.iter().enumerate() {
            for query in queries.clone() {
                if !lit(layer, head, query) {
                    continue;
                }
                let Some(row) = head_rows.get(query) else {
                    continue;
                };
                for (key, &weight) in row.iter().enumerate() {
                    if weight >= threshold && weight > 0.0 {
                        out.push(Beam {
                            layer,
                            head,
                            query,
                            key,
                            weight,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The `cap` strongest of `beams` (ties keep the earlier beam), in their first order, and how many
/// were left out.
pub fn strongest(beams: Vec<Beam>, cap: usize) -> (Vec<Beam>, usize) {
    let total = beams.len();
    if total <= cap {
        return (beams, 0);
    }
    // the same ranking as the model's top-n (by weight, ties to the earlier), then back in order
    let weights: Vec<f32> = beams.iter().map(|b| b.weight).collect();
    keep_in_order(&beams, top_n(&weights, cap).into_iter().map(|(i, _)| i))
}

/// The beams at `keep` (indices, in any order) back in their first order, and how many of `beams`
/// were left out.
fn keep_in_order(beams: &[Beam], keep: impl Iterator<Item = usize>) -> (Vec<Beam>, usize) {
    let mut keep: Vec<usize> = keep.collect();
    keep.sort_unstable();
    let left_out = beams.len() - keep.len();
    (keep.into_iter().map(|i| beams[i]).collect(), left_out)
}

/// At most `cap` beams, those of the booths nearest the viewer first: booths in the order of
/// `distance(layer, head)` (ties to the earlier booth), and within the booth where the cap falls,
/// its strongest beams. Everything kept when all fit. Returns the kept beams in their order and how
/// many were left out. A long prompt lights tens of thousands of beams across the whole hall; this
/// keeps the ones where the camera is looking, as a level of detail.
pub fn nearest_first(
    beams: Vec<Beam>,
    cap: usize,
    distance: impl Fn(usize, usize) -> f32,
) -> (Vec<Beam>, usize) {
    let total = beams.len();
    if total <= cap {
        return (beams, 0);
    }
    let mut order: Vec<(f32, usize)> = beams
        .iter()
        .enumerate()
        .map(|(i, b)| (distance(b.layer, b.head), i))
        .collect();
    order.sort_by(|a, b| {
        let (ba, bb) = (&beams[a.1], &beams[b.1]);
        a.0.total_cmp(&b.0)
            .then((ba.layer, ba.head).cmp(&(bb.layer, bb.head)))
            .then(bb.weight.total_cmp(&ba.weight))
            .then(a.1.cmp(&b.1))
    });
    keep_in_order(&beams, order.into_iter().take(cap).map(|(_, i)| i))
}

/// Mean and standard deviation of a vector: what a norm gate changes.
pub fn mean_std(v: &[f32]) -> (f32, f32) {
    if v.is_empty() {
        return (0.0, 0.0);
    }
    let n = v.len() as f32;
    let mean = v.iter().sum::<f32>() / n;
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beam(key: usize, weight: f32) -> Beam {
        Beam {
            layer: 0,
            head: 0,
            query: 9,
            key,
            weight,
        }
    }

    #[test]
    fn the_strongest_beams_stay_in_their_order() {
        let beams = vec![
            beam(0, 0.2),
            beam(1, 0.9),
            beam(2, 0.5),
            beam(3, 0.5),
            beam(4, 0.1),
        ];
        // the three strongest, ties to the earlier, in their first order
        let (kept, left_out) = strongest(beams.clone(), 3);
        assert_eq!(kept, vec![beam(1, 0.9), beam(2, 0.5), beam(3, 0.5)]);
        assert_eq!(left_out, 2);
        let (kept, left_out) = strongest(beams.clone(), 2);
        assert_eq!(kept, vec![beam(1, 0.9), beam(2, 0.5)]);
        assert_eq!(left_out, 3);
        assert_eq!(strongest(beams.clone(), 5), (beams, 0));
    }

    #[test]
    fn the_nearest_booths_keep_their_beams_first() {
        let at = |layer, head, key, weight| Beam {
            layer,
            head,
            query: 9,
            key,
            weight,
        };
        // booth (0, 0) far away, booth (1, 1) nearest, booth (2, 0) next
        let far = [at(0, 0, 0, 0.9), at(0, 0, 1, 0.8)];
        let near = [at(1, 1, 0, 0.1), at(1, 1, 2, 0.2)];
        let next = [at(2, 0, 0, 0.3), at(2, 0, 1, 0.6), at(2, 0, 2, 0.5)];
        let beams: Vec<Beam> = far.iter().chain(&near).chain(&next).copied().collect();
        let distance = |layer: usize, _head: usize| match layer {
            1 => 0.5,
            2 => 3.0,
            _ => 40.0,
        };
        // the near booth whole, then the next booth's strongest, never the far booth's strong ones
        let (kept, left_out) = nearest_first(beams.clone(), 4, distance);
        assert_eq!(kept, vec![near[0], near[1], next[1], next[2]]);
        assert_eq!(left_out, 3);
        // all fit: all kept, in order
        assert_eq!(nearest_first(beams.clone(), 7, distance), (beams, 0));
    }
}
