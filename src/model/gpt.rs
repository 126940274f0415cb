//! GPT-2 written out step by step, so that every intermediate exists to be recorded.
//!
//! Reads like nanoGPT's model.py: [`Gpt`] holds [`Block`]s, each an [`Attention`] and an [`Mlp`]
//! behind LayerNorms (pre-norm, as in GPT-2). Weights keep the Hugging Face layout: the `Conv1D`
//! matrices are stored `[in, out]`, so `y = x · W + b`.
//!
//! One forward pass serves inference (batch 1, key/value cache, optional recording into a
//! [`Trace`]) and training (any batch, no cache, autograd-friendly ops).

use candle_core::{D, DType, Device, Tensor};
use candle_nn::{Init, VarBuilder};

use super::config::{Activation, Config};
use super::error::{ModelError, Result};
use super::trace::{Array, LayerTrace, Trace};

/// Keys and values of the tokens already run, per layer, so a new token computes only its own row.
#[derive(Debug, Clone, Default)]
pub struct KvCache {
    /// Per layer: (k, v), each (1, nh, P, hs).
    layers: Vec<(Tensor, Tensor)>,
    len: usize,
}

impl KvCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of tokens whose keys and values are cached.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Forgets every cached token.
    pub fn clear(&mut self) {
        self.layers.clear();
        self.len = 0;
    }
}

/// A LayerNorm with weight and bias.
#[derive(Debug, Clone)]
struct Norm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl Norm {
    fn new(c: usize, eps: f64, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            weight: vb.get_with_hints(c, "weight", Init::Const(1.0))?,
            bias: vb.get_with_hints(c, "bias", Init::Const(0.0))?,
            eps,
        })
    }

    fn forward(&self, x: &Tensor, differentiable: bool) -> Result<Tensor> {
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
struct Conv1D {
    weight: Tensor,
    bias: Tensor,
}

impl Conv1D {
    fn new(n_in: usize, n_out: usize, std: f64, vb: VarBuilder) -> Result<Self> {
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

    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        // (B, T, in) -> (B·T, in) · (in, out) -> (B, T, out)
        let (b, t, n_in) = x.dims3()?;
        let y = x.reshape((b * t, n_in))?.matmul(&self.weight)?;
        let y = y.broadcast_add(&self.bias)?;
        Ok(y.reshape((b, t, ()))?)
    }
}

/// Causal multi-head self-attention, each step a separate tensor.
#[derive(Debug, Clone)]
struct Attention {
    c_attn: Conv1D,
    c_proj: Conv1D,
    n_head: usize,
}

/// What attention produced, beyond its output.
struct AttentionParts {
    q: Tensor,
    k: Tensor,
    v: Tensor,
    scores: Tensor,
    attention: Tensor,
    head_out: Tensor,
}

impl Attention {
    fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        let c = cfg.n_embd;
        let proj_std = 0.02 / (2.0 * cfg.n_layer as f64).sqrt();
        Ok(Self {
            c_attn: Conv1D::new(c, 3 * c, 0.02, vb.pp("c_attn"))?,
            c_proj: Conv1D::new(c, c, proj_std, vb.pp("c_proj"))?,
            n_head: cfg.n_head,
        })
    }

    /// `x`: (B, T, C); `mask`: (T, K) of 0 and −∞; `cache`: this layer's (k, v) of earlier tokens.
    fn forward(
        &self,
        x: &Tensor,
        mask: &Tensor,
        cache: Option<&(Tensor, Tensor)>,
        differentiable: bool,
    ) -> Result<(Tensor, AttentionParts)> {
        let (b, t, c) = x.dims3()?;
        let nh = self.n_head;
        let hs = c / nh;
        let qkv = self.c_attn.forward(x)?; // (B, T, 3C)
        let split = |i: usize| -> Result<Tensor> {
            // (B, T, C) -> (B, T, nh, hs) -> (B, nh, T, hs)
            Ok(qkv
                .narrow(2, i * c, c)?
                .reshape((b, t, nh, hs))?
                .transpose(1, 2)?
                .contiguous()?)
        };
        let (q, k_new, v_new) = (split(0)?, split(1)?, split(2)?);
        let (k, v) = match cache {
            // (B, nh, P, hs) ++ (B, nh, T, hs) -> (B, nh, K, hs)
            Some((kc, vc)) => (
                Tensor::cat(&[kc, &k_new], 2)?,
                Tensor::cat(&[vc, &v_new], 2)?,
            ),
            None => (k_new, v_new),
        };
        // scaled dot product: (B, nh, T, hs) · (B, nh, hs, K) -> (B, nh, T, K)
        let scores = (q.matmul(&k.t()?)? * (1.0 / (hs as f64).sqrt()))?;
        // causal mask: a query never sees a later key
        let masked = scores.broadcast_add(mask)?;
        let attention = if differentiable {
            candle_nn::ops::softmax(&masked, D::Minus1)?
        } else {
            candle_nn::ops::softmax_last_dim(&masked)?
        };
        // weighted sum of values: (B, nh, T, K) · (B, nh, K, hs) -> (B, nh, T, hs)
        let head_out = attention.matmul(&v)?;
        // concatenate heads: (B, nh, T, hs) -> (B, T, nh, hs) -> (B, T, C)
        let merged = head_out.transpose(1, 2)?.reshape((b, t, c))?;
        let out = self.c_proj.forward(&merged)?;
        Ok((
            out,
            AttentionParts {
                q,
                k,
                v,
                scores,
                attention,
                head_out,
            },
        ))
    }
}

