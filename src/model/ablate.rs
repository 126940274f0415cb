//! Switching parts of the model off, to see what they do: a head, an FFN neuron, a layer's whole
//! FFN, or the position embeddings. Exact meanings:
//!
//! - `head:L.H`: that head's output (attention weights · values) is zero before `c_proj` (whose
//!   bias is still added, so all heads off is not "no attention");
//! - `neuron:L.I`: that neuron's GELU output is zero (the FFN's `c_proj` bias remains);
//! - `mlp:L`: that layer's FFN adds nothing to the residual stream;
//! - `positions`: `wpe` is not added to the token embeddings.
//!
//! A key/value cache is computed under one set of ablations (see `KvCache::with_ablations`).

use std::fmt;

use super::config::Config;
use super::error::{ModelError, Result};

/// One part switched off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ablation {
    /// An attention head's output, (layer, head).
    Head(usize, usize),
    /// An FFN neuron's GELU output, (layer, index).
    Neuron(usize, usize),
    /// A layer's whole FFN.
    Mlp(usize),
    /// The position embeddings.
    Positions,
}

impl fmt::Display for Ablation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ablation::Head(l, h) => write!(f, "head:{l}.{h}"),
            Ablation::Neuron(l, i) => write!(f, "neuron:{l}.{i}"),
            Ablation::Mlp(l) => write!(f, "mlp:{l}"),
            Ablation::Positions => write!(f, "positions"),
        }
    }
}

fn bad(spec: &str, why: impl fmt::Display) -> ModelError {
    ModelError::Ablation(format!(
        "--ablate {spec:?}: {why} (use head:L.H, neuron:L.I, mlp:L or positions)"
    ))
}

impl Ablation {
    /// Parses `head:L.H`, `neuron:L.I`, `mlp:L` or `positions`.
    pub fn parse(spec: &str) -> Result<Self> {
        let s = spec.trim();
        if s == "positions" {
            return Ok(Ablation::Positions);
        }
        let (kind, rest) = s
            .split_once(':')
            .ok_or_else(|| bad(spec, "no kind before ':'"))?;
        let num = |t: &str| {
            t.parse::<usize>()
                .map_err(|_| bad(spec, format!("{t:?} is not a number")))
        };
        let pair = |r: &str| -> Result<(usize, usize)> {
            let (a, b) = r
                .split_once('.')
                .ok_or_else(|| bad(spec, "expected LAYER.INDEX"))?;
            Ok((num(a)?, num(b)?))
        };
        match kind {
            "head" => pair(rest).map(|(l, h)| Ablation::Head(l, h)),
            "neuron" => pair(rest).map(|(l, i)| Ablation::Neuron(l, i)),
            "mlp" => num(rest).map(Ablation::Mlp),
            other => Err(bad(spec, format!("unknown kind {other:?}"))),
        }
    }

    /// Checks the layer, head or neuron exists in a model of shape `cfg`.
    pub fn check(&self, cfg: &Config) -> Result<()> {
        let layer = |l: usize| {
            if l < cfg.n_layer {
                Ok(())
            } else {
                Err(bad(
                    &self.to_string(),
                    format!("layer {l} does not exist (layers 0 to {})", cfg.n_layer - 1),
                ))
            }
        };
        match *self {
            Ablation::Head(l, h) => {
                layer(l)?;
                if h >= cfg.n_head {
                    return Err(bad(
                        &self.to_string(),
                        format!("head {h} does not exist (heads 0 to {})", cfg.n_head - 1),
                    ));
                }
            }
            Ablation::Neuron(l, i) => {
                layer(l)?;
                if i >= cfg.n_inner {
                    return Err(bad(
                        &self.to_string(),
                        format!("neuron {i} does not exist (0 to {})", cfg.n_inner - 1),
                    ));
                }
            }
            Ablation::Mlp(l) => layer(l)?,
            Ablation::Positions => {}
        }
        Ok(())
    }
}

