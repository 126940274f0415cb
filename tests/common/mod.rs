//! Test helpers: small random GPT-2 checkpoints written in the Hugging Face layout, by hand.
//!
//! Nothing here uses the crate's own saving code, so loading is checked against an independent writer.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use safetensors::tensor::TensorView;

/// Sizes of a test model.
#[derive(Debug, Clone, Copy)]
pub struct Dims {
    pub n_layer: usize,
    pub n_head: usize,
    pub n_embd: usize,
    pub n_positions: usize,
    pub vocab_size: usize,
    pub n_inner: usize,
    pub erf_gelu: bool,
}

impl Dims {
    pub fn small(vocab_size: usize) -> Self {
        Self {
            n_layer: 2,
            n_head: 4,
            n_embd: 32,
            n_positions: 16,
            vocab_size,
            n_inner: 128,
            erf_gelu: false,
        }
    }
}

/// Weights by HF name (no prefix): (shape, values).
pub type Weights = BTreeMap<String, (Vec<usize>, Vec<f32>)>;

/// Random weights of GPT-2 shape. Scales keep activations O(1) so the attention is not uniform.
pub fn random_weights(d: &Dims, seed: u64, untied_head: bool) -> Weights {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut w = Weights::new();
    let mut put = |name: String, shape: Vec<usize>, centre: f32, spread: f32| {
        let n: usize = shape.iter().product();
        let data = (0..n)
            .map(|_| centre + spread * rng.random_range(-1.0f32..1.0))
            .collect();
        w.insert(name, (shape, data));
    };
    let (c, h) = (d.n_embd, d.n_inner);
    put("wte.weight".into(), vec![d.vocab_size, c], 0.0, 0.5);
    put("wpe.weight".into(), vec![d.n_positions, c], 0.0, 0.2);
    for i in 0..d.n_layer {
        let p = format!("h.{i}");
        put(format!("{p}.ln_1.weight"), vec![c], 1.0, 0.2);
        put(format!("{p}.ln_1.bias"), vec![c], 0.0, 0.1);
        put(format!("{p}.attn.c_attn.weight"), vec![c, 3 * c], 0.0, 0.5);
        put(format!("{p}.attn.c_attn.bias"), vec![3 * c], 0.0, 0.1);
        put(format!("{p}.attn.c_proj.weight"), vec![c, c], 0.0, 0.2);
        put(format!("{p}.attn.c_proj.bias"), vec![c], 0.0, 0.1);
        put(format!("{p}.ln_2.weight"), vec![c], 1.0, 0.2);
        put(format!("{p}.ln_2.bias"), vec![c], 0.0, 0.1);
        put(format!("{p}.mlp.c_fc.weight"), vec![c, h], 0.0, 0.3);
        put(format!("{p}.mlp.c_fc.bias"), vec![h], 0.0, 0.1);
        put(format!("{p}.mlp.c_proj.weight"), vec![h, c], 0.0, 0.1);
        put(format!("{p}.mlp.c_proj.bias"), vec![c], 0.0, 0.1);
    }
    put("ln_f.weight".into(), vec![c], 1.0, 0.2);
    put("ln_f.bias".into(), vec![c], 0.0, 0.1);
    if untied_head {
        put("lm_head.weight".into(), vec![d.vocab_size, c], 0.0, 0.5);
    }
    w
}

/// How to name tensors in the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Naming {
    /// `wte.weight`, `h.0...` (GPT2Model)
    Plain,
    /// `transformer.wte.weight`, ..., plus `lm_head.weight` unprefixed (GPT2LMHeadModel),
    /// with the `attn.bias` / `attn.masked_bias` buffers old checkpoints carry.
    Prefixed,
}

