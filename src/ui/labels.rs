//! Text over the 3D scene: each [`WorldLabel`] drawn at its entity, sized by distance, and placed
//! so that no two overlap: the most important and the nearest first, a label that would cover one
//! already placed is left out this frame (it comes back as the camera moves).

use bevy::math::{Mat4, Rect, Vec2, Vec3};
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::placing::{Candidate, SIGN_GAP, aside, clear_of, fit_across, place};
pub use super::signs::{
    MAX_SIGNS, MIN_SIGN, PLAQUE, PLAQUE_EDGE, PLAQUE_PAD, SIGN_PRIORITY, SIGN_TEXT, SUBTITLE,
    nearest_signs, neighbour_sign, sign_job,
};
use crate::playback::Selection;
use crate::scene::parts::SignGroup;
use crate::scene::{Crate, WorldLabel};

/// Labels smaller than this on screen (points) are not drawn: unreadable.
pub const MIN_LABEL: f32 = 9.0;
/// Labels are never drawn larger than this (points).
pub const MAX_LABEL: f32 = 22.0;
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

/// How much a label matters: the selected token's first; then its weight (signs before crates)
/// times its size on screen (nearer first), up to three times more at the centre of the view (what
/// the camera looks at) than at the edge.
pub fn priority(label: &WorldLabel, shown: f32, selected: bool, anchor: Vec2, view: Vec2) -> f32 {
    let centre = view / 2.0;
    let central = (1.0 - anchor.distance(centre) / centre.length().max(1.0)).clamp(0.0, 1.0);
    shown * label.weight * (1.0 + 2.0 * central) + if selected { 1000.0 } else { 0.0 }
}

/// The part of the window no panel covers, in points: right of the drawer, left of the side
/// panel, below the slim bar. A sign is drawn only whole inside it.
pub fn free_rect(screen: Rect, ui: &super::UiState) -> Rect {
    Rect::new(
        screen.min.x + ui.panel_right,
        screen.min.y + ui.top_bar,
        (screen.max.x - ui.dock_width).max(screen.min.x + ui.panel_right),
        screen.max.y,
    )
}

/// The line that ties a crate's label to its crate: the label's colour, faint.
const TETHER: egui::Color32 = egui::Color32::from_rgba_premultiplied(120, 118, 112, 140);

/// A label's text in the world's colour (crates, bars, lens readings).
const LABEL_TEXT: egui::Color32 = egui::Color32::from_rgb(235, 232, 220);

/// What a frame's labels are placed in: the camera's projection, the 3D view in the overlay's
/// points, the eye, and the part of the window no panel covers.
pub struct View {
    /// The camera's clip-from-world matrix.
    pub clip_from_world: Mat4,
    /// The 3D view, in the overlay's points.
    pub rect: Rect,
    /// The camera's position.
    pub eye: Vec3,
    /// The part of the window no panel covers ([`free_rect`]).
    pub free: Rect,
    /// What floats over the scene inside it (the sentence banner, the hall map): no label is
    /// drawn under them.
    pub avoid: Vec<Rect>,
}

/// Where the overlay's floating boxes over the scene were drawn last frame (the sentence banner,
/// the hall map), as rectangles in points.
fn floating_boxes(ctx: &egui::Context) -> Vec<Rect> {
    let boxes = [
        (egui::Order::Background, "sentence-banner"),
        (egui::Order::Middle, "hall-map"),
    ];
    boxes
        .into_iter()
        .filter_map(|(order, id)| {
            let id = egui::Id::new(id);
            ctx.memory(|m| {
                let shown = m.areas().visible_last_frame(&egui::LayerId::new(order, id));
                m.area_rect(id).filter(|_| shown)
            })
        })
        .map(|r| Rect::new(r.min.x, r.min.y, r.max.x, r.max.y))
        .collect()
}

/// Where the winner's plaque was last drawn (points) and when (the clock's seconds): its word
/// flies into the banner from there (`plaque_flight`).
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct PlaqueSeen(pub Option<(egui::Rect, f32)>);

/// A label laid out and given its place on screen (a sign's is its plaque's).
pub struct Laid {
    /// The text as egui laid it out (its real size).
    pub galley: std::sync::Arc<egui::Galley>,
    /// A sign (on a plaque).
    pub sign: bool,
    /// Where it would be drawn (a sign's plaque, text and margin) and how much it matters.
    pub candidate: Candidate,
    /// From the eye, world units.
    pub distance: f32,
    /// Where on screen the thing labelled is (a crate's lid): a thin line ties the label to it.
    pub tether: Option<Vec2>,
    /// The sign's group (see [`SignGroup`]).
    pub group: Option<SignGroup>,
}

