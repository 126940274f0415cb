//! Clicking in the scene: what was under the pointer (a beam, a crate, a booth and the lane under
//! the pointer, a board cell, a lamp) becomes the selection, and the camera flies to it; the beam
//! and the value (a board cell, a lamp) under the pointer are found every frame, for their light
//! and their tooltips.

mod outline;
mod route_hover;

use bevy::ecs::system::SystemParam;
use bevy::picking::hover::HoverMap;
use bevy::picking::pointer::PointerId;
use bevy::prelude::*;

use crate::camera::{DragDistance, FocusPoint, Orbit};
use crate::inference::Request;
use crate::model::Ablation;
use crate::playback::{Floor, Selection};
use crate::rooms::overview::HeadTile;
use crate::scene::beams::{BeamHover, Beams, PICK_PIXELS, nearest_beam};
use crate::scene::layout::StationKind;
use crate::scene::layout::{BOARD_DEPTH, LANE, tile};
use crate::scene::parts::SpreadBar;
use crate::scene::{
    Board, BoardSource, Booth, Crate, CurrentLayout, LampWall, ProbBar, Switch, SwitchKnob,
};
use crate::schedule::AppSet;

/// Click selection (needs picking and egui, so a window).
pub(super) fn plugin(app: &mut App) {
    app.add_plugins(hover_plugin)
        .add_observer(select_on_click)
        .add_systems(
            Update,
            (outline::outline_hovered, outline::mark_switched_off_lamps)
                .after(hover_values)
                .in_set(AppSet::Derive),
        );
}

/// What is under the pointer: the beam (from the window's cursor and the camera) and the value
/// (from the picking backends' `HoverMap`). Needs `EguiWantsInput`; works headless, where a test
/// writes the `HoverMap` a backend would.
pub fn hover_plugin(app: &mut App) {
    app.init_resource::<ValueHover>().add_systems(
        Update,
        (hover_beams, route_hover::hover_routes, hover_values)
            .chain()
            .in_set(AppSet::Derive),
    );
}

/// Whole things a visitor can point at: a crate, a booth, a norm gate's spread bar.
type Things = AnyOf<(&'static Crate, &'static Booth, &'static SpreadBar)>;

/// The value under the pointer in the scene, for its tooltip (none over a panel or a beam).
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct ValueHover(pub Option<HoveredValue>);

/// A value a visitor can point at in the scene.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoveredValue {
    /// Dimension `d` of token `t` on a board.
    Cell {
        /// What the board shows.
        source: BoardSource,
        /// The token (its lane).
        t: usize,
        /// The dimension.
        d: usize,
    },
    /// A probability bar at the shipping dock (its rank).
    Bar(usize),
    /// A switch for a part of the model.
    Switch(Ablation),
    /// Token `i`'s crate.
    Crate(usize),
    /// Token `t`'s spread bars at a norm gate (before and after).
    Spread {
        /// The norm's board.
        norm: BoardSource,
        /// The token.
        t: usize,
    },
    /// An attention booth.
    Booth {
        /// Layer.
        layer: usize,
        /// Head.
        head: usize,
    },
    /// A lamp: neuron `neuron` of `layer`'s FFN, lit for token `t`.
    Lamp {
        /// Layer.
        layer: usize,
        /// Neuron.
        neuron: usize,
        /// The token the wall shows.
        t: usize,
    },
}

/// How a board lays out its cells: the quad's size, its texture's (columns, rows), the values per
/// token and how many columns each token takes (token t's dimension d sits at column
/// `t * across + d % across`, row `d / across`).
struct BoardGrid {
    size: Vec2,
    grid: (usize, usize),
    values: usize,
    across: usize,
}

fn board_grid(source: BoardSource, floor: &Floor, layout: Option<&CurrentLayout>) -> BoardGrid {
    let n = floor.history.len();
    let values = source.rows(&floor.history).first().map_or(0, Vec::len);
    let (across, rows) = tile(values, n);
    let w = layout.map_or(1.0, |l| l.0.width());
    BoardGrid {
        size: Vec2::new(w, BOARD_DEPTH),
        grid: (n * across, rows),
        values,
        across,
    }
}

/// The (token, dimension) of a board's cell at `local` (the board's own coordinates).
fn board_cell_at(
    b: &Board,
    local: Vec3,
    floor: &Floor,
    layout: Option<&CurrentLayout>,
) -> Option<(usize, usize)> {
    let g = board_grid(b.source, floor, layout);
    let (col, row) = cell_at(local, g.size, g.grid.0, g.grid.1)?;
    let d = row * g.across + col % g.across;
    (d < g.values).then_some((col / g.across, d))
}

