//! The backward pass as the factory draws it: d loss / d every station's output (and the inner
//! steps the hall shows: the attention weights, the FFN's neurons), as plain arrays from one
//! learning measurement ([`super::learn::Learner::measure_drawn`]), and the chain-rule step that
//! made one gradient cell, with the real numbers (computed once per hovered cell).
//!
//! Shapes, `T` tokens, `C = n_embd`, `nh` heads of `hs`, `H = n_inner`, no batch dimension.

use std::collections::BTreeMap;

use candle_core::Tensor;

use super::error::Result;
use super::trace::Array;

/// d loss / d the outputs of one block's stations and inner steps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LayerGradients {
    /// ln_1's output. (T, C)
    pub ln_1: Array,
    /// c_attn's output: queries, keys and values side by side. (T, 3C)
    pub qkv: Array,
    /// The attention weights. (nh, T, T)
    pub attention: Array,
    /// Each head's output before the merge. (nh, T, hs)
    pub heads: Array,
    /// Attention's output after c_proj. (T, C)
    pub attn: Array,
    /// The stream after attention was added. (T, C)
    pub resid_attn: Array,
    /// ln_2's output. (T, C)
    pub ln_2: Array,
    /// The FFN's expansion before GELU. (T, H)
    pub fc: Array,
    /// The neurons' GELU outputs (the lamps). (T, H)
    pub neurons: Array,
    /// The FFN's output. (T, C)
    pub mlp: Array,
    /// The stream after the FFN was added: the block's output. (T, C)
    pub resid_ffn: Array,
}

/// The forward values a chain-rule step reads (the same run as the gradients).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Values {
    /// The stream entering block 0. (T, C)
    pub embed: Array,
    /// Per block, the stream after attention. (T, C)
    pub resid_attn: Vec<Array>,
    /// Per block, the stream after the FFN. (T, C)
    pub resid_ffn: Vec<Array>,
    /// Per block, c_attn's output. (T, 3C)
    pub qkv: Vec<Array>,
    /// ln_f's output. (T, C)
    pub ln_f: Array,
}

/// Everything the hall draws of one backward pass.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gradients {
    /// The example's token ids.
    pub ids: Vec<u32>,
    /// Updates applied before it was measured.
    pub step: usize,
    /// d loss / d the stream entering block 0 (the press's and the stamp's rows get the same:
    /// each is added into it once). (T, C)
    pub embed: Array,
    /// Per block.
    pub layers: Vec<LayerGradients>,
    /// d loss / d ln_f's output. (T, C)
    pub ln_f: Array,
    /// The L2 norm of d loss / d each weight tensor, by its stored name.
    pub weight_norms: BTreeMap<String, f64>,
    /// The forward values the chain-rule steps read.
    pub values: Values,
}

/// A stored weight by name: its values as f32 and its shape.
pub type WeightOf<'a> = dyn Fn(&str) -> Result<(Vec<f32>, Vec<usize>)> + 'a;

/// A tensor of one batch as a plain array (the batch dimension dropped).
pub(super) fn plain(t: &Tensor) -> Result<Array> {
    let t = t.squeeze(0)?;
    let shape = t.dims().to_vec();
    let data = t.flatten_all()?.to_vec1::<f32>()?;
    Ok(Array::new(shape, data))
}

