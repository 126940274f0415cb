//! The parts of a GPT-2 block, each step a separate tensor so it can be recorded: LayerNorm, the
//! `Conv1D` projections, causal self-attention, the MLP with its GELU, and the block that joins them.

use candle_core::{D, Tensor};
use candle_nn::{Init, VarBuilder};

use super::config::{Activation, Config};
use super::error::Result;

/// What a block's inner steps pass through (by their names: `qkv`, `attention`, `fc`, `neurons`):
/// the learning step reads their gradients there ([`super::gpt::Gpt::forward_tapped`]).
pub(super) type Inner<'a> = dyn FnMut(&str, Tensor) -> Result<Tensor> + 'a;

/// The inner steps passed through unchanged.
pub(super) fn untouched(_: &str, t: Tensor) -> Result<Tensor> {
    Ok(t)
}

/// A LayerNorm with weight and bias.
#[derive(Debug, Clone)]
pub(super) struct Norm {
    pub(super) weight: Tensor,
    pub(super) bias: Tensor,
    pub(super) eps: f64,
}

impl Norm {
    pub(super) fn new(c: usize, eps: f64, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            weight: vb.get_with_hints(c, "weight", Init::Const(1.0))?,
            bias: vb.get_with_hints(c, "bias", Init::Const(0.0))?,
            eps,
        })
    }

    pub(super) fn forward(&self, x: &Tensor, differentiable: bool) -> Result<Tensor> {
        if !differentiable {
            let x = x.contiguous()?;
            return Ok(candle_nn::ops::layer_norm(
                &x,
                &self.weight,
                &self.bias,
                self.eps as f32,
            )?);
        }
        let mean = x.mean_keepdim(D::Minus1)?; // (..., 1)
        let xc = x.broadcast_sub(&mean)?;
        let var = xc.sqr()?.mean_keepdim(D::Minus1)?;
        let xn = xc.broadcast_div(&(var + self.eps)?.sqrt()?)?;
        Ok(xn.broadcast_mul(&self.weight)?.broadcast_add(&self.bias)?)
    }
}

/// A GPT-2 `Conv1D`: `y = x · W + b` with `W` stored `[in, out]`.
#[derive(Debug, Clone)]
pub(super) struct Conv1D {
    pub(super) weight: Tensor,
    pub(super) bias: Tensor,
}

impl Conv1D {
    pub(super) fn new(n_in: usize, n_out: usize, std: f64, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            weight: vb.get_with_hints(
                (n_in, n_out),
                "weight",
                Init::Randn {
                    mean: 0.0,
                    stdev: std,
                },
            )?,
            bias: vb.get_with_hints(n_out, "bias", Init::Const(0.0))?,
        })
    }

    /// (B, T, in) -> (B·T, in) · (in, out) + bias -> (B, T, out). One row outside training
    /// streams the weight as stored ([`super::matvec`]).
    pub(super) fn forward(&self, x: &Tensor, differentiable: bool) -> Result<Tensor> {
        let (b, t, n_in) = x.dims3()?;
        let rows = x.reshape((b * t, n_in))?;
        let y = if b * t == 1 && !differentiable {
            super::matvec::row_times(&rows.contiguous()?, &self.weight)?
        } else {
            rows.matmul(&self.weight)?
        };
        let y = y.broadcast_add(&self.bias)?;
        Ok(y.reshape((b, t, ()))?)
    }
}

/// Causal multi-head self-attention, each step a separate tensor.
#[derive(Debug, Clone)]
pub(super) struct Attention {
    pub(super) c_attn: Conv1D,
    pub(super) c_proj: Conv1D,
    pub(super) n_head: usize,
}

/// What attention produced, beyond its output.
pub(super) struct AttentionParts {
    pub(super) q: Tensor,
    pub(super) k: Tensor,
    pub(super) v: Tensor,
    pub(super) scores: Tensor,
    pub(super) attention: Tensor,
    pub(super) head_out: Tensor,
}

