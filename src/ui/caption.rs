//! The guided tour's caption and its buttons, at the bottom of the screen.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::tour::TourPlayer;

/// The guided tour's caption and its controls, at the bottom of the screen.
pub(super) fn draw_caption(
    mut contexts: EguiContexts,
    mut tour: ResMut<TourPlayer>,
    ui_state: Res<UiState>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if ui_state.hidden {
        return Ok(()); // a clean picture
    }
    // beside the control panel in the viewer; centred in a recording
    let offset = if ui_state.recording { 0.0 } else { 150.0 };
    if let Some([title, sub]) = &ui_state.title_card {
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
        return Ok(());
    }
    if let Some(err) = tour.error.as_ref().map(ToString::to_string) {
        egui::Window::new("Tour file problem")
            .anchor(egui::Align2::CENTER_BOTTOM, [0.0, -10.0])
            .collapsible(false)
            .show(ctx, |ui| {
                ui.colored_label(egui::Color32::from_rgb(255, 110, 90), err);
                ui.label("The factory runs without a tour. Fix the file and restart to use it.");
            });
        return Ok(());
    }
    let n = tour.tour.as_ref().map_or(0, |t| t.stops.len());
    let Some(stop) = tour.current().cloned() else {
        return Ok(());
    };
    let (index, paused, elapsed) = (tour.index, tour.paused, tour.elapsed);
    egui::Window::new("tour-caption")
        .title_bar(false)
        .anchor(egui::Align2::CENTER_BOTTOM, [offset, -16.0])
        .fixed_size([620.0_f32.min(ctx.viewport_rect().width() - 40.0), 0.0])
        .show(ctx, |ui| {
            ui.heading(&stop.title);
            ui.label(egui::RichText::new(&stop.text).size(16.0));
            ui.add(
                egui::ProgressBar::new((elapsed / stop.seconds).clamp(0.0, 1.0))
                    .desired_height(4.0),
            );
            if ui_state.recording {
                return;
            }
            ui.horizontal(|ui| {
                ui.label(format!("stop {} of {n}", index + 1));
                if ui.button("< back").clicked() {
                    tour.jump(-1);
                }
                if ui.button(if paused { "resume" } else { "pause" }).clicked() {
                    tour.paused = !paused;
                }
                if ui.button("next >").clicked() {
                    tour.jump(1);
                }
                if ui.button("end tour").clicked() {
                    tour.stop();
                }
                ui.label("(T, Space, left / right arrows)");
            });
        });
    Ok(())
}
