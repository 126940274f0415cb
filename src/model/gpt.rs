//! GPT-2 written out step by step, so that every intermediate exists to be recorded.
//!
//! Reads like nanoGPT's model.py: [`Gpt`] holds [`Block`]s, each an [`Attention`] and an [`Mlp`]
//! behind LayerNorms (pre-norm, as in GPT-2). Weights keep the Hugging Face layout: the `Conv1D`
//! matrices are stored `[in, out]`, so `y = x · W + b`.
//!
//! One forward pass serves inference (batch 1, key/value cache, optional recording into a
//! [`Trace`]) and training (any batch, no cache, autograd-friendly ops).

use candle_core::{DType, Device, Tensor};
use candle_nn::{Init, VarBuilder};

use super::ablate::Ablations;
use super::block::{Block, Norm, causal_mask, untouched};
use super::block_run::{BlockRun, to_array};
use super::config::Config;
use super::error::{ModelError, Result};
use super::trace::{Trace, guesses};

pub use super::kv_cache::KvCache;

/// How much of a run is recorded into its [`Trace`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// Every intermediate (the CLI, the tests, a close look at one run).
    Everything,
    /// What the factory floor shows: embeddings, norms, attention weights, the attention and FFN
    /// outputs on the residual stream, the FFN's neurons after GELU, the lens and the logits.
    /// Queries, keys, values, raw scores, per-head outputs and the FFN before GELU stay empty;
    /// [`Gpt::trace`] computes them again when they are wanted.
    View,
    /// [`Record::View`] without the logit lens of the layers (the logits are kept): a generating
    /// floor's one-token step, which then does not wait for the lens's product with the
    /// unembedding (about a third of GPT-2 small's step). [`Gpt::logit_lens`] computes it after.
    Step,
}

/// A GPT-2 language model.
#[derive(Debug, Clone)]
pub struct Gpt {
    cfg: Config,
    wte: Tensor,
    wpe: Tensor,
    pub(super) blocks: Vec<Block>,
    pub(super) ln_f: Norm,
    /// (V, C): `wte` itself unless the checkpoint has an untied `lm_head.weight`.
    pub(super) lm_head: Tensor,
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

    /// The token embedding table `wte`, row-major (vocab × width), with its rows' lengths.
    pub fn token_embeddings(&self) -> Result<super::embedding::Embeddings> {
        let rows = self.wte.flatten_all()?.to_vec1::<f32>()?;
        Ok(super::embedding::Embeddings::new(rows, self.cfg.n_embd))
    }

    /// The learned position table `wpe`, row-major (positions × width).
    pub fn position_embeddings(&self) -> Result<Vec<f32>> {
        Ok(self.wpe.flatten_all()?.to_vec1::<f32>()?)
    }

    fn device(&self) -> &Device {
        self.wte.device()
    }

    /// Runs `ids` after the cached tokens and records every intermediate.
    ///
    /// The cache grows by `ids.len()`; only the new tokens' rows are computed.
    pub fn trace(&self, ids: &[u32], cache: &mut KvCache) -> Result<Trace> {
        self.trace_with(ids, cache, Record::Everything)
    }

    /// Runs `ids` after the cached tokens and records what `record` asks for.
    pub fn trace_with(&self, ids: &[u32], cache: &mut KvCache, record: Record) -> Result<Trace> {
        let mut trace = Trace::default();
        self.run(ids, cache, Some((&mut trace, record)))?;
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
        mut rec: Option<(&mut Trace, Record)>,
    ) -> Result<Vec<f32>> {
        let p = cache.len();
        self.check_ids(ids, p)?;
        let t = ids.len();
        let every = matches!(rec, Some((_, Record::Everything)));
        let abl = cache.ablations().clone();
        let splice = cache.splice().cloned();
        let put = |name: &str, x: Tensor| match &splice {
            Some(s) => s.apply(name, x, p),
            None => Ok(x),
        };
        let (x, tok_emb, pos_emb) = self.embed_new(ids, p, &abl)?;
        let x = put("embed", x)?;
        let mask = causal_mask(t, p, self.device())?;
        if let Some((tr, _)) = rec.as_mut() {
            tr.ids = ids.to_vec();
            tr.start_pos = p;
            tr.tok_emb = to_array(&tok_emb)?;
            tr.pos_emb = to_array(&pos_emb)?;
            tr.embed = to_array(&x)?;
        }
        let mut x = x;
        // each layer's output at the last position, for the logit lens
        let mut lens_rows = Vec::new();
        for (i, block) in self.blocks.iter().enumerate() {
            let out = self.run_block((i, block), &x, cache, &mask, &abl, &put)?;
            if let Some((tr, _)) = rec.as_mut() {
                lens_rows.push(out.resid_ffn.narrow(1, t - 1, 1)?.squeeze(1)?);
                tr.layers.push(out.layer_trace(every)?);
            }
            x = out.resid_ffn;
        }
        let logits = self.final_logits(&x, t, rec, &lens_rows)?;
        cache.advance(t);
        Ok(logits)
    }

