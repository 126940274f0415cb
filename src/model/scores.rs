//! One head's raw attention scores recomputed from the floor's numbers: the floor's trace keeps the
//! ln_1 rows and the attention weights but not the queries, keys or scores (see
//! [`super::Record::View`]), and a hovered heatmap cell wants its formula's operands.

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
        let block = self.blocks.get(layer).ok_or_else(|| {
            ModelError::Prompt(format!("no layer {layer} in a model of {}", cfg.n_layer))
        })?;
        if head >= nh || query.len() != c || keys.iter().any(|k| k.len() != c) || keys.is_empty() {
            return Err(ModelError::Prompt(format!(
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
