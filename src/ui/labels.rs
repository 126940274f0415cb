//! Text over the 3D scene: each [`WorldLabel`] drawn at its entity, sized by distance, and placed
//! so that no two overlap: the most important and the nearest first, a label that would cover one
//! already placed is left out this frame (it comes back as the camera moves).

use bevy::math::{Mat4, Rect, Vec2, Vec3};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use crate::playback::Selection;
use crate::scene::{Crate, WorldLabel};

/// Labels smaller than this on screen (points) are not drawn: unreadable.
pub const MIN_LABEL: f32 = 9.0;
/// Labels are never drawn larger than this (points).
pub const MAX_LABEL: f32 = 22.0;
/// Space kept free around each placed label (points).
const MARGIN: f32 = 2.0;

/// A label that wants a place on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The screen rectangle it would cover.
    pub rect: Rect,
    /// Higher goes first.
    pub priority: f32,
}

/// The labels to draw: highest priority first (ties: the earlier), each kept only where it covers
/// none already kept. Returns their indices in `candidates`, in drawing order.
pub fn place(candidates: &[Candidate]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| {
        candidates[b]
            .priority
            .total_cmp(&candidates[a].priority)
            .then(a.cmp(&b))
    });
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        let r = candidates[i].rect;
        let grown = Rect::from_corners(r.min - MARGIN, r.max + MARGIN);
        if kept
            .iter()
            .all(|&k| grown.intersect(candidates[k].rect).is_empty())
        {
            kept.push(i);
        }
    }
    kept
}

/// `rect` moved sideways to lie between `left` and `right` (its left edge wins when it is wider).
pub fn fit_across(rect: Rect, left: f32, right: f32) -> Rect {
    let over = (rect.max.x - right).max(0.0);
    let dx = (left - (rect.min.x - over)).max(0.0) - over;
    Rect::new(rect.min.x + dx, rect.min.y, rect.max.x + dx, rect.max.y)
}

/// Where a world point lands in a viewport of `size` (origin top left, y down), if in front of
/// the camera and inside the view.
pub fn to_screen(clip_from_world: Mat4, size: Vec2, p: Vec3) -> Option<Vec2> {
    let clip = clip_from_world * p.extend(1.0);
    if clip.w <= 0.0 {
        return None;
    }
    let ndc = clip.truncate() / clip.w;
    if ndc.x.abs() > 1.0 || ndc.y.abs() > 1.0 {
        return None;
    }
    Some(Vec2::new(
        (ndc.x + 1.0) / 2.0 * size.x,
        (1.0 - ndc.y) / 2.0 * size.y,
    ))
}

/// The text size of a label of `size` (points at 20 units) seen from `distance`, if readable.
pub fn shown_size(size: f32, distance: f32) -> Option<f32> {
    let s = size * 20.0 / distance.max(1.0);
    (s >= MIN_LABEL).then_some(s.min(MAX_LABEL))
}

/// The rectangle of `text` at `size` points whose bottom centre is `anchor`, estimated from its
/// characters (for code without a font at hand; the overlay measures the real text).
pub fn estimated_rect(anchor: Vec2, text: &str, size: f32) -> Rect {
    let lines = text.lines().count().max(1) as f32;
    let widest = text.lines().map(|l| l.chars().count()).max().unwrap_or(0) as f32;
    let w = widest * size * 0.6;
    let h = lines * size * 1.25;
    Rect::new(
        anchor.x - w / 2.0,
        anchor.y - h,
        anchor.x + w / 2.0,
        anchor.y,
    )
}

/// How much a label matters: the selected token's first; then its weight (signs before crates)
/// times its size on screen (nearer first), up to three times more at the centre of the view (what
/// the camera looks at) than at the edge.
pub fn priority(label: &WorldLabel, shown: f32, selected: bool, anchor: Vec2, view: Vec2) -> f32 {
    let centre = view / 2.0;
    let central = (1.0 - anchor.distance(centre) / centre.length().max(1.0)).clamp(0.0, 1.0);
    shown * label.weight * (1.0 + 2.0 * central) + if selected { 1000.0 } else { 0.0 }
}

