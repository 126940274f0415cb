//! What a learning step is given, checked before any work: the example's tokens (2 to the
//! context), the memory a step on them needs, and the probes (one entry of a stored weight).

use super::error::{ModelError, Result};

/// One entry of a weight as stored in `model.safetensors`: `h.0.mlp.c_fc.weight[3,17]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// The tensor's name, without the `transformer.` prefix.
    pub tensor: String,
    /// Zero-based indices in the stored layout (one for 1-D, two for 2-D).
    pub index: Vec<usize>,
}

impl Probe {
    /// Reads `NAME[I]` or `NAME[I,J]` (a `transformer.` prefix is dropped).
    pub fn parse(spec: &str) -> std::result::Result<Self, String> {
        let bad = || {
            format!("--probe {spec:?}: want NAME[I] or NAME[I,J], e.g. h.0.mlp.c_fc.weight[3,17]")
        };
        let (name, rest) = spec.trim().split_once('[').ok_or_else(bad)?;
        let inside = rest.strip_suffix(']').ok_or_else(bad)?;
        let index = inside
            .split(',')
            .map(|i| i.trim().parse::<usize>())
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| bad())?;
        let tensor = name.trim().trim_start_matches("transformer.").to_string();
        if tensor.is_empty() || index.is_empty() || index.len() > 2 {
            return Err(bad());
        }
        Ok(Self { tensor, index })
    }

    /// How it is written back: `h.0.mlp.c_fc.weight[3,17]`.
    pub fn name(&self) -> String {
        let idx: Vec<String> = self.index.iter().map(ToString::to_string).collect();
        format!("{}[{}]", self.tensor, idx.join(","))
    }
}

/// The tokens of one training example, checked: at least 2, at most the context.
pub fn check_tokens(ids: &[u32], context: usize) -> Result<()> {
    if ids.len() < 2 {
        return Err(ModelError::Prompt(format!(
            "learning needs at least 2 tokens (a token and the one after it); the text has {}",
            ids.len()
        )));
    }
    if ids.len() > context {
        return Err(ModelError::Prompt(format!(
            "the text has {} tokens; this model reads at most {context} at once",
            ids.len()
        )));
    }
    Ok(())
}

/// About how many bytes one learning step on `t` tokens holds at its peak for a model of shape
/// `cfg`: the training forward's intermediates and their gradients (every block's norms, queries,
/// keys and values, the nh·T² attention scores through the softmax, the FFN's expansion through
/// the GELU), the logits through the log-softmax, and the weights with their gradients and Adam's
/// two moments. An estimate (an untied head's own weights are not counted), meant to err high:
/// measured on GPT-2's shape, see the README.
pub fn step_bytes(cfg: &super::Config, t: usize) -> u64 {
    let (t, c, h) = (t as u64, cfg.n_embd as u64, cfg.n_inner as u64);
    let (l, nh, v) = (cfg.n_layer as u64, cfg.n_head as u64, cfg.vocab_size as u64);
    let params = v * c + cfg.n_positions as u64 * c + l * (12 * c * c + 13 * c) + 2 * c;
    let per_layer = 40 * t * c + 6 * t * h + 8 * nh * t * t;
    4 * (2 * l * per_layer + 4 * t * v + 4 * params)
}

/// Refuses a learning step on `t` tokens that would not fit in the memory this machine has free
/// (MemAvailable; 8 GiB where it cannot be read), with what it needs.
pub fn check_memory(cfg: &super::Config, t: usize) -> Result<()> {
    let need = step_bytes(cfg, t);
    let free = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemAvailable:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        })
        .unwrap_or(8 << 30);
    if need > free {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        return Err(ModelError::Prompt(format!(
            "learning {t} tokens at once needs about {:.1} GiB; {:.1} GiB is free: use a shorter \
             text",
            gib(need),
            gib(free)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_read_as_stored() {
        let p = Probe::parse("transformer.h.0.mlp.c_fc.weight[3,17]").unwrap();
        assert_eq!(p.tensor, "h.0.mlp.c_fc.weight");
        assert_eq!(p.index, vec![3, 17]);
        assert_eq!(p.name(), "h.0.mlp.c_fc.weight[3,17]");
        assert_eq!(Probe::parse("ln_f.bias[5]").unwrap().index, vec![5]);
        for bad in [
            "wte.weight",
            "wte.weight[]",
            "wte.weight[1,2,3]",
            "wte.weight[-1]",
            "[2]",
        ] {
            assert!(Probe::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_learning_example_has_two_to_context_tokens() {
        assert!(check_tokens(&[1], 8).is_err());
        assert!(check_tokens(&[1, 2], 8).is_ok());
        assert!(check_tokens(&[0; 9], 8).is_err());
    }

    /// The memory bound grows with the text (the attention scores as its square) and refuses a
    /// step that no machine has the memory for, saying how much it needs.
    #[test]
    fn a_step_too_large_for_memory_is_refused_with_its_need() {
        let cfg = crate::model::Config::gpt2_small();
        let (a, b, c) = (
            step_bytes(&cfg, 256),
            step_bytes(&cfg, 512),
            step_bytes(&cfg, 1024),
        );
        assert!(a < b && b < c);
        // the part that grows with the text more than doubles from 512 to 1024 (the square)
        let fixed = 2 * step_bytes(&cfg, 1) - step_bytes(&cfg, 2);
        assert!(c - fixed > 2 * (b - fixed));
        let mut huge = cfg.clone();
        huge.n_positions = 1 << 20;
        let err = check_memory(&huge, 1 << 19).unwrap_err().to_string();
        assert!(err.contains("GiB") && err.contains("shorter"), "{err}");
        assert!(check_memory(&crate::model::Config::gpt2_small(), 4).is_ok());
    }
}
