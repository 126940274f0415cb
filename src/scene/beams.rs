//! Attention beams: which beams are lit (pure, tested headless) and drawing them (gizmos, batched).
//!
//! A beam runs inside a booth from a query token's lane to a key token's lane, arching higher the
//! farther apart they are; brightness, opacity and thickness grow with the softmax weight.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::layout::{Layout, StationKind};
use super::palette;
use super::parts::CurrentLayout;
use crate::playback::history::{self, Beam};
use crate::playback::{Floor, HoveredPair, Playback, Selection};
use crate::schedule::AppSet;

/// Beams below this weight are not drawn.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct BeamSettings {
    /// Minimum attention weight to draw.
    pub threshold: f32,
}

impl Default for BeamSettings {
    fn default() -> Self {
        Self { threshold: 0.08 }
    }
}

/// The beams are put away (none lit): a route is drawn where they would stand (`routes.rs`).
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct BeamsPutAway(pub bool);

/// The beams lit this frame.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Beams(pub Vec<Beam>);

/// How many beams over the threshold were left out to keep at most [`crate::limits::MAX_BEAMS`]
/// (the faintest go first).
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct BeamsLeftOut(pub usize);

/// Where the camera looks (its orbit's focus), written by the camera each frame; none without a
/// camera. When more beams are lit than can be drawn, the booths nearest it keep theirs.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct ViewFocus(pub Option<Vec3>);

/// The lit beam under the pointer (its drawn arc within [`PICK_PIXELS`] of it): lit white, told
/// in a tooltip, and selected by a click. Written by the pointer (`crate::pick`); none headless.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct BeamHover(pub Option<Beam>);

/// How near the pointer a beam's arc must pass to be under it, pixels.
pub const PICK_PIXELS: f32 = 6.0;

/// The beam whose arc, as drawn and projected onto the screen by `project` (none for a point
/// behind the camera), passes nearest `pointer`, if within `within` pixels.
pub fn nearest_beam(
    l: &Layout,
    beams: &[Beam],
    project: impl Fn(Vec3) -> Option<Vec2>,
    pointer: Vec2,
    within: f32,
) -> Option<Beam> {
    let lines = beams.iter().filter_map(|b| {
        let station = l.station(StationKind::Booth(b.layer, b.head))?;
        let arc = (0..=ARC_SEGMENTS)
            .map(|s| l.beam_point(station.x, b.query, b.key, s as f32 / ARC_SEGMENTS as f32));
        Some((*b, arc.collect()))
    });
    nearest_line(lines, project, pointer, within)
}

/// Of `lines` (each a thing and the points its line is drawn through), the thing whose line,
/// projected onto the screen by `project` (none for a point behind the camera), passes nearest
/// `pointer`, if within `within` pixels: the beams' and the routes' hover.
pub fn nearest_line<T>(
    lines: impl IntoIterator<Item = (T, Vec<Vec3>)>,
    project: impl Fn(Vec3) -> Option<Vec2>,
    pointer: Vec2,
    within: f32,
) -> Option<T> {
    let mut best: Option<(f32, T)> = None;
    for (thing, points) in lines {
        let on_screen: Vec<Option<Vec2>> = points.into_iter().map(&project).collect();
        if let Some(d) = line_distance(&on_screen, pointer)
            && d <= within
            && best.as_ref().is_none_or(|(nearest, _)| d < *nearest)
        {
            best = Some((d, thing));
        }
    }
    best.map(|(_, thing)| thing)
}

/// Distance from `p` to a line drawn through `points` on the screen (a gap where a point is
/// behind the camera); none when no segment is on screen.
fn line_distance(points: &[Option<Vec2>], p: Vec2) -> Option<f32> {
    points
        .windows(2)
        .filter_map(|pair| match pair {
            [Some(a), Some(c)] => Some(segment_distance(p, *a, *c)),
            _ => None,
        })
        .min_by(f32::total_cmp)
}

