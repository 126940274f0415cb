//! Transformer Factory: a real GPT-2-style model, and a factory you can walk through to see it work.
//!
//! Data and control flow one way: `cli → app → (inference → playback → scene, camera, ui, tour,
//! kiosk)`, every plugin naming its frame stage from [`schedule`]; [`model`] is pure candle (no Bevy)
//! and is read by everyone. The map, one row per top-level module, naming every file under it
//! (where to change what). `tests/house.rs` checks it: each module has a row, and each file of a
//! folder is named in a `code span` of its folder's row (a new file goes in the map when it is made).
//!
//! | module | what it is for |
//! |---|---|
//! | [`model`] | GPT-2 in candle, no Bevy: `config`, `checkpoint` (open and save model folders), `catalog` (where a model comes from: a folder, a name under `models/`, the hub cache), `tokenizer`, `block` (LayerNorm, attention, MLP), `gpt` (the traced forward pass), `block_run` (a block's intermediates into the trace), `heads` (head roles over a text), `guess` (the guessing game's rounds), `lamps` (where each FFN neuron lights most), `learn` (one training example: its loss, the gradient at every station and weight, updates in memory), `learn_input` (a learning step's input checked: tokens, memory, probes), `backward` (the backward pass as the hall draws it, and a gradient's chain-rule step), `patch` (activation patching), `splice` (one activation of another run put in: the grid's and the floor's patched runs), `routes` (information-flow routes), `kv_cache`, `matvec` (one token's products), `trace` (plain `f32` arrays), `lens` (the logit lens), `sample`, `generate`, `score` (surprise, perplexity), `scores` (operands the inspector recomputes), `ablate` (parts switched off), `attribution` (each head's direct part in a logit), `embedding` (neighbours, vector arithmetic), `pca` (the embedding map), `positions`, `cost` (n² against n), `scale` (beside GPT-2 and GPT-3), `error`; `train/`: `options`, `data`, `setup`, `run` (the loop), `optim`, `save` (checkpoints, snapshots), `log` (state, CSV, plot), the whole in `mod.rs` |
//! | [`i18n`] | visitor-facing text: the Fluent catalogue per language (`assets/i18n/`), [`i18n::Lang`], `tr!` |
//! | [`limits`] | every bound on user input (prompt length, temperature, top-k/p, threshold, kiosk, recording) |
//! | [`schedule`] | the frame's system sets, in order (imports nothing of ours) |
//! | [`keys`] | every key binding, one table for the input systems and the help |
//! | [`inference`] | the model off the main thread: requests in, [`inference::Outcome`]s out; `runs` (the runs a task does and what they give back), `poll` (a finished task's result, at once when recording) |
//! | [`playback`] | the floor and its rows (`history`), the clock, play/pause/step/generate, sampling, selection, dock candidates; jobs per floor on the task pool: `surprise`, `attribution`, `lens` (after a step); `compare` (prompt B of the A/B window), `export` (the floor as JSON and CSV), `filter` (the kiosk's word filter), `memory` (free pages handed back once a floor stands quiet), `roles` (the head roles and lamp cards in the model folder) |
//! | [`scene`] | the 3D factory drawn from the floor: `layout` (pure), `build` (the hall, crates; `stations`: one station each; `cabin`: a booth's frame and head plate), `machines` (a machine per station, and what moves them), `front_machines` (the press's, the stamp's, the norm gates'), `middle_machines` (the merge's and the FFN's, over the belt), `blocks` (what the machines are built from), `dock_machine` (the receiving dock's tape and scissors), `spread` (the norm gates' spread bars), `crate_face` (the paper label with the token's word on each crate), `motion`, `paint`, `dock`, `beams`, `pulses` (what travels along the beams), `patch_glow` (the A/B patching grid lit in the hall), `backward` (the backward pass in the hall: crates riding back, gradients in ink), `routes` (the route into the last word drawn in the hall), `attention_map` (a head's weights as pixels), `palette`, `kit` (meshes, materials), `flat` (the unlit materials), `sky` (the gradient behind the hall), `silhouette` (one machine alone, `--silhouette`), `parts` (components) |
//! | [`camera`] | orbit, pan, zoom, fly, station jumps, easing; `views` (the home view, station and room views), `touch` (orbit and pinch by touch) |
//! | [`pick`] | what a click selects, what the pointer is on (`hover_plugin`); `outline` draws it; `route_hover` (the route's line under the pointer) |
//! | [`ui`] | the egui overlay: `controls` (the left panel, the drawer), `slim_bar` (the first screen's bar), `layout_file` (the layout remembered between runs), `inspector`, `explain` (a number's formula), `value_tip` and `beam_tip` (tooltips), `booth` (inside the booth), `heatmap`, `compare` (A/B), `ablations` (switch parts off), `banner` (the sentence so far), `caption` (the tour's), `clean_stage` (panels put away while a tour plays), `labels`, `signs` (the stations' signs: written on their plaques, which are drawn, a neighbour's by name only), `placing` (where labels go on screen), `plaque_flight` (the drawn word flies from the dock's plaque into the banner), `hall_map`, `dock` (the side panel on the right, one tab per window), `patching` (activation patching in the A/B window), `game` (the guessing game), `learn` (learning the floor's sentence), `learn_job` (its work off the main thread), `learn_look` (its table, curve, the gradients' key), `grad_tip` (a gradient's chain-rule step under the pointer), `routes` (the routes tab: the route traced, cut at its slider, lit), `column` (the room the panels leave), `model_card`, `models` (the model picker), `embedding`, `positions`, `cost` and `training` (the rooms' windows), `save_stop` (K, export), `help`, `shortcuts`, `kiosk_panel`, `state`, `job` (model work off the main thread, once per key) |
//! | [`rooms`] | the rooms beside the hall and which is which: `embedding` (the map of wte; `markers`: the floor's tokens, neighbours, arithmetic), `scale`, `overview` (the tower of every head) |
//! | [`tour`] | the guided tour: `file` (format, checks), `action` (what a stop does, and its limits), `captions` (placeholders, catalogue captions), `save` (K: a view as one more stop), the player in `mod.rs` |
//! | [`kiosk`] | the museum mode: config, idle reset, attract loop, exit chord |
//! | [`logic`] | the factory's logic composed (also headless, for tests and benchmarks) |
//! | [`stage`] | the render setup shared by the window and the recorder (lights, egui, camera, overlay) |
//! | [`app`] | the window app (`factory` / `factory view`), `--screenshot` |
//! | [`record`] | `factory record`: off-screen, deterministic frames; `output` (the folders' checks, the MP4 by ffmpeg), `captions` (the title card and the subtitles), `chapters` (the chapters files) |
//! | [`bench`] | `factory bench --scene`: CPU time per frame of the headless factory |
//! | [`cli`] | the command line: `args` (every command's arguments), `view` (view, record), `inspect` (trace, generate, neighbours, score), `heads` (what each head does over a text), `lamps` (lamp cards), `learn` (learn one text), `patch` (activation patching), `routes` (information-flow routes), `bench`, `train` |
//!
//! So: how a booth looks → `scene/build/`; what F1 shows → `keys.rs` (and `ui/help.rs`); how training
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