/// The neuron of a lamp wall's cell at `local` (the wall's own coordinates).
fn lamp_at(w: &LampWall, local: Vec3, floor: &Floor) -> Option<usize> {
    let (col, row) = cell_at(local, w.size, w.cols, w.rows)?;
    let idx = row * w.cols + col;
    let neurons = floor
        .history
        .layers
        .get(w.layer)?
        .ffn_act
        .first()
        .map_or(0, Vec::len);
    (idx < neurons).then_some(idx)
}

/// The pointer is not looked at (`--screenshot`: a picture of the view, not of whatever the pointer
/// happens to rest on): nothing in the scene is under it.
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct PointerIgnored;

/// Where the pointer is: the hits picking reported, and whether a panel or a beam has it.
#[derive(SystemParam)]
struct PointerState<'w> {
    hover_map: Option<Res<'w, HoverMap>>,
    beam: Res<'w, BeamHover>,
    route: Res<'w, crate::scene::routes::RouteHover>,
    ignored: Option<Res<'w, PointerIgnored>>,
    egui_input: Res<'w, bevy_egui::input::EguiWantsInput>,
}

/// The parts of the scene that show a value a visitor can point at.
#[derive(SystemParam)]
struct ValueParts<'w, 's> {
    boards: Query<'w, 's, (&'static Board, &'static GlobalTransform)>,
    walls: Query<'w, 's, (&'static LampWall, &'static GlobalTransform)>,
    bars: Query<'w, 's, &'static ProbBar>,
    switches: Query<'w, 's, AnyOf<(&'static Switch, &'static SwitchKnob)>>,
    things: Query<'w, 's, Things>,
}

impl ValueParts<'_, '_> {
    /// The value shown by entity `e` where the pointer hit it at `at` (world coordinates).
    fn value_at(
        &self,
        e: Entity,
        at: Vec3,
        floor: &Floor,
        layout: Option<&CurrentLayout>,
    ) -> Option<HoveredValue> {
        if let Ok((b, gt)) = self.boards.get(e) {
            let local = gt.affine().inverse().transform_point3(at);
            let (t, d) = board_cell_at(b, local, floor, layout)?;
            return Some(HoveredValue::Cell {
                source: b.source,
                t,
                d,
            });
        }
        if let Ok(b) = self.bars.get(e) {
            return Some(HoveredValue::Bar(b.0));
        }
        if let Some(a) = self.switches.get(e).ok().and_then(SwitchKnob::part) {
            return Some(HoveredValue::Switch(a));
        }
        match self.things.get(e) {
            Ok((Some(c), _, _)) => return Some(HoveredValue::Crate(c.0)),
            Ok((_, Some(b), _)) => {
                return Some(HoveredValue::Booth {
                    layer: b.layer,
                    head: b.head,
                });
            }
            Ok((_, _, Some(s))) => {
                return Some(HoveredValue::Spread {
                    norm: s.norm,
                    t: s.t,
                });
            }
            _ => {}
        }
        let (w, gt) = self.walls.get(e).ok()?;
        let local = gt.affine().inverse().transform_point3(at);
        Some(HoveredValue::Lamp {
            layer: w.layer,
            neuron: lamp_at(w, local, floor)?,
            t: w.shown?,
        })
    }
}

/// Finds the board cell or lamp under the mouse (the nearest hit picking reported).
fn hover_values(
    pointer: PointerState,
    parts: ValueParts,
    floor: Res<Floor>,
    layout: Option<Res<CurrentLayout>>,
    mut out: ResMut<ValueHover>,
) {
    let found = (|| {
        let on_line = pointer.beam.0.is_some() || pointer.route.0.is_some();
        if pointer.egui_input.wants_any_pointer_input() || on_line || pointer.ignored.is_some() {
            return None;
        }
        let hits = pointer.hover_map.as_deref()?.get(&PointerId::Mouse)?;
        let (e, hit) = hits.iter().min_by(|a, b| a.1.depth.total_cmp(&b.1.depth))?;
        let at = hit.position?;
        parts.value_at(*e, at, &floor, layout.as_deref())
    })();
    if out.0 != found {
        out.0 = found;
    }
}

