//! The training time-lapse (L): for a model folder with training snapshots, a scrubber from the
//! untrained step 0 to the finished model; each choice opens that snapshot and runs the same prompt
//! on it, so the whole factory shows the model at that step. The loss curve from the model's
//! `train_log.csv` is drawn with the chosen step marked. Its text comes from the message
//! catalogue (`training-*`).

use std::path::PathBuf;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::models::same_folder;
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Engine, Request};
use crate::model::catalog::{Timeline, timeline};
use crate::model::train::{LOG_FILE, LogRow, read_log};
use crate::playback::{Floor, Playback};
use crate::tr;

/// What the window keeps between frames.
#[derive(Default)]
pub(super) struct Lapse {
    /// The folder the timeline was read for, and what was found.
    read_for: Option<PathBuf>,
    timeline: Option<Timeline>,
    log: Vec<LogRow>,
    /// The point the slider is on.
    chosen: usize,
    /// A snapshot was asked for at this floor version: show its floor whole once it arrives.
    asked_at: Option<u64>,
    /// The model folder open when the window opened, while a snapshot chosen here is loaded: closing
    /// the window goes back to it (a kiosk's tour never leaves the wall on an untrained model).
    return_to: Option<PathBuf>,
}

/// The model open now, and the way to open another (a snapshot, or the model the window left).
#[derive(SystemParam)]
pub(super) struct ModelSwitch<'w> {
    engine: Option<Res<'w, Engine>>,
    requests: MessageWriter<'w, Request>,
}

/// The floor the model made, and its playback (a snapshot's floor is shown whole once it arrives).
#[derive(SystemParam)]
pub(super) struct ShownFloor<'w> {
    floor: Res<'w, Floor>,
    playback: ResMut<'w, Playback>,
}

/// The window, when open.
pub(super) fn draw_training(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    mut switch: ModelSwitch,
    mut shown: ShownFloor,
    mut lapse: Local<Lapse>,
    lang: Res<Lang>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = switch.engine.as_deref() else {
        return Ok(());
    };
    let requests = &mut switch.requests;
    let floor = &*shown.floor;
    // the snapshot's floor arrived: show it whole, dock bars included
    if let (Some(v), Some(last)) = (lapse.asked_at, shown.playback.last_station)
        && floor.version > v
        && floor.error.is_none()
    {
        shown.playback.progress = last as f32;
        shown.playback.playing = false;
        lapse.asked_at = None;
    }
    if !ui_state.training_view {
        if let Some(back) = lapse.return_to.take() {
            lapse.asked_at = Some(floor.version);
            requests.write(Request::Model(back));
        }
        return Ok(());
    }
    if ui_state.hidden {
        return Ok(());
    }
    read_timeline(&mut lapse, engine.0.dir.clone());
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Training, "training-view") else {
        return Ok(());
    };
    window.show(ctx, |ui| {
        let Some(t) = lapse.timeline.clone() else {
            ui.label(tr!(l, "training-no-snapshots"));
            return;
        };
        ui.label(tr!(l, "training-intro"));
        let last = t.points.len() - 1;
        // the step shown until a newly chosen snapshot arrives
        let step = t.points[lapse.chosen.min(last)].0;
        if let Some(i) = step_slider(ui, &t, lapse.chosen, l) {
            lapse.chosen = i;
            lapse.asked_at = Some(floor.version);
            if lapse.return_to.is_none() {
                lapse.return_to = Some(engine.0.dir.clone());
            }
            requests.write(Request::Model(t.points[i].1.clone()));
        }
        loss_plot(ui, &lapse.log, t.points[lapse.chosen.min(last)].0, l);
        loss_line(ui, &lapse.log, step, l);
    });
    Ok(())
}

/// Reads the timeline and training log of the model in `dir` once (again when the model folder
/// changes), and puts the slider on the snapshot that is open.
fn read_timeline(lapse: &mut Lapse, dir: PathBuf) {
    if lapse.read_for.as_ref() == Some(&dir) {
        return;
    }
    lapse.timeline = timeline(&dir);
    lapse.log = lapse
        .timeline
        .as_ref()
        .map(|t| read_log(&t.model.join(LOG_FILE)))
        .unwrap_or_default();
    lapse.chosen = lapse
        .timeline
        .as_ref()
        .and_then(|t| {
            t.points
                .iter()
                .position(|p| same_folder(&p.1, &dir))
                .or_else(|| same_folder(&t.model, &dir).then(|| t.points.len() - 1))
        })
        .unwrap_or(0);
    lapse.read_for = Some(dir);
}