/// Distance from `p` to the segment from `a` to `b`.
fn segment_distance(p: Vec2, a: Vec2, b: Vec2) -> f32 {
    let ab = b - a;
    let t = if ab.length_squared() > 0.0 {
        ((p - a).dot(ab) / ab.length_squared()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.distance(a + ab * t)
}

/// What the lit beams depend on: the floor, the threshold, the selected token, the last station
/// the riding crates reached, the first riding crate, and the booth nearest the camera's focus.
type BeamsKey = (u64, u32, Option<usize>, i64, usize, Option<usize>);

/// The booth station nearest `x` along the hall.
fn nearest_booth(l: &Layout, x: f32) -> Option<usize> {
    l.stations
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s.kind, StationKind::Booth(..)))
        .min_by(|a, b| (a.1.x - x).abs().total_cmp(&(b.1.x - x).abs()))
        .map(|(i, _)| i)
}

/// What the lit beams are computed from: the floor, the clock, the threshold, the selected token,
/// the layout and where the camera looks.
#[derive(SystemParam)]
pub struct BeamInputs<'w> {
    floor: Res<'w, Floor>,
    playback: Res<'w, Playback>,
    settings: Res<'w, BeamSettings>,
    selection: Res<'w, Selection>,
    layout: Option<Res<'w, CurrentLayout>>,
    focus: Res<'w, ViewFocus>,
    away: Res<'w, BeamsPutAway>,
}

/// Where the lit beams are written: the beams, and how many were left out past the cap.
#[derive(SystemParam)]
pub struct LitBeams<'w> {
    beams: ResMut<'w, Beams>,
    left_out: ResMut<'w, BeamsLeftOut>,
}

/// Recomputes the lit beams: every query already through a booth (all cached tokens, and the riding
/// ones once they reach it), or only the selected token's when one is selected. Only when something
/// they depend on changed: a crate crossing into a booth, not every frame of its ride.
pub fn compute_beams(inputs: BeamInputs, mut made_for: Local<Option<BeamsKey>>, mut out: LitBeams) {
    let BeamInputs {
        floor,
        playback,
        settings,
        selection,
        layout,
        focus,
        away,
    } = inputs;
    // put away: as with no hall, none lit
    let Some(layout) = layout.filter(|_| !away.0) else {
        *made_for = None;
        if !out.beams.0.is_empty() {
            out.beams.0.clear();
        }
        if out.left_out.0 != 0 {
            out.left_out.0 = 0;
        }
        return;
    };
    let h = &floor.history;
    let token = selection.token.filter(|&t| t < h.len());
    let queries = match token {
        Some(t) => t..t + 1,
        None => 0..h.len(),
    };
    let reached_station = playback.progress.floor() as i64;
    let near = focus.0.and_then(|f| nearest_booth(&layout.0, f.x));
    let key = (
        floor.version,
        settings.threshold.to_bits(),
        token,
        reached_station,
        floor.flow_start,
        near,
    );
    if *made_for == Some(key) {
        return;
    }
    *made_for = Some(key);
    let l = &layout.0;
    let flow_start = floor.flow_start;
    // each booth's station index, looked up once (not once per query and per beam: a long prompt
    // has thousands of both)
    let n_head = l.shape.n_head;
    let booths: Vec<Option<usize>> = (0..l.shape.n_layer * n_head)
        .map(|i| l.index_of(StationKind::Booth(i / n_head, i % n_head)))
        .collect();
    let booth = |layer: usize, head: usize| booths.get(layer * n_head + head).copied().flatten();
    let lit = history::beams(h, settings.threshold, queries, |layer, head, query| {
        query < flow_start || booth(layer, head).is_some_and(|i| reached_station >= i as i64)
    });
    // past the cap: where the camera looks, the booths nearest it; without a camera the strongest
    let (lit, dropped) = match near.map(|i| l.stations[i].x) {
        Some(x) => history::nearest_first(lit, crate::limits::MAX_BEAMS, |layer, head| {
            booth(layer, head).map_or(f32::MAX, |i| (l.stations[i].x - x).abs())
        }),
        None => history::strongest(lit, crate::limits::MAX_BEAMS),
    };
    if lit != out.beams.0 {
        out.beams.0 = lit;
    }
    if out.left_out.0 != dropped {
        out.left_out.0 = dropped;
    }
}

