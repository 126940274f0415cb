//! What the pointer is on, drawn: a white outline around the value or thing under it, and a red
//! cross over each lamp whose neuron is switched off.

use bevy::camera::primitives::Aabb;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::{HoveredValue, Things, ValueHover, board_grid};
use crate::model::Ablation;
use crate::playback::Floor;
use crate::scene::{Board, CurrentLayout, LampWall, ProbBar};

/// Cell (column, row) of a `grid` (columns, rows) picture on a quad of `size`, in the quad's own
/// coordinates `lift` in front of it: its centre and its size (the inverse of [`super::cell_at`]).
fn cell_in_quad(
    size: Vec2,
    grid: (usize, usize),
    (c, r): (usize, usize),
    lift: f32,
) -> (Vec3, Vec2) {
    let wh = Vec2::new(size.x / grid.0 as f32, size.y / grid.1 as f32);
    let centre = Vec3::new(
        -size.x / 2.0 + (c as f32 + 0.5) * wh.x,
        size.y / 2.0 - (r as f32 + 0.5) * wh.y,
        lift,
    );
    (centre, wh)
}

/// The parts of the scene a hovered value can be outlined on.
#[derive(SystemParam)]
pub(super) struct OutlineParts<'w, 's> {
    boards: Query<'w, 's, (&'static Board, &'static GlobalTransform)>,
    walls: Query<'w, 's, (&'static LampWall, &'static GlobalTransform)>,
    bars: Query<'w, 's, (&'static ProbBar, &'static GlobalTransform, &'static Aabb)>,
    things: Query<'w, 's, (Things, &'static GlobalTransform)>,
}

/// A white outline around the value under the pointer: the board cell, the lamp or the bar.
pub(super) fn outline_hovered(
    hover: Res<ValueHover>,
    parts: OutlineParts,
    floor: Res<Floor>,
    layout: Option<Res<CurrentLayout>>,
    mut gizmos: Gizmos,
) {
    let Some(v) = hover.0 else { return };
    match v {
        HoveredValue::Cell { source, t, d } => {
            let g = board_grid(source, &floor, layout.as_deref());
            if let Some((_, gt)) = parts.boards.iter().find(|(b, _)| b.source == source) {
                let cell = (t * g.across + d % g.across, d / g.across);
                outline_cell(&mut gizmos, gt, g.size, g.grid, cell);
            }
        }
        HoveredValue::Lamp { layer, neuron, .. } => {
            if let Some((w, gt)) = parts.walls.iter().find(|(w, _)| w.layer == layer) {
                let cell = (neuron % w.cols, neuron / w.cols);
                outline_cell(&mut gizmos, gt, w.size, (w.cols, w.rows), cell);
            }
        }
        HoveredValue::Switch(_) => {}
        HoveredValue::Crate(_) | HoveredValue::Booth { .. } | HoveredValue::Spread { .. } => {
            parts.outline_thing(v, &mut gizmos);
        }
        HoveredValue::Bar(rank) => parts.outline_bar(rank, &mut gizmos),
    }
}

/// Outlines cell (c, r) of a `grid` (columns, rows) picture on a quad of `size`, in the quad's
/// plane.
fn outline_cell(
    gizmos: &mut Gizmos,
    gt: &GlobalTransform,
    size: Vec2,
    grid: (usize, usize),
    (c, r): (usize, usize),
) {
    let (centre, wh) = cell_in_quad(size, grid, (c, r), 0.02);
    let t = gt.compute_transform();
    let iso = Isometry3d::new(gt.transform_point(centre), t.rotation);
    gizmos.rect(iso, wh * t.scale.truncate(), Color::WHITE);
}

impl OutlineParts<'_, '_> {
    /// A box around a whole thing: a crate, a booth, or a norm gate's spread bars.
    fn outline_thing(&self, v: HoveredValue, gizmos: &mut Gizmos) {
        match v {
            HoveredValue::Crate(i) => {
                if let Some((_, gt)) = self
                    .things
                    .iter()
                    .find(|((c, _, _), _)| c.is_some_and(|c| c.0 == i))
                {
                    gizmos.cube(
                        gt.compute_transform().with_scale(Vec3::splat(1.0)),
                        Color::WHITE,
                    );
                }
            }
            HoveredValue::Booth { layer, head } => {
                let found = self
                    .things
                    .iter()
                    .find(|((_, b, _), _)| b.is_some_and(|b| b.layer == layer && b.head == head));
                if let Some((_, gt)) = found {
                    let t = gt.compute_transform();
                    gizmos.cube(
                        t.with_scale(t.scale * Vec3::new(1.02, 6.0, 1.02)),
                        Color::WHITE,
                    );
                }
            }
            HoveredValue::Spread { norm, t } => {
                let bars = self
                    .things
                    .iter()
                    .filter(|((_, _, s), _)| s.is_some_and(|s| s.norm == norm && s.t == t));
                for (_, gt) in bars {
                    let tr = gt.compute_transform();
                    gizmos.cube(tr.with_scale(tr.scale * 1.3), Color::WHITE);
                }
            }
            _ => {}
        }
    }

    /// A box around the probability bar of `rank` at the shipping dock.
    fn outline_bar(&self, rank: usize, gizmos: &mut Gizmos) {
        if let Some((_, gt, aabb)) = self.bars.iter().find(|(b, _, _)| b.0 == rank) {
            let t = gt.compute_transform();
            let outline = Transform {
                translation: gt.transform_point(Vec3::from(aabb.center)),
                rotation: t.rotation,
                scale: t.scale * Vec3::from(aabb.half_extents) * 2.08,
            };
            gizmos.cube(outline, Color::WHITE);
        }
    }
}

/// A red cross over each lamp whose neuron is switched off (a right-click on a lamp switches it).
pub(super) fn mark_switched_off_lamps(
    floor: Res<Floor>,
    walls: Query<(&LampWall, &GlobalTransform)>,
    mut gizmos: Gizmos,
) {
    for &a in floor.ablations.list() {
        let Ablation::Neuron(layer, neuron) = a else {
            continue;
        };
        for (w, gt) in walls.iter().filter(|(w, _)| w.layer == layer) {
            let cell = (neuron % w.cols, neuron / w.cols);
            let (centre, wh) = cell_in_quad(w.size, (w.cols, w.rows), cell, 0.03);
            let red = Color::srgb(1.0, 0.2, 0.2);
            for (dx, dy) in [(1.0, 1.0), (1.0, -1.0)] {
                let d = Vec3::new(dx * wh.x * 0.45, dy * wh.y * 0.45, 0.0);
                gizmos.line(
                    gt.transform_point(centre - d),
                    gt.transform_point(centre + d),
                    red,
                );
            }
        }
    }
}