/// The frame's [`View`] from the camera (none before its viewport is known).
fn view_of(
    ctx: &egui::Context,
    (camera, cam_t): (&Camera, &GlobalTransform),
    ui_state: &super::UiState,
) -> Option<View> {
    // the 3D view may start right of the control panel: points land in it, then shift by its corner
    let view_rect = camera.logical_viewport_rect()?;
    // the window's logical pixels in the overlay's points (the overlay is zoomed with the window)
    let zoom = ctx.zoom_factor();
    let screen = ctx.viewport_rect();
    Some(View {
        clip_from_world: camera.clip_from_view() * cam_t.to_matrix().inverse(),
        rect: Rect::from_corners(view_rect.min / zoom, view_rect.max / zoom),
        eye: cam_t.translation(),
        free: free_rect(
            Rect::new(screen.min.x, screen.min.y, screen.max.x, screen.max.y),
            ui_state,
        ),
        avoid: floating_boxes(ctx),
    })
}

/// How far a label's point is from `from`.
fn sign_distance(label: &WorldLabel, t: &GlobalTransform, from: Vec3) -> f32 {
    (t.translation() + Vec3::Y * label.lift).distance(from)
}

/// The distance from `from` (where the camera looks) of the nearest station sign in view (a sign
/// behind the eye, off screen, behind a panel or too small to read does not count; the winner's
/// plaque is not a station's): that sign is drawn whole, the others by name only and smaller, so
/// which station is in view is plain (a reviewer could not tell which of two whole signs was the
/// current one).
fn nearest_sign(labels: &Query<LabelItem>, view: &View, from: Vec3) -> f32 {
    let seen = |l: &WorldLabel, t: &GlobalTransform| {
        let at = t.translation() + Vec3::Y * l.lift;
        let readable = shown_size(l.size, at.distance(view.eye)).is_some_and(|s| s >= MIN_SIGN);
        let on_screen = to_screen(view.clip_from_world, view.rect.size(), at)
            .is_some_and(|p| view.free.contains(p + view.rect.min));
        readable && on_screen
    };
    (labels.iter())
        .filter(|(l, _, vis, _, winner, _)| {
            l.is_sign() && !winner && !l.text.is_empty() && vis.is_none_or(|v| v.get())
        })
        .filter(|(l, t, ..)| seen(l, t))
        .map(|(l, t, ..)| sign_distance(l, t, from))
        .fold(f32::INFINITY, f32::min)
}

/// What a label's entity tells: its label, where it is, whether it is seen, its crate (a crate's
/// label) and whether it is the winner's plaque.
type LabelItem = (
    &'static WorldLabel,
    &'static GlobalTransform,
    Option<&'static InheritedVisibility>,
    Option<&'static Crate>,
    Has<crate::scene::parts::WinnerPlaque>,
    Option<&'static SignGroup>,
);

/// Floats the [`WorldLabel`]s over their entities, sized by distance, behind the panels, never
/// one over another; signs on their plaques, whole or not at all.
pub(super) fn draw_world_labels(
    ui_state: Res<super::UiState>,
    mut contexts: EguiContexts,
    cameras: Query<(&Camera, &GlobalTransform), With<Camera3d>>,
    labels: Query<LabelItem>,
    (selection, floor): (Res<Selection>, Res<crate::playback::Floor>),
    (time, mut plaque_seen): (Res<Time>, ResMut<PlaqueSeen>),
    focus: Res<crate::scene::beams::ViewFocus>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Ok((camera, cam_t)) = cameras.single() else {
        return Ok(());
    };
    let Some(view) = view_of(ctx, (camera, cam_t), &ui_state) else {
        return Ok(());
    };
    let painter = ctx.layer_painter(egui::LayerId::background());
    let mut laid = Vec::new();
    let mut winner_at = None;
    let from = focus.0.unwrap_or(view.eye);
    let nearest = nearest_sign(&labels, &view, from);
    for (label, t, vis, krate, winner, group) in &labels {
        if label.text.is_empty() || vis.is_some_and(|v| !v.get()) {
            continue;
        }
        let text = match krate.and_then(|c| floor.history.ids.get(c.0)) {
            // the drawer's "ids" switch: each crate's token id under its text
            Some(id) if ui_state.show_ids => format!("{}\n#{id}", label.text),
            _ => label.text.clone(),
        };
        // a sign beyond the nearest: its station's name only, smaller
        let far = label.is_sign() && !winner && sign_distance(label, t, from) > nearest + 0.5;
        let seen_from = sign_distance(label, t, view.eye);
        let neighbour = far.then(|| neighbour_sign(label, &text, (seen_from, MAX_LABEL)));
        let (label, text) = match &neighbour {
            Some((small, name)) => (small, name.clone()),
            None => (label, text),
        };
        let selected = krate.is_some_and(|c| selection.token == Some(c.0));
        if krate.is_some() && !ui_state.show_ids && !selected && face_readable(&view, t) {
            continue; // a crate near enough carries its word legibly on its own faces
        }
        let at = t.translation() + Vec3::Y * label.lift;
        let mut l = lay_out(&painter, &view, label, (at, text), selected);
        if let Some(l) = l.as_mut() {
            l.tether = tether(&view, t.translation(), (krate.is_some(), winner));
            l.group = group.copied();
            // the winner's plaque is a sign but no station's: it keeps no gap to theirs (it had
            // been dropped beside the dock's sign)
            if winner {
                l.candidate.gap = 0.0;
            }
            // the station in view's sign (drawn whole) is placed before its neighbours' (nearer
            // the eye, one could take its place or keep it out by the signs' gap), still after
            // the selected crate's label
            l.candidate.priority += if l.sign && !far {
                SIGN_PRIORITY / 2.0
            } else {
                0.0
            };
        }
        winner_at = winner_at.or(l.as_ref().and(winner.then_some(laid.len())));
        laid.extend(l);
    }
    hang_plaque(&mut laid, winner_at, &view);
    let drawn = chosen(&laid);
    // where the winner's plaque was drawn, for its word's flight into the banner
    if let Some(i) = winner_at.filter(|i| drawn.contains(i)) {
        let r = laid[i].candidate.rect;
        plaque_seen.0 = Some((
            egui::Rect::from_min_max(egui::pos2(r.min.x, r.min.y), egui::pos2(r.max.x, r.max.y)),
            time.elapsed_secs(),
        ));
    }
    draw_laid(&painter, laid, drawn);
    Ok(())
}

