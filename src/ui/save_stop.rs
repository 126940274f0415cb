//! Saving from the app: "Save view as tour stop" (K, or the panel's button: the camera's station,
//! angle and distance, the selection and the room open now become one more stop in the teacher's
//! tour file), and "Export the numbers" (the floor as JSON).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bevy::prelude::*;
use bevy::tasks::{IoTaskPool, Task, block_on, poll_once};

use super::state::UiState;
use crate::camera::Orbit;
use crate::playback::{Selection, export};
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
    (selection, added): (Res<Selection>, Res<crate::scene::ShowAdded>),
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
        added: added.0,
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

/// An export being written on the task pool: its files' names, its steps done, its end.
type Writing = (String, Arc<AtomicUsize>, Task<std::io::Result<()>>);

/// Writes the floor's numbers as JSON and CSV when asked (`UiState::export_floor`), on the task pool
/// with its progress in the panel; refuses an export larger than [`export::EXPORT_LIMIT`] and says
/// how large it would be.
pub(super) fn export_floor_json(
    mut ui: ResMut<UiState>,
    floor: Res<crate::playback::Floor>,
    engine: Option<Res<crate::inference::Engine>>,
    surprise: Res<crate::playback::surprise::TokenSurprise>,
    lang: Res<crate::i18n::Lang>,
    mut writing: Local<Option<Writing>>,
) {
    let lang = *lang;
    if let Some((path, done, task)) = writing.as_mut() {
        let Some(written) = block_on(poll_once(task)) else {
            let step = done.load(Ordering::Relaxed);
            let (step, steps) = (step.min(export::EXPORT_STEPS), export::EXPORT_STEPS);
            let text = crate::tr!(
                lang,
                "saving-numbers",
                path = path.as_str(),
                step = step,
                steps = steps
            );
            if ui.saved.as_ref() != Some(&text) {
                (ui.saved, ui.save_failed) = (Some(text), false);
            }
            // one export at a time: a click while one is written is answered by its progress
            ui.export_floor = false;
            return;
        };
        let (text, failed) = match written {
            Ok(()) => (
                crate::tr!(lang, "saved-numbers", path = path.as_str()),
                false,
            ),
            Err(e) => (
                crate::tr!(
                    lang,
                    "saved-numbers-failed",
                    path = path.as_str(),
                    why = e.to_string()
                ),
                true,
            ),
        };
        (ui.saved, ui.save_failed) = (Some(text), failed);
        *writing = None;
    }
    if !std::mem::take(&mut ui.export_floor) {
        return;
    }
    let Some(engine) = engine else { return };
    if floor.history.is_empty() {
        return;
    }
    let bytes = export::export_bytes(&floor.history);
    if bytes > export::EXPORT_LIMIT {
        let mb = |b: u64| format!("{:.0}", b as f64 / (1 << 20) as f64);
        let text = crate::tr!(
            lang,
            "saved-numbers-too-big",
            size = mb(bytes),
            limit = mb(export::EXPORT_LIMIT)
        );
        (ui.saved, ui.save_failed) = (Some(text), true);
        return;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let stem = format!("factory-floor-{secs}");
    let path = format!("{stem}.json and {stem}-{{tokens,attention,lens}}.csv");
    let snapshot = export::Snapshot::of(&floor, &surprise, &engine.0);
    let done = Arc::new(AtomicUsize::new(0));
    let counter = done.clone();
    let task = IoTaskPool::get().spawn(async move { snapshot.write(&stem, &counter) });
    *writing = Some((path, done, task));
}