/// A set of ablations (kept sorted, without repeats, so two equal sets compare equal).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Ablations(Vec<Ablation>);

impl Ablations {
    /// No ablation: the model as trained.
    pub fn none() -> Self {
        Self::default()
    }

    /// A set from a list (sorted, repeats dropped), each checked against `cfg`.
    pub fn new(list: impl IntoIterator<Item = Ablation>, cfg: &Config) -> Result<Self> {
        let mut v: Vec<Ablation> = list.into_iter().collect();
        for a in &v {
            a.check(cfg)?;
        }
        v.sort();
        v.dedup();
        Ok(Self(v))
    }

    /// Parses command-line specs (`--ablate` given several times).
    pub fn parse(specs: &[String], cfg: &Config) -> Result<Self> {
        let list = specs
            .iter()
            .map(|s| Ablation::parse(s))
            .collect::<Result<Vec<_>>>()?;
        Self::new(list, cfg)
    }

    /// True when nothing is switched off.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ablations, sorted.
    pub fn list(&self) -> &[Ablation] {
        &self.0
    }

    /// True when `a` is in the set.
    pub fn contains(&self, a: Ablation) -> bool {
        self.0.binary_search(&a).is_ok()
    }

    /// This set with `a` switched (added when absent, removed when present).
    pub fn toggled(&self, a: Ablation) -> Self {
        let mut v = self.0.clone();
        match v.binary_search(&a) {
            Ok(i) => {
                v.remove(i);
            }
            Err(i) => v.insert(i, a),
        }
        Self(v)
    }

    /// Heads switched off in `layer`.
    pub fn heads(&self, layer: usize) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().filter_map(move |a| match *a {
            Ablation::Head(l, h) if l == layer => Some(h),
            _ => None,
        })
    }

    /// Neurons switched off in `layer`.
    pub fn neurons(&self, layer: usize) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().filter_map(move |a| match *a {
            Ablation::Neuron(l, i) if l == layer => Some(i),
            _ => None,
        })
    }

    /// True when `layer`'s FFN adds nothing.
    pub fn mlp_off(&self, layer: usize) -> bool {
        self.contains(Ablation::Mlp(layer))
    }

    /// True when the position embeddings are not added.
    pub fn positions_off(&self) -> bool {
        self.contains(Ablation::Positions)
    }
}

impl fmt::Display for Ablations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "{}", parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_and_are_checked() {
        let cfg = Config::factory_small(4096, 128);
        assert_eq!(Ablation::parse("head:1.2").unwrap(), Ablation::Head(1, 2));
        assert_eq!(
            Ablation::parse("neuron:0.511").unwrap(),
            Ablation::Neuron(0, 511)
        );
        assert_eq!(Ablation::parse("mlp:3").unwrap(), Ablation::Mlp(3));
        assert_eq!(Ablation::parse("positions").unwrap(), Ablation::Positions);
        for bad in ["head:1", "head:x.2", "tail:1.2", "mlp", "", "neuron:1.2.3"] {
            assert!(Ablation::parse(bad).is_err(), "{bad}");
        }
        let specs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let e = Ablations::parse(&specs(&["head:4.0"]), &cfg).unwrap_err();
        assert!(e.to_string().contains("layer 4 does not exist"), "{e}");
        assert!(Ablations::parse(&specs(&["head:0.4"]), &cfg).is_err());
        assert!(Ablations::parse(&specs(&["neuron:0.512"]), &cfg).is_err());
        let a = Ablations::parse(&specs(&["mlp:1", "head:0.1", "mlp:1"]), &cfg).unwrap();
        assert_eq!(a.to_string(), "head:0.1 mlp:1");
        assert!(a.mlp_off(1) && !a.mlp_off(0));
        assert_eq!(a.heads(0).collect::<Vec<_>>(), [1]);
        let b = a.toggled(Ablation::Head(0, 1));
        assert_eq!(b.to_string(), "mlp:1");
        assert_eq!(b.toggled(Ablation::Head(0, 1)), a);
    }
}