/// Writes `model.safetensors` by hand with the safetensors crate.
pub fn write_weights(path: &Path, w: &Weights, naming: Naming) {
    let mut bytes: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, (shape, data)) in w {
        let name = match naming {
            Naming::Plain => name.clone(),
            Naming::Prefixed if name == "lm_head.weight" => name.clone(),
            Naming::Prefixed => format!("transformer.{name}"),
        };
        let raw = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        bytes.push((name, shape.clone(), raw));
    }
    if naming == Naming::Prefixed {
        let n_layer = w.keys().filter(|k| k.ends_with(".ln_1.weight")).count();
        let n_pos = w["wpe.weight"].0[0];
        for i in 0..n_layer {
            let tri: Vec<u8> = (0..n_pos * n_pos)
                .flat_map(|k| if k % n_pos <= k / n_pos { 1.0f32 } else { 0.0 }.to_le_bytes())
                .collect();
            bytes.push((
                format!("transformer.h.{i}.attn.bias"),
                vec![1, 1, n_pos, n_pos],
                tri,
            ));
            bytes.push((
                format!("transformer.h.{i}.attn.masked_bias"),
                vec![],
                (-1e4f32).to_le_bytes().to_vec(),
            ));
        }
    }
    let views: Vec<(String, TensorView)> = bytes
        .iter()
        .map(|(n, s, b)| {
            (
                n.clone(),
                TensorView::new(safetensors::Dtype::F32, s.clone(), b).unwrap(),
            )
        })
        .collect();
    safetensors::serialize_to_file(views, None, path).unwrap();
}

/// A `config.json` as transformers writes it for GPT-2.
pub fn config_json(d: &Dims) -> String {
    format!(
        r#"{{
  "activation_function": "{}",
  "architectures": ["GPT2LMHeadModel"],
  "attn_pdrop": 0.1,
  "bos_token_id": 0,
  "embd_pdrop": 0.1,
  "eos_token_id": 0,
  "initializer_range": 0.02,
  "layer_norm_epsilon": 1e-05,
  "model_type": "gpt2",
  "n_ctx": {np},
  "n_embd": {c},
  "n_head": {nh},
  "n_inner": {h},
  "n_layer": {nl},
  "n_positions": {np},
  "resid_pdrop": 0.1,
  "summary_type": "cls_index",
  "task_specific_params": {{"text-generation": {{"do_sample": true, "max_length": 50}}}},
  "vocab_size": {v}
}}"#,
        if d.erf_gelu { "gelu" } else { "gelu_new" },
        np = d.n_positions,
        c = d.n_embd,
        nh = d.n_head,
        h = d.n_inner,
        nl = d.n_layer,
        v = d.vocab_size
    )
}

/// Text the test tokenizers are trained on.
pub const CORPUS: &str = "the king said to the queen that the night was long and the castle cold.\n\
    to be or not to be, that is the question the prince asked the king.\n\
    once upon a time the cat sat on the mat and the dog sat on the log.\n\
    the queen said the king was wrong, and the prince was sent away at night.\n";

/// A tokenizer trained on [`CORPUS`], as `tokenizer.json` text.
pub fn tokenizer_json(vocab: usize) -> (String, usize) {
    let tok = factory::model::tokenizer::train_bpe(CORPUS.lines(), vocab).unwrap();
    let n = tok.vocab_size();
    (tok.inner().to_string(false).unwrap(), n)
}

/// A complete random model folder. Returns its dims and weights.
pub fn write_model(dir: &Path, seed: u64, naming: Naming, untied: bool) -> (Dims, Weights) {
    let (tok, n) = tokenizer_json(300);
    let mut d = Dims::small(n + 3); // a vocabulary a little larger than the tokenizer's is fine
    if naming == Naming::Plain {
        // a second shape: fewer heads, odd FFN width, exact GELU
        d = Dims {
            n_layer: 3,
            n_head: 2,
            n_embd: 24,
            n_inner: 40,
            erf_gelu: true,
            ..d
        };
    }
    std::fs::create_dir_all(dir).unwrap();
    let w = random_weights(&d, seed, untied);
    write_weights(&dir.join("model.safetensors"), &w, naming);
    std::fs::write(dir.join("config.json"), config_json(&d)).unwrap();
    std::fs::write(dir.join("tokenizer.json"), tok).unwrap();
    (d, w)
}

/// GPT-2 written as plain loops in f64, from the weights map: an independent reference.
pub struct Reference<'a> {
    pub d: Dims,
    pub w: &'a Weights,
}

