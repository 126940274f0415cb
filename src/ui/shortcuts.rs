//! The keyboard shortcuts of the overlay: playback, the tour, help, screenshots (bound in
//! [`crate::keys`]).

use bevy::prelude::*;

use super::state::UiState;
use crate::keys::{self, Act};
use crate::limits;
use crate::playback::{Playback, Selection};
use crate::tour::TourPlayer;

/// Acts on the keys bound to playback, the tour, help and screenshots.
pub(super) fn keyboard_shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    mut playback: ResMut<Playback>,
    mut ui: ResMut<UiState>,
    mut selection: ResMut<Selection>,
    mut tour: ResMut<TourPlayer>,
    mut commands: Commands,
) {
    if keys::just_pressed(&keys, Act::Tour) {
        if tour.active {
            tour.stop();
        } else {
            tour.start();
        }
    }
    if keys::just_pressed(&keys, Act::PlayPause) {
        if tour.active {
            tour.paused = !tour.paused;
        } else {
            playback.toggle();
        }
    }
    if tour.active && keys::just_pressed(&keys, Act::TourNext) {
        tour.jump(1);
    }
    if tour.active && keys::just_pressed(&keys, Act::TourBack) {
        tour.jump(-1);
    }
    if keys::just_pressed(&keys, Act::Screenshot) && !ui.simple {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = format!("factory-screenshot-{secs}.png");
        commands
            .spawn(bevy::render::view::screenshot::Screenshot::primary_window())
            .observe(bevy::render::view::screenshot::save_to_disk(path.clone()));
        ui.saved = Some(path);
    }
    if keys::just_pressed(&keys, Act::Step) {
        playback.step();
    }
    if keys::just_pressed(&keys, Act::GenerateOne) {
        playback.generate(1);
    }
    if keys::just_pressed(&keys, Act::PositionsView) {
        ui.positions_view = !ui.positions_view;
    }
    if keys::just_pressed(&keys, Act::CostView) {
        ui.cost_view = !ui.cost_view;
    }
    if keys::just_pressed(&keys, Act::HideUi) {
        ui.hidden = !ui.hidden;
    }
    if keys::just_pressed(&keys, Act::ModelView) {
        ui.model_view = !ui.model_view;
    }
    if keys::just_pressed(&keys, Act::Help) {
        ui.help = !ui.help;
    }
    if keys::just_pressed(&keys, Act::ClearSelection) {
        *selection = Selection::default();
    }
    if keys::just_pressed(&keys, Act::Faster) {
        playback.speed = (playback.speed * 1.5).min(*limits::SPEED.end());
    }
    if keys::just_pressed(&keys, Act::Slower) {
        playback.speed = (playback.speed / 1.5).max(*limits::SPEED.start());
    }
}