impl Gradients {
    /// Files one tapped output's gradient (`grad`, with its batch dimension) and, where a chain
    /// step reads it, its forward value, by the tap's name (`embed`, `h.{l}.ln_1`, `h.{l}.qkv`, …).
    pub(super) fn file(&mut self, name: &str, grad: Array, value: &Tensor) -> Result<()> {
        let keep = |slot: &mut Vec<Array>, l: usize| -> Result<()> {
            slot.resize(slot.len().max(l + 1), Array::default());
            slot[l] = plain(value)?;
            Ok(())
        };
        match name.split('.').collect::<Vec<_>>()[..] {
            ["embed"] => {
                self.embed = grad;
                self.values.embed = plain(value)?;
            }
            ["ln_f"] => {
                self.ln_f = grad;
                self.values.ln_f = plain(value)?;
            }
            ["h", l, part] => {
                let l: usize = l.parse().unwrap_or(usize::MAX);
                if l == usize::MAX {
                    return Ok(());
                }
                if self.layers.len() <= l {
                    self.layers.resize(l + 1, LayerGradients::default());
                }
                let g = &mut self.layers[l];
                match part {
                    "ln_1" => g.ln_1 = grad,
                    "qkv" => {
                        g.qkv = grad;
                        keep(&mut self.values.qkv, l)?;
                    }
                    "attention" => g.attention = grad,
                    "heads" => g.heads = grad,
                    "attn" => g.attn = grad,
                    "resid_attn" => {
                        g.resid_attn = grad;
                        keep(&mut self.values.resid_attn, l)?;
                    }
                    "ln_2" => g.ln_2 = grad,
                    "fc" => g.fc = grad,
                    "neurons" => g.neurons = grad,
                    "mlp" => g.mlp = grad,
                    "resid_ffn" => {
                        g.resid_ffn = grad;
                        keep(&mut self.values.resid_ffn, l)?;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The gradients at `place`: (T, C) for a station, (T, H) for the neurons, (nh, T, T) for a
    /// layer's attention weights (every head's).
    pub fn array(&self, place: Place) -> Option<&Array> {
        let layer = |l: usize| self.layers.get(l);
        Some(match place {
            Place::Embed => &self.embed,
            Place::Ln1(l) => &layer(l)?.ln_1,
            Place::ResidAttn(l) => &layer(l)?.resid_attn,
            Place::Ln2(l) => &layer(l)?.ln_2,
            Place::ResidFfn(l) => &layer(l)?.resid_ffn,
            Place::LnF => &self.ln_f,
            Place::Neuron(l) => &layer(l)?.neurons,
            Place::Attention(l, _) => &layer(l)?.attention,
        })
    }

    /// The gradient at `place`, cell `(a, b)` (see [`Place`]), if the example has that cell.
    pub fn at(&self, place: Place, (a, b): (usize, usize)) -> Option<f32> {
        let array = self.array(place)?;
        let index = match place {
            Place::Attention(_, h) => vec![h, a, b],
            _ => vec![a, b],
        };
        let fits =
            index.len() == array.shape.len() && index.iter().zip(&array.shape).all(|(i, n)| i < n);
        fits.then(|| array.at(&index))
    }

    /// The number of tokens.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True for an example of no tokens (never measured).
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Where a gradient cell is, as the hall shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// The stream entering block 0 (the press's and the stamp's boards): (token, dim).
    Embed,
    /// A norm gate's output before block `l`'s heads: (token, dim).
    Ln1(usize),
    /// The stream after block `l`'s heads: (token, dim).
    ResidAttn(usize),
    /// A norm gate's output before block `l`'s FFN: (token, dim).
    Ln2(usize),
    /// The stream after block `l`'s FFN: (token, dim).
    ResidFfn(usize),
    /// The final norm's output: (token, dim).
    LnF,
    /// A lamp: block `l`'s neuron: (token, neuron).
    Neuron(usize),
    /// An attention weight of block `l`, head `h`: (query, key).
    Attention(usize, usize),
}

/// One term of a sum the chain rule makes: `factor · grad`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Term {
    /// Which input of the next step (a column of its weight, a key's value dimension, a word of
    /// the vocabulary).
    pub index: usize,
    /// The local derivative (a weight, a value).
    pub factor: f64,
    /// d loss / d that input.
    pub grad: f64,
}

/// How one gradient cell was made.
#[derive(Debug, Clone, PartialEq)]
pub enum Chain {
    /// A stream cell: the stream goes on past the next station (`skip`: the gradient of the same
    /// cell there; `None` after the last block, whose stream goes only into the final norm) and
    /// branches into the next norm gate (`branch`: the norm's gradient carried back through it).
    Stream {
        /// d loss / d the same cell further up the stream.
        skip: Option<f64>,
        /// d loss / d this cell through the norm gate it feeds.
        branch: f64,
    },
    /// A sum over the next step's inputs: Σ factor · grad (`n` terms, the largest three kept).
    Sum {
        /// How many terms.
        n: usize,
        /// The largest three by |factor · grad|.
        top: Vec<Term>,
        /// Σ of all of them.
        total: f64,
    },
}

impl Chain {
    /// The gradient it makes.
    pub fn total(&self) -> f64 {
        match self {
            Chain::Stream { skip, branch } => skip.unwrap_or(0.0) + branch,
            Chain::Sum { total, .. } => *total,
        }
    }
}

/// A sum of `factor[k] · grad[k]`, its three largest terms kept.
pub(super) fn sum(factor: &[f64], grad: &[f64]) -> Chain {
    let mut terms: Vec<Term> = factor
        .iter()
        .zip(grad)
        .enumerate()
        .map(|(index, (&factor, &grad))| Term {
            index,
            factor,
            grad,
        })
        .collect();
    let total = terms.iter().map(|t| t.factor * t.grad).sum();
    let n = terms.len();
    terms.sort_by(|a, b| {
        (b.factor * b.grad)
            .abs()
            .total_cmp(&(a.factor * a.grad).abs())
    });
    terms.truncate(3);
    Chain::Sum {
        n,
        top: terms,
        total,
    }
}

/// d loss / d a layer norm's input row `x`, from d loss / d its output row `g` and its gain
/// `gamma`: (g·γ − mean(g·γ) − x̂ · mean(g·γ·x̂)) / σ, with x̂ = (x − μ)/σ, σ = √(var + ε).
pub fn norm_backward(x: &[f64], gamma: &[f64], g: &[f64], eps: f64) -> Vec<f64> {
    let n = x.len() as f64;
    let mu = x.iter().sum::<f64>() / n;
    let var = x.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / n;
    let sigma = (var + eps).sqrt();
    let xh: Vec<f64> = x.iter().map(|v| (v - mu) / sigma).collect();
    let gy: Vec<f64> = g.iter().zip(gamma).map(|(g, w)| g * w).collect();
    let m1 = gy.iter().sum::<f64>() / n;
    let m2 = gy.iter().zip(&xh).map(|(a, b)| a * b).sum::<f64>() / n;
    gy.iter()
        .zip(&xh)
        .map(|(gy, xh)| (gy - m1 - xh * m2) / sigma)
        .collect()
}

/// A row of a plain array as f64.
pub(super) fn row64(a: &Array, index: &[usize]) -> Vec<f64> {
    a.row(index).iter().map(|&v| v as f64).collect()
}

/// The chain-rule step that made the gradient at `place`, cell `(a, b)` (see [`Place`]) of `g`,
/// with the weights as they were measured (`weight` gives a stored tensor by name, as f32 data
/// and shape) and the norms' ε.
pub fn chain(
    g: &Gradients,
    place: Place,
    (a, b): (usize, usize),
    weight: &WeightOf,
    eps: f64,
) -> Result<Chain> {
    let n_layer = g.layers.len();
    let bad = || super::error::ModelError::Prompt(format!("no gradient cell {place:?} {a},{b}"));
    let layer = |l: usize| g.layers.get(l).ok_or_else(bad);
    // a cell the example has (the place's own array checks every index)
    if g.at(place, (a, b)).is_none() {
        return Err(bad());
    }
    // row `r` of a stored [rows, cols] weight
    let row = |name: &str, r: usize| -> Result<Vec<f64>> {
        let (w, shape) = weight(name)?;
        let cols = shape.get(1).copied().ok_or_else(bad)?;
        Ok(w[r * cols..(r + 1) * cols]
            .iter()
            .map(|&v| v as f64)
            .collect())
    };
    // the stream cell (a, b) going on (skip) and into the norm `gate` (its gradient `g_norm`)
    let stream = |skip: Option<&Array>, x: &Array, gate: &str, g_norm: &Array| -> Result<Chain> {
        let gamma: Vec<f64> = weight(&format!("{gate}.weight"))?
            .0
            .iter()
            .map(|&v| v as f64)
            .collect();
        let back = norm_backward(&row64(x, &[a]), &gamma, &row64(g_norm, &[a]), eps);
        Ok(Chain::Stream {
            skip: skip.map(|s| s.at(&[a, b]) as f64),
            branch: *back.get(b).ok_or_else(bad)?,
        })
    };
    let v = &g.values;
    match place {
        Place::Embed => stream(
            Some(&layer(0)?.resid_attn),
            &v.embed,
            "h.0.ln_1",
            &layer(0)?.ln_1,
        ),
        Place::ResidAttn(l) => stream(
            Some(&layer(l)?.resid_ffn),
            v.resid_attn.get(l).ok_or_else(bad)?,
            &format!("h.{l}.ln_2"),
            &layer(l)?.ln_2,
        ),
        Place::ResidFfn(l) if l + 1 < n_layer => stream(
            Some(&layer(l + 1)?.resid_attn),
            v.resid_ffn.get(l).ok_or_else(bad)?,
            &format!("h.{}.ln_1", l + 1),
            &layer(l + 1)?.ln_1,
        ),
        Place::ResidFfn(l) => stream(None, v.resid_ffn.get(l).ok_or_else(bad)?, "ln_f", &g.ln_f),
        Place::Ln1(l) => Ok(sum(
            &row(&format!("h.{l}.attn.c_attn.weight"), b)?,
            &row64(&layer(l)?.qkv, &[a]),
        )),
        Place::Ln2(l) => Ok(sum(
            &row(&format!("h.{l}.mlp.c_fc.weight"), b)?,
            &row64(&layer(l)?.fc, &[a]),
        )),
        Place::Neuron(l) => Ok(sum(
            &row(&format!("h.{l}.mlp.c_proj.weight"), b)?,
            &row64(&layer(l)?.mlp, &[a]),
        )),
        Place::Attention(l, h) => {
            attention_chain(layer(l)?, v.qkv.get(l).ok_or_else(bad)?, h, (a, b)).ok_or_else(bad)
        }
        Place::LnF => unembed_chain(g, weight, (a, b))?.ok_or_else(bad),
    }
}

/// d loss / d attention weight (query `a`, key `b`) of head `h`: the weights multiply the values,
/// so it is Σ over the head's value numbers of the key's value × the head output's gradient.
fn attention_chain(
    layer: &LayerGradients,
    qkv: &Array,
    h: usize,
    (a, b): (usize, usize),
) -> Option<Chain> {
    let heads = &layer.heads;
    let hs = *heads.shape.last()?;
    let c = hs * heads.shape.first()?;
    let t = *heads.shape.get(1)?;
    if a >= t || b >= t || qkv.shape.first() != Some(&t) {
        return None;
    }
    let value: Vec<f64> = qkv.row(&[b])[2 * c + h * hs..2 * c + (h + 1) * hs]
        .iter()
        .map(|&x| x as f64)
        .collect();
    Some(sum(&value, &row64(heads, &[h, a])))
}

/// d loss / d the final norm's output (token `a`, dimension `b`): Σ over the vocabulary of the
/// unembedding's weight × d loss / d that word's logit, (p_v − [v is the true next word]) / (T − 1)
/// (nothing at the last position: it has no next word).
fn unembed_chain(
    g: &Gradients,
    weight: &WeightOf,
    (a, b): (usize, usize),
) -> Result<Option<Chain>> {
    // the unembedding: its own head, or wte on a tied model
    let (head, shape) = weight("lm_head.weight").or_else(|_| weight("wte.weight"))?;
    let Some(&c) = shape.get(1) else {
        return Ok(None);
    };
    if b >= c || a >= g.len() {
        return Ok(None);
    }
    let x = row64(&g.values.ln_f, &[a]);
    let logits: Vec<f64> = head
        .chunks(c)
        .map(|w| w.iter().zip(&x).map(|(&w, x)| w as f64 * x).sum())
        .collect();
    let t = g.len();
    let grad: Vec<f64> = match g.ids.get(a + 1) {
        Some(&next) => {
            let m = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = logits.iter().map(|l| (l - m).exp()).sum();
            logits
                .iter()
                .enumerate()
                .map(|(k, l)| {
                    let y = if k == next as usize { 1.0 } else { 0.0 };
                    ((l - m).exp() / z - y) / (t - 1) as f64
                })
                .collect()
        }
        None => vec![0.0; logits.len()],
    };
    let factor: Vec<f64> = head.chunks(c).map(|w| w[b] as f64).collect();
    Ok(Some(sum(&factor, &grad)))
}
