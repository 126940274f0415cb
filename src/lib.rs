//! Transformer Factory: a real GPT-2-style model, and a factory you can walk through to see it work.
//!
//! [`model`] is pure candle (no Bevy): it loads checkpoints, runs the model and records a [`model::Trace`].
//! The rest is the Bevy app that shows that trace: [`app`] composes [`inference`], [`scene`],
//! [`camera`] and [`ui`]; [`cli`] is the command line around it all.

pub mod app;
pub mod bench;
pub mod camera;
pub mod cli;
pub mod inference;
pub mod kiosk;
pub mod model;
pub mod record;
pub mod scene;
pub mod tour;
pub mod ui;