    /// The start of the residual stream for the new tokens at position `p`, with its token and
    /// position parts; with positions switched off, the token embeddings alone.
    #[inline]
    fn embed_new(
        &self,
        ids: &[u32],
        p: usize,
        abl: &Ablations,
    ) -> Result<(Tensor, Tensor, Tensor)> {
        let ids_t = Tensor::new(ids, self.device())?.unsqueeze(0)?; // (1, T)
        let (x, tok_emb, pos_emb) = self.embed(&ids_t, p)?;
        // positions off: the stream starts with the token embeddings alone
        if abl.positions_off() {
            let zeros = pos_emb.zeros_like()?;
            Ok((tok_emb.clone(), tok_emb, zeros))
        } else {
            Ok((x, tok_emb, pos_emb))
        }
    }

    /// Block `i` on the stream `x` of the new tokens (inference: cache, ablations), keeping every
    /// intermediate for the trace; `put` passes each station's output through the cache's splice
    /// (a patched run).
    #[inline]
    fn run_block(
        &self,
        (i, block): (usize, &Block),
        x: &Tensor,
        cache: &mut KvCache,
        mask: &Tensor,
        abl: &Ablations,
        put: &dyn Fn(&str, Tensor) -> Result<Tensor>,
    ) -> Result<BlockRun> {
        let head_mask = self.head_mask(abl, i)?;
        let neuron_mask = self.neuron_mask(abl, i)?;
        let ln_1 = block.ln_1.forward(x, false)?;
        let (q, k_new, v_new) = block.attn.qkv(&ln_1, false, &mut untouched)?;
        let (k, v) = cache.extend(i, &k_new, &v_new, self.cfg.n_positions)?;
        let mut parts =
            block
                .attn
                .heads((q, k, v), mask, head_mask.as_ref(), false, &mut untouched)?;
        parts.head_out = put(&format!("h.{i}.heads"), parts.head_out)?;
        let attn_out = put(
            &format!("h.{i}.attn"),
            block.attn.merge(&parts.head_out, false)?,
        )?;
        let resid_attn = (x + &attn_out)?;
        let ln_2 = block.ln_2.forward(&resid_attn, false)?;
        let (pre, act, ffn_out) =
            block
                .mlp
                .forward(&ln_2, neuron_mask.as_ref(), false, &mut untouched)?;
        // the FFN switched off adds nothing to the stream
        let ffn_out = if abl.mlp_off(i) {
            ffn_out.zeros_like()?
        } else {
            ffn_out
        };
        let ffn_out = put(&format!("h.{i}.mlp"), ffn_out)?;
        let resid_ffn = put(&format!("h.{i}.resid_ffn"), (&resid_attn + &ffn_out)?)?;
        Ok(BlockRun {
            ln_1,
            parts,
            attn_out,
            resid_attn,
            ln_2,
            pre,
            act,
            ffn_out,
            resid_ffn,
        })
    }

    /// The next-token logits from the final stream `x` (T new tokens), recording ln_f, the logits
    /// and, unless `Record::Step`, every layer's lens from `lens_rows`.
    #[inline]
    fn final_logits(
        &self,
        x: &Tensor,
        t: usize,
        rec: Option<(&mut Trace, Record)>,
        lens_rows: &[Tensor],
    ) -> Result<Vec<f32>> {
        Ok(match rec {
            None => self.unembed(&self.ln_f.forward(&x.narrow(1, t - 1, 1)?, false)?)?,
            Some((tr, Record::Step)) => {
                let h = self.ln_f.forward(x, false)?; // (1, T, C)
                tr.ln_f = to_array(&h)?;
                tr.logits = self.unembed(&h.narrow(1, t - 1, 1)?)?;
                tr.logits.clone()
            }
            Some((tr, _)) => {
                tr.ln_f = to_array(&self.ln_f.forward(x, false)?)?; // (T, C)
                // every layer's lens and the logits (the last layer's lens) in one product, so
                // the unembedding (the largest matrix) is read once
                let mut rows = self.lens(lens_rows)?;
                for (layer, row) in tr.layers.iter_mut().zip(&rows) {
                    layer.lens = guesses(row);
                }
                let logits = rows.pop().unwrap_or_default();
                tr.logits = logits.clone();
                logits
            }
        })
    }

