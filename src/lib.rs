//! Transformer Factory: a real GPT-2-style model, and a factory you can walk through to see it work.
//!
//! [`model`] is pure candle (no Bevy): it loads checkpoints, runs the model and records a [`model::Trace`].
//! [`cli`] is the command line around it.

pub mod cli;
pub mod model;