/// Finds the lit beam under the pointer (none while the pointer is on a panel or off the window).
fn hover_beams(
    windows: Query<&Window>,
    cameras: Query<(&Camera, &GlobalTransform), With<Orbit>>,
    layout: Option<Res<CurrentLayout>>,
    beams: Res<Beams>,
    (egui_input, ignored): (
        Res<bevy_egui::input::EguiWantsInput>,
        Option<Res<PointerIgnored>>,
    ),
    mut hover: ResMut<BeamHover>,
) {
    let under = || {
        if egui_input.wants_any_pointer_input() || ignored.is_some() {
            return None;
        }
        let pointer = windows.single().ok()?.cursor_position()?;
        let (camera, at) = cameras.single().ok()?;
        let project = |p: Vec3| camera.world_to_viewport(at, p).ok();
        nearest_beam(&layout.as_ref()?.0, &beams.0, project, pointer, PICK_PIXELS)
    };
    let found = under();
    if hover.0 != found {
        hover.0 = found;
    }
}

/// Cell of a textured quad hit at `local` (quad-local coordinates, quad of `size`), as (column, row).
pub fn cell_at(local: Vec3, size: Vec2, cols: usize, rows: usize) -> Option<(usize, usize)> {
    let u = local.x / size.x + 0.5;
    let v = 0.5 - local.y / size.y;
    if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
        return None;
    }
    Some(((u * cols as f32) as usize, (v * rows as f32) as usize))
}

/// Whether a click counts: it must not land on the overlay nor end a drag of the camera.
#[derive(SystemParam)]
pub(crate) struct ClickGate<'w> {
    drag: Res<'w, DragDistance>,
    egui_input: Res<'w, bevy_egui::input::EguiWantsInput>,
}

impl ClickGate<'_> {
    /// True when the click was on the overlay or the end of a drag.
    fn ignores(&self, click: &Pointer<Click>) -> bool {
        if self.egui_input.wants_any_pointer_input() {
            return true; // the click was on the overlay
        }
        let moved = match self.drag.start {
            Some(a) => self
                .drag
                .farthest
                .max(a.distance(click.pointer_location.position)),
            None => 0.0,
        };
        moved > 6.0
    }
}

/// The things in the scene a click can land on, and where they stand.
#[derive(SystemParam)]
pub(crate) struct ClickTargets<'w, 's> {
    crates: Query<'w, 's, &'static Crate>,
    spreads: Query<'w, 's, &'static SpreadBar>,
    booths: Query<'w, 's, &'static Booth>,
    boards: Query<'w, 's, &'static Board>,
    walls: Query<'w, 's, &'static LampWall>,
    tiles: Query<'w, 's, &'static HeadTile>,
    bars: Query<'w, 's, &'static ProbBar>,
    switches: Query<'w, 's, AnyOf<(&'static Switch, &'static SwitchKnob)>>,
    transforms: Query<'w, 's, &'static GlobalTransform>,
}

/// What a click changes: the selection, the camera's focus, the parts switched off.
#[derive(SystemParam)]
pub(crate) struct ClickEffects<'w> {
    selection: ResMut<'w, Selection>,
    focus: MessageWriter<'w, FocusPoint>,
    requests: MessageWriter<'w, Request>,
}

/// Selects what was clicked (unless the press was a drag) and flies the camera to it.
pub(crate) fn select_on_click(
    click: On<Pointer<Click>>,
    gate: ClickGate,
    targets: ClickTargets,
    floor: Res<Floor>,
    layout: Option<Res<CurrentLayout>>,
    beam_hover: Res<BeamHover>,
    mut effects: ClickEffects,
) {
    if gate.ignores(&click) {
        return;
    }
    if click.button == PointerButton::Secondary {
        toggle_clicked_lamp(&click, &targets, &floor, &mut effects.requests);
        return;
    }
    if click.button != PointerButton::Primary {
        return;
    }
    // a beam under the pointer comes first: its head and the token that reads (the heatmap and
    // the inspector open on them), the camera to the top of its arc
    if let Some(b) = beam_hover.0 {
        effects.selection.head = Some((b.layer, b.head));
        effects.selection.token = Some(b.query);
        if let Some(l) = &layout
            && let Some(station) = l.0.station(StationKind::Booth(b.layer, b.head))
        {
            effects
                .focus
                .write(FocusPoint(l.0.beam_point(station.x, b.query, b.key, 0.5)));
        }
        return;
    }
    let e = click.entity;
    let Ok(gt) = targets.transforms.get(e) else {
        return;
    };
    let hit = click.hit.position.unwrap_or(gt.translation());
    if select_clicked_thing(
        e,
        hit,
        gt,
        &targets,
        &floor,
        layout.as_deref(),
        &mut effects,
    ) {
        effects.focus.write(FocusPoint(hit));
    }
}

