//! Saving from the app: "Save view as tour stop" (K, or the panel's button: the camera's station,
//! angle and distance, the selection and the room open now become one more stop in the teacher's
//! tour file), and "Export the numbers" (the floor as JSON).

use bevy::prelude::*;

use super::state::UiState;
use crate::camera::Orbit;
use crate::playback::Selection;
use crate::rooms::overview::OVERVIEW_CENTRE;
use crate::rooms::{EMBEDDING_CENTRE, Room, SCALE_FRONT};
use crate::scene::CurrentLayout;
use crate::tour::file::Highlight;
use crate::tour::save::{SavedView, save_view};

/// The room a view is in: a 3D room by where the camera looks, else the window room open.
fn room_of(focus: Vec3, ui: &UiState) -> Option<Room> {
    if focus.distance(EMBEDDING_CENTRE) < 20.0 {
        Some(Room::Embedding)
    } else if focus.distance(OVERVIEW_CENTRE) < crate::rooms::overview::NEAR {
        Some(Room::Overview)
    } else if focus.x < 0.0 && focus.z < SCALE_FRONT.z + 30.0 {
        Some(Room::Scale)
    } else if ui.training_view {
        Some(Room::Training)
    } else if ui.cost_view {
        Some(Room::Cost)
    } else if ui.positions_view {
        Some(Room::Positions)
    } else {
        // the embedding room's window open away from the room is not the room
        None
    }
}

/// Saves the view when asked (`UiState::save_stop`), and says where (or why not) in the panel.
pub(super) fn save_tour_stop(
    mut ui: ResMut<UiState>,
    cameras: Query<&Orbit>,
    layout: Option<Res<CurrentLayout>>,
    selection: Res<Selection>,
    lang: Res<crate::i18n::Lang>,
) {
    if !std::mem::take(&mut ui.save_stop) {
        return;
    }
    let (Ok(orbit), Some(layout)) = (cameras.single(), layout) else {
        return;
    };
    let station = layout
        .0
        .stations
        .iter()
        .min_by(|a, b| {
            (a.x - orbit.focus.x)
                .abs()
                .total_cmp(&(b.x - orbit.focus.x).abs())
        })
        .map(|s| s.kind);
    let Some(station) = station else { return };
    let mut highlight = Vec::new();
    highlight.extend(selection.token.map(Highlight::Token));
    highlight.extend(selection.head.map(|(l, h)| Highlight::Head(l, h)));
    highlight.extend(selection.neuron.map(|(l, n)| Highlight::Neuron(l, n)));
    let view = SavedView {
        station,
        yaw: orbit.yaw,
        pitch: orbit.pitch,
        distance: orbit.distance,
        highlight,
        room: room_of(orbit.focus, &ui),
    };
    let path = ui.save_tour_path.clone();
    match save_view(&path, &view) {
        Ok(n) => {
            let file = path.display().to_string();
            ui.saved = Some(crate::tr!(*lang, "saved-stop", n = n, file = file));
            ui.save_failed = false;
        }
        Err(e) => {
            ui.saved = Some(crate::tr!(*lang, "saved-stop-failed", why = e.to_string()));
            ui.save_failed = true;
        }
    }
}

/// Writes the floor's numbers as JSON when asked (`UiState::export_floor`).
pub(super) fn export_floor_json(
    mut ui: ResMut<UiState>,
    floor: Res<crate::playback::Floor>,
    engine: Option<Res<crate::inference::Engine>>,
    surprise: Res<crate::playback::surprise::TokenSurprise>,
    lang: Res<crate::i18n::Lang>,
) {
    if !std::mem::take(&mut ui.export_floor) {
        return;
    }
    let Some(engine) = engine else { return };
    if floor.history.is_empty() {
        return;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let path = format!("factory-floor-{secs}.json");
    let json = crate::playback::export::floor_json(&floor, &engine.0, &surprise);
    // and the same numbers as CSV tables beside it, for a spreadsheet
    let tables = crate::playback::export::floor_csv(&floor, &engine.0, &surprise);
    let written = std::fs::write(&path, json.to_string()).and_then(|()| {
        tables.iter().try_for_each(|(name, text)| {
            std::fs::write(format!("factory-floor-{secs}-{name}.csv"), text)
        })
    });
    let path = format!("{path} and factory-floor-{secs}-{{tokens,attention,lens}}.csv");
    match written {
        Ok(()) => {
            ui.saved = Some(crate::tr!(*lang, "saved-numbers", path = path));
            ui.save_failed = false;
        }
        Err(e) => {
            ui.saved = Some(crate::tr!(
                *lang,
                "saved-numbers-failed",
                path = path,
                why = e.to_string()
            ));
            ui.save_failed = true;
        }
    }
}