/// Parts switched off, written independently of the crate's `Ablations`.
#[derive(Debug, Clone, Default)]
pub struct RefAblations {
    /// (layer, head) whose output is zeroed before c_proj.
    pub heads: Vec<(usize, usize)>,
    /// (layer, neuron) whose GELU output is zeroed.
    pub neurons: Vec<(usize, usize)>,
    /// Layers whose FFN adds nothing.
    pub mlps: Vec<usize>,
    /// wpe not added.
    pub positions: bool,
    /// One activation taken from another run (patching).
    pub patch: Option<RefPatch>,
    /// One inner number moved by δ (for finite differences): ("attention", layer, [head, query,
    /// key], δ) or ("gelu", layer, [token, neuron, 0], δ).
    pub nudge: Option<(&'static str, usize, [usize; 3], f64)>,
}

/// An activation put into a run: `site` ("resid_pre", "attn_out", "mlp_out": row `index` of
/// block `layer`; "head": head `index`'s columns of the joined heads before c_proj, every row),
/// from `from`, the other run's `RefOut::sites` entry of that site and layer.
#[derive(Debug, Clone)]
pub struct RefPatch {
    pub site: &'static str,
    pub layer: usize,
    pub index: usize,
    pub from: Vec<Vec<f64>>,
}

impl RefAblations {
    /// The nudge's δ where it applies, else 0.
    fn nudged(&self, what: &str, layer: usize, at: [usize; 3]) -> f64 {
        match self.nudge {
            Some((w, l, a, delta)) if w == what && l == layer && a == at => delta,
            _ => 0.0,
        }
    }

    /// True when `site` of block `layer` is patched.
    fn patches(&self, site: &str, layer: usize) -> Option<&RefPatch> {
        self.patch
            .as_ref()
            .filter(|p| p.site == site && p.layer == layer)
    }
}

/// What the reference computes for a sequence.
pub struct RefOut {
    /// The residual stream at the last position after each layer.
    pub layer_out: Vec<Vec<f64>>,
    /// Next-token logits at the last position.
    pub logits: Vec<f64>,
    /// [layer][head][query][key], zeros above the diagonal.
    pub attention: Vec<Vec<Vec<Vec<f64>>>>,
    /// Final ln_f rows [t][c].
    pub ln_f: Vec<Vec<f64>>,
    /// [layer][head][c]: what each head writes into the stream at the last position (its output
    /// through its rows of c_proj, no bias).
    pub head_writes: Vec<Vec<Vec<f64>>>,
    /// [layer][t][neuron]: the FFN's GELU outputs (the lamps).
    pub gelu: Vec<Vec<Vec<f64>>>,
    /// (site, layer) -> rows [t][c]: "resid_pre" (the stream entering the block), "attn_out"
    /// (after c_proj, bias included), "mlp_out" (after its c_proj, bias included), "head" (the heads
    /// joined before c_proj: head h is columns h·hs..(h+1)·hs).
    pub sites: BTreeMap<(&'static str, usize), Vec<Vec<f64>>>,
}

impl Reference<'_> {
    fn get(&self, name: &str) -> Vec<f64> {
        self.w[name].1.iter().map(|&v| v as f64).collect()
    }

    fn layer_norm(&self, x: &[f64], prefix: &str) -> Vec<f64> {
        let (g, b) = (
            self.get(&format!("{prefix}.weight")),
            self.get(&format!("{prefix}.bias")),
        );
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        let inv = 1.0 / (var + 1e-5).sqrt();
        x.iter()
            .enumerate()
            .map(|(i, v)| (v - mean) * inv * g[i] + b[i])
            .collect()
    }

    /// y[j] = Σ_i x[i] W[i][j] + b[j], W stored [in, out].
    fn conv1d(&self, x: &[f64], prefix: &str) -> Vec<f64> {
        let (shape, _) = &self.w[&format!("{prefix}.weight")];
        let (n_in, n_out) = (shape[0], shape[1]);
        let (wt, b) = (
            self.get(&format!("{prefix}.weight")),
            self.get(&format!("{prefix}.bias")),
        );
        (0..n_out)
            .map(|j| b[j] + (0..n_in).map(|i| x[i] * wt[i * n_out + j]).sum::<f64>())
            .collect()
    }

