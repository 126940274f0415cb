//! Routes in the hall (`model/routes.rs`): the information-flow route into the last token, drawn
//! as lime lines over everything while the routes tab is open and the floor runs its tokens. A
//! node of the stream stands in its token's lane: the stream entering block l at the block's first
//! norm gate, its middle (after attention) at the merge, the model's output at the final norm. The
//! kept stream runs straight along a lane; an FFN's part rises over its machine; a head's edge runs
//! along the read token's lane to the head's booth, arcs across to the reading token's lane as the
//! beams do, and on to the merge. Thicker and brighter: a larger share. The beams are put away
//! meanwhile. The numbers are in the tab and on hover.

use bevy::prelude::*;

use super::beams::{BeamsPutAway, nearest_line};
use super::layout::{Layout, Station, StationKind};
use super::parts::{CurrentLayout, FloorRoot, WorldLabel};
use crate::model::routes::{Edge, Node, Part};
use crate::playback::Floor;
use crate::schedule::AppSet;

/// The route the hall draws, when the routes tab shows one.
#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct RouteLight(pub Option<RouteLit>);

/// A route, for the hall.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteLit {
    /// The floor's version it was cut for (`Floor::version`, bumped at every change of the
    /// floor): drawn only on that floor (not for a frame on one whose parts were switched off
    /// since).
    pub version: u64,
    /// Its edges (above the tab's threshold, reached from the output).
    pub edges: Vec<Edge>,
}

impl RouteLight {
    /// The route's edges, when there is one for this floor.
    pub fn edges_for(&self, floor: &Floor) -> Option<&[Edge]> {
        self.0
            .as_ref()
            .filter(|r| r.version == floor.version)
            .map(|r| r.edges.as_slice())
    }
}

/// The edge under the pointer (its index in the route), lit white and told in a tooltip.
#[derive(Resource, Default, Debug, Clone, Copy, PartialEq)]
pub struct RouteHover(pub Option<usize>);

/// Height of a route's lines along the lanes (a beam's foot).
pub const ROUTE_Y: f32 = 1.1;

/// How high an FFN's part rises over its machine.
const FFN_RISE: f32 = 1.6;

/// Radius of the ring a head draws where a word reads itself.
const SELF_RING: f32 = 0.45;

/// Points per attention arc.
const ARC_POINTS: usize = 8;

/// Where node `n` stands: its token's lane at the block's first norm gate (the stream entering
/// it), at its merge (the middle) or at the final norm (the output).
pub fn node_point(l: &Layout, n: Node) -> Option<Vec3> {
    Some(Vec3::new(
        node_station(l, n)?.x,
        ROUTE_Y,
        l.token_z(n.position),
    ))
}

/// The station node `n` stands at (see [`node_point`]).
fn node_station(l: &Layout, n: Node) -> Option<&Station> {
    l.station(match (n.mid, n.layer < l.shape.n_layer) {
        (true, _) => StationKind::Merge(n.layer),
        (false, true) => StationKind::NormAttn(n.layer),
        (false, false) => StationKind::FinalNorm,
    })
}

/// The line an edge draws, from its source node to the node it flows into.
pub fn edge_path(l: &Layout, e: &Edge) -> Option<Vec<Vec3>> {
    let (from, to) = (node_point(l, e.from)?, node_point(l, e.to)?);
    Some(match e.part {
        Part::Residual | Part::Bias => vec![from, to],
        Part::Ffn => {
            let s = l.station(StationKind::Ffn(e.from.layer))?;
            let (a, b) = (s.x - s.depth / 2.0, s.x + s.depth / 2.0);
            vec![
                from,
                Vec3::new(a, ROUTE_Y + FFN_RISE, from.z),
                Vec3::new(b, ROUTE_Y + FFN_RISE, from.z),
                to,
            ]
        }
        Part::Attention { head } => {
            let x = l.station(StationKind::Booth(e.to.layer, head))?.x;
            let (query, key) = (e.to.position, e.from.position);
            let mut path = vec![from];
            if query == key {
                // a word reading itself: a ring in its lane at the booth (seen from above too)
                let z = from.z;
                path.extend((0..=ARC_POINTS * 2).map(|s| {
                    let a = std::f32::consts::TAU * s as f32 / (ARC_POINTS * 2) as f32;
                    Vec3::new(x - SELF_RING * a.cos(), ROUTE_Y, z + SELF_RING * a.sin())
                }));
                path.push(to);
                return Some(path);
            }
            // from the read token's lane (t = 1) across to the reading token's (t = 0)
            path.extend(
                (0..=ARC_POINTS)
                    .rev()
                    .map(|s| l.beam_point(x, query, key, s as f32 / ARC_POINTS as f32)),
            );
            path.push(to);
            path
        }
    })
}

/// The edge whose line, projected onto the screen by `project` (none for a point behind the
/// camera), passes nearest `pointer`, if within `within` pixels.
pub fn nearest_edge(
    l: &Layout,
    edges: &[Edge],
    project: impl Fn(Vec3) -> Option<Vec2>,
    pointer: Vec2,
    within: f32,
) -> Option<usize> {
    let lines = (edges.iter().enumerate()).filter_map(|(i, e)| Some((i, edge_path(l, e)?)));
    nearest_line(lines, project, pointer, within)
}

