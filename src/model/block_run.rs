//! One block's intermediates in an inference run (`Gpt::run`) and how they become the trace's
//! plain arrays.

use candle_core::{DType, Tensor};

use super::block::AttentionParts;
use super::error::Result;
use super::trace::{Array, LayerTrace};

/// One block's intermediates for the new tokens of an inference run.
pub(super) struct BlockRun {
    pub(super) ln_1: Tensor,
    pub(super) parts: AttentionParts,
    pub(super) attn_out: Tensor,
    pub(super) resid_attn: Tensor,
    pub(super) ln_2: Tensor,
    pub(super) pre: Tensor,
    pub(super) act: Tensor,
    pub(super) ffn_out: Tensor,
    pub(super) resid_ffn: Tensor,
}

impl BlockRun {
    /// The block's record in a trace: what the floor shows always, the rest only when `every`
    /// (otherwise empty arrays); the lens is filled in at the end of the run.
    #[inline]
    pub(super) fn layer_trace(&self, every: bool) -> Result<LayerTrace> {
        let keep = |t: &Tensor| -> Result<Array> {
            if every {
                to_array(t)
            } else {
                Ok(Array::default())
            }
        };
        let parts = &self.parts;
        Ok(LayerTrace {
            ln_1: to_array(&self.ln_1)?,
            q: keep(&parts.q)?,
            k: keep(&parts.k)?,
            v: keep(&parts.v)?,
            scores: keep(&parts.scores)?,
            attention: to_array(&parts.attention)?,
            head_out: keep(&parts.head_out)?,
            attn_proj: to_array(&self.attn_out)?,
            resid_attn: to_array(&self.resid_attn)?,
            ln_2: to_array(&self.ln_2)?,
            ffn_pre: keep(&self.pre)?,
            ffn_act: to_array(&self.act)?,
            ffn_out: to_array(&self.ffn_out)?,
            resid_ffn: to_array(&self.resid_ffn)?,
            lens: Vec::new(),
        })
    }
}

/// Copies a tensor with a leading batch dimension of 1 into a plain [`Array`].
pub(super) fn to_array(t: &Tensor) -> Result<Array> {
    let t = t.squeeze(0)?.to_dtype(DType::F32)?;
    let shape = t.dims().to_vec();
    Ok(Array::new(shape, t.flatten_all()?.to_vec1::<f32>()?))
}