    /// (1, nh, 1, 1) of 1 and 0 when some head of `layer` is switched off.
    fn head_mask(&self, abl: &Ablations, layer: usize) -> Result<Option<Tensor>> {
        let off: Vec<usize> = abl.heads(layer).collect();
        if off.is_empty() {
            return Ok(None);
        }
        let nh = self.cfg.n_head;
        let m: Vec<f32> = (0..nh)
            .map(|h| if off.contains(&h) { 0.0 } else { 1.0 })
            .collect();
        Ok(Some(Tensor::from_vec(m, (1, nh, 1, 1), self.device())?))
    }

    /// (1, 1, H) of 1 and 0 when some FFN neuron of `layer` is switched off.
    fn neuron_mask(&self, abl: &Ablations, layer: usize) -> Result<Option<Tensor>> {
        let off: Vec<usize> = abl.neurons(layer).collect();
        if off.is_empty() {
            return Ok(None);
        }
        let mut m = vec![1.0f32; self.cfg.n_inner];
        for i in off {
            m[i] = 0.0;
        }
        Ok(Some(Tensor::from_vec(
            m,
            (1, 1, self.cfg.n_inner),
            self.device(),
        )?))
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
        self.forward_tapped(ids, &Ablations::none(), &mut |_, x| Ok(x))
    }

    /// [`Self::forward_all`] with `abl`'s parts switched off, each station's output passed through
    /// `tap` (its name and the tensor; what it returns goes on): `embed` (wte + wpe: the stream
    /// entering block 0), `h.{l}.ln_1`, `h.{l}.heads` (each head's weights · values before c_proj,
    /// (B, nh, T, hs)), `h.{l}.attn` (after c_proj), `h.{l}.resid_attn`, `h.{l}.ln_2`, `h.{l}.mlp`
    /// (after its c_proj), `h.{l}.resid_ffn` (the stream entering block l + 1), `ln_f`. The
    /// learning step (`model/learn.rs`) adds a zero there to read the loss's gradient with respect
    /// to each; patching (`model/patch.rs`) puts another run's rows there.
    pub fn forward_tapped(&self, ids: &Tensor, abl: &Ablations, tap: &mut Tap) -> Result<Tensor> {
        self.forward_from((0, self.stream_in(ids, abl)?), abl, tap)
    }

    /// The stream entering block 0 for a (B, T) batch of ids from position 0: wte + wpe (wte
    /// alone with positions switched off), (B, T, C); refused past the context.
    pub fn stream_in(&self, ids: &Tensor, abl: &Ablations) -> Result<Tensor> {
        let (_, t) = ids.dims2()?;
        if t > self.cfg.n_positions {
            return Err(ModelError::ContextFull {
                cached: 0,
                new: t,
                n_positions: self.cfg.n_positions,
            });
        }
        let (x, tok, _) = self.embed(ids, 0)?;
        // positions off: the stream starts with the token embeddings alone
        Ok(if abl.positions_off() { tok } else { x })
    }

    /// [`Self::forward_tapped`] from the stream entering block `start` (`x`, (B, T, C)), the
    /// blocks before it not run: the stream passes `tap` first, under its name there (`embed` for
    /// block 0, else `h.{start-1}.resid_ffn`). Activation patching starts each patched run at its
    /// block, with the corrupted run's stream up to it (the blocks below are the same).
    pub fn forward_from(
        &self,
        start: (usize, Tensor),
        abl: &Ablations,
        tap: &mut Tap,
    ) -> Result<Tensor> {
        let x = self.stream_from(start, (0, &[]), abl, tap)?;
        let (b, t, _) = x.dims3()?;
        let h = tap("ln_f", self.ln_f.forward(&x, self.differentiable)?)?;
        let h = h.reshape((b * t, self.cfg.n_embd))?;
        // (B·T, C) · (C, V) -> (B, T, V)
        Ok(h.matmul(&self.lm_head.t()?)?
            .reshape((b, t, self.cfg.vocab_size))?)
    }

    /// The next-token logits at the last position of [`Self::forward_from`]'s run (batch 1), the
    /// other positions' not computed (activation patching reads only the last; with GPT-2's
    /// vocabulary the unembedding of every position costs as much as two or three blocks). The final
    /// norm is not tapped.
    pub fn last_logits_from(
        &self,
        start: (usize, Tensor),
        abl: &Ablations,
        tap: &mut Tap,
    ) -> Result<Vec<f32>> {
        self.last_logits_after(start, (0, &[]), abl, tap)
    }

