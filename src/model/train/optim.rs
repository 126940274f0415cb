//! The optimiser and what it works on: GPT-2's initialisation, AdamW with saved moments, the
//! learning-rate schedule, and the loss on a batch and on the held-out tokens.

use std::collections::HashMap;
use std::path::Path;

use candle_core::backprop::GradStore;
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::VarMap;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::super::checkpoint::{WEIGHTS_FILE, expected_tensors};
use super::super::config::Config;
use super::super::error::{ModelError, Result};
use super::super::gpt::Gpt;
use super::options::TrainOptions;

/// Learning rate at `step`: linear warm-up to `lr`, then cosine down to `lr / 10`.
pub fn learning_rate(o: &TrainOptions, step: usize) -> f64 {
    let min = o.lr / 10.0;
    if step < o.warmup {
        return o.lr * (step + 1) as f64 / o.warmup as f64;
    }
    let span = (o.steps.saturating_sub(o.warmup)).max(1) as f64;
    let progress = ((step - o.warmup) as f64 / span).min(1.0);
    min + 0.5 * (o.lr - min) * (1.0 + (std::f64::consts::PI * progress).cos())
}

/// AdamW whose moments can be saved and restored (β1 0.9, β2 0.95, ε 1e-8, bias-corrected).
pub(crate) struct AdamW {
    params: Vec<(String, Var, Tensor, Tensor, bool)>,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    /// The gradients are scaled to global norm 1 when longer (training); off for the learning step.
    clip: bool,
}

impl AdamW {
    pub(crate) fn new(varmap: &VarMap, weight_decay: f64) -> Result<Self> {
        let data = varmap.data().lock().expect("varmap lock");
        let mut names: Vec<&String> = data.keys().collect();
        names.sort();
        let params = names
            .into_iter()
            .map(|n| {
                let var = data[n].clone();
                let zeros = var.as_tensor().zeros_like()?;
                let decay = var.as_tensor().rank() >= 2;
                Ok((n.clone(), var, zeros.clone(), zeros, decay))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            params,
            beta1: 0.9,
            beta2: 0.95,
            eps: 1e-8,
            weight_decay,
            clip: true,
        })
    }

    /// The same optimiser without clipping the gradients.
    pub(crate) fn unclipped(self) -> Self {
        Self {
            clip: false,
            ..self
        }
    }

    /// One update at `step` (1-based); gradients are clipped to global norm 1 (unless
    /// [`Self::unclipped`]). Returns the norm.
    pub(crate) fn step(&mut self, grads: &GradStore, lr: f64, step: usize) -> Result<f64> {
        let mut sq = 0.0f64;
        for (_, var, ..) in &self.params {
            if let Some(g) = grads.get(var.as_tensor()) {
                sq += g.sqr()?.sum_all()?.to_scalar::<f32>()? as f64;
            }
        }
        let norm = sq.sqrt();
        let scale = if self.clip && norm > 1.0 {
            1.0 / norm
        } else {
            1.0
        };
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(step as i32);
        let c2 = 1.0 - b2.powi(step as i32);
        for (_, var, m, v, decay) in &mut self.params {
            let Some(g) = grads.get(var.as_tensor()) else {
                continue;
            };
            // detach: the gradient's graph holds the whole step's activations; the moments must not
            let g = (g.detach() * scale)?;
            *m = ((&*m * b1)? + (&g * (1.0 - b1))?)?.detach();
            *v = ((&*v * b2)? + (g.sqr()? * (1.0 - b2))?)?.detach();
            let update = ((&*m / c1)? / ((&*v / c2)?.sqrt()? + self.eps)?)?;
            let mut theta = var.as_tensor().clone();
            if *decay && self.weight_decay > 0.0 {
                theta = (theta * (1.0 - lr * self.weight_decay))?;
            }
            var.set(&(theta - (update * lr)?)?)?;
        }
        Ok(norm)
    }

    pub(super) fn save(&self, path: &Path) -> Result<()> {
        let mut map = HashMap::new();
        for (name, _, m, v, _) in &self.params {
            map.insert(format!("m.{name}"), m.clone());
            map.insert(format!("v.{name}"), v.clone());
        }
        let tmp = path.with_extension("tmp");
        candle_core::safetensors::save(&map, &tmp)?;
        std::fs::rename(&tmp, path).map_err(|e| ModelError::Io {
            path: path.to_owned(),
            source: e,
        })
    }

