//! The room the panels leave: the drawer on the left ([`UiState::panel_right`]) and the side panel
//! on the right ([`UiState::dock_width`]); the hall map and the sentence banner are centred in it.

use bevy_egui::egui;

use super::state::UiState;

/// Space kept between windows and the frame's edge, pixels.
pub(super) const GAP: f32 = 10.0;

/// How wide `text` is in the overlay's body type (points): what fits a row before it is laid.
pub(super) fn body_width(ui: &mut egui::Ui, text: String) -> f32 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    ui.fonts_mut(|f| f.layout_no_wrap(text, font, egui::Color32::WHITE))
        .size()
        .x
}

/// The free stretch across the window, (left, right) in points: right of the drawer and left of
/// the side panel.
pub(super) fn free_span(ctx: &egui::Context, ui: &UiState) -> (f32, f32) {
    let screen = ctx.viewport_rect();
    let left = screen.left() + ui.panel_right;
    (left, (screen.right() - ui.dock_width).max(left))
}
