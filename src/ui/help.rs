//! The help window: every key and mouse binding (from the one table in [`crate::keys`]) and what
//! the factory shows.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::{keys, tr};

/// The help window, when open (F1 or H).
pub(super) fn draw_help(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    lang: Res<Lang>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    if ui_state.recording || ui_state.hidden || ui_state.stage {
        return Ok(());
    }
    let st = &mut *ui_state;
    if st.help {
        // a small window (a kiosk's screen, 800×600) scrolls the list instead of cutting it off
        let screen = ctx.viewport_rect();
        egui::Window::new(tr!(l, "help-title"))
            .id(egui::Id::new("help"))
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .max_width(screen.width() - 40.0)
            .max_height(screen.height() - 100.0)
            .vscroll(true)
            .open(&mut st.help)
            .show(ctx, |ui| {
                egui::Grid::new("keys").striped(true).show(ui, |ui| {
                    for (k, what) in keys::help_rows(l) {
                        ui.strong(k);
                        ui.label(what);
                        ui.end_row();
                    }
                });
                ui.separator();
                ui.label(tr!(l, "help-story"));
                ui.label(tr!(l, "help-rooms"));
                ui.label(tr!(l, "help-learn"));
                ui.label(tr!(l, "help-patch"));
            });
    }
    Ok(())
}
