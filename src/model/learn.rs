//! One step of learning, made visible: the floor's tokens as one training example, its loss, the
//! gradient of that loss with respect to every station's output and every weight, and updates
//! applied to a copy of the weights in memory (the model's file is never written).
//!
//! The loss is the mean over the T − 1 positions that have a next token of −ln softmax(logits_t)
//! [id_{t+1}]: natural log, temperature 1, nothing cut, nothing switched off (it equals
//! `factory score`'s nats per token for the same text). The gradient with respect to a station's
//! output is read by adding a zero (a variable) there ([`Gpt::forward_tapped`]): the loss does not
//! change, and the zero's gradient is the station's.
//!
//! Optimisers: SGD (θ −= lr · g) and Adam (β1 0.9, β2 0.95, ε 1e-8, bias-corrected, no weight decay,
//! no clipping).

use std::collections::BTreeMap;

use candle_core::backprop::GradStore;
use candle_core::{D, DType, Device, Tensor, Var};
use candle_nn::{VarBuilder, VarMap};

use super::LoadedModel;
use super::backward::{self, Chain, Gradients, Place};
use super::checkpoint::{WEIGHTS_FILE, load_weights};
use super::error::{ModelError, Result};
use super::gpt::Gpt;
pub use super::learn_input::{Probe, check_memory, check_tokens, step_bytes};
use super::train::AdamW;

/// How the weights are updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Optimizer {
    /// θ −= lr · g.
    #[default]
    Sgd,
    /// Adam: β1 0.9, β2 0.95, ε 1e-8, bias-corrected, no weight decay, no clipping.
    Adam,
}

impl Optimizer {
    /// The learning rate used when none is given: one that moves the default model's loss on a
    /// sentence visibly in a few steps without overshooting.
    pub fn default_lr(self) -> f64 {
        match self {
            Optimizer::Sgd => 0.01,
            Optimizer::Adam => 1e-3,
        }
    }

    /// Its name as the command line and the JSON write it.
    pub fn name(self) -> &'static str {
        match self {
            Optimizer::Sgd => "sgd",
            Optimizer::Adam => "adam",
        }
    }
}

impl std::str::FromStr for Optimizer {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "sgd" => Ok(Optimizer::Sgd),
            "adam" => Ok(Optimizer::Adam),
            other => Err(format!("{other:?} is not an optimizer: sgd or adam")),
        }
    }
}

/// What one measurement found: the loss, the true tokens' mean probability and the gradients'
/// sizes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Entry {
    /// Updates applied before it (0: the model as loaded).
    pub step: usize,
    /// Mean −ln p of the true next tokens, nats.
    pub loss: f64,
    /// 1/(T−1) · Σ p_t, the true next tokens' mean probability (not exp(−loss)).
    pub mean_prob: f64,
    /// Each true next token's probability, position by position (T − 1 of them).
    #[serde(skip)]
    pub probs: Vec<f64>,
    /// The L2 norm over all positions of d loss / d each station's output, in the model's order.
    pub grad_norms: Vec<(String, f64)>,
    /// The L2 norm of d loss / d each weight tensor, by its stored name.
    pub weight_grad_norms: BTreeMap<String, f64>,
}

/// True for a station's output (whose gradient's size `factory learn` reports); false for the
/// inner steps only the hall draws (the heads before their merge, c_attn's output, the attention
/// weights, the FFN's expansion and its neurons).
fn is_station(name: &str) -> bool {
    ![".heads", ".qkv", ".attention", ".fc", ".neurons"]
        .iter()
        .any(|inner| name.ends_with(inner))
}

/// A copy of a model's weights in memory that can measure and learn.
pub struct Learner {
    gpt: Gpt,
    varmap: VarMap,
    /// The model's weights are tied (`lm_head` is `wte`).
    tied: bool,
    optimizer: Optimizer,
    adam: Option<AdamW>,
    lr: f64,
    /// Updates applied so far.
    pub steps: usize,
}