impl Attention {
    pub(super) fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        let c = cfg.n_embd;
        let proj_std = 0.02 / (2.0 * cfg.n_layer as f64).sqrt();
        Ok(Self {
            c_attn: Conv1D::new(c, 3 * c, 0.02, vb.pp("c_attn"))?,
            c_proj: Conv1D::new(c, c, proj_std, vb.pp("c_proj"))?,
            n_head: cfg.n_head,
        })
    }

    /// Queries, keys and values of `x` (B, T, C), each (B, nh, T, hs); c_attn's output (B, T, 3C)
    /// passes `inner` as `qkv`.
    pub(super) fn qkv(
        &self,
        x: &Tensor,
        differentiable: bool,
        inner: &mut Inner,
    ) -> Result<(Tensor, Tensor, Tensor)> {
        let (b, t, c) = x.dims3()?;
        let nh = self.n_head;
        let hs = c / nh;
        let qkv = inner("qkv", self.c_attn.forward(x, differentiable)?)?; // (B, T, 3C)
        let split = |i: usize| -> Result<Tensor> {
            // (B, T, C) -> (B, T, nh, hs) -> (B, nh, T, hs)
            Ok(qkv
                .narrow(2, i * c, c)?
                .reshape((b, t, nh, hs))?
                .transpose(1, 2)?
                .contiguous()?)
        };
        Ok((split(0)?, split(1)?, split(2)?))
    }

    /// The heads' outputs (weights · values, `head_out` (B, nh, T, hs), switched-off heads zeroed)
    /// and the steps that made them; the attention weights pass `inner` as `attention`.
    pub(super) fn heads(
        &self,
        (q, k, v): (Tensor, Tensor, Tensor),
        mask: &Tensor,
        head_mask: Option<&Tensor>,
        differentiable: bool,
        inner: &mut Inner,
    ) -> Result<AttentionParts> {
        let (b, _, t, hs) = q.dims4()?;
        // scaled dot product: (B, nh, T, hs) · (B, nh, hs, K) -> (B, nh, T, K)
        // one query (a cached step): per-head loops over the cache, not a tiny product per head
        let one = t == 1 && b == 1 && !differentiable;
        let raw = if one {
            super::matvec::query_keys(&q, &k)?
        } else {
            q.matmul(&k.t()?)?
        };
        let scores = (raw * (1.0 / (hs as f64).sqrt()))?;
        // causal mask: a query never sees a later key
        let masked = scores.broadcast_add(mask)?;
        let attention = if differentiable {
            candle_nn::ops::softmax(&masked, D::Minus1)?
        } else {
            candle_nn::ops::softmax_last_dim(&masked)?
        };
        let attention = inner("attention", attention)?;
        // weighted sum of values: (B, nh, T, K) · (B, nh, K, hs) -> (B, nh, T, hs)
        let head_out = if one {
            super::matvec::weigh_values(&attention, &v)?
        } else {
            attention.matmul(&v)?
        };
        // a switched-off head contributes nothing to the merge
        let head_out = match head_mask {
            Some(m) => head_out.broadcast_mul(m)?,
            None => head_out,
        };
        Ok(AttentionParts {
            q,
            k,
            v,
            scores,
            attention,
            head_out,
        })
    }

    /// The heads' outputs (B, nh, T, hs) joined and mixed by c_proj (bias included): (B, T, C).
    pub(super) fn merge(&self, head_out: &Tensor, differentiable: bool) -> Result<Tensor> {
        let (b, nh, t, hs) = head_out.dims4()?;
        // concatenate heads: (B, nh, T, hs) -> (B, T, nh, hs) -> (B, T, C)
        let merged = head_out.transpose(1, 2)?.reshape((b, t, nh * hs))?;
        self.c_proj.forward(&merged, differentiable)
    }
}

/// The position-wise feed-forward network: expand, GELU, contract.
#[derive(Debug, Clone)]
pub(super) struct Mlp {
    pub(super) c_fc: Conv1D,
    pub(super) c_proj: Conv1D,
    pub(super) activation: Activation,
}

