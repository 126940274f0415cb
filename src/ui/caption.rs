//! The guided tour's caption and its buttons, at the bottom of the screen.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::tour::TourPlayer;
use crate::tr;

/// The guided tour's caption and its controls, at the bottom of the screen.
pub(super) fn draw_caption(
    mut contexts: EguiContexts,
    mut tour: ResMut<TourPlayer>,
    mut ui_state: ResMut<UiState>,
    lang: Res<Lang>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    ui_state.caption_share = 0.0;
    if ui_state.hidden {
        return Ok(()); // a clean picture
    }
    // centred in the room the panels leave (the drawer on the left, the side panel on the right,
    // where a stop's room window docks)
    let offset = if ui_state.recording {
        -ui_state.dock_width / 2.0
    } else {
        (ui_state.panel_right - ui_state.dock_width) / 2.0
    };
    let free = ctx.viewport_rect().width() - ui_state.panel_right - ui_state.dock_width;
    if let Some([title, sub]) = &ui_state.title_card {
        title_card(ctx, title, sub);
        return Ok(());
    }
    if let Some(err) = tour.error.as_ref().map(ToString::to_string) {
        tour_problem(ctx, err, l);
        return Ok(());
    }
    let n = tour.tour.as_ref().map_or(0, |t| t.stops.len());
    let Some(stop) = tour.current().cloned() else {
        return Ok(());
    };
    let elapsed = tour.elapsed;
    let (recording, attract, simple) = (ui_state.recording, ui_state.attract, ui_state.simple);
    let shown = egui::Window::new("tour-caption")
        .title_bar(false)
        .anchor(egui::Align2::CENTER_BOTTOM, [offset, -16.0])
        .fixed_size([620.0_f32.min(free - 40.0).max(200.0), 0.0])
        .show(ctx, |ui| {
            ui.heading(&stop.title);
            ui.label(egui::RichText::new(&stop.text).size(16.0));
            ui.add(
                egui::ProgressBar::new((elapsed / stop.seconds).clamp(0.0, 1.0))
                    .desired_height(4.0),
            );
            if recording || attract {
                return; // a kiosk's demo: any touch ends it
            }
            if simple {
                touch_buttons(ui, &mut tour, l);
                return;
            }
            desk_buttons(ui, &mut tour, n, l);
        });
    if let Some(w) = shown {
        // the caption's band, from its top to the bottom of the screen; not in a recording (a
        // camera whose frustum changes mid-recording made its frames differ from run to run)
        let view = ctx.viewport_rect();
        if !recording {
            ui_state.caption_share =
                ((view.bottom() - w.response.rect.top()) / view.height()).clamp(0.0, 0.5);
        }
    }
    Ok(())
}

/// A recording's title card, centred on the screen: a title and a line under it.
fn title_card(ctx: &egui::Context, title: &str, sub: &str) {
    egui::Window::new("title-card")
        .title_bar(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .fixed_size([ctx.viewport_rect().width() * 0.8, 0.0])
        .show(ctx, |ui| {
            ui.vertical_centered(|ui| {
                ui.label(egui::RichText::new(title).size(34.0).strong());
                ui.add_space(8.0);
                ui.label(egui::RichText::new(sub).size(18.0));
            });
        });
}

/// The window that says why the tour could not be loaded, in place of the caption.
fn tour_problem(ctx: &egui::Context, err: String, l: Lang) {
    egui::Window::new(tr!(l, "tour-problem"))
        .id(egui::Id::new("tour-problem"))
        .anchor(egui::Align2::CENTER_BOTTOM, [0.0, -10.0])
        .collapsible(false)
        .show(ctx, |ui| {
            ui.colored_label(egui::Color32::from_rgb(255, 110, 90), err);
            ui.label(tr!(l, "tour-problem-hint"));
        });
}

/// A kiosk visitor's tour controls: back, next and end, buttons a finger can hit, no keys to
/// mention. (`tour` stays a `ResMut`, so it is marked changed only by a press.)
fn touch_buttons(ui: &mut egui::Ui, tour: &mut ResMut<TourPlayer>, l: Lang) {
    ui.horizontal(|ui| {
        let b = |t: String| {
            egui::Button::new(egui::RichText::new(t).size(20.0))
                .min_size(egui::vec2(super::TOUCH_TARGET * 2.0, super::TOUCH_TARGET))
        };
        if ui.add(b(tr!(l, "tour-back"))).clicked() {
            tour.jump(-1);
        }
        if ui.add(b(tr!(l, "tour-next"))).clicked() {
            tour.jump(1);
        }
        if ui.add(b(tr!(l, "tour-end"))).clicked() {
            tour.stop();
        }
    });
}

/// The desk's tour controls: which stop of `n`, back, pause or resume, next, end, and the keys
/// that do the same.
fn desk_buttons(ui: &mut egui::Ui, tour: &mut ResMut<TourPlayer>, n: usize, l: Lang) {
    // read before any button acts, as the caption shows them
    let (index, paused) = (tour.index, tour.paused);
    ui.horizontal(|ui| {
        ui.label(tr!(l, "tour-stop-of", stop = index + 1, n = n));
        if ui.button(tr!(l, "tour-back")).clicked() {
            tour.jump(-1);
        }
        if ui
            .button(if paused {
                tr!(l, "tour-resume")
            } else {
                tr!(l, "tour-pause")
            })
            .clicked()
        {
            tour.paused = !paused;
        }
        if ui.button(tr!(l, "tour-next")).clicked() {
            tour.jump(1);
        }
        if ui.button(tr!(l, "tour-end")).clicked() {
            tour.stop();
        }
        ui.label(tr!(l, "tour-keys"));
    });
}

/// Eases the picture's upward shift toward half the band the tour's caption covers; the viewer's
/// lens shift (`app::centre_beside_panel`, an off-centre frustum: picking and labels use the same
/// projection) applies it, so what a stop talks about is not under its caption.
pub(super) fn ease_caption_shift(mut ui_state: ResMut<UiState>, time: Res<Time>) {
    let want = ui_state.caption_share / 2.0;
    let now = ui_state.caption_shift;
    let eased = now + (want - now) * (time.delta_secs() * 4.0).min(1.0);
    let next = if (eased - want).abs() < 1e-3 {
        want
    } else {
        eased
    };
    if next != now {
        ui_state.caption_shift = next;
    }
}