impl Learner {
    /// A copy of `model`'s weights (read again from its folder) that learns with `optimizer` at
    /// learning rate `lr` (a finite positive number).
    pub fn new(model: &LoadedModel, optimizer: Optimizer, lr: f64) -> Result<Self> {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(ModelError::Prompt(format!(
                "the learning rate must be a finite positive number, not {lr}"
            )));
        }
        let cfg = &model.config;
        let weights = load_weights(&model.dir.join(WEIGHTS_FILE), cfg)?;
        let tied = !weights.contains_key("lm_head.weight");
        let varmap = VarMap::new();
        {
            let mut data = varmap.data().lock().expect("varmap lock");
            for (name, t) in weights {
                data.insert(name, Var::from_tensor(&t.to_dtype(DType::F32)?)?);
            }
        }
        let mut gpt = Gpt::new(
            cfg,
            VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu),
        )?;
        gpt.set_differentiable(true);
        let adam = match optimizer {
            Optimizer::Adam => Some(AdamW::new(&varmap, 0.0)?.unclipped()),
            Optimizer::Sgd => None,
        };
        Ok(Self {
            gpt,
            varmap,
            tied,
            optimizer,
            adam,
            lr,
            steps: 0,
        })
    }

    /// The weights' names, sorted.
    pub fn tensor_names(&self) -> Vec<String> {
        let data = self.varmap.data().lock().expect("varmap lock");
        let mut names: Vec<String> = data.keys().cloned().collect();
        names.sort();
        names
    }

    /// The variable behind a probe's tensor, checked: a known name, indices in range.
    fn probe_var(&self, probe: &Probe) -> Result<Var> {
        let data = self.varmap.data().lock().expect("varmap lock");
        let bad = |m: String| ModelError::Prompt(format!("--probe {}: {m}", probe.name()));
        let Some(var) = data.get(&probe.tensor) else {
            if probe.tensor == "lm_head.weight" && self.tied {
                return Err(bad(
                    "this model ties lm_head.weight to wte.weight (one tensor, used twice): \
                     probe wte.weight"
                        .into(),
                ));
            }
            return Err(bad(format!(
                "no tensor of that name (names look like h.0.mlp.c_fc.weight, wte.weight, \
                 ln_f.bias; {} in all)",
                data.len()
            )));
        };
        let dims = var.as_tensor().dims().to_vec();
        if dims.len() != probe.index.len() {
            return Err(bad(format!(
                "{} is {}-D {dims:?}: give {} index(es)",
                probe.tensor,
                dims.len(),
                dims.len()
            )));
        }
        if let Some((i, (&at, &n))) = probe
            .index
            .iter()
            .zip(&dims)
            .enumerate()
            .find(|(_, (at, n))| at >= n)
        {
            return Err(bad(format!(
                "index {i} is {at}, but {} has {n} there (shape {dims:?})",
                probe.tensor
            )));
        }
        Ok(var.clone())
    }

    /// Checks every probe (a clear error for the first bad one).
    pub fn check_probes(&self, probes: &[Probe]) -> Result<()> {
        probes
            .iter()
            .try_for_each(|p| self.probe_var(p).map(|_| ()))
    }

    /// Runs the example forward and backward at the weights as they are now: its entry, and the
    /// gradients (for [`Self::update`] and the probes).
    pub fn measure(&self, ids: &[u32]) -> Result<(Entry, GradStore)> {
        let (entry, grads, _) = self.measure_with(ids, false)?;
        Ok((entry, grads))
    }

    /// [`Self::measure`], and the backward pass as the hall draws it: d loss / d every station's
    /// output and inner step, with the forward values its chain-rule steps read.
    pub fn measure_drawn(&self, ids: &[u32]) -> Result<(Entry, GradStore, Gradients)> {
        let (entry, grads, drawn) = self.measure_with(ids, true)?;
        Ok((entry, grads, drawn.unwrap_or_default()))
    }

    fn measure_with(
        &self,
        ids: &[u32],
        draw: bool,
    ) -> Result<(Entry, GradStore, Option<Gradients>)> {
        check_tokens(ids, self.gpt.config().n_positions)?;
        let t = ids.len();
        let x = Tensor::from_vec(ids.to_vec(), (1, t), &Device::Cpu)?;
        // a zero added at each station (and, drawn, each inner step): its gradient is the station's
        let mut taps: Vec<(String, Var, Tensor)> = Vec::new();
        let mut tap = |name: &str, out: Tensor| -> Result<Tensor> {
            if !draw && !is_station(name) {
                return Ok(out);
            }
            let zero = Var::from_tensor(&out.zeros_like()?)?;
            let tapped = out.broadcast_add(zero.as_tensor())?;
            taps.push((name.to_string(), zero, out));
            Ok(tapped)
        };
        let none = super::Ablations::none();
        let logits = self.gpt.forward_tapped(&x, &none, &mut tap)?.squeeze(0)?; // (T, V)
        let logp = candle_nn::ops::log_softmax(&logits.narrow(0, 0, t - 1)?, D::Minus1)?;
        let targets = Tensor::from_vec(ids[1..].to_vec(), t - 1, &Device::Cpu)?;
        let picked = logp.gather(&targets.unsqueeze(1)?, 1)?.squeeze(1)?; // (T-1)
        let loss = picked.mean_all()?.neg()?;
        let grads = loss.backward()?;
        let logp_true: Vec<f32> = picked.to_vec1()?;
        let probs: Vec<f64> = logp_true.iter().map(|&l| (l as f64).exp()).collect();
        let norm = |g: Option<&Tensor>| -> Result<f64> {
            Ok(match g {
                Some(g) => (g.sqr()?.sum_all()?.to_scalar::<f32>()? as f64).sqrt(),
                None => 0.0,
            })
        };
        let grad_norms = taps
            .iter()
            .filter(|(name, _, _)| is_station(name))
            .map(|(name, zero, _)| Ok((name.clone(), norm(grads.get(zero.as_tensor()))?)))
            .collect::<Result<Vec<_>>>()?;
        let weight_grad_norms = {
            let data = self.varmap.data().lock().expect("varmap lock");
            data.iter()
                .map(|(name, var)| Ok((name.clone(), norm(grads.get(var.as_tensor()))?)))
                .collect::<Result<BTreeMap<_, _>>>()?
        };
        let drawn = if draw {
            let mut g = Gradients {
                ids: ids.to_vec(),
                step: self.steps,
                weight_norms: weight_grad_norms.clone(),
                ..Default::default()
            };
            for (name, zero, value) in &taps {
                let grad = match grads.get(zero.as_tensor()) {
                    Some(d) => backward::plain(d)?,
                    None => backward::plain(&value.zeros_like()?)?,
                };
                g.file(name, grad, value)?;
            }
            Some(g)
        } else {
            None
        };
        let entry = Entry {
            step: self.steps,
            loss: -(logp_true.iter().map(|&l| l as f64).sum::<f64>()) / (t - 1) as f64,
            mean_prob: probs.iter().sum::<f64>() / probs.len() as f64,
            probs,
            grad_norms,
            weight_grad_norms,
        };
        Ok((entry, grads, drawn))
    }

    /// The chain-rule step that made the gradient at `place`, cell `cell`, of `g` (measured at
    /// the weights as they are now: `None` once an update changed them).
    pub fn chain(
        &self,
        g: &Gradients,
        place: Place,
        cell: (usize, usize),
    ) -> Result<Option<Chain>> {
        if g.step != self.steps {
            return Ok(None);
        }
        let data = self.varmap.data().lock().expect("varmap lock");
        let weight = |name: &str| -> Result<(Vec<f32>, Vec<usize>)> {
            let var = data
                .get(name)
                .ok_or_else(|| ModelError::Prompt(format!("no weight {name}")))?;
            let t = var.as_tensor();
            Ok((t.flatten_all()?.to_vec1::<f32>()?, t.dims().to_vec()))
        };
        let eps = self.gpt.config().layer_norm_epsilon;
        backward::chain(g, place, cell, &weight, eps).map(Some)
    }

    /// d loss / d each probe's entry, from `grads` of [`Self::measure`].
    pub fn probe_grads(&self, grads: &GradStore, probes: &[Probe]) -> Result<Vec<f64>> {
        probes
            .iter()
            .map(|p| {
                let var = self.probe_var(p)?;
                let Some(g) = grads.get(var.as_tensor()) else {
                    return Ok(0.0);
                };
                let mut g = g.clone();
                for &i in &p.index {
                    g = g.get(i)?;
                }
                Ok(g.to_scalar::<f32>()? as f64)
            })
            .collect()
    }

    /// Applies one update with `grads` of [`Self::measure`].
    pub fn update(&mut self, grads: &GradStore) -> Result<()> {
        self.steps += 1;
        if let Some(adam) = &mut self.adam {
            adam.step(grads, self.lr, self.steps)?;
            return Ok(());
        }
        let data = self.varmap.data().lock().expect("varmap lock");
        for var in data.values() {
            if let Some(g) = grads.get(var.as_tensor()) {
                let theta = (var.as_tensor() - (g.detach() * self.lr)?)?;
                var.set(&theta)?;
            }
        }
        Ok(())
    }

    /// Learns on with another optimiser or rate (Adam's moments start afresh when it is chosen).
    pub fn retune(&mut self, optimizer: Optimizer, lr: f64) -> Result<()> {
        if !(lr.is_finite() && lr > 0.0) {
            return Err(ModelError::Prompt(format!(
                "the learning rate must be a finite positive number, not {lr}"
            )));
        }
        if optimizer != self.optimizer {
            self.adam = match optimizer {
                Optimizer::Adam => Some(AdamW::new(&self.varmap, 0.0)?.unclipped()),
                Optimizer::Sgd => None,
            };
            self.optimizer = optimizer;
        }
        self.lr = lr;
        Ok(())
    }

    /// The optimiser it learns with.
    pub fn optimizer(&self) -> Optimizer {
        self.optimizer
    }

    /// The learning rate it learns with.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// The model as it is now (for running other prompts on the learned weights).
    pub fn gpt(&self) -> &Gpt {
        &self.gpt
    }

    /// The model with the weights as they are now, to run the floor on: `base`'s folder, config and
    /// tokenizer, and a plain copy of the learned weights (later updates do not reach it).
    pub fn to_model(&self, base: &LoadedModel) -> Result<LoadedModel> {
        let tensors = {
            let data = self.varmap.data().lock().expect("varmap lock");
            data.iter()
                .map(|(name, var)| Ok((name.clone(), var.as_tensor().copy()?)))
                .collect::<Result<std::collections::HashMap<_, _>>>()?
        };
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
        Ok(LoadedModel {
            dir: base.dir.clone(),
            config: base.config.clone(),
            gpt: Gpt::new(&base.config, vb)?,
            tokenizer: base.tokenizer.clone(),
        })
    }
}

