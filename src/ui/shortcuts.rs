//! The keyboard shortcuts of the overlay: playback, the tour, help, screenshots (bound in
//! [`crate::keys`]).

use bevy::prelude::*;

use super::state::UiState;
use crate::keys::{self, Act};
use crate::limits;
use crate::playback::{Playback, Selection};
use crate::rooms::{GoToRoom, Room};
use crate::tour::TourPlayer;

/// Acts on the keys bound to playback, the tour, help and screenshots.
#[allow(clippy::too_many_arguments)]
pub(super) fn keyboard_shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    mut playback: ResMut<Playback>,
    mut ui: ResMut<UiState>,
    mut selection: ResMut<Selection>,
    mut tour: ResMut<TourPlayer>,
    mut rooms: MessageWriter<GoToRoom>,
    mut commands: Commands,
    lang: Res<crate::i18n::Lang>,
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
        ui.saved = Some(crate::tr!(*lang, "saved-screenshot", path = &path));
        ui.save_failed = false;
    }
    if keys::just_pressed(&keys, Act::SaveStop) && !ui.simple {
        ui.save_stop = true;
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
    if keys::just_pressed(&keys, Act::TrainingView) {
        ui.training_view = !ui.training_view;
    }
    if keys::just_pressed(&keys, Act::EmbeddingRoom) {
        rooms.write(GoToRoom(Room::Embedding));
    }
    if keys::just_pressed(&keys, Act::ScaleRoom) {
        rooms.write(GoToRoom(Room::Scale));
    }
    if keys::just_pressed(&keys, Act::OverviewRoom) {
        rooms.write(GoToRoom(Room::Overview));
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

/// A room asked for (by a key or the tour) opens its window; the camera flies to the 3D ones.
pub(super) fn open_room_windows(mut asked: MessageReader<GoToRoom>, mut ui: ResMut<UiState>) {
    for GoToRoom(room) in asked.read() {
        set_window(&mut ui, *room, true);
    }
}

/// The tour's rooms: a stop with a window room opens its window, and leaving the stop closes it.
pub(super) fn tour_room_windows(
    tour: Res<TourPlayer>,
    mut ui: ResMut<UiState>,
    mut shown: Local<Option<Room>>,
) {
    let now = if tour.active {
        tour.current().and_then(|s| s.room)
    } else {
        None
    };
    if *shown == now {
        return;
    }
    if let Some(old) = shown.take() {
        set_window(&mut ui, old, false);
    }
    if let Some(new) = now {
        set_window(&mut ui, new, true);
    }
    *shown = now;
}

fn set_window(ui: &mut UiState, room: Room, open: bool) {
    match room {
        Room::Embedding => ui.embedding_view = open,
        Room::Positions => ui.positions_view = open,
        Room::Cost => ui.cost_view = open,
        Room::Training => ui.training_view = open,
        Room::Scale | Room::Overview => {}
    }
}