/// Puts the beams away while a route is drawn for the floor's tokens (the route's arcs stand
/// where they would).
pub(crate) fn quiet_beams(
    light: Res<RouteLight>,
    floor: Res<Floor>,
    mut away: ResMut<BeamsPutAway>,
) {
    // an empty route draws nothing: the beams stay
    let lit = light.edges_for(&floor).is_some_and(|e| !e.is_empty());
    if away.0 != lit {
        away.0 = lit;
    }
}

/// A word written where its lane enters a block on the route (so a map of the route says whose
/// lane each line runs in).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct RouteLaneLabel {
    /// The block it stands before (n_layer: the final norm).
    pub layer: usize,
    /// The token's position.
    pub position: usize,
}

/// The lanes a route runs in at each block's entrance: (block, position) of every node it holds
/// that enters a block or is its middle, and the output; each once.
pub fn lanes_on_route(edges: &[Edge]) -> Vec<(usize, usize)> {
    let mut lanes: Vec<(usize, usize)> = edges
        .iter()
        .flat_map(|e| [e.from, e.to])
        .map(|n| (n.layer, n.position))
        .collect();
    lanes.sort_unstable();
    lanes.dedup();
    lanes
}

/// Writes the word of each lane the route runs in before each block it passes, again when the
/// route, the floor or the layout changed.
pub(crate) fn label_route_lanes(
    mut commands: Commands,
    (light, floor): (Res<RouteLight>, Res<Floor>),
    layout: Option<Res<CurrentLayout>>,
    roots: Query<Entity, With<FloorRoot>>,
    labels: Query<Entity, With<RouteLaneLabel>>,
) {
    let Some(layout) = layout else { return };
    if !light.is_changed() && !layout.is_changed() && !floor.is_changed() {
        return;
    }
    for e in &labels {
        commands.entity(e).try_despawn();
    }
    let (h, l) = (&floor.history, &layout.0);
    let (Some(edges), Ok(root)) = (light.edges_for(&floor), roots.single()) else {
        return;
    };
    for (layer, position) in lanes_on_route(edges) {
        let n = Node {
            layer,
            mid: false,
            position,
        };
        let (Some(at), Some(s)) = (node_point(l, n), node_station(l, n)) else {
            continue;
        };
        let word = h.texts.get(position).map_or("", |t| t.trim());
        commands.spawn((
            Name::new("Route lane label"),
            RouteLaneLabel { layer, position },
            WorldLabel {
                text: word.to_string(),
                // readable from a layer's map (some 40 units away)
                size: 36.0,
                lift: 0.0,
                weight: 1.5,
            },
            Transform::from_translation(at - Vec3::X * (s.depth / 2.0 + 0.8)),
            ChildOf(root),
        ));
    }
}

/// The route's retained line sets: thin, medium, thick (by share) and the hovered edge.
#[derive(Resource, Debug, Clone)]
pub struct RouteGizmos([Handle<GizmoAsset>; 4]);

/// Line widths of the sets, pixels.
const WIDTHS: [f32; 4] = [2.0, 4.0, 7.0, 9.0];

/// Drawing, for builds with a renderer.
pub(crate) fn draw_plugin(app: &mut App) {
    app.add_systems(Startup, spawn_route_gizmos)
        .add_systems(Update, draw_route.in_set(AppSet::Draw));
}

fn spawn_route_gizmos(mut commands: Commands, mut assets: ResMut<Assets<GizmoAsset>>) {
    let handles = WIDTHS.map(|width| {
        let handle = assets.add(GizmoAsset::new());
        commands.spawn((
            Name::new("Route"),
            Gizmo {
                handle: handle.clone(),
                line_config: GizmoLineConfig { width, ..default() },
                // over the machines and crates it passes: a route is never hidden
                depth_bias: -1.0,
            },
        ));
        handle
    });
    commands.insert_resource(RouteGizmos(handles));
}

/// Which set an edge's share draws it in.
fn set_of(share: f64) -> usize {
    if share < 0.1 {
        0
    } else if share < 0.4 {
        1
    } else {
        2
    }
}

/// Draws the route again when it, the hovered edge, the floor or the layout changed.
fn draw_route(
    light: Res<RouteLight>,
    hover: Res<RouteHover>,
    floor: Res<Floor>,
    layout: Option<Res<CurrentLayout>>,
    gizmos: Option<Res<RouteGizmos>>,
    mut assets: ResMut<Assets<GizmoAsset>>,
) {
    let Some(gizmos) = gizmos else { return };
    let layout_changed = layout.as_ref().is_some_and(|l| l.is_changed());
    if !(light.is_changed()
        || hover.is_changed()
        || floor.is_changed()
        || layout_changed
        || gizmos.is_added())
    {
        return;
    }
    let mut sets: [GizmoAsset; 4] = std::array::from_fn(|_| GizmoAsset::new());
    if let (Some(layout), Some(edges)) = (&layout, light.edges_for(&floor)) {
        let [r, g, b] = super::palette::ROUTE;
        for (i, e) in edges.iter().enumerate() {
            let Some(path) = edge_path(&layout.0, e) else {
                continue;
            };
            let (set, color) = if hover.0 == Some(i) {
                (3, Color::WHITE)
            } else {
                let alpha = 0.35 + 0.65 * e.share.clamp(0.0, 1.0) as f32;
                (set_of(e.share), Color::srgba(r, g, b, alpha))
            };
            sets[set].linestrip(path, color);
        }
    }
    for (handle, set) in gizmos.0.iter().zip(sets) {
        if let Some(mut asset) = assets.get_mut(handle) {
            *asset = set;
        }
    }
}