    pub(super) fn load(&mut self, path: &Path) -> Result<()> {
        let map = candle_core::safetensors::load(path, &Device::Cpu)?;
        for (name, _, m, v, _) in &mut self.params {
            let (Some(mm), Some(vv)) =
                (map.get(&format!("m.{name}")), map.get(&format!("v.{name}")))
            else {
                return Err(ModelError::MissingTensor {
                    path: path.to_owned(),
                    name: name.clone(),
                });
            };
            *m = mm.clone();
            *v = vv.clone();
        }
        Ok(())
    }
}

/// Normal samples from a seeded generator (Box–Muller), so initialisation repeats exactly.
pub(super) fn randn(rng: &mut StdRng, n: usize, std: f64) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let u1: f64 = rng.random::<f64>().max(1e-12);
            let u2: f64 = rng.random();
            ((-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos() * std) as f32
        })
        .collect()
}

/// Fills `varmap` with GPT-2's initialisation for `cfg`, from `seed`.
pub(super) fn init_vars(varmap: &VarMap, cfg: &Config, seed: u64) -> Result<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let proj_std = 0.02 / (2.0 * cfg.n_layer as f64).sqrt();
    let mut data = varmap.data().lock().expect("varmap lock");
    for (name, shape) in expected_tensors(cfg) {
        let n: usize = shape.iter().product();
        let values = if name.contains(".ln_") || name.starts_with("ln_") {
            vec![if name.ends_with("weight") { 1.0 } else { 0.0 }; n]
        } else if name.ends_with(".bias") {
            vec![0.0; n]
        } else if name.ends_with("c_proj.weight") {
            randn(&mut rng, n, proj_std)
        } else {
            randn(&mut rng, n, 0.02)
        };
        let t = Tensor::from_vec(values, shape, &Device::Cpu)?;
        data.insert(name, Var::from_tensor(&t)?);
    }
    Ok(())
}

pub(super) fn load_vars(varmap: &VarMap, dir: &Path) -> Result<()> {
    let path = dir.join(WEIGHTS_FILE);
    let map = candle_core::safetensors::load(&path, &Device::Cpu).map_err(|e| {
        ModelError::Safetensors {
            path: path.clone(),
            problem: e.to_string(),
        }
    })?;
    let mut data = varmap.data().lock().expect("varmap lock");
    for (name, t) in map {
        data.insert(name, Var::from_tensor(&t.to_dtype(DType::F32)?)?);
    }
    Ok(())
}

/// Mean cross-entropy of next-token prediction over a (B, T) batch: the training objective.
pub fn loss(gpt: &Gpt, x: &Tensor, y: &Tensor) -> Result<Tensor> {
    let logits = gpt.forward_all(x)?; // (B, T, V)
    let (b, t, v) = logits.dims3()?;
    Ok(candle_nn::loss::cross_entropy(
        &logits.reshape((b * t, v))?,
        &y.flatten_all()?,
    )?)
}

/// Mean validation loss over up to `max_windows` evenly spaced windows (the same every time).
pub(super) fn val_loss(gpt: &Gpt, val: &[u32], context: usize, batch: usize) -> Result<f64> {
    let max_windows = 8 * batch;
    let n = ((val.len() - 1) / context).clamp(1, max_windows);
    let stride = (val.len() - context - 1) / n.max(1);
    let starts: Vec<usize> = (0..n).map(|i| i * stride).collect();
    let mut total = 0.0;
    let mut count = 0;
    for chunk in starts.chunks(batch) {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for &s in chunk {
            x.extend_from_slice(&val[s..s + context]);
            y.extend_from_slice(&val[s + 1..s + context + 1]);
        }
        let b = chunk.len();
        let x = Tensor::from_vec(x, (b, context), &Device::Cpu)?;
        let y = Tensor::from_vec(y, (b, context), &Device::Cpu)?;
        total += loss(gpt, &x, &y)?.to_scalar::<f32>()? as f64 * b as f64;
        count += b;
    }
    Ok(total / count as f64)
}
