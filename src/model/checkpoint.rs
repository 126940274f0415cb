//! Opening and saving model folders in the Hugging Face GPT-2 layout.
//!
//! A folder holds `config.json`, `model.safetensors` and `tokenizer.json`. Tensor names may carry a
//! `transformer.` prefix (as `GPT2LMHeadModel` saves them) or not (as `GPT2Model` does); the
//! attention-mask buffers (`h.N.attn.bias`, `h.N.attn.masked_bias`) are ignored.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use safetensors::SafeTensors;

use super::config::Config;
use super::error::{ModelError, Result};
use super::gpt::Gpt;
use super::tokenizer::Tokenizer;

/// File names inside a model folder.
pub const CONFIG_FILE: &str = "config.json";
/// The weights file.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The tokenizer file.
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// The default model's folder name under `models/`.
pub const DEFAULT_MODEL_NAME: &str = "factory-everyday";

/// Where the default model lives: `models/factory-everyday` (see [`crate::project_path`]).
pub fn default_model_dir() -> PathBuf {
    crate::project_path(Path::new("models").join(DEFAULT_MODEL_NAME))
}

/// A model opened from a folder: its config, weights and tokenizer.
#[derive(Debug, Clone)]
pub struct LoadedModel {
    /// The folder it came from.
    pub dir: PathBuf,
    /// Hyper-parameters from `config.json`.
    pub config: Config,
    /// The network.
    pub gpt: Gpt,
    /// The tokenizer from `tokenizer.json`.
    pub tokenizer: Tokenizer,
}

impl LoadedModel {
    /// Opens a model folder, checking every file before any work is done.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.exists() {
            return Err(ModelError::Folder {
                path: dir.to_owned(),
                problem: "does not exist".into(),
            });
        }
        if !dir.is_dir() {
            return Err(ModelError::Folder {
                path: dir.to_owned(),
                problem: "is not a folder (give the folder holding config.json, model.safetensors and tokenizer.json)".into(),
            });
        }
        let config = Config::from_file(&dir.join(CONFIG_FILE))?;
        let weights = load_weights(&dir.join(WEIGHTS_FILE), &config)?;
        let vb = VarBuilder::from_tensors(weights, DType::F32, &Device::Cpu);
        let gpt = Gpt::new(&config, vb)?;
        let tokenizer = Tokenizer::from_file(&dir.join(TOKENIZER_FILE))?;
        let tok_vocab = tokenizer.vocab_size();
        if tok_vocab > config.vocab_size {
            return Err(ModelError::Tokenizer {
                path: dir.join(TOKENIZER_FILE),
                problem: format!(
                    "has {tok_vocab} tokens but the model's vocab_size is {}: they do not belong together",
                    config.vocab_size
                ),
            });
        }
        Ok(Self {
            dir: dir.to_owned(),
            config,
            gpt,
            tokenizer,
        })
    }
}

/// The tensors GPT-2 needs for `cfg`, with their shapes, in file order.
pub fn expected_tensors(cfg: &Config) -> Vec<(String, Vec<usize>)> {
    let (c, h) = (cfg.n_embd, cfg.n_inner);
    let mut out = vec![
        ("wte.weight".to_string(), vec![cfg.vocab_size, c]),
        ("wpe.weight".to_string(), vec![cfg.n_positions, c]),
    ];
    for i in 0..cfg.n_layer {
        let p = format!("h.{i}");
        for (name, shape) in [
            ("ln_1.weight", vec![c]),
            ("ln_1.bias", vec![c]),
            ("attn.c_attn.weight", vec![c, 3 * c]),
            ("attn.c_attn.bias", vec![3 * c]),
            ("attn.c_proj.weight", vec![c, c]),
            ("attn.c_proj.bias", vec![c]),
            ("ln_2.weight", vec![c]),
            ("ln_2.bias", vec![c]),
            ("mlp.c_fc.weight", vec![c, h]),
            ("mlp.c_fc.bias", vec![h]),
            ("mlp.c_proj.weight", vec![h, c]),
            ("mlp.c_proj.bias", vec![c]),
        ] {
            out.push((format!("{p}.{name}"), shape));
        }
    }
    out.push(("ln_f.weight".into(), vec![c]));
    out.push(("ln_f.bias".into(), vec![c]));
    out
}

/// Reads `model.safetensors`, checks names and shapes against `cfg`, converts to f32.
pub(crate) fn load_weights(path: &Path, cfg: &Config) -> Result<HashMap<String, Tensor>> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            let dir = path.parent().unwrap_or(Path::new("."));
            let hint = if dir.join("pytorch_model.bin").exists() {
                "; this folder only has pytorch_model.bin (a pickle, which is not read here): \
                 convert it with transformers' `save_pretrained(dir, safe_serialization=True)`"
                    .to_string()
            } else {
                String::new()
            };
            ModelError::MissingFile {
                path: path.to_owned(),
                hint,
            }
        } else {
            ModelError::Io {
                path: path.to_owned(),
                source: e,
            }
        }
    })?;
    let st = SafeTensors::deserialize(&bytes).map_err(|e| ModelError::Safetensors {
        path: path.to_owned(),
        problem: e.to_string(),
    })?;
    let mut views: HashMap<String, safetensors::tensor::TensorView> = HashMap::new();
    for (name, view) in st.iter() {
        let name = name.strip_prefix("transformer.").unwrap_or(name);
        views.insert(name.to_string(), view);
    }
    let mut wanted = expected_tensors(cfg);
    if views.contains_key("lm_head.weight") {
        wanted.push(("lm_head.weight".into(), vec![cfg.vocab_size, cfg.n_embd]));
    }
    let mut out = HashMap::with_capacity(wanted.len());
    for (name, shape) in wanted {
        let view = views.get(&name).ok_or_else(|| ModelError::MissingTensor {
            path: path.to_owned(),
            name: name.clone(),
        })?;
        if view.shape() != shape.as_slice() {
            return Err(ModelError::Shape {
                path: path.to_owned(),
                name,
                expected: shape,
                found: view.shape().to_vec(),
            });
        }
        use safetensors::Dtype as S;
        if !matches!(view.dtype(), S::F32 | S::F16 | S::BF16 | S::F64) {
            return Err(ModelError::DType {
                path: path.to_owned(),
                name,
                dtype: format!("{:?}", view.dtype()),
            });
        }
        let t = candle_core::safetensors::Load::load(view, &Device::Cpu)?.to_dtype(DType::F32)?;
        out.insert(name, t);
    }
    Ok(out)
}

/// Writes `tensors` (HF names, no prefix) as `model.safetensors` into `dir`, atomically.
pub fn save_weights(dir: &Path, tensors: &HashMap<String, Tensor>) -> Result<()> {
    let path = dir.join(WEIGHTS_FILE);
    let tmp = dir.join(format!("{WEIGHTS_FILE}.tmp"));
    candle_core::safetensors::save(tensors, &tmp)?;
    std::fs::rename(&tmp, &path).map_err(|e| ModelError::Io { path, source: e })
}

/// Writes `config.json` for `cfg` into `dir`.
pub fn save_config(dir: &Path, cfg: &Config, eos_token_id: Option<u32>) -> Result<()> {
    let path = dir.join(CONFIG_FILE);
    let text = serde_json::to_string_pretty(&cfg.to_hf_json(eos_token_id))
        .expect("a JSON value always serializes");
    std::fs::write(&path, text + "\n").map_err(|e| ModelError::Io { path, source: e })
}