/// Where on screen the thin line from a label goes, to what it names: a crate's lid (its label
/// floats above it; `at` is the crate), the top of the winner's bar (the plaque stands half a
/// unit over it); none for other labels.
fn tether(view: &View, at: Vec3, (krate, winner): (bool, bool)) -> Option<Vec2> {
    let point = if krate {
        at + Vec3::Y * 0.45
    } else if winner {
        at - Vec3::Y * 0.5
    } else {
        return None;
    };
    to_screen(view.clip_from_world, view.rect.size(), point).map(|p| p + view.rect.min)
}

/// The winner's plaque (`laid[at]`) hung beside its bar, away from the other bars' labels (taken
/// as the labels without a tether that are not signs: the bars', mostly, near the dock), so that
/// it covers fewer of them (centred, it hid the runner-up's).
fn hang_plaque(laid: &mut [Laid], at: Option<usize>, view: &View) {
    let Some((at, tether)) = at.and_then(|i| Some((i, laid[i].tether?))) else {
        return;
    };
    let xs: Vec<f32> = (laid.iter())
        .filter(|l| !l.sign && l.tether.is_none())
        .map(|l| l.candidate.rect.center().x)
        .collect();
    if xs.is_empty() {
        return;
    }
    let others = xs.iter().sum::<f32>() / xs.len() as f32;
    let rect = laid[at].candidate.rect;
    // kept a little off the view's edges (flush, it read as cut off)
    let span = (view.free.min.x + PLAQUE_PAD, view.free.max.x - PLAQUE_PAD);
    // still off the banner and the hall map (hung aside it could slide back under the banner)
    let hung = aside(rect, tether, others, span);
    laid[at].candidate.rect = clear_of(hung, &view.avoid, view.free).unwrap_or(rect);
}

/// The smallest height on screen, in points, of a quarter unit upright at a crate (about its
/// label's letters) at which its own paper label is read: a crate whose label is smaller (the far
/// end of the hall, the home view) gets its floating label.
const FACE_MIN_POINTS: f32 = 8.0;

/// Whether the word on the crate at `t` is readable: a labelled face (toward either end of the
/// hall) turned to the eye, and its letters (about 0.25 units tall; a long word's are smaller)
/// at least FACE_MIN_POINTS high on screen.
fn face_readable(view: &View, t: &GlobalTransform) -> bool {
    let c = t.translation();
    let facing = (view.eye - c).normalize_or_zero().x.abs();
    if facing < 0.5 {
        return false; // seen from the side: the labels are on the faces across the hall's ends
    }
    let size = view.rect.size();
    let (Some(a), Some(b)) = (
        to_screen(view.clip_from_world, size, c),
        to_screen(view.clip_from_world, size, c + Vec3::Y * 0.25),
    ) else {
        return false;
    };
    a.distance(b) >= FACE_MIN_POINTS
}