/// Floats the [`WorldLabel`]s over their entities, sized by distance, behind the panels, never
/// one over another.
pub(super) fn draw_world_labels(
    mut contexts: EguiContexts,
    cameras: Query<(&Camera, &GlobalTransform), With<Camera3d>>,
    labels: Query<(
        &WorldLabel,
        &GlobalTransform,
        Option<&InheritedVisibility>,
        Option<&Crate>,
    )>,
    selection: Res<Selection>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Ok((camera, cam_t)) = cameras.single() else {
        return Ok(());
    };
    // the 3D view may start right of the control panel: points land in it, then shift by its corner
    let Some(view_rect) = camera.logical_viewport_rect() else {
        return Ok(());
    };
    // the window's logical pixels in the overlay's points (the overlay is zoomed with the window)
    let zoom = ctx.zoom_factor();
    let view_rect = Rect::from_corners(view_rect.min / zoom, view_rect.max / zoom);
    let viewport = view_rect.size();
    let clip_from_world = camera.clip_from_view() * cam_t.to_matrix().inverse();
    let painter = ctx.layer_painter(egui::LayerId::background());
    let eye = cam_t.translation();
    let colour = egui::Color32::from_rgb(235, 232, 220);
    let mut shown = Vec::new();
    let mut candidates = Vec::new();
    for (label, t, vis, krate) in &labels {
        if label.text.is_empty() || vis.is_some_and(|v| !v.get()) {
            continue;
        }
        let p = t.translation() + Vec3::Y * label.lift;
        let Some(size) = shown_size(label.size, p.distance(eye)) else {
            continue;
        };
        let Some(in_view) = to_screen(clip_from_world, viewport, p) else {
            continue;
        };
        let anchor = in_view + view_rect.min;
        let galley =
            painter.layout_no_wrap(label.text.clone(), egui::FontId::proportional(size), colour);
        let g = galley.size();
        // a sign near the edge of the view slides in rather than being cut off (or drawn under
        // the control panel)
        let rect = fit_across(
            Rect::new(
                anchor.x - g.x / 2.0,
                anchor.y - g.y,
                anchor.x + g.x / 2.0,
                anchor.y,
            ),
            view_rect.min.x,
            view_rect.max.x,
        );
        let selected = krate.is_some_and(|c| selection.token == Some(c.0));
        candidates.push(Candidate {
            rect,
            priority: priority(label, size, selected, in_view, viewport),
        });
        shown.push(galley);
    }
    for i in place(&candidates) {
        let r = candidates[i].rect;
        painter.galley(egui::pos2(r.min.x, r.min.y), shown[i].clone(), colour);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(x: f32, y: f32, w: f32, priority: f32) -> Candidate {
        Candidate {
            rect: Rect::new(x, y, x + w, y + 10.0),
            priority,
        }
    }

    #[test]
    fn signs_at_the_edge_slide_into_the_view() {
        let r = |a: f32, b: f32| Rect::new(a, 0.0, b, 10.0);
        assert_eq!(
            fit_across(r(10.0, 50.0), 0.0, 100.0),
            r(10.0, 50.0),
            "inside: stays"
        );
        assert_eq!(
            fit_across(r(80.0, 120.0), 0.0, 100.0),
            r(60.0, 100.0),
            "past the right"
        );
        assert_eq!(
            fit_across(r(-15.0, 25.0), 0.0, 100.0),
            r(0.0, 40.0),
            "past the left"
        );
        assert_eq!(
            fit_across(r(-10.0, 150.0), 0.0, 100.0),
            r(0.0, 160.0),
            "too wide"
        );
    }

    #[test]
    fn overlapping_labels_yield_to_the_more_important() {
        let c = [
            cand(0.0, 0.0, 50.0, 1.0),
            cand(40.0, 5.0, 50.0, 5.0),  // covers the first, matters more
            cand(200.0, 0.0, 50.0, 0.5), // alone
            cand(60.0, 0.0, 10.0, 9.0),  // inside the second, matters most
        ];
        // the fourth goes first and pushes out the second; the first, which only the second
        // covered, stays
        assert_eq!(place(&c), vec![3, 0, 2]);
        let apart = [cand(0.0, 0.0, 10.0, 1.0), cand(0.0, 20.0, 10.0, 1.0)];
        assert_eq!(place(&apart), vec![0, 1]);
    }

    #[test]
    fn points_behind_or_outside_the_view_have_no_place() {
        let proj = Mat4::perspective_rh(std::f32::consts::FRAC_PI_4, 16.0 / 9.0, 0.1, 1000.0);
        let view = Mat4::look_at_rh(Vec3::ZERO, Vec3::NEG_Z, Vec3::Y);
        let m = proj * view;
        let size = Vec2::new(1280.0, 720.0);
        let centre = to_screen(m, size, Vec3::new(0.0, 0.0, -10.0)).unwrap();
        assert!(centre.distance(size / 2.0) < 1e-3);
        assert!(
            to_screen(m, size, Vec3::new(0.0, 0.0, 10.0)).is_none(),
            "behind"
        );
        assert!(
            to_screen(m, size, Vec3::new(100.0, 0.0, -10.0)).is_none(),
            "off to the side"
        );
        let up = to_screen(m, size, Vec3::new(0.0, 1.0, -10.0)).unwrap();
        assert!(up.y < centre.y, "up is up on screen");
    }
}
