//! The language model: a GPT-2 in candle that records every intermediate it computes.
//!
//! Nothing here knows about Bevy. The scene, the command line and the tests all read the same
//! [`Trace`]: plain `f32` arrays with their shapes.

pub mod ablate;
pub mod attribution;
pub mod backward;
mod block;
mod block_run;
pub mod catalog;
pub mod checkpoint;
pub mod config;
pub mod cost;
pub mod embedding;
pub mod error;
pub mod generate;
pub mod gpt;
pub mod guess;
pub mod heads;
mod kv_cache;
pub mod lamps;
pub mod learn;
pub mod learn_input;
mod lens;
mod matvec;
pub mod patch;
pub mod pca;
pub mod positions;
pub mod routes;
pub mod sample;
pub mod scale;
pub mod score;
mod scores;
pub mod splice;
pub mod tokenizer;
pub mod trace;
pub mod train;

pub use ablate::{Ablation, Ablations};
pub use checkpoint::{LoadedModel, default_model_dir};
pub use config::Config;
pub use error::ModelError;
pub use gpt::{Gpt, KvCache, Record};
pub use sample::{Sampler, SamplingParams};
pub use scores::NormSite;
pub use tokenizer::Tokenizer;
pub use trace::{Array, Guess, LayerTrace, Trace};
