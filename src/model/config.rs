//! Model hyper-parameters, read from and written to a Hugging Face GPT-2 `config.json`.

use std::path::Path;

use serde_json::{Value, json};

use super::error::{ModelError, Result};

/// Which GELU the FFN uses. GPT-2 uses the tanh approximation (`gelu_new`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Activation {
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`: GPT-2's `gelu_new`.
    GeluTanh,
    /// `0.5 x (1 + erf(x / √2))`: the exact GELU (`gelu` in transformers).
    GeluErf,
}

impl Activation {
    /// The name transformers uses in `config.json`.
    pub fn hf_name(self) -> &'static str {
        match self {
            Activation::GeluTanh => "gelu_new",
            Activation::GeluErf => "gelu",
        }
    }
}

/// The shape of a GPT-2 model.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Config {
    /// Number of transformer blocks.
    pub n_layer: usize,
    /// Attention heads per block.
    pub n_head: usize,
    /// Width of the residual stream.
    pub n_embd: usize,
    /// Longest context (learned position rows).
    pub n_positions: usize,
    /// Number of tokens in the vocabulary.
    pub vocab_size: usize,
    /// Hidden width of the FFN (4 × n_embd in GPT-2).
    pub n_inner: usize,
    /// LayerNorm epsilon.
    pub layer_norm_epsilon: f64,
    /// The FFN non-linearity.
    pub activation: Activation,
}

impl Config {
    /// The factory's default size: every head gets a booth, the whole model is a few MB.
    pub fn factory_small(vocab_size: usize, n_positions: usize) -> Self {
        Self::new(4, 4, 128, n_positions, vocab_size)
    }

    /// GPT-2 small (124M parameters), for comparison in the model card.
    pub fn gpt2_small() -> Self {
        Self::new(12, 12, 768, 1024, 50257)
    }

    /// A config with GPT-2's defaults for everything but the sizes.
    pub fn new(
        n_layer: usize,
        n_head: usize,
        n_embd: usize,
        n_positions: usize,
        vocab_size: usize,
    ) -> Self {
        Self {
            n_layer,
            n_head,
            n_embd,
            n_positions,
            vocab_size,
            n_inner: 4 * n_embd,
            layer_norm_epsilon: 1e-5,
            activation: Activation::GeluTanh,
        }
    }

    /// Width of one attention head.
    pub fn head_dim(&self) -> usize {
        self.n_embd / self.n_head
    }

    /// Number of parameters, counting the tied unembedding once.
    pub fn n_params(&self) -> usize {
        let c = self.n_embd;
        let h = self.n_inner;
        let per_layer = 2 * 2 * c // two LayerNorms
            + c * 3 * c + 3 * c // c_attn
            + c * c + c // attn c_proj
            + c * h + h // c_fc
            + h * c + c; // mlp c_proj
        self.vocab_size * c + self.n_positions * c + self.n_layer * per_layer + 2 * c
    }

    /// Checks that the numbers describe a model that can exist.
    pub fn validate(&self) -> std::result::Result<(), String> {
        for (name, v) in [
            ("n_layer", self.n_layer),
            ("n_head", self.n_head),
            ("n_embd", self.n_embd),
            ("n_positions", self.n_positions),
            ("vocab_size", self.vocab_size),
            ("n_inner", self.n_inner),
        ] {
            if v == 0 {
                return Err(format!("`{name}` must be at least 1"));
            }
        }
        if !self.n_embd.is_multiple_of(self.n_head) {
            return Err(format!(
                "`n_embd` ({}) must be divisible by `n_head` ({})",
                self.n_embd, self.n_head
            ));
        }
        if !(self.layer_norm_epsilon.is_finite() && self.layer_norm_epsilon > 0.0) {
            return Err(format!(
                "`layer_norm_epsilon` must be a small positive number, not {}",
                self.layer_norm_epsilon
            ));
        }
        Ok(())
    }

    /// Reads a Hugging Face `config.json`.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                ModelError::MissingFile {
                    path: path.to_owned(),
                    hint: String::new(),
                }
            } else {
                ModelError::Io {
                    path: path.to_owned(),
                    source: e,
                }
            }
        })?;
        Self::from_json_str(&text).map_err(|problem| ModelError::Config {
            path: path.to_owned(),
            problem,
        })
    }

    /// Parses the text of a `config.json`; the error says which field is wrong.
    pub fn from_json_str(text: &str) -> std::result::Result<Self, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        let obj = v
            .as_object()
            .ok_or_else(|| "expected a JSON object at the top level".to_string())?;
        if let Some(mt) = obj.get("model_type").and_then(Value::as_str)
            && mt != "gpt2"
        {
            return Err(format!(
                "`model_type` is \"{mt}\"; only GPT-2-architecture models (\"gpt2\") can be opened"
            ));
        }
        let size = |names: &[&str]| -> std::result::Result<Option<usize>, String> {
            for name in names {
                match obj.get(*name) {
                    None | Some(Value::Null) => continue,
                    Some(val) => {
                        return val.as_u64().map(|n| Some(n as usize)).ok_or_else(|| {
                            format!("`{name}` must be a whole number, found {val}")
                        });
                    }
                }
            }
            Ok(None)
        };
        let need = |names: &[&str]| -> std::result::Result<usize, String> {
            size(names)?.ok_or_else(|| format!("`{}` is missing", names[0]))
        };
        let n_embd = need(&["n_embd", "hidden_size"])?;
        let n_inner = size(&["n_inner"])?.unwrap_or(4 * n_embd);
        let layer_norm_epsilon = match obj.get("layer_norm_epsilon") {
            None | Some(Value::Null) => 1e-5,
            Some(val) => val
                .as_f64()
                .ok_or_else(|| format!("`layer_norm_epsilon` must be a number, found {val}"))?,
        };
        let activation = match obj.get("activation_function").and_then(Value::as_str) {
            None | Some("gelu_new") | Some("gelu_pytorch_tanh") | Some("gelu_fast") => {
                Activation::GeluTanh
            }
            Some("gelu") => Activation::GeluErf,
            Some(other) => {
                return Err(format!(
                    "`activation_function` \"{other}\" is not supported (use gelu_new or gelu)"
                ));
            }
        };
        let cfg = Config {
            n_layer: need(&["n_layer", "num_hidden_layers"])?,
            n_head: need(&["n_head", "num_attention_heads"])?,
            n_embd,
            n_positions: need(&["n_positions", "n_ctx", "max_position_embeddings"])?,
            vocab_size: need(&["vocab_size"])?,
            n_inner,
            layer_norm_epsilon,
            activation,
        };
        cfg.validate()?;
        Ok(cfg)
    }

    /// The `config.json` that transformers writes for a GPT-2 of this shape.
    pub fn to_hf_json(&self, eos_token_id: Option<u32>) -> Value {
        let eos = eos_token_id.unwrap_or(self.vocab_size as u32 - 1);
        json!({
            "architectures": ["GPT2LMHeadModel"],
            "model_type": "gpt2",
            "activation_function": self.activation.hf_name(),
            "n_layer": self.n_layer,
            "n_head": self.n_head,
            "n_embd": self.n_embd,
            "n_positions": self.n_positions,
            "n_ctx": self.n_positions,
            "n_inner": if self.n_inner == 4 * self.n_embd { Value::Null } else { json!(self.n_inner) },
            "vocab_size": self.vocab_size,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "bos_token_id": eos,
            "eos_token_id": eos,
            "attn_pdrop": 0.0,
            "embd_pdrop": 0.0,
            "resid_pdrop": 0.0,
            "initializer_range": 0.02,
            "scale_attn_weights": true,
            "tie_word_embeddings": true,
            "torch_dtype": "float32",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_gpt2_config() {
        let text = r#"{"activation_function":"gelu_new","model_type":"gpt2","n_ctx":1024,
            "n_embd":768,"n_head":12,"n_layer":12,"n_positions":1024,"vocab_size":50257,
            "layer_norm_epsilon":1e-05,"n_inner":null}"#;
        let cfg = Config::from_json_str(text).unwrap();
        assert_eq!(cfg, Config::gpt2_small());
        assert_eq!(cfg.head_dim(), 64);
    }

    #[test]
    fn gpt2_small_has_124m_parameters() {
        assert_eq!(Config::gpt2_small().n_params(), 124_439_808);
    }

    #[test]
    fn rejects_bad_values() {
        let base = |extra: &str| {
            format!(
                r#"{{"n_embd":128,"n_head":4,"n_layer":2,"n_positions":64,"vocab_size":100{extra}}}"#
            )
        };
        assert!(Config::from_json_str(&base("")).is_ok());
        let bad = [
            (r#","n_head":3"#, "divisible"),
            (r#","n_layer":0"#, "at least 1"),
            (r#","n_layer":-2"#, "whole number"),
            (r#","layer_norm_epsilon":-1"#, "positive"),
            (r#","activation_function":"relu""#, "not supported"),
            (r#","model_type":"llama""#, "gpt2"),
        ];
        for (extra, needle) in bad {
            let err = Config::from_json_str(&base(extra)).unwrap_err();
            assert!(err.contains(needle), "{extra}: {err}");
        }
        let err = Config::from_json_str(r#"{"n_embd":128}"#).unwrap_err();
        assert!(err.contains("missing"), "{err}");
        assert!(Config::from_json_str("[1,2]").is_err());
        assert!(Config::from_json_str("{").unwrap_err().contains("JSON"));
    }

    #[test]
    fn hf_json_round_trips() {
        let cfg = Config::factory_small(4096, 128);
        let text = cfg.to_hf_json(None).to_string();
        assert_eq!(Config::from_json_str(&text).unwrap(), cfg);
    }
}
