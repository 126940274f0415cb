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

use std::path::{Path, PathBuf};

/// A path the project ships (model, tour, kiosk files), as given when it exists from the current
/// folder or is absolute, else under the crate's own folder (so `cargo run` works from anywhere in
/// the checkout), else as given (so a message names what the user wrote).
pub fn project_path(rel: impl AsRef<Path>) -> PathBuf {
    let rel = rel.as_ref();
    if rel.is_relative() && !rel.exists() {
        let alt = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
        if alt.exists() {
            return alt;
        }
    }
    rel.to_owned()
}
