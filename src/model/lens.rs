//! The logit lens and the unembedding: what the model would guess from a position's stream.

use candle_core::Tensor;

use super::error::Result;
use super::gpt::Gpt;
use super::trace::{Guess, guesses};

impl Gpt {
    /// The logits of one normed position (1, 1, C): its dot product with each row of the
    /// unembedding (V, C).
    pub(super) fn unembed(&self, h: &Tensor) -> Result<Vec<f32>> {
        let h = h.squeeze(1)?.contiguous()?; // (1, C)
        let logits = if self.lm_head.is_contiguous() {
            super::matvec::rows_dot(&h, &self.lm_head)?
        } else {
            h.matmul(&self.lm_head.t()?)?
        };
        Ok(logits.squeeze(0)?.to_vec1::<f32>()?)
    }

    /// The logit lens from each layer's output at the last position (`resid_ffn`'s last row, one
    /// row of `n_embd` per layer): the top guesses if the model stopped after that layer, as a
    /// [`Record::View`] trace holds them (what a [`Record::Step`] trace leaves out).
    pub fn logit_lens(&self, rows: &[&[f32]]) -> Result<Vec<Vec<Guess>>> {
        let c = self.config().n_embd;
        if rows.is_empty() || rows.iter().any(|r| r.len() != c) {
            return Err(candle_core::Error::Msg(format!(
                "the logit lens needs one row of {c} numbers per layer"
            ))
            .into());
        }
        let data: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        let h = Tensor::from_vec(data, (rows.len(), c), self.lm_head.device())?;
        Ok(self.lens(&[h])?.iter().map(|row| guesses(row)).collect())
    }

    /// The logit lens of layer outputs at the last position, rows (1, C) each: the logits if the
    /// model stopped there (`ln_f` and the unembedding, all rows in one product), (L, V).
    pub(super) fn lens(&self, rows: &[Tensor]) -> Result<Vec<Vec<f32>>> {
        let h = self.ln_f.forward(&Tensor::cat(rows, 0)?, false)?; // (L, C)
        // (V, C) · (C, L): the unembedding is the left operand, read as stored (no packed copy)
        let logits = self.lm_head.matmul(&h.t()?)?; // (V, L)
        Ok(logits.t()?.contiguous()?.to_vec2::<f32>()?) // (L, V)
    }
}