/// The position-wise feed-forward network: expand, GELU, contract.
#[derive(Debug, Clone)]
struct Mlp {
    c_fc: Conv1D,
    c_proj: Conv1D,
    activation: Activation,
}

impl Mlp {
    fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        let proj_std = 0.02 / (2.0 * cfg.n_layer as f64).sqrt();
        Ok(Self {
            c_fc: Conv1D::new(cfg.n_embd, cfg.n_inner, 0.02, vb.pp("c_fc"))?,
            c_proj: Conv1D::new(cfg.n_inner, cfg.n_embd, proj_std, vb.pp("c_proj"))?,
            activation: cfg.activation,
        })
    }

    /// Returns (pre-activation, post-GELU, output).
    fn forward(&self, x: &Tensor, differentiable: bool) -> Result<(Tensor, Tensor, Tensor)> {
        let pre = self.c_fc.forward(x)?; // (B, T, H)
        let act = match self.activation {
            Activation::GeluTanh if differentiable => pre.gelu()?,
            Activation::GeluTanh => pre.contiguous()?.apply_op1_no_bwd(&FastGelu)?,
            Activation::GeluErf => pre.gelu_erf()?,
        };
        let out = self.c_proj.forward(&act)?; // (B, T, C)
        Ok((pre, act, out))
    }
}

/// GPT-2's tanh GELU for inference, written as the identical `x · sigmoid(2z)`,
/// `z = √(2/π)(x + 0.044715x³)`: one `exp` per value instead of a slow `tanh`.
struct FastGelu;

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
struct Block {
    ln_1: Norm,
    attn: Attention,
    ln_2: Norm,
    mlp: Mlp,
}

impl Block {
    fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        Ok(Self {
            ln_1: Norm::new(cfg.n_embd, cfg.layer_norm_epsilon, vb.pp("ln_1"))?,
            attn: Attention::new(cfg, vb.pp("attn"))?,
            ln_2: Norm::new(cfg.n_embd, cfg.layer_norm_epsilon, vb.pp("ln_2"))?,
            mlp: Mlp::new(cfg, vb.pp("mlp"))?,
        })
    }
}

/// A GPT-2 language model.
#[derive(Debug, Clone)]
pub struct Gpt {
    cfg: Config,
    wte: Tensor,
    wpe: Tensor,
    blocks: Vec<Block>,
    ln_f: Norm,
    /// (V, C): `wte` itself unless the checkpoint has an untied `lm_head.weight`.
    lm_head: Tensor,
    differentiable: bool,
}

