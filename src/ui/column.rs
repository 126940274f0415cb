//! The right-hand column's windows keep out of each other's way: the inspector (top right) stops
//! above the attention heatmap (bottom right), and the hall map (bottom centre) is centred in the
//! room the left panel and the right column leave, narrowed to fit. Each reads where the others
//! were drawn in the last frame (egui remembers every window's rectangle).

use bevy_egui::egui;

/// The inspector window's id.
pub(super) const INSPECTOR: &str = "Inspector";
/// The attention heatmap window's id.
pub(super) const HEATMAP: &str = "heatmap";
/// Space kept between windows and the frame's edge, pixels.
pub(super) const GAP: f32 = 10.0;

/// Where a window was last drawn, if it was.
fn last_rect(ctx: &egui::Context, id: &str) -> Option<egui::Rect> {
    ctx.memory(|m| m.area_rect(egui::Id::new(id)))
}

/// The tallest the inspector may be: down to the heatmap's top when the heatmap is shown, else to
/// the bottom of the frame (its content scrolls past that).
pub(super) fn inspector_max_height(ctx: &egui::Context, heatmap_shown: bool) -> f32 {
    let screen = ctx.viewport_rect();
    let bottom = last_rect(ctx, HEATMAP)
        .filter(|_| heatmap_shown)
        .map_or(screen.bottom(), |r| r.top());
    // the title bar and the frame's margins are not part of the content's height
    (bottom - screen.top() - 2.0 * GAP - 40.0).max(120.0)
}

/// The free stretch of the bottom edge, (left, right) in pixels: right of the left panel and left of
/// whichever right-column window reaches down into the bottom `band` pixels.
pub(super) fn bottom_free(
    ctx: &egui::Context,
    panel_right: f32,
    heatmap_shown: bool,
    band: f32,
) -> (f32, f32) {
    let screen = ctx.viewport_rect();
    let mut right = screen.right();
    let reaches_down = |r: &egui::Rect| r.bottom() > screen.bottom() - band;
    if let Some(r) = last_rect(ctx, INSPECTOR).filter(reaches_down) {
        right = right.min(r.left());
    }
    if let Some(r) = last_rect(ctx, HEATMAP).filter(|r| heatmap_shown && reaches_down(r)) {
        right = right.min(r.left());
    }
    (
        screen.left() + panel_right,
        right.max(screen.left() + panel_right),
    )
}