/// The three retained line sets the beams are drawn into (thin, medium, thick), rebuilt only when
/// the lit beams or the layout change; between changes a frame draws them at no CPU cost.
#[derive(Resource, Debug, Clone)]
pub struct BeamGizmos {
    /// Weight below 0.3, 1.5 px.
    pub thin: Handle<GizmoAsset>,
    /// Weight 0.3 to 0.6, 3 px.
    pub medium: Handle<GizmoAsset>,
    /// Weight 0.6 and above, 5 px.
    pub thick: Handle<GizmoAsset>,
    /// The beam of the heatmap cell under the pointer, 8 px, white.
    pub hovered: Handle<GizmoAsset>,
}

/// Drawing, for builds with a renderer.
pub(crate) fn draw_plugin(app: &mut App) {
    app.init_resource::<BeamGlow>()
        .add_systems(Startup, spawn_beam_gizmos)
        .add_systems(Update, draw_beams.in_set(AppSet::Draw).after(compute_beams));
}

fn spawn_beam_gizmos(mut commands: Commands, mut assets: ResMut<Assets<GizmoAsset>>) {
    let mut spawn = |name: &str, width: f32| {
        let handle = assets.add(GizmoAsset::new());
        commands.spawn((
            Name::new(format!("Beams ({name})")),
            Gizmo {
                handle: handle.clone(),
                line_config: GizmoLineConfig { width, ..default() },
                ..default()
            },
        ));
        handle
    };
    let gizmos = BeamGizmos {
        thin: spawn("thin", 1.5),
        medium: spawn("medium", 3.0),
        thick: spawn("thick", 5.0),
        hovered: spawn("hovered", 8.0),
    };
    commands.insert_resource(gizmos);
}

/// Segments per arc.
const ARC_SEGMENTS: usize = 8;

/// How far beyond white the strongest beam is drawn (0: not at all). Set by the high render preset,
/// whose bloom turns the excess into glow.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct BeamGlow(pub f32);

/// The glow the high preset gives the strongest beam.
pub const HIGH_GLOW: f32 = 6.0;

/// How much of its opacity a beam keeps while another head is selected.
pub const DIMMED: f32 = 0.25;

/// Length of a beam's arrowhead, world units.
const ARROW: f32 = 0.35;

/// The two barbs and tip of the arrowhead at the query end (t = 0) of a beam's arc, in the arc's
/// own plane, opening 25° to each side of the arc.
pub fn arrowhead(l: &Layout, booth_x: f32, query: usize, key: usize) -> [Vec3; 3] {
    let tip = l.beam_point(booth_x, query, key, 0.0);
    let back = (l.beam_point(booth_x, query, key, 0.06) - tip).normalize_or(Vec3::Y);
    // the arc lies in the plane x = booth_x: turn the way back about the x axis
    let turn = |a: f32| Quat::from_rotation_x(a) * back * ARROW;
    let spread = 25f32.to_radians();
    [tip + turn(spread), tip, tip + turn(-spread)]
}

/// What the drawn beams show: the lit beams, the layout they stand in, the pair and the beam under
/// the pointer, the floor's weights, the glow and the selected head.
#[derive(SystemParam)]
pub(crate) struct BeamView<'w> {
    beams: Res<'w, Beams>,
    layout: Option<Res<'w, CurrentLayout>>,
    hovered: Res<'w, HoveredPair>,
    beam_hover: Res<'w, BeamHover>,
    floor: Res<'w, Floor>,
    glow: Res<'w, BeamGlow>,
    selection: Res<'w, Selection>,
    backward: Res<'w, super::backward::Backward>,
}