/// `label` (its `text` now) laid out at world point `at`: sized by distance, placed on screen;
/// none when too small to read, off screen, or (a sign) not whole in the free part of the window.
pub fn lay_out(
    painter: &egui::Painter,
    view: &View,
    label: &WorldLabel,
    (at, text): (Vec3, String),
    selected: bool,
) -> Option<Laid> {
    let distance = at.distance(view.eye);
    let size = shown_size(label.size, distance)?;
    let sign = label.is_sign();
    if sign && size < MIN_SIGN {
        return None; // too far to read: the nearer stations are signed
    }
    let in_view = to_screen(view.clip_from_world, view.rect.size(), at)?;
    let anchor = in_view + view.rect.min;
    if !view.free.contains(anchor) {
        return None; // behind a panel: not slid out across the screen
    }
    let galley = if sign {
        painter.layout_job(sign_job(&text, size))
    } else {
        painter.layout_no_wrap(text, egui::FontId::proportional(size), LABEL_TEXT)
    };
    let g = galley.size();
    let text = Rect::new(
        anchor.x - g.x / 2.0,
        anchor.y - g.y,
        anchor.x + g.x / 2.0,
        anchor.y,
    );
    let free = view.free;
    let rect = if sign {
        // a sign whole on its plaque, or not at all: never cut by an edge or a panel (near an
        // edge it slides in, as far as the free part of the window allows)
        let plaque = Rect::from_corners(text.min - PLAQUE_PAD, text.max + PLAQUE_PAD);
        // and off the banner and the hall map: moved just right of or below them if it must
        clear_of(
            fit_across(plaque, free.min.x, free.max.x),
            &view.avoid,
            free,
        )?
    } else {
        // a crate's or a bar's label near the edge slides in rather than being cut off
        fit_across(text, free.min.x, free.max.x)
    };
    // signs: the nearest first (the station the camera looks at), before any crate's label
    // (but the selected crate's); the rest by [`priority`]
    if view.avoid.iter().any(|b| !b.intersect(rect).is_empty()) {
        return None; // it would be drawn under the banner or the hall map
    }
    let priority = if sign {
        SIGN_PRIORITY - distance.min(SIGN_PRIORITY / 2.0)
    } else {
        priority(label, size, selected, in_view, view.rect.size())
    };
    Some(Laid {
        galley,
        sign,
        // a station's sign keeps its neighbours' away (the winner's plaque's gap is taken away
        // where the labels are gathered)
        candidate: Candidate {
            rect,
            priority,
            gap: if sign { SIGN_GAP } else { 0.0 },
        },
        distance,
        tether: None,
        group: None,
    })
}

/// The labels that win a place, indices into `laid` in drawing order: only the nearest
/// [`MAX_SIGNS`] signs compete, then no two labels overlap (see [`place`]).
pub fn chosen(laid: &[Laid]) -> Vec<usize> {
    let signs: Vec<_> = (laid.iter().enumerate())
        .filter(|(_, l)| l.sign)
        .map(|(i, l)| (i, l.distance, l.group))
        .collect();
    let kept_signs = nearest_signs(signs);
    let running: Vec<usize> = (0..laid.len())
        .filter(|&i| !laid[i].sign || kept_signs.contains(&i))
        .collect();
    let candidates: Vec<Candidate> = running.iter().map(|&i| laid[i].candidate).collect();
    place(&candidates).into_iter().map(|k| running[k]).collect()
}

/// Draws the labels `drawn` (see [`chosen`]): a sign on its plaque.
fn draw_laid(painter: &egui::Painter, laid: Vec<Laid>, drawn: Vec<usize>) {
    for i in drawn {
        let l = &laid[i];
        let r = l.candidate.rect;
        let r =
            egui::Rect::from_min_max(egui::pos2(r.min.x, r.min.y), egui::pos2(r.max.x, r.max.y));
        if l.sign {
            if let Some(p) = l.tether {
                // a plaque slid aside to fit still points at what it names
                let from = egui::pos2(p.x.clamp(r.min.x, r.max.x), r.max.y);
                let line = egui::Stroke::new(2.0, PLAQUE_EDGE);
                painter.line_segment([from, egui::pos2(p.x, p.y)], line);
            }
            let edge = egui::Stroke::new(1.0, PLAQUE_EDGE);
            painter.rect(r, 5.0, PLAQUE, edge, egui::StrokeKind::Inside);
            let at = r.min + egui::vec2(PLAQUE_PAD, PLAQUE_PAD);
            painter.galley(at, l.galley.clone(), SIGN_TEXT);
        } else {
            if let Some(p) = l.tether {
                let from = egui::pos2((r.min.x + r.max.x) / 2.0, r.max.y);
                let line = egui::Stroke::new(1.0, TETHER);
                painter.line_segment([from, egui::pos2(p.x, p.y)], line);
            }
            painter.galley(r.min, l.galley.clone(), LABEL_TEXT);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