    fn gelu(&self, x: f64) -> f64 {
        if self.d.erf_gelu {
            0.5 * x * (1.0 + erf(x / std::f64::consts::SQRT_2))
        } else {
            let c = (2.0 / std::f64::consts::PI).sqrt();
            0.5 * x * (1.0 + (c * (x + 0.044715 * x * x * x)).tanh())
        }
    }

    pub fn run(&self, ids: &[u32]) -> RefOut {
        self.run_ablated(ids, &RefAblations::default())
    }

    /// Softmax at temperature 1 of the unembedded ln_f of `x` (one position).
    pub fn lens_probs(&self, x: &[f64]) -> Vec<f64> {
        let h = self.layer_norm(x, "ln_f");
        let head = if self.w.contains_key("lm_head.weight") {
            self.get("lm_head.weight")
        } else {
            self.get("wte.weight")
        };
        let c = self.d.n_embd;
        let logits: Vec<f64> = (0..self.d.vocab_size)
            .map(|v| (0..c).map(|i| h[i] * head[v * c + i]).sum())
            .collect();
        let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = logits.iter().map(|l| (l - m).exp()).collect();
        let z: f64 = e.iter().sum();
        e.iter().map(|v| v / z).collect()
    }

    pub fn run_ablated(&self, ids: &[u32], abl: &RefAblations) -> RefOut {
        let d = self.d;
        let (c, nh) = (d.n_embd, d.n_head);
        let hs = c / nh;
        let (wte, wpe) = (self.get("wte.weight"), self.get("wpe.weight"));
        let t = ids.len();
        let mut x: Vec<Vec<f64>> = (0..t)
            .map(|p| {
                (0..c)
                    .map(|i| {
                        let pos = if abl.positions { 0.0 } else { wpe[p * c + i] };
                        wte[ids[p] as usize * c + i] + pos
                    })
                    .collect()
            })
            .collect();
        let mut attention = Vec::new();
        let mut layer_out = Vec::new();
        let mut head_writes = Vec::new();
        let mut gelu = Vec::new();
        let mut sites = BTreeMap::new();
        for l in 0..d.n_layer {
            let pre = format!("h.{l}");
            if let Some(p) = abl.patches("resid_pre", l) {
                x[p.index] = p.from[p.index].clone();
            }
            sites.insert(("resid_pre", l), x.clone());
            let qkv: Vec<Vec<f64>> = x
                .iter()
                .map(|row| {
                    self.conv1d(
                        &self.layer_norm(row, &format!("{pre}.ln_1")),
                        &format!("{pre}.attn.c_attn"),
                    )
                })
                .collect();
            let mut merged = vec![vec![0.0; c]; t];
            let mut layer_att = Vec::new();
            for h in 0..nh {
                let mut att = vec![vec![0.0; t]; t];
                for qi in 0..t {
                    let q = &qkv[qi][h * hs..(h + 1) * hs];
                    let scores: Vec<f64> = (0..=qi)
                        .map(|kj| {
                            let k = &qkv[kj][c + h * hs..c + (h + 1) * hs];
                            q.iter().zip(k).map(|(a, b)| a * b).sum::<f64>() / (hs as f64).sqrt()
                        })
                        .collect();
                    let m = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let e: Vec<f64> = scores.iter().map(|s| (s - m).exp()).collect();
                    let z: f64 = e.iter().sum();
                    let off = abl.heads.contains(&(l, h));
                    for kj in 0..=qi {
                        att[qi][kj] = e[kj] / z + abl.nudged("attention", l, [h, qi, kj]);
                        if off {
                            continue;
                        }
                        for i in 0..hs {
                            merged[qi][h * hs + i] += att[qi][kj] * qkv[kj][2 * c + h * hs + i];
                        }
                    }
                }
                layer_att.push(att);
            }
            attention.push(layer_att);
            if let Some(p) = abl.patches("head", l) {
                for (row, from) in merged.iter_mut().zip(&p.from) {
                    row[p.index * hs..(p.index + 1) * hs]
                        .copy_from_slice(&from[p.index * hs..(p.index + 1) * hs]);
                }
            }
            sites.insert(("head", l), merged.clone());
            let bias = self.get(&format!("{pre}.attn.c_proj.bias"));
            head_writes.push(
                (0..nh)
                    .map(|h| {
                        let mut only = vec![0.0; c];
                        only[h * hs..(h + 1) * hs]
                            .copy_from_slice(&merged[t - 1][h * hs..(h + 1) * hs]);
                        let y = self.conv1d(&only, &format!("{pre}.attn.c_proj"));
                        y.iter().zip(&bias).map(|(y, b)| y - b).collect()
                    })
                    .collect(),
            );
            let mut lamps = Vec::new();
            let (mut attn_rows, mut mlp_rows) = (Vec::new(), Vec::new());
            for p in 0..t {
                let mut a = self.conv1d(&merged[p], &format!("{pre}.attn.c_proj"));
                if let Some(patch) = abl.patches("attn_out", l).filter(|q| q.index == p) {
                    a = patch.from[p].clone();
                }
                attn_rows.push(a.clone());
                for i in 0..c {
                    x[p][i] += a[i];
                }
                let hidden: Vec<f64> = self
                    .conv1d(
                        &self.layer_norm(&x[p], &format!("{pre}.ln_2")),
                        &format!("{pre}.mlp.c_fc"),
                    )
                    .into_iter()
                    .enumerate()
                    .map(|(j, v)| {
                        if abl.neurons.contains(&(l, j)) {
                            0.0
                        } else {
                            self.gelu(v) + abl.nudged("gelu", l, [p, j, 0])
                        }
                    })
                    .collect();
                let mut m = self.conv1d(&hidden, &format!("{pre}.mlp.c_proj"));
                lamps.push(hidden);
                if abl.mlps.contains(&l) {
                    m = vec![0.0; c];
                }
                if let Some(patch) = abl.patches("mlp_out", l).filter(|q| q.index == p) {
                    m = patch.from[p].clone();
                }
                mlp_rows.push(m.clone());
                for i in 0..c {
                    x[p][i] += m[i];
                }
            }
            sites.insert(("attn_out", l), attn_rows);
            sites.insert(("mlp_out", l), mlp_rows);
            layer_out.push(x[t - 1].clone());
            gelu.push(lamps);
        }
        let ln_f: Vec<Vec<f64>> = x.iter().map(|r| self.layer_norm(r, "ln_f")).collect();
        let head = if self.w.contains_key("lm_head.weight") {
            self.get("lm_head.weight")
        } else {
            wte
        };
        let last = &ln_f[t - 1];
        let logits = (0..d.vocab_size)
            .map(|v| (0..c).map(|i| last[i] * head[v * c + i]).sum())
            .collect();
        RefOut {
            layer_out,
            logits,
            attention,
            ln_f,
            head_writes,
            gelu,
            sites,
        }
    }
}

/// erf by Abramowitz–Stegun 7.1.26 refined with a series: accurate to ~1e-12 for |x| < 6.
pub fn erf(x: f64) -> f64 {
    // Maclaurin series converges well for |x| < 3; beyond, erf is 1 to double precision.
    if x.abs() >= 6.0 {
        return x.signum();
    }
    if x.abs() < 3.0 {
        let mut sum = 0.0;
        let mut term = x;
        let mut n = 0.0;
        while term.abs() > 1e-17 {
            sum += term / (2.0 * n + 1.0);
            n += 1.0;
            term *= -x * x / n;
        }
        return 2.0 / std::f64::consts::PI.sqrt() * sum;
    }
    // continued fraction for erfc
    let z = x.abs();
    let mut f = 0.0;
    for k in (1..60).rev() {
        f = (k as f64 / 2.0) / (z + f);
    }
    let erfc = (-z * z).exp() / std::f64::consts::PI.sqrt() / (z + f);
    x.signum() * (1.0 - erfc)
}