    /// [`Self::last_logits_from`] for the rows of positions `p` on (`start`'s stream holds only
    /// theirs), the keys and values of the positions before them taken from `kv` (per block, each
    /// (1, nh, ≥ p, hs)): a patched run shares every row before its patched position with the run it
    /// patches (attention is causal), so it need not compute them again. Taps see the rows from `p`.
    pub fn last_logits_after(
        &self,
        start: (usize, Tensor),
        prefix: (usize, &[(Tensor, Tensor)]),
        abl: &Ablations,
        tap: &mut Tap,
    ) -> Result<Vec<f32>> {
        let x = self.stream_from(start, prefix, abl, tap)?;
        let t = x.dim(1)?;
        self.unembed(
            &self
                .ln_f
                .forward(&x.narrow(1, t - 1, 1)?, self.differentiable)?,
        )
    }

    /// The stream after the last block, from the stream `x` entering block `start`
    /// ([`Self::forward_from`]); with a prefix of `p` positions, `x` holds the rows from `p` on and
    /// each block's keys and values before them are the prefix's ([`Self::last_logits_after`]).
    fn stream_from(
        &self,
        (start, x): (usize, Tensor),
        (p, kv): (usize, &[(Tensor, Tensor)]),
        abl: &Ablations,
        tap: &mut Tap,
    ) -> Result<Tensor> {
        let t = x.dim(1)?;
        if p > 0 && kv.len() < self.blocks.len() {
            return Err(ModelError::Prompt(format!(
                "a prefix of {p} positions needs keys and values for {} blocks, not {}",
                self.blocks.len(),
                kv.len()
            )));
        }
        let d = self.differentiable;
        let mut x = tap(&entering(start), x)?;
        let mask = causal_mask(t, p, self.device())?;
        // the prefix's keys (or values) of block l, then the new rows'
        let after_prefix = |old: &Tensor, new: Tensor| -> Result<Tensor> {
            Ok(Tensor::cat(&[&old.narrow(2, 0, p)?, &new], 2)?)
        };
        for (l, block) in self.blocks.iter().enumerate().skip(start) {
            let (head_mask, neuron_mask) = (self.head_mask(abl, l)?, self.neuron_mask(abl, l)?);
            let n1 = tap(&format!("h.{l}.ln_1"), block.ln_1.forward(&x, d)?)?;
            let (q, k, v) = block.attn.qkv(&n1, d, &mut inner(tap, l))?;
            let (k, v) = match kv.get(l).filter(|_| p > 0) {
                Some((old_k, old_v)) => (after_prefix(old_k, k)?, after_prefix(old_v, v)?),
                None => (k, v),
            };
            let (hm, nm) = (head_mask.as_ref(), neuron_mask.as_ref());
            let parts = block
                .attn
                .heads((q, k, v), &mask, hm, d, &mut inner(tap, l))?;
            let heads = tap(&format!("h.{l}.heads"), parts.head_out)?;
            let a = tap(&format!("h.{l}.attn"), block.attn.merge(&heads, d)?)?;
            x = tap(&format!("h.{l}.resid_attn"), (x + a)?)?;
            let n2 = tap(&format!("h.{l}.ln_2"), block.ln_2.forward(&x, d)?)?;
            let (_, _, m) = block.mlp.forward(&n2, nm, d, &mut inner(tap, l))?;
            // the FFN switched off adds nothing to the stream
            let m = if abl.mlp_off(l) { m.zeros_like()? } else { m };
            let m = tap(&format!("h.{l}.mlp"), m)?;
            x = tap(&format!("h.{l}.resid_ffn"), (x + m)?)?;
        }
        Ok(x)
    }
}

/// The tap ([`Gpt::forward_tapped`]) holding the stream entering block `layer`: `embed` (wte +
/// wpe) for block 0, else the previous block's `h.{layer-1}.resid_ffn`.
pub(crate) fn entering(layer: usize) -> String {
    match layer {
        0 => "embed".to_string(),
        l => format!("h.{}.resid_ffn", l - 1),
    }
}

/// Block `l`'s inner steps passed to `tap` under their full names (`h.{l}.qkv`, …).
fn inner<'a>(tap: &'a mut Tap, l: usize) -> impl FnMut(&str, Tensor) -> Result<Tensor> + 'a {
    move |name, t| tap(&format!("h.{l}.{name}"), t)
}

/// What [`Gpt::forward_tapped`] passes each station's output through.
pub type Tap<'a> = dyn FnMut(&str, Tensor) -> Result<Tensor> + 'a;

impl Gpt {
    /// A model of shape `cfg` with GPT-2's random initialisation (for benchmarks and training).
    pub fn random(cfg: &Config) -> Result<Self> {
        let varmap = candle_nn::VarMap::new();
        let vb = VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu);
        Self::new(cfg, vb)
    }
}
