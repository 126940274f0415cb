//! Operands recomputed from the floor's numbers and the model's own weights, for the formulas the
//! inspector shows: one head's raw attention scores (the floor's trace keeps the ln_1 rows and the
//! attention weights but not the queries, keys or scores, see [`super::Record::View`]), a
//! LayerNorm's gain and shift, an FFN neuron before its GELU, and what the FFN adds to the stream.

use candle_core::{Device, Tensor};

use super::error::{ModelError, Result};
use super::gpt::Gpt;

impl Gpt {
    /// The scores q·k/√hs of head `head` of layer `layer` for one query against keys, each given by
    /// its ln_1 row (the input to that layer's attention): `query` (C) and `keys` (K rows of C).
    /// Before the causal mask and the softmax; the softmax of these over the keys up to the query is
    /// the attention weight the trace records.
    pub fn head_scores(
        &self,
        layer: usize,
        head: usize,
        query: &[f32],
        keys: &[&[f32]],
    ) -> Result<Vec<f32>> {
        let cfg = self.config();
        let (c, nh) = (cfg.n_embd, cfg.n_head);
        let hs = c / nh;
        let block = self.block_at(layer)?;
        if head >= nh || query.len() != c || keys.iter().any(|k| k.len() != c) || keys.is_empty() {
            return Err(ModelError::Internal(format!(
                "head {head} of {nh}, rows of {} values for a width of {c}",
                query.len()
            )));
        }
        let (w, b) = (&block.attn.c_attn.weight, &block.attn.c_attn.bias); // (C, 3C), (3C)
        // this head's columns of the query and key projections: (C, hs) each
        let project = |rows: Tensor, offset: usize| -> Result<Tensor> {
            let wh = w.narrow(1, offset + head * hs, hs)?;
            let bh = b.narrow(0, offset + head * hs, hs)?;
            Ok(rows.matmul(&wh)?.broadcast_add(&bh)?)
        };
        let q = project(Tensor::from_slice(query, (1, c), &Device::Cpu)?, 0)?; // (1, hs)
        let flat: Vec<f32> = keys.iter().flat_map(|k| k.iter().copied()).collect();
        let k = project(Tensor::from_vec(flat, (keys.len(), c), &Device::Cpu)?, c)?; // (K, hs)
        let scores = (k.matmul(&q.t()?)? * (1.0 / (hs as f64).sqrt()))?; // (K, 1)
        Ok(scores.flatten_all()?.to_vec1::<f32>()?)
    }
}

/// Which LayerNorm: before a layer's attention, before its FFN, or the final one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormSite {
    /// `h.{l}.ln_1`.
    Ln1(usize),
    /// `h.{l}.ln_2`.
    Ln2(usize),
    /// `ln_f`.
    Final,
}

impl Gpt {
    pub(super) fn block_at(&self, layer: usize) -> Result<&super::block::Block> {
        self.blocks.get(layer).ok_or_else(|| {
            ModelError::Internal(format!(
                "no layer {layer} in a model of {}",
                self.config().n_layer
            ))
        })
    }

    /// A LayerNorm's gain and shift for dimension `d`, and its ε: the operands of
    /// `(x − mean) / sqrt(var + ε) · γ + β`.
    pub fn norm_at(&self, site: NormSite, d: usize) -> Result<(f32, f32, f64)> {
        let norm = match site {
            NormSite::Ln1(l) => &self.block_at(l)?.ln_1,
            NormSite::Ln2(l) => &self.block_at(l)?.ln_2,
            NormSite::Final => &self.ln_f,
        };
        let pick = |t: &Tensor| -> Result<f32> { Ok(t.narrow(0, d, 1)?.to_vec1::<f32>()?[0]) };
        Ok((pick(&norm.weight)?, pick(&norm.bias)?, norm.eps))
    }

    /// FFN neuron `i` of `layer` before its GELU, for a token whose ln_2 row is `ln_2`:
    /// `ln_2 · c_fc[:, i] + b[i]` (the floor keeps only the GELU's output).
    pub fn ffn_pre(&self, layer: usize, ln_2: &[f32], i: usize) -> Result<f32> {
        let fc = &self.block_at(layer)?.mlp.c_fc;
        let c = ln_2.len();
        let col = fc.weight.narrow(1, i, 1)?.flatten_all()?.to_vec1::<f32>()?;
        let b = fc.bias.narrow(0, i, 1)?.to_vec1::<f32>()?[0];
        if col.len() != c {
            return Err(ModelError::Internal(format!(
                "a row of {c} for a width of {}",
                col.len()
            )));
        }
        Ok(col.iter().zip(ln_2).map(|(w, x)| w * x).sum::<f32>() + b)
    }

    /// What `layer`'s FFN adds to dimension `d` of the stream, from its neurons' GELU outputs:
    /// `act · c_proj[:, d] + b[d]`.
    pub fn ffn_out(&self, layer: usize, act: &[f32], d: usize) -> Result<f32> {
        let proj = &self.block_at(layer)?.mlp.c_proj;
        let col = proj
            .weight
            .narrow(1, d, 1)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let b = proj.bias.narrow(0, d, 1)?.to_vec1::<f32>()?[0];
        if col.len() != act.len() {
            return Err(ModelError::Internal(format!(
                "{} activations for {} neurons",
                act.len(),
                col.len()
            )));
        }
        Ok(col.iter().zip(act).map(|(w, x)| w * x).sum::<f32>() + b)
    }
}

impl Gpt {
    /// Head `head` of `layer`'s query, key and value for each token whose ln_1 row is given: three
    /// lists of `hs` numbers per row (the floor keeps the ln_1 rows, not these).
    pub fn head_qkv(
        &self,
        layer: usize,
        head: usize,
        rows: &[&[f32]],
    ) -> Result<[Vec<Vec<f32>>; 3]> {
        let cfg = self.config();
        let (c, nh) = (cfg.n_embd, cfg.n_head);
        let hs = c / nh;
        let block = self.block_at(layer)?;
        if head >= nh || rows.is_empty() || rows.iter().any(|r| r.len() != c) {
            return Err(ModelError::Internal(format!(
                "head {head} of {nh}, {} rows for a width of {c}",
                rows.len()
            )));
        }
        let (w, b) = (&block.attn.c_attn.weight, &block.attn.c_attn.bias); // (C, 3C), (3C)
        let flat: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        let x = Tensor::from_vec(flat, (rows.len(), c), &Device::Cpu)?;
        let part = |offset: usize| -> Result<Vec<Vec<f32>>> {
            let wh = w.narrow(1, offset + head * hs, hs)?;
            let bh = b.narrow(0, offset + head * hs, hs)?;
            Ok(x.matmul(&wh)?.broadcast_add(&bh)?.to_vec2::<f32>()?)
        };
        Ok([part(0)?, part(c)?, part(2 * c)?])
    }
}