impl Gpt {
    /// Builds the model from tensors named as in Hugging Face's GPT-2 (no `transformer.` prefix).
    ///
    /// With a `VarBuilder` over a `VarMap`, missing tensors are created with GPT-2's initialisation.
    pub fn new(cfg: &Config, vb: VarBuilder) -> Result<Self> {
        let init = Init::Randn {
            mean: 0.0,
            stdev: 0.02,
        };
        let wte = vb.get_with_hints((cfg.vocab_size, cfg.n_embd), "wte.weight", init)?;
        let wpe = vb.get_with_hints((cfg.n_positions, cfg.n_embd), "wpe.weight", init)?;
        let blocks = (0..cfg.n_layer)
            .map(|i| Block::new(cfg, vb.pp(format!("h.{i}"))))
            .collect::<Result<Vec<_>>>()?;
        let ln_f = Norm::new(cfg.n_embd, cfg.layer_norm_epsilon, vb.pp("ln_f"))?;
        let lm_head = if vb.contains_tensor("lm_head.weight") {
            vb.get((cfg.vocab_size, cfg.n_embd), "lm_head.weight")?
        } else {
            wte.clone()
        };
        Ok(Self {
            cfg: cfg.clone(),
            wte,
            wpe,
            blocks,
            ln_f,
            lm_head,
            differentiable: false,
        })
    }

    /// Switches to ops that support backpropagation (slower; for training).
    pub fn set_differentiable(&mut self, on: bool) {
        self.differentiable = on;
    }

    /// The model's hyper-parameters.
    pub fn config(&self) -> &Config {
        &self.cfg
    }

    fn device(&self) -> &Device {
        self.wte.device()
    }

    /// Runs `ids` after the cached tokens and records every intermediate.
    ///
    /// The cache grows by `ids.len()`; only the new tokens' rows are computed.
    pub fn trace(&self, ids: &[u32], cache: &mut KvCache) -> Result<Trace> {
        let mut trace = Trace::default();
        self.run(ids, cache, Some(&mut trace))?;
        Ok(trace)
    }

    /// Runs `ids` after the cached tokens and returns only the next-token logits.
    pub fn next_logits(&self, ids: &[u32], cache: &mut KvCache) -> Result<Vec<f32>> {
        self.run(ids, cache, None)
    }

    fn check_ids(&self, ids: &[u32], cached: usize) -> Result<()> {
        if ids.is_empty() {
            return Err(ModelError::Prompt("no tokens to run".into()));
        }
        if let Some(&id) = ids.iter().find(|&&id| id as usize >= self.cfg.vocab_size) {
            return Err(ModelError::TokenId {
                id,
                vocab_size: self.cfg.vocab_size,
            });
        }
        if cached + ids.len() > self.cfg.n_positions {
            return Err(ModelError::ContextFull {
                cached,
                new: ids.len(),
                n_positions: self.cfg.n_positions,
            });
        }
        Ok(())
    }

    fn run(
        &self,
        ids: &[u32],
        cache: &mut KvCache,
        mut rec: Option<&mut Trace>,
    ) -> Result<Vec<f32>> {
        let p = cache.len();
        self.check_ids(ids, p)?;
        let t = ids.len();
        let ids_t = Tensor::new(ids, self.device())?.unsqueeze(0)?; // (1, T)
        let (x, tok_emb, pos_emb) = self.embed(&ids_t, p)?;
        let mask = causal_mask(t, p, self.device())?;
        if let Some(tr) = rec.as_deref_mut() {
            tr.ids = ids.to_vec();
            tr.start_pos = p;
            tr.tok_emb = to_array(&tok_emb)?;
            tr.pos_emb = to_array(&pos_emb)?;
            tr.embed = to_array(&x)?;
        }
        let mut x = x;
        let mut new_cache = Vec::with_capacity(self.blocks.len());
        for (i, block) in self.blocks.iter().enumerate() {
            let ln_1 = block.ln_1.forward(&x, false)?;
            let (attn_out, parts) = block
                .attn
                .forward(&ln_1, &mask, cache.layers.get(i), false)?;
            let resid_attn = (&x + &attn_out)?;
            let ln_2 = block.ln_2.forward(&resid_attn, false)?;
            let (pre, act, ffn_out) = block.mlp.forward(&ln_2, false)?;
            let resid_ffn = (&resid_attn + &ffn_out)?;
            if let Some(tr) = rec.as_deref_mut() {
                tr.layers.push(LayerTrace {
                    ln_1: to_array(&ln_1)?,
                    q: to_array(&parts.q)?,
                    k: to_array(&parts.k)?,
                    v: to_array(&parts.v)?,
                    scores: to_array(&parts.scores)?,
                    attention: to_array(&parts.attention)?,
                    head_out: to_array(&parts.head_out)?,
                    attn_proj: to_array(&attn_out)?,
                    resid_attn: to_array(&resid_attn)?,
                    ln_2: to_array(&ln_2)?,
                    ffn_pre: to_array(&pre)?,
                    ffn_act: to_array(&act)?,
                    ffn_out: to_array(&ffn_out)?,
                    resid_ffn: to_array(&resid_ffn)?,
                });
            }
            new_cache.push((parts.k, parts.v));
            x = resid_ffn;
        }
        let h = self.ln_f.forward(&x, false)?; // (1, T, C)
        // unembed the last position only: (1, C) · (C, V) -> (1, V)
        let last = h.narrow(1, t - 1, 1)?.squeeze(1)?;
        let logits = last
            .matmul(&self.lm_head.t()?)?
            .squeeze(0)?
            .to_vec1::<f32>()?;
        if let Some(tr) = rec {
            tr.ln_f = to_array(&h)?;
            tr.logits = logits.clone();
        }
        cache.layers = new_cache;
        cache.len = p + t;
        Ok(logits)
    }

