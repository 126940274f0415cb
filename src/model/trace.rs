//! What the model computed for one run: every intermediate as plain `f32` arrays with shapes.
//!
//! This is the only thing the scene, the CLI and the tests read. No candle types cross this line.

use serde::Serialize;

/// A dense row-major array of `f32` with its shape.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Array {
    /// Size of each dimension, outermost first.
    pub shape: Vec<usize>,
    /// `shape.iter().product()` values, row-major.
    pub data: Vec<f32>,
}

impl Array {
    /// Wraps `data` with `shape`; the lengths must agree.
    pub fn new(shape: Vec<usize>, data: Vec<f32>) -> Self {
        debug_assert_eq!(shape.iter().product::<usize>(), data.len());
        Self { shape, data }
    }

    /// The value at a multi-dimensional index.
    pub fn at(&self, index: &[usize]) -> f32 {
        self.data[self.offset(index)]
    }

    /// The innermost row at an index of all but the last dimension.
    pub fn row(&self, index: &[usize]) -> &[f32] {
        let n = *self.shape.last().unwrap_or(&1);
        let mut full = index.to_vec();
        full.push(0);
        let start = self.offset(&full);
        &self.data[start..start + n]
    }

    fn offset(&self, index: &[usize]) -> usize {
        assert_eq!(index.len(), self.shape.len(), "index rank");
        index.iter().zip(&self.shape).fold(0, |acc, (&i, &n)| {
            assert!(i < n, "index {i} out of range {n}");
            acc * n + i
        })
    }
}

/// One next-token guess: a token id and its probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Guess {
    /// Token id.
    pub id: u32,
    /// Probability (softmax at temperature 1, nothing cut).
    pub prob: f32,
}

/// How many guesses the logit lens keeps per layer.
pub const LENS_TOP: usize = 5;

/// Everything one transformer block computed.
///
/// A run recorded for the factory floor ([`crate::model::Record::View`]) leaves `q`, `k`, `v`,
/// `scores`, `head_out` and `ffn_pre` empty (shape `[]`, no data): the floor does not show them, and
/// they are most of a long prompt's bytes.
///
/// `T` is the number of tokens run in this step, `P` the number already in the key/value cache
/// before it, `K = P + T` the number of keys each new query can see, `C = n_embd`,
/// `nh = n_head`, `hs = C / nh`, `H = n_inner`.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct LayerTrace {
    /// ln_1 output, the input to attention. (T, C)
    pub ln_1: Array,
    /// Queries per head. (nh, T, hs)
    pub q: Array,
    /// Keys per head, cached ones first. (nh, K, hs)
    pub k: Array,
    /// Values per head, cached ones first. (nh, K, hs)
    pub v: Array,
    /// q·kᵀ/√hs for every pair, before the causal mask (masked pairs are later set to −∞). (nh, T, K)
    pub scores: Array,
    /// Softmax of the masked scores: each row sums to 1, future keys are exactly 0. (nh, T, K)
    pub attention: Array,
    /// Each head's weighted sum of values. (nh, T, hs)
    pub head_out: Array,
    /// Heads concatenated and passed through c_proj. (T, C)
    pub attn_proj: Array,
    /// The residual stream after adding attention. (T, C)
    pub resid_attn: Array,
    /// ln_2 output, the input to the FFN. (T, C)
    pub ln_2: Array,
    /// FFN expansion before GELU. (T, H)
    pub ffn_pre: Array,
    /// FFN expansion after GELU: the neuron lamps. (T, H)
    pub ffn_act: Array,
    /// FFN contraction back to C. (T, C)
    pub ffn_out: Array,
    /// The residual stream after adding the FFN: the block's output. (T, C)
    pub resid_ffn: Array,
    /// The logit lens: the model's top guesses for the next token if it stopped after this layer
    /// (ln_f and the unembedding applied to this layer's output at the last position), softmax at
    /// temperature 1, nothing cut. At most [`LENS_TOP`], most likely first.
    pub lens: Vec<Guess>,
}

/// One run of the model over `T` new tokens, with every intermediate.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Trace {
    /// The token ids run in this step.
    pub ids: Vec<u32>,
    /// Position of the first of them (tokens already in the cache).
    pub start_pos: usize,
    /// Rows of wte. (T, C)
    pub tok_emb: Array,
    /// Rows of wpe. (T, C)
    pub pos_emb: Array,
    /// tok_emb + pos_emb: the start of the residual stream. (T, C)
    pub embed: Array,
    /// One entry per block.
    pub layers: Vec<LayerTrace>,
    /// ln_f output. (T, C)
    pub ln_f: Array,
    /// Next-token logits at the last position: ln_f[-1] · wteᵀ. (V)
    pub logits: Vec<f32>,
}

impl Trace {
    /// Number of tokens run in this step.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when no tokens were run.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Softmax of logits, computed in f64 for stability; returns probabilities summing to 1.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f64> = logits.iter().map(|&l| ((l - max) as f64).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|&e| (e / sum) as f32).collect()
}

/// The `n` highest values with their indices, highest first (ties: lower index first).
pub fn top_n(values: &[f32], n: usize) -> Vec<(usize, f32)> {
    let order = |a: &usize, b: &usize| values[*b].total_cmp(&values[*a]).then(a.cmp(b));
    let mut idx: Vec<usize> = (0..values.len()).collect();
    // the n first found in linear time, then only they sorted (a vocabulary is 50,000 long)
    if n < idx.len() {
        idx.select_nth_unstable_by(n, order);
        idx.truncate(n);
    }
    idx.sort_by(order);
    idx.into_iter().map(|i| (i, values[i])).collect()
}

/// The [`LENS_TOP`] most likely tokens of `logits` with their probabilities (softmax at
/// temperature 1, the same numbers as [`softmax`] gives, without the whole vector).
pub(super) fn guesses(logits: &[f32]) -> Vec<Guess> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f64 = logits.iter().map(|&l| ((l - max) as f64).exp()).sum();
    top_n(logits, LENS_TOP)
        .into_iter()
        .map(|(id, l)| Guess {
            id: id as u32,
            prob: (((l - max) as f64).exp() / sum) as f32,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_n_is_the_n_highest_in_order_ties_by_index() {
        let v = [0.1, 0.5, 0.3, 0.5, 0.0, 0.9];
        assert_eq!(top_n(&v, 3), vec![(5, 0.9), (1, 0.5), (3, 0.5)]);
        assert_eq!(top_n(&v, 0), vec![]);
        assert_eq!(top_n(&v, 10).len(), 6);
        assert_eq!(top_n(&v, 6)[5], (4, 0.0));
    }

    #[test]
    fn array_indexing_is_row_major() {
        let a = Array::new(vec![2, 3], vec![0., 1., 2., 3., 4., 5.]);
        assert_eq!(a.at(&[1, 2]), 5.0);
        assert_eq!(a.row(&[1]), &[3., 4., 5.]);
    }

    #[test]
    fn softmax_and_top_n() {
        let p = softmax(&[1.0, 3.0, 2.0]);
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert_eq!(
            top_n(&p, 2).iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![1, 2]
        );
    }
}
