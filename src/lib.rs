//! Transformer Factory: a real GPT-2-style model, and a factory you can walk through to see it work.
//!
//! Data and control flow one way: `cli → app → (inference → playback → scene, camera, ui, tour,
//! kiosk)`, every plugin naming its frame stage from [`schedule`]; [`model`] is pure candle (no Bevy)
//! and is read by everyone. The map, one line per module (where to change what):
//!
//! | module | what it is for |
//! |---|---|
//! | [`model`] | GPT-2 in candle: config, checkpoints, tokenizer, the traced forward pass, sampling, `train/` |
//! | [`i18n`] | visitor-facing text: the Fluent catalogue per language (`assets/i18n/`), [`i18n::Lang`], `tr!` |
//! | [`limits`] | every bound on user input (prompt length, temperature, top-k/p, threshold, kiosk, recording) |
//! | [`schedule`] | the frame's system sets, in order (imports nothing of ours) |
//! | [`keys`] | every key binding, one table for the input systems and the help |
//! | [`inference`] | the model off the main thread: requests in, [`inference::Outcome`]s out |
//! | [`playback`] | the floor (history), the clock, play/pause/step/generate, sampling, selection, dock candidates |
//! | [`scene`] | the 3D factory drawn from the floor: `layout` (pure), `build` (stations, crates), `motion`, `paint`, `dock`, `beams`, `palette`, `kit`, `parts` |
//! | [`camera`] | orbit, pan, zoom, fly, station views, easing |
//! | [`pick`] | what a click selects, what the pointer is on (`hover_plugin`), its outline |
//! | [`ui`] | the egui overlay: `controls`, `inspector`, `model_card`, `help`, `caption`, `labels`, `shortcuts` |
//! | [`rooms`] | the rooms beside the hall: the embedding room (PCA of wte), the scale room; which room is which |
//! | [`tour`] | the tour file format (`file`) and its player |
//! | [`kiosk`] | the museum mode: config, idle reset, attract loop, exit chord |
//! | [`logic`] | the factory's logic composed (also headless, for tests and benchmarks) |
//! | [`stage`] | the render setup shared by the window and the recorder (lights, egui, camera, overlay) |
//! | [`app`] | the window app (`factory` / `factory view`), `--screenshot` |
//! | [`record`] | `factory record`: off-screen, deterministic frames or MP4; `captions`: the title card and the subtitles |
//! | [`bench`] | `factory bench --scene`: CPU time per frame of the headless factory |
//! | [`cli`] | the command line: `args` and one file per command |
//!
//! So: how a booth looks → `scene/build.rs`; what F1 shows → `keys.rs` (and `ui/help.rs`); how training
//! logs → `model/train/log.rs`.

pub mod app;
pub mod bench;
pub mod camera;
pub mod cli;
pub mod i18n;
pub mod inference;
pub mod keys;
pub mod kiosk;
pub mod limits;
pub mod logic;
pub mod model;
pub mod pick;
pub mod playback;
pub mod record;
pub mod rooms;
pub mod scene;
pub mod schedule;
pub mod stage;
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