/// The most likely next token after `ids` and its probability (temperature 1, nothing cut).
pub fn top_next(gpt: &Gpt, ids: &[u32]) -> Result<(u32, f64)> {
    if ids.is_empty() || ids.len() > gpt.config().n_positions {
        return Err(ModelError::Prompt(format!(
            "a sentence of 1 to {} tokens, not {}",
            gpt.config().n_positions,
            ids.len()
        )));
    }
    let x = Tensor::from_vec(ids.to_vec(), (1, ids.len()), &Device::Cpu)?;
    let logits = gpt.forward_all(&x)?.squeeze(0)?.get(ids.len() - 1)?;
    let p: Vec<f32> = candle_nn::ops::softmax_last_dim(&logits.unsqueeze(0)?)?
        .squeeze(0)?
        .to_vec1()?;
    let (id, prob) =
        p.iter().enumerate().fold(
            (0, f32::MIN),
            |best, (i, &v)| if v > best.1 { (i, v) } else { best },
        );
    Ok((id as u32, prob as f64))
}

/// What `factory learn` reports: an entry per step (entry k after k updates) and each probe's
/// gradient at entry 0.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnReport {
    /// Entries 0..=steps.
    pub entries: Vec<Entry>,
    /// (probe, d loss / d that entry) at entry 0.
    pub probes: Vec<(Probe, f64)>,
}

/// Measures `ids`, then `steps` times: an update and a measurement.
pub fn learn(
    learner: &mut Learner,
    ids: &[u32],
    steps: usize,
    probes: &[Probe],
) -> Result<LearnReport> {
    learner.check_probes(probes)?;
    check_tokens(ids, learner.gpt().config().n_positions)?;
    check_memory(learner.gpt().config(), ids.len())?;
    let mut entries = Vec::with_capacity(steps + 1);
    let mut probe_grads = Vec::new();
    for k in 0..=steps {
        let (entry, grads) = learner.measure(ids)?;
        if k == 0 {
            probe_grads = learner.probe_grads(&grads, probes)?;
        }
        entries.push(entry);
        if k < steps {
            learner.update(&grads)?;
        }
    }
    Ok(LearnReport {
        entries,
        probes: probes.iter().cloned().zip(probe_grads).collect(),
    })
}
