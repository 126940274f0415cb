//! Direct logit attribution: how much each attention head pushes one token's logit at the last
//! position by what it writes straight into the residual stream (its output through its own rows of
//! the attention's `c_proj`), with the final LayerNorm's scale taken as fixed at its actual value.
//!
//! Once its mean and scale are fixed, `ln_f` is linear: the logit of token w is
//! `Σ_v ((v − mean v) / σ ⊙ g) · u_w + b · u_w` over everything added to the stream (the two
//! embeddings, each head, each attention bias, each FFN output), where g, b are `ln_f`'s gain and
//! shift, σ the final stream's scale and u_w the token's unembedding row. So the parts add up to the
//! logit exactly; a head's part is only its direct path (what later layers make of it is theirs).

use candle_core::IndexOp;

use super::Ablations;
use super::error::{ModelError, Result};
use super::gpt::{Gpt, KvCache, Record};

/// One token's logit at the last position, taken apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribution {
    /// The token.
    pub token: u32,
    /// Its logit (the model's own).
    pub logit: f32,
    /// `[layer][head]`: each head's direct part.
    pub heads: Vec<Vec<f32>>,
    /// `[layer]`: the attention's output bias.
    pub attn_bias: Vec<f32>,
    /// `[layer]`: what the FFN added.
    pub ffn: Vec<f32>,
    /// The token and position embeddings.
    pub embedding: f32,
    /// `ln_f`'s shift.
    pub shift: f32,
}

impl Attribution {
    /// The sum of every part: the logit again.
    pub fn total(&self) -> f32 {
        self.heads.iter().flatten().sum::<f32>()
            + self.attn_bias.iter().sum::<f32>()
            + self.ffn.iter().sum::<f32>()
            + self.embedding
            + self.shift
    }
}

impl Gpt {
    /// Takes apart `token`'s logit after `ids` (with `ablations`: a switched-off head's part is 0).
    pub fn attribution(
        &self,
        ids: &[u32],
        ablations: &Ablations,
        token: u32,
    ) -> Result<Attribution> {
        let cfg = self.config();
        let (c, nh) = (cfg.n_embd, cfg.n_head);
        let hs = c / nh;
        if ids.is_empty() || token as usize >= cfg.vocab_size {
            return Err(ModelError::Internal(format!(
                "attribution of token {token} after {} tokens",
                ids.len()
            )));
        }
        // the earlier tokens only fill the cache (no record: a long prompt's per-head numbers
        // would take gigabytes); the last one is traced whole
        let mut cache = KvCache::with_ablations(ablations.clone());
        let earlier = ids.len() - 1;
        if earlier > 0 {
            self.next_logits(&ids[..earlier], &mut cache)?;
        }
        let tr = self.trace_with(&ids[earlier..], &mut cache, Record::Everything)?;
        let t = 0; // the trace's one row: the last token
        // the stream ln_f normalises: the last layer's output
        let stream = tr
            .layers
            .last()
            .map_or(tr.embed.row(&[t]), |l| l.resid_ffn.row(&[t]));
        let n = c as f32;
        let mean = stream.iter().sum::<f32>() / n;
        let var = stream.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let sigma = (var + cfg.layer_norm_epsilon as f32).sqrt();
        let g = self.ln_f.weight.to_vec1::<f32>()?;
        let b = self.ln_f.bias.to_vec1::<f32>()?;
        let u = self.unembedding_row(token)?;
        // the direction a stream part is read along: g ⊙ u / σ, applied after centring the part
        let dir: Vec<f32> = g.iter().zip(&u).map(|(g, u)| g * u / sigma).collect();
        let read = |v: &[f32]| -> f32 {
            let m = v.iter().sum::<f32>() / n;
            v.iter().zip(&dir).map(|(x, d)| (x - m) * d).sum()
        };
        let embedding = read(tr.embed.row(&[t]));
        let mut heads = Vec::with_capacity(cfg.n_layer);
        let mut attn_bias = Vec::with_capacity(cfg.n_layer);
        let mut ffn = Vec::with_capacity(cfg.n_layer);
        for (l, layer) in tr.layers.iter().enumerate() {
            let proj = &self.block_at(l)?.attn.c_proj;
            let w = proj.weight.to_vec2::<f32>()?; // (C in, C out)
            let mut parts = Vec::with_capacity(nh);
            for h in 0..nh {
                let out = layer.head_out.row(&[h, t]); // (hs)
                let mut v = vec![0.0f32; c];
                for (i, &o) in out.iter().enumerate() {
                    for (vj, wj) in v.iter_mut().zip(&w[h * hs + i]) {
                        *vj += o * wj;
                    }
                }
                parts.push(read(&v));
            }
            heads.push(parts);
            attn_bias.push(read(&proj.bias.to_vec1::<f32>()?));
            ffn.push(read(layer.ffn_out.row(&[t])));
        }
        let shift = b.iter().zip(&u).map(|(b, u)| b * u).sum();
        Ok(Attribution {
            token,
            logit: tr.logits[token as usize],
            heads,
            attn_bias,
            ffn,
            embedding,
            shift,
        })
    }

    /// Row `token` of the unembedding (the tied `wte` or a separate `lm_head`).
    fn unembedding_row(&self, token: u32) -> Result<Vec<f32>> {
        Ok(self.lm_head.i(token as usize)?.to_vec1::<f32>()?)
    }
}