    /// Token plus position embeddings for (B, T) ids starting at position `p`.
    /// Returns (sum, token part, position part), each (B, T, C) / (1, T, C).
    fn embed(&self, ids: &Tensor, p: usize) -> Result<(Tensor, Tensor, Tensor)> {
        let (b, t) = ids.dims2()?;
        let tok =
            self.wte
                .index_select(&ids.flatten_all()?, 0)?
                .reshape((b, t, self.cfg.n_embd))?; // (B, T, C)
        let pos = self.wpe.narrow(0, p, t)?.unsqueeze(0)?; // (1, T, C)
        let x = tok.broadcast_add(&pos)?;
        Ok((x, tok, pos))
    }

    /// Logits for every position of a (B, T) batch of u32 ids: (B, T, V). For training.
    pub fn forward_all(&self, ids: &Tensor) -> Result<Tensor> {
        let (b, t) = ids.dims2()?;
        if t > self.cfg.n_positions {
            return Err(ModelError::ContextFull {
                cached: 0,
                new: t,
                n_positions: self.cfg.n_positions,
            });
        }
        let d = self.differentiable;
        let (mut x, _, _) = self.embed(ids, 0)?;
        let mask = causal_mask(t, 0, self.device())?;
        for block in &self.blocks {
            let (a, _) = block
                .attn
                .forward(&block.ln_1.forward(&x, d)?, &mask, None, d)?;
            x = (x + a)?;
            let (_, _, m) = block.mlp.forward(&block.ln_2.forward(&x, d)?, d)?;
            x = (x + m)?;
        }
        let h = self
            .ln_f
            .forward(&x, d)?
            .reshape((b * t, self.cfg.n_embd))?;
        // (B·T, C) · (C, V) -> (B, T, V)
        Ok(h.matmul(&self.lm_head.t()?)?
            .reshape((b, t, self.cfg.vocab_size))?)
    }
}

/// (T, P + T) additive mask: 0 where query i (at position P + i) may see key j, −∞ elsewhere.
fn causal_mask(t: usize, p: usize, dev: &Device) -> Result<Tensor> {
    let k = p + t;
    let data: Vec<f32> = (0..t)
        .flat_map(|i| (0..k).map(move |j| if j <= p + i { 0.0 } else { f32::NEG_INFINITY }))
        .collect();
    Ok(Tensor::from_vec(data, (t, k), dev)?)
}

/// Copies a tensor with a leading batch dimension of 1 into a plain [`Array`].
fn to_array(t: &Tensor) -> Result<Array> {
    let t = t.squeeze(0)?.to_dtype(DType::F32)?;
    let shape = t.dims().to_vec();
    Ok(Array::new(shape, t.flatten_all()?.to_vec1::<f32>()?))
}

impl Gpt {
    /// A model of shape `cfg` with GPT-2's random initialisation (for benchmarks and training).
    pub fn random(cfg: &Config) -> Result<Self> {
        let varmap = candle_nn::VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
        Self::new(cfg, vb)
    }
}