impl Mlp {
    pub(super) fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        let proj_std = 0.02 / (2.0 * cfg.n_layer as f64).sqrt();
        Ok(Self {
            c_fc: Conv1D::new(cfg.n_embd, cfg.n_inner, 0.02, vb.pp("c_fc"))?,
            c_proj: Conv1D::new(cfg.n_inner, cfg.n_embd, proj_std, vb.pp("c_proj"))?,
            activation: cfg.activation,
        })
    }

    /// Returns (pre-activation, post-GELU, output). `neuron_mask`: (1, 1, H) of 1 and 0, zeroing
    /// switched-off neurons' GELU outputs. The pre-activation passes `inner` as `fc`, the GELU
    /// outputs (the lamps) as `neurons`.
    pub(super) fn forward(
        &self,
        x: &Tensor,
        neuron_mask: Option<&Tensor>,
        differentiable: bool,
        inner: &mut Inner,
    ) -> Result<(Tensor, Tensor, Tensor)> {
        let pre = inner("fc", self.c_fc.forward(x, differentiable)?)?; // (B, T, H)
        let act = match self.activation {
            Activation::GeluTanh if differentiable => pre.gelu()?,
            Activation::GeluTanh => pre.contiguous()?.apply_op1_no_bwd(&FastGelu)?,
            Activation::GeluErf => pre.gelu_erf()?,
        };
        let act = inner(
            "neurons",
            match neuron_mask {
                Some(m) => act.broadcast_mul(m)?,
                None => act,
            },
        )?;
        let out = self.c_proj.forward(&act, differentiable)?; // (B, T, C)
        Ok((pre, act, out))
    }
}

/// GPT-2's tanh GELU for inference, written as the identical `x · sigmoid(2z)`,
/// `z = √(2/π)(x + 0.044715x³)`: one `exp` per value instead of a slow `tanh`.
pub(super) struct FastGelu;

impl candle_core::CustomOp1 for FastGelu {
    fn name(&self) -> &'static str {
        "fast-gelu-tanh"
    }

    fn cpu_fwd(
        &self,
        storage: &candle_core::CpuStorage,
        layout: &candle_core::Layout,
    ) -> candle_core::Result<(candle_core::CpuStorage, candle_core::Shape)> {
        let candle_core::CpuStorage::F32(data) = storage else {
            candle_core::bail!("fast-gelu expects f32");
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("fast-gelu expects a contiguous tensor");
        };
        const TWO_SQRT_2_OVER_PI: f32 = 1.595_769;
        let out: Vec<f32> = data[start..end]
            .iter()
            .map(|&x| x / (1.0 + (-TWO_SQRT_2_OVER_PI * (x + 0.044_715 * x * x * x)).exp()))
            .collect();
        Ok((candle_core::CpuStorage::F32(out), layout.shape().clone()))
    }
}

/// One transformer block: x + attn(ln_1(x)), then + mlp(ln_2(·)).
#[derive(Debug, Clone)]
pub(super) struct Block {
    pub(super) ln_1: Norm,
    pub(super) attn: Attention,
    pub(super) ln_2: Norm,
    pub(super) mlp: Mlp,
}

impl Block {
    pub(super) fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            ln_1: Norm::new(cfg.n_embd, cfg.layer_norm_epsilon, vb.pp("ln_1"))?,
            attn: Attention::new(cfg, vb.pp("attn"))?,
            ln_2: Norm::new(cfg.n_embd, cfg.layer_norm_epsilon, vb.pp("ln_2"))?,
            mlp: Mlp::new(cfg, vb.pp("mlp"))?,
        })
    }
}

/// (T, P + T) additive mask: 0 where query i (at position P + i) may see key j, −∞ elsewhere.
pub(super) fn causal_mask(t: usize, p: usize, dev: &candle_core::Device) -> Result<Tensor> {
    let k = p + t;
    let data: Vec<f32> = (0..t)
        .flat_map(|i| (0..k).map(move |j| if j <= p + i { 0.0 } else { f32::NEG_INFINITY }))
        .collect();
    Ok(Tensor::from_vec(data, (t, k), dev)?)
}
