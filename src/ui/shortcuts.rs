//! The keyboard shortcuts of the overlay: playback, the tour, help, screenshots (bound in
//! [`crate::keys`]).

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::state::UiState;
use crate::i18n::Lang;
use crate::keys::{self, Act};
use crate::limits;
use crate::playback::{Playback, Selection};
use crate::rooms::{GoToRoom, Room};
use crate::tour::TourPlayer;

/// What a screenshot needs: commands to take and save it, and the language of the line that
/// says where it went.
#[derive(SystemParam)]
pub(super) struct Screenshots<'w, 's> {
    commands: Commands<'w, 's>,
    lang: Res<'w, Lang>,
}

/// Acts on the keys bound to playback, the tour, help and screenshots. (The helpers take the
/// resources as `ResMut`, so each is marked changed only when a key changes it.)
pub(super) fn keyboard_shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    mut playback: ResMut<Playback>,
    mut ui: ResMut<UiState>,
    mut selection: ResMut<Selection>,
    mut tour: ResMut<TourPlayer>,
    mut rooms: MessageWriter<GoToRoom>,
    mut shots: Screenshots,
) {
    tour_keys(&keys, &mut tour, &mut playback);
    save_keys(&keys, &mut ui, &mut shots);
    playback_keys(&keys, &mut playback);
    window_keys(&keys, &mut ui, &mut rooms, &mut selection);
}

/// The tour's keys: start or stop it, pause it (or playback, when no tour runs), next and back.
fn tour_keys(
    keys: &ButtonInput<KeyCode>,
    tour: &mut ResMut<TourPlayer>,
    playback: &mut ResMut<Playback>,
) {
    if keys::just_pressed(keys, Act::Tour) {
        if tour.active {
            tour.stop();
        } else {
            tour.start();
        }
    }
    if keys::just_pressed(keys, Act::PlayPause) {
        if tour.active {
            tour.paused = !tour.paused;
        } else {
            playback.toggle();
        }
    }
    if tour.active && keys::just_pressed(keys, Act::TourNext) {
        tour.jump(1);
    }
    if tour.active && keys::just_pressed(keys, Act::TourBack) {
        tour.jump(-1);
    }
}

/// The keys that save: a screenshot of the window (its path reported), and the tour stop (not in
/// the kiosk).
fn save_keys(keys: &ButtonInput<KeyCode>, ui: &mut ResMut<UiState>, shots: &mut Screenshots) {
    if keys::just_pressed(keys, Act::Screenshot) && !ui.simple {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = format!("factory-screenshot-{secs}.png");
        shots
            .commands
            .spawn(bevy::render::view::screenshot::Screenshot::primary_window())
            .observe(report_saved(path.clone()));
        // said when the file is written (or could not be)
        ui.saved = Some(crate::tr!(*shots.lang, "saving-screenshot", path = &path));
        ui.save_failed = false;
    }
    if keys::just_pressed(keys, Act::SaveStop) && !ui.simple {
        ui.save_stop = true;
    }
}

/// Writes the captured screenshot to `path` as PNG and says in the panel whether it was written.
fn report_saved(
    path: String,
) -> impl FnMut(On<bevy::render::view::screenshot::ScreenshotCaptured>, ResMut<UiState>, Res<Lang>)
{
    move |shot, mut ui, lang| {
        let written = shot
            .image
            .clone()
            .try_into_dynamic()
            .map_err(|e| e.to_string())
            .and_then(|img| img.to_rgb8().save(&path).map_err(|e| e.to_string()));
        let (text, failed) = match written {
            Ok(()) => (crate::tr!(*lang, "saved-screenshot", path = &path), false),
            Err(why) => (
                crate::tr!(*lang, "saved-screenshot-failed", path = &path, why = why),
                true,
            ),
        };
        ui.saved = Some(text);
        ui.save_failed = failed;
    }
}

/// Playback's keys: one station, one more word, faster and slower (within the speed limits).
fn playback_keys(keys: &ButtonInput<KeyCode>, playback: &mut ResMut<Playback>) {
    if keys::just_pressed(keys, Act::Step) {
        playback.step();
    }
    if keys::just_pressed(keys, Act::GenerateOne) {
        playback.generate(1);
    }
    if keys::just_pressed(keys, Act::Faster) {
        playback.speed = (playback.speed * 1.5).min(*limits::SPEED.end());
    }
    if keys::just_pressed(keys, Act::Slower) {
        playback.speed = (playback.speed / 1.5).max(*limits::SPEED.start());
    }
}

/// The keys that open and close things: the windows, the rooms, the whole overlay, help, and the
/// selection.
fn window_keys(
    keys: &ButtonInput<KeyCode>,
    ui: &mut ResMut<UiState>,
    rooms: &mut MessageWriter<GoToRoom>,
    selection: &mut ResMut<Selection>,
) {
    if keys::just_pressed(keys, Act::PositionsView) {
        ui.positions_view = !ui.positions_view;
    }
    if keys::just_pressed(keys, Act::CostView) {
        ui.cost_view = !ui.cost_view;
    }
    if keys::just_pressed(keys, Act::TrainingView) {
        ui.training_view = !ui.training_view;
    }
    // for researchers: not in the kiosk
    if keys::just_pressed(keys, Act::RoutesView) && !ui.simple {
        ui.routes_view = !ui.routes_view;
    }
    if keys::just_pressed(keys, Act::EmbeddingRoom) {
        rooms.write(GoToRoom(Room::Embedding));
    }
    if keys::just_pressed(keys, Act::ScaleRoom) {
        rooms.write(GoToRoom(Room::Scale));
    }
    if keys::just_pressed(keys, Act::OverviewRoom) {
        rooms.write(GoToRoom(Room::Overview));
    }
    if keys::just_pressed(keys, Act::HideUi) {
        ui.hidden = !ui.hidden;
    }
    if keys::just_pressed(keys, Act::ModelView) {
        ui.model_view = !ui.model_view;
    }
    if keys::just_pressed(keys, Act::Help) {
        ui.help = !ui.help;
    }
    if keys::just_pressed(keys, Act::ClearSelection) {
        **selection = Selection::default();
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
