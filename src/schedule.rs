//! The order of work in each frame: one set enum, chained in one place ([`configure`]).
//!
//! This module imports nothing of the crate, so every plugin can name a set without importing the
//! app that composes them.

use bevy::prelude::*;

/// The stages of a frame, in the order they run:
/// input (keys, mouse, camera, kiosk) → inference (start and collect model runs) → playback (the
/// floor, the clock and sampling) → build (rebuild the scene when the floor changed) → direct (the
/// tour: it needs the rebuilt floor and moves the clock before anything is drawn) → derive (numbers
/// that follow from the floor and the settings, recomputed only when those changed) → draw (move,
/// paint, beams, bars) → capture (screenshots, frames, exit).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AppSet {
    /// Keyboard, mouse, camera and the kiosk's idle watch.
    Input,
    /// Starting and collecting model runs.
    Inference,
    /// The floor (what has been computed), the animation clock and the sampling loop.
    Playback,
    /// Rebuilding the scene's entities when the floor changed.
    Build,
    /// The guided tour: camera, highlights and actions on the floor now standing.
    Direct,
    /// Numbers derived from the floor and the settings (the dock's candidates), on change only.
    Derive,
    /// Everything drawn from the floor's numbers: crates, boards, lamps, bars, beams.
    Draw,
    /// Screenshots, recorded frames and exit.
    Capture,
}

/// Chains the sets in [`Update`], in the order documented on [`AppSet`].
pub fn configure(app: &mut App) {
    app.configure_sets(
        Update,
        (
            AppSet::Input,
            AppSet::Inference,
            AppSet::Playback,
            AppSet::Build,
            AppSet::Direct,
            AppSet::Derive,
            AppSet::Draw,
            AppSet::Capture,
        )
            .chain(),
    );
}
