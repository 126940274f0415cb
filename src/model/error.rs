//! Typed errors for everything a user can get wrong: files, configs, weights, prompts.

use std::path::PathBuf;

/// Everything that can go wrong while loading, running or sampling the model.
///
/// Each variant names the file (when there is one) and says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The model folder itself is missing or is not a folder.
    #[error("model folder {path}: {problem}")]
    Folder {
        /// The folder the user gave.
        path: PathBuf,
        /// What is wrong with it.
        problem: String,
    },
    /// `--model` named a repository id that is not in the Hugging Face cache (nothing is downloaded).
    #[error(
        "{repo_id} is not in the Hugging Face cache at {cache}; nothing is downloaded here. Fetch it where \
         there is a network with `huggingface-cli download {repo_id} config.json model.safetensors \
         tokenizer.json` (or `python -c \"from huggingface_hub import snapshot_download; \
         snapshot_download('{repo_id}')\"`), then run again"
    )]
    NotCached {
        /// The id asked for, e.g. `gpt2`.
        repo_id: String,
        /// The cache folder looked in.
        cache: PathBuf,
    },
    /// `--model` named neither a folder, nor a model under `models/`, nor a cached repository.
    #[error(
        "no model called {name:?}: it is not a folder, not one of the models under models/ ({}){}",
        if local.is_empty() { "none".to_string() } else { local.join(", ") },
        match hub {
            Some(h) => format!(", and not in the Hugging Face cache at {} (fetch it there with `huggingface-cli download {name} config.json model.safetensors tokenizer.json`)", h.display()),
            None => String::new(),
        }
    )]
    UnknownModel {
        /// What was asked for.
        name: String,
        /// The models found under `models/`.
        local: Vec<String>,
        /// The hub cache looked in, if any.
        hub: Option<PathBuf>,
    },
    /// A file the model needs is not there.
    #[error("{path}: file not found{hint}")]
    MissingFile {
        /// The missing file.
        path: PathBuf,
        /// Extra advice, starting with "; " when present.
        hint: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// `config.json` is not valid JSON or holds a value the model cannot use.
    #[error("{path}: {problem}")]
    Config {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// `model.safetensors` is not a readable safetensors file.
    #[error("{path}: not a readable safetensors file ({problem})")]
    Safetensors {
        /// The weights file.
        path: PathBuf,
        /// What the safetensors reader said.
        problem: String,
    },
    /// A weight the architecture needs is absent.
    #[error("{path}: tensor `{name}` is missing (is this a GPT-2 checkpoint?)")]
    MissingTensor {
        /// The weights file.
        path: PathBuf,
        /// The tensor name, without any `transformer.` prefix.
        name: String,
    },
    /// A weight has the wrong shape for the config.
    #[error("{path}: tensor `{name}` has shape {found:?}, but config.json implies {expected:?}")]
    Shape {
        /// The weights file.
        path: PathBuf,
        /// The tensor name.
        name: String,
        /// The shape the config asks for.
        expected: Vec<usize>,
        /// The shape in the file.
        found: Vec<usize>,
    },
    /// A weight is stored in a type we cannot convert to f32.
    #[error("{path}: tensor `{name}` is stored as {dtype}, which cannot be read as f32")]
    DType {
        /// The weights file.
        path: PathBuf,
        /// The tensor name.
        name: String,
        /// The stored type.
        dtype: String,
    },
    /// `tokenizer.json` could not be read or does not fit the model.
    #[error("{path}: {problem}")]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// The prompt cannot be run (empty, or turns into no tokens).
    #[error("{0}")]
    Prompt(String),
    /// The factory asked the model for something it does not have (a layer, a head, a row of the
    /// wrong width): a bug in the caller, not the user's input.
    #[error("internal error (a bug, not your input): {0}")]
    Internal(String),
    /// A token id outside the vocabulary was given to the model.
    #[error("token id {id} is outside the vocabulary (size {vocab_size})")]
    TokenId {
        /// The bad id.
        id: u32,
        /// The vocabulary size.
        vocab_size: usize,
    },
    /// The key/value cache has no room for more tokens.
    #[error(
        "the context is full: {cached} cached + {new} new tokens exceed n_positions = {n_positions}"
    )]
    ContextFull {
        /// Tokens already in the cache.
        cached: usize,
        /// Tokens being added.
        new: usize,
        /// The model's context length.
        n_positions: usize,
    },
    /// A training option or corpus cannot be used.
    #[error("{0}")]
    Train(String),
    /// An ablation spec is malformed or names a part the model does not have.
    #[error("{0}")]
    Ablation(String),
    /// A sampling setting is out of range.
    #[error("{0}")]
    Sampling(String),
    /// An error inside candle (a bug, not a user mistake, once loading has succeeded).
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

/// Shorthand for results in the model module.
pub type Result<T, E = ModelError> = std::result::Result<T, E>;
