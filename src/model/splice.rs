//! One activation of another run put into a run at one station: the step that activation patching
//! (`patch.rs`, a grid of such runs) and the floor's patched run (a [`KvCache`] carrying a
//! [`Splice`], a grid cell clicked) have in common.
//!
//! [`KvCache`]: super::KvCache

use candle_core::Tensor;

use super::error::Result;

/// What a [`Splice`] takes from the other run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// One position's row of a (1, T, C) output.
    Row(usize),
    /// One head's rows of a (1, nh, T, hs) output (each head's weights · values), at every
    /// position the other run has.
    Head(usize),
}

/// Another run's output at one station, and the part of it that replaces this run's.
#[derive(Debug, Clone)]
pub struct Splice {
    /// The station as `Gpt::forward_tapped` names it: `embed`, `h.{l}.heads`, `h.{l}.attn`,
    /// `h.{l}.mlp` or `h.{l}.resid_ffn` (the five an inference run, `Gpt::run`, passes through
    /// it; `forward_tapped` passes every station).
    pub station: String,
    /// What is taken.
    pub part: Part,
    /// The other run's output there, every position: (1, T, C), or (1, nh, T, hs) for a head.
    pub from: Tensor,
}

impl Splice {
    /// `x`, station `name`'s output for the tokens from position `p` on, with the part from the
    /// other run put in when `name` is this splice's station (and the part's positions are among
    /// `x`'s); otherwise `x` itself.
    pub fn apply(&self, name: &str, x: Tensor, p: usize) -> Result<Tensor> {
        if name != self.station {
            return Ok(x);
        }
        match self.part {
            Part::Row(i) => {
                let t = x.dim(1)?;
                if i < p || i >= p + t || i >= self.from.dim(1)? {
                    return Ok(x);
                }
                put(&x, &self.from.narrow(1, i, 1)?, 1, i - p)
            }
            Part::Head(h) => {
                // the head's rows at the positions both runs have; later ones stay this run's
                let t = x.dim(2)?;
                let n = self.from.dim(2)?.saturating_sub(p).min(t);
                if n == 0 {
                    return Ok(x);
                }
                let theirs = self.from.narrow(1, h, 1)?.narrow(2, p, n)?;
                let head = if n < t {
                    let mine = x.narrow(1, h, 1)?.narrow(2, n, t - n)?;
                    Tensor::cat(&[&theirs, &mine], 2)?
                } else {
                    theirs
                };
                put(&x, &head, 1, h)
            }
        }
    }
}

/// `x` with slice `i` of dimension `dim` replaced by `piece` (that dimension 1 long).
fn put(x: &Tensor, piece: &Tensor, dim: usize, i: usize) -> Result<Tensor> {
    let n = x.dim(dim)?;
    let mut parts = Vec::with_capacity(3);
    if i > 0 {
        parts.push(x.narrow(dim, 0, i)?);
    }
    parts.push(piece.clone());
    if i + 1 < n {
        parts.push(x.narrow(dim, i + 1, n - i - 1)?);
    }
    Ok(Tensor::cat(&parts, dim)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    fn t(data: Vec<f32>, shape: &[usize]) -> Tensor {
        Tensor::from_vec(data, shape, &Device::Cpu).unwrap()
    }

    #[test]
    fn a_row_is_put_in_only_where_the_run_holds_its_position() {
        // the other run: 3 positions of 2 numbers; this run's 2 new tokens start at position 1
        let from = t(vec![10., 11., 20., 21., 30., 31.], &[1, 3, 2]);
        let s = Splice {
            station: "h.0.attn".into(),
            part: Part::Row(2),
            from,
        };
        let x = t(vec![1., 2., 3., 4.], &[1, 2, 2]);
        let got = s.apply("h.0.attn", x.clone(), 1).unwrap();
        assert_eq!(
            got.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            [1., 2., 30., 31.]
        );
        // another station, or a run whose tokens start after the position: unchanged
        let other = s.apply("h.0.mlp", x.clone(), 1).unwrap();
        assert_eq!(
            other.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            [1., 2., 3., 4.]
        );
        let later = s.apply("h.0.attn", x, 3).unwrap();
        assert_eq!(
            later.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            [1., 2., 3., 4.]
        );
    }

    #[test]
    fn a_head_is_put_in_at_the_positions_both_runs_have() {
        // (1, nh 2, T 2, hs 1) from the other run; this run has 3 positions from 0
        let from = t(vec![10., 11., 20., 21.], &[1, 2, 2, 1]);
        let s = Splice {
            station: "h.1.heads".into(),
            part: Part::Head(1),
            from,
        };
        let x = t(vec![1., 2., 3., 4., 5., 6.], &[1, 2, 3, 1]);
        let got = s.apply("h.1.heads", x, 0).unwrap();
        assert_eq!(
            got.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            [1., 2., 3., 20., 21., 6.]
        );
        // a cached step at position 1 takes the other run's row 1; at position 2 (past the
        // other run) nothing
        let step = t(vec![7., 8.], &[1, 2, 1, 1]);
        let at1 = s.apply("h.1.heads", step.clone(), 1).unwrap();
        assert_eq!(
            at1.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            [7., 21.]
        );
        let at2 = s.apply("h.1.heads", step, 2).unwrap();
        assert_eq!(
            at2.flatten_all().unwrap().to_vec1::<f32>().unwrap(),
            [7., 8.]
        );
    }
}
