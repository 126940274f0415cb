//! The help window: every key and mouse binding (from the one table in [`crate::keys`]) and what
//! the factory shows.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::keys;

/// The help window, when open (F1 or H).
pub(super) fn draw_help(mut contexts: EguiContexts, mut ui_state: ResMut<UiState>) -> Result {
    let ctx = contexts.ctx_mut()?;
    if ui_state.recording || ui_state.hidden {
        return Ok(());
    }
    let st = &mut *ui_state;
    if st.help {
        // a small window (a kiosk's screen, 800×600) scrolls the list instead of cutting it off
        let screen = ctx.viewport_rect();
        egui::Window::new("Keys and help")
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .max_width(screen.width() - 40.0)
            .max_height(screen.height() - 100.0)
            .vscroll(true)
            .open(&mut st.help)
            .show(ctx, |ui| {
                egui::Grid::new("keys").striped(true).show(ui, |ui| {
                    for (k, what) in keys::help_rows() {
                        ui.strong(k);
                        ui.label(what);
                        ui.end_row();
                    }
                });
                ui.separator();
                ui.label(
                    "Crates are tokens. They ride from the receiving dock through every layer: \
                     a norm gate, one booth per attention head (beams show what each token looks at; \
                     brighter and thicker = more weight; future tokens are masked and never lit), \
                     the merge and residual belt, a second norm gate and the FFN machine (one lamp per \
                     neuron). At the shipping dock the bars show the next-token probabilities; the \
                     sampled token rides back to the start and the loop goes on, using the key/value \
                     cache so only the new crate is computed.",
                );
                ui.label(
                    "Rooms: M flies to the embedding room (every token of the vocabulary as a \
                     point; click one for its nearest neighbours, try vector arithmetic), B to the \
                     scale room (this model beside GPT-2 and GPT-3). P, C and L open the position \
                     table, the cost of long contexts and the training time-lapse. Home comes back.",
                );
            });
    }
    Ok(())
}