/// A right-click on a lamp switches its neuron off (or on again).
fn toggle_clicked_lamp(
    click: &Pointer<Click>,
    targets: &ClickTargets,
    floor: &Floor,
    requests: &mut MessageWriter<Request>,
) {
    if let Ok(w) = targets.walls.get(click.entity)
        && let Ok(gt) = targets.transforms.get(click.entity)
        && let Some(at) = click.hit.position
        && let Some(idx) = lamp_at(w, gt.affine().inverse().transform_point3(at), floor)
    {
        let a = Ablation::Neuron(w.layer, idx);
        requests.write(Request::Ablate(floor.ablations.toggled(a)));
    }
}

/// Selects the thing `e` that was clicked at `hit` (world coordinates); true when the camera
/// should fly there (not for a probability bar, a switch, an overview window or nothing known).
fn select_clicked_thing(
    e: Entity,
    hit: Vec3,
    gt: &GlobalTransform,
    targets: &ClickTargets,
    floor: &Floor,
    layout: Option<&CurrentLayout>,
    effects: &mut ClickEffects,
) -> bool {
    let local = gt.affine().inverse().transform_point3(hit);
    let n = floor.history.len();
    let selection = &mut effects.selection;
    if let Ok(c) = targets.crates.get(e) {
        selection.token = Some(c.0);
    } else if let Ok(s) = targets.spreads.get(e) {
        // a norm gate's spread bar: its token (the inspector gives its stream's spread per layer)
        selection.token = Some(s.t);
    } else if let Ok(b) = targets.booths.get(e) {
        selection.head = Some((b.layer, b.head));
        // the lane under the pointer picks the query token
        if let Some(l) = layout {
            let lane = ((hit.z / LANE) + (n as f32 - 1.0) / 2.0).round();
            if (0.0..n as f32).contains(&lane) && l.0.n_tokens == n {
                selection.token = Some(lane as usize);
            }
        }
    } else if let Ok(b) = targets.boards.get(e) {
        if let Some((t, d)) = board_cell_at(b, local, floor, layout) {
            selection.token = Some(t);
            selection.dim = Some((b.station, d));
        }
    } else if let Ok(b) = targets.bars.get(e) {
        // the inspector explains this bar's probability; the camera stays
        selection.bar = Some(b.0);
        return false;
    } else if let Some(a) = targets.switches.get(e).ok().and_then(SwitchKnob::part) {
        // the part goes off (or on again): the floor runs again without it (the knob too)
        effects
            .requests
            .write(Request::Ablate(floor.ablations.toggled(a)));
        return false;
    } else if let Ok(t) = targets.tiles.get(e) {
        // a window of the layer overview: its head (the heatmap window opens); the camera stays
        selection.head = Some((t.layer, t.head));
        return false;
    } else if let Ok(w) = targets.walls.get(e) {
        if let Some(idx) = lamp_at(w, local, floor) {
            selection.neuron = Some((w.layer, idx));
        }
    } else {
        return false;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::build::flat_on_floor;
    use crate::scene::layout::{Layout, Shape};

    /// A board lies face up (mesh picking only hits front faces), and a point in token t's lane
    /// maps to a texture column of that token.
    #[test]
    fn boards_face_up_and_lanes_map_to_their_columns() {
        let t = flat_on_floor(7.0);
        assert!(
            (t.rotation * Vec3::Z).distance(Vec3::Y) < 1e-6,
            "the quad faces up"
        );
        let n = 5;
        let layout = Layout::new(
            Shape {
                n_layer: 1,
                n_head: 1,
            },
            n,
        );
        let (across, rows) = tile(128, n);
        let size = Vec2::new(layout.width(), BOARD_DEPTH);
        let inverse = GlobalTransform::from(t).affine().inverse();
        for token in 0..n {
            let world = Vec3::new(7.0, 0.03, layout.token_z(token));
            let local = inverse.transform_point3(world);
            let (col, row) = cell_at(local, size, n * across, rows).expect("on the board");
            assert_eq!(col / across, token, "lane of token {token}");
            assert!(row < rows);
        }
    }
}