/// The scrubber over `t`'s snapshots, labelled with the step on it; returns the point newly
/// chosen (other than `chosen`), if any.
fn step_slider(ui: &mut egui::Ui, t: &Timeline, chosen: usize, l: Lang) -> Option<usize> {
    let last = t.points.len() - 1;
    let mut i = chosen.min(last);
    let step = t.points[i].0;
    let slider = egui::Slider::new(&mut i, 0..=last)
        .show_value(false)
        .text(tr!(
            l,
            "training-step-of",
            step = step,
            last = t.points[last].0
        ));
    (ui.add(slider).changed() && i != chosen).then_some(i)
}

/// The loss at `step` in words, with the held-out loss when one was logged by then (step 0 has
/// its own line: the untrained model).
fn loss_line(ui: &mut egui::Ui, log: &[LogRow], step: usize, l: Lang) {
    if step == 0 {
        ui.label(tr!(l, "training-step-zero"));
    } else if let Some(row) = log.iter().rfind(|r| r.step <= step) {
        let loss = format!("{:.2}", row.train_loss);
        let held = log
            .iter()
            .rfind(|r| r.step <= step && r.val_loss.is_some())
            .and_then(|r| r.val_loss);
        ui.label(match held {
            Some(v) => tr!(
                l,
                "training-loss-held-out",
                step = row.step,
                loss = loss,
                held = format!("{v:.2}")
            ),
            None => tr!(l, "training-loss", step = row.step, loss = loss),
        });
    }
}

/// The loss curve (training grey, held-out amber) with the chosen step marked; steps on a
/// square-root scale, so the first few hundred steps (where the model changes most) get room.
fn loss_plot(ui: &mut egui::Ui, log: &[LogRow], step: usize, l: Lang) {
    ui.label(tr!(l, "training-plot-legend"));
    let (w, h) = (400.0, 140.0);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(w, h), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, egui::Color32::from_gray(20));
    if log.is_empty() {
        painter.text(
            rect.center(),
            egui::Align2::CENTER_CENTER,
            tr!(l, "training-no-log"),
            egui::FontId::proportional(14.0),
            egui::Color32::GRAY,
        );
        return;
    }
    let max_step = log.iter().map(|r| r.step).max().unwrap_or(1).max(1) as f32;
    let losses = log
        .iter()
        .flat_map(|r| std::iter::once(r.train_loss).chain(r.val_loss));
    let (lo, hi) = losses.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let span = (hi - lo).max(1e-6);
    let at = |s: usize, v: f64| {
        egui::pos2(
            rect.left() + 30.0 + (w - 40.0) * (s as f32 / max_step).sqrt(),
            rect.bottom() - 18.0 - (h - 30.0) * ((v - lo) / span) as f32,
        )
    };
    let train: Vec<egui::Pos2> = log.iter().map(|r| at(r.step, r.train_loss)).collect();
    painter.add(egui::Shape::line(
        train,
        egui::Stroke::new(1.5, egui::Color32::from_gray(170)),
    ));
    for r in log {
        if let Some(v) = r.val_loss {
            painter.circle_filled(at(r.step, v), 3.0, egui::Color32::from_rgb(240, 170, 60));
        }
    }
    let x = at(step, lo).x;
    painter.line_segment(
        [
            egui::pos2(x, rect.top() + 4.0),
            egui::pos2(x, rect.bottom() - 4.0),
        ],
        egui::Stroke::new(2.0, egui::Color32::from_rgb(120, 220, 120)),
    );
    let small = egui::FontId::proportional(14.0);
    painter.text(
        rect.left_top() + egui::vec2(4.0, 2.0),
        egui::Align2::LEFT_TOP,
        format!("{hi:.1}"),
        small.clone(),
        egui::Color32::GRAY,
    );
    painter.text(
        rect.left_bottom() + egui::vec2(4.0, -16.0),
        egui::Align2::LEFT_BOTTOM,
        format!("{lo:.1}"),
        small.clone(),
        egui::Color32::GRAY,
    );
    painter.text(
        rect.right_bottom() + egui::vec2(-4.0, -2.0),
        egui::Align2::RIGHT_BOTTOM,
        tr!(l, "training-step", step = max_step as usize),
        small,
        egui::Color32::GRAY,
    );
}