impl BeamView<'_> {
    /// True when anything the drawn beams show changed since this system last ran.
    fn changed(&self) -> bool {
        let layout_changed = self.layout.as_ref().is_some_and(|l| l.is_changed());
        self.beams.is_changed()
            || layout_changed
            || self.hovered.is_changed()
            || self.beam_hover.is_changed()
            || self.glow.is_changed()
            || self.selection.is_changed()
            || self.backward.is_changed()
    }
}

/// Rewrites the beams' line sets when the lit beams or the layout changed.
fn draw_beams(
    view: BeamView,
    gizmos: Option<Res<BeamGizmos>>,
    mut assets: ResMut<Assets<GizmoAsset>>,
) {
    let Some(gizmos) = gizmos else { return };
    if !view.changed() && !gizmos.is_added() {
        return;
    }
    let mut sets = [
        GizmoAsset::new(),
        GizmoAsset::new(),
        GizmoAsset::new(),
        GizmoAsset::new(),
    ];
    if let Some(layout) = &view.layout {
        let l = &layout.0;
        draw_lit_beams(&mut sets, l, &view);
        draw_pointed_beams(&mut sets[3], l, &view);
    }
    let [thin, medium, thick, lit] = sets;
    for (handle, set) in [
        (&gizmos.thin, thin),
        (&gizmos.medium, medium),
        (&gizmos.thick, thick),
        (&gizmos.hovered, lit),
    ] {
        if let Some(mut asset) = assets.get_mut(handle) {
            *asset = set;
        }
    }
}

/// Draws each lit beam into the thin, medium or thick set (`sets[0..3]`, by its weight): its arc
/// and an arrowhead.
fn draw_lit_beams(sets: &mut [GizmoAsset; 4], l: &Layout, view: &BeamView) {
    for b in &view.beams.0 {
        let Some(station) = l.station(StationKind::Booth(b.layer, b.head)) else {
            continue;
        };
        let color = super::backward::beam_color(&view.backward, l, b)
            .unwrap_or_else(|| beam_color(b, view.selection.head, view.glow.0));
        // faint beams get coarser arcs: they are most of the beams and the least looked at
        let segments = if b.weight < 0.3 {
            ARC_SEGMENTS / 2
        } else {
            ARC_SEGMENTS
        };
        let points = (0..=segments)
            .map(|s| l.beam_point(station.x, b.query, b.key, s as f32 / segments as f32));
        let set = if b.weight < 0.3 {
            0
        } else if b.weight < 0.6 {
            1
        } else {
            2
        };
        sets[set].linestrip(points, color);
        // an arrowhead on the query (what is read flows into it; backward: on the key)
        let (head, tail) = super::backward::arrow_ends(&view.backward, b);
        sets[set].linestrip(arrowhead(l, station.x, head, tail), color);
    }
}

/// A lit beam's colour: by its weight, faded while another head is selected, and (with the high
/// preset's `glow`) beyond white the stronger it is.
fn beam_color(b: &Beam, selected_head: Option<(usize, usize)>, glow: f32) -> Color {
    let [r, g, bl, mut a] = palette::beam_rgba(b.weight);
    // a selected head: the other heads' beams fade to a quarter, so its own stand out
    if selected_head.is_some_and(|sel| sel != (b.layer, b.head)) {
        a *= DIMMED;
    }
    // with bloom (the high preset) the stronger the beam, the brighter beyond white, so
    // the strong beams glow; without bloom the colours stay in range (no glow)
    let glow = 1.0 + glow * b.weight.clamp(0.0, 1.0);
    let lin = Color::srgba(r, g, bl, a).to_linear();
    Color::LinearRgba(LinearRgba::new(
        lin.red * glow,
        lin.green * glow,
        lin.blue * glow,
        lin.alpha,
    ))
}

/// Draws into `set`, white, the pair under the pointer in a heatmap (lit whatever its weight or
/// the threshold) and the beam under the pointer in the hall.
fn draw_pointed_beams(set: &mut GizmoAsset, l: &Layout, view: &BeamView) {
    // the pair under the pointer in a heatmap, lit whatever its weight or the threshold, and
    // the beam under the pointer in the hall
    let in_hall = view.beam_hover.0.map(|b| (b.layer, b.head, b.query, b.key));
    for (layer, head, query, key) in view.hovered.0.into_iter().chain(in_hall) {
        let Some(station) = l.station(StationKind::Booth(layer, head)) else {
            continue;
        };
        if view.floor.history.weight(layer, head, query, key) <= 0.0 {
            continue;
        }
        let points = (0..=ARC_SEGMENTS)
            .map(|s| l.beam_point(station.x, query, key, s as f32 / ARC_SEGMENTS as f32));
        set.linestrip(points, Color::WHITE);
    }
}

#[cfg(test)]
mod arrow_tests {
    use super::*;
    use crate::scene::layout::Shape;

    #[test]
    fn the_beam_under_the_pointer_is_the_nearest_arc_within_reach() {
        let l = Layout::new(
            Shape {
                n_layer: 1,
                n_head: 2,
            },
            6,
        );
        let beam = |head, query, key| Beam {
            layer: 0,
            head,
            query,
            key,
            weight: 0.5,
        };
        let (near, far) = (beam(0, 5, 1), beam(0, 4, 3));
        let beams = [far, near, beam(1, 5, 1)];
        let x0 = l.station(StationKind::Booth(0, 0)).unwrap().x;
        // looking along the hall from the side: screen x = z, screen y = height (down)
        let side = |p: Vec3| ((p.x - x0).abs() < 1e-3).then(|| Vec2::new(p.z * 50.0, -p.y * 50.0));
        let top = |q, k| side(l.beam_point(x0, q, k, 0.5)).unwrap();
        assert_eq!(nearest_beam(&l, &beams, side, top(5, 1), 6.0), Some(near));
        assert_eq!(nearest_beam(&l, &beams, side, top(4, 3), 6.0), Some(far));
        // a little off the arc still counts; far off, or nothing on screen, does not
        let beside = top(5, 1) + Vec2::new(0.0, 4.0);
        assert_eq!(nearest_beam(&l, &beams, side, beside, 6.0), Some(near));
        assert_eq!(
            nearest_beam(&l, &beams, side, top(5, 1) + Vec2::new(0.0, -40.0), 6.0),
            None
        );
        assert_eq!(nearest_beam(&l, &beams, |_| None, top(5, 1), 6.0), None);
        assert_eq!(
            segment_distance(Vec2::new(1.0, 1.0), Vec2::ZERO, Vec2::X * 2.0),
            1.0
        );
        assert_eq!(
            segment_distance(Vec2::new(3.0, 0.0), Vec2::ZERO, Vec2::X * 2.0),
            1.0
        );
    }

    #[test]
    fn the_arrowhead_sits_on_the_query_and_opens_toward_the_key() {
        let l = Layout::new(
            Shape {
                n_layer: 1,
                n_head: 1,
            },
            6,
        );
        let [a, tip, b] = arrowhead(&l, 10.0, 4, 1);
        assert_eq!(tip, l.beam_point(10.0, 4, 1, 0.0));
        assert!((a.distance(tip) - ARROW).abs() < 1e-5);
        assert!((b.distance(tip) - ARROW).abs() < 1e-5);
        // both barbs in the arc's plane and above the tip (the arc comes down into the query),
        // opening back along the arc, toward the key's lane
        for barb in [a, b] {
            assert!((barb.x - 10.0).abs() < 1e-5);
            assert!(barb.y > tip.y);
        }
        let mid = (a + b) / 2.0 - tip;
        assert!(mid.z * (l.token_z(1) - l.token_z(4)) > 0.0);
        assert!(a.distance(b) > 0.1);
    }
}
