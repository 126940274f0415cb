//! A machine beside each station, so a visitor can tell the stations apart without reading: crates
//! stacked at the receiving dock, a press over a table of rows, a stamp, a gate narrowing to a
//! slot (the norm), a hopper where the heads' pipes join (the merge), the FFN machine wide in the
//! middle and narrow at both ends (expand, GELU, contract), a loading ramp at the shipping dock.
//! Procedural blocks in one calm palette, on the far side of the belt below the signs; they carry
//! no numbers (the numbers are on the belt), except the norm gate's spread bars: each token's
//! vector's spread before the gate and after it, from the floor's rows.

use bevy::prelude::*;

use super::flat::FlatMaterial;
use super::kit::Kit;
use super::layout::{Station, StationKind};
use super::parts::{BoardSource, SpreadBar};
use crate::playback::history::{History, mean_std};
use crate::playback::{Floor, Playback};

/// A norm gate shows the spread of at most this many tokens, the latest.
pub const SPREAD_TOKENS: usize = 32;

/// Height of the tallest spread bar at a norm gate.
const SPREAD_HEIGHT: f32 = 2.2;

/// Distance of the machines' centre line from the belt's edge (beyond the signs' posts).
const SIDE: f32 = 2.4;

/// One block of a machine: centre (along the hall, up, across from the machine line), size.
struct Block {
    at: Vec3,
    size: Vec3,
    tint: Tint,
    /// Turned about the vertical axis, radians.
    turn: f32,
}

/// Which of the kit's machine colours a block has.
#[derive(Clone, Copy)]
enum Tint {
    Body,
    Accent,
}

/// A block, not turned.
fn block(at: [f32; 3], size: [f32; 3], tint: Tint) -> Block {
    Block {
        at: Vec3::from(at),
        size: Vec3::from(size),
        tint,
        turn: 0.0,
    }
}

/// The blocks of a station's machine, in the machine's own frame (x along the hall from the
/// station's centre, y up from the floor, z across from the machine line), for a hall of `heads`
/// heads per layer.
fn blocks(kind: StationKind, depth: f32, heads: usize) -> Vec<Block> {
    use Tint::{Accent, Body};
    match kind {
        StationKind::Dock => dock_blocks(depth),
        StationKind::Embedding => press_blocks(),
        // a stamp on a handle, over a pad
        StationKind::Position => vec![
            block([0.0, 0.15, 0.0], [1.8, 0.3, 1.8], Body),
            block([0.0, 1.3, 0.0], [1.2, 0.5, 1.2], Accent),
            block([0.0, 2.1, 0.0], [0.3, 1.1, 0.3], Body),
            block([0.0, 2.7, 0.0], [1.0, 0.25, 0.3], Body),
        ],
        StationKind::NormAttn(_) | StationKind::NormFfn(_) | StationKind::FinalNorm => {
            gate_blocks()
        }
        // a booth's own machine: a small lantern (the glass booth itself is on the belt)
        StationKind::Booth(..) => vec![
            block([0.0, 0.6, 0.0], [0.6, 1.2, 0.6], Body),
            block([0.0, 1.45, 0.0], [0.8, 0.5, 0.8], Accent),
        ],
        StationKind::Merge(_) => hopper_blocks(depth, heads),
        // narrow in, wide and tall in the middle (four times as many neurons), narrow out
        StationKind::Ffn(_) => {
            let third = depth / 3.0;
            vec![
                block([-third, 0.6, 0.0], [third * 0.9, 1.2, 1.0], Body),
                block([0.0, 1.4, 0.0], [third * 0.95, 2.8, 2.6], Accent),
                block([third, 0.6, 0.0], [third * 0.9, 1.2, 1.0], Body),
            ]
        }
        // a loading ramp up to a platform
        StationKind::Shipping => {
            vec![
                block([1.2, 0.6, 0.0], [2.6, 1.2, 2.4], Body),
                block([1.2, 1.5, 0.0], [0.9, 0.6, 0.9], Accent),
                block([-1.0, 0.3, 0.0], [2.2, 0.6, 2.0], Body),
            ]
        }
    }
}

/// The receiving dock's machine: crates waiting on a platform.
fn dock_blocks(depth: f32) -> Vec<Block> {
    use Tint::{Accent, Body};
    let mut b = vec![block([0.0, 0.2, 0.0], [depth * 0.8, 0.4, 2.4], Body)];
    for (i, (x, y)) in [(-1.2, 0.85), (0.0, 0.85), (1.2, 0.85), (-0.6, 1.75)]
        .into_iter()
        .enumerate()
    {
        let mut c = block([x, y, 0.1 * i as f32], [0.9, 0.9, 0.9], Accent);
        c.turn = 0.15 * i as f32;
        b.push(c);
    }
    b
}

/// The embedding's machine: a press, two columns and a heavy head, over a table of rows (thin
/// plates).
fn press_blocks() -> Vec<Block> {
    use Tint::{Accent, Body};
    let mut b = vec![
        block([-1.3, 1.5, 0.0], [0.35, 3.0, 0.35], Body),
        block([1.3, 1.5, 0.0], [0.35, 3.0, 0.35], Body),
        block([0.0, 2.7, 0.0], [3.0, 0.7, 1.6], Accent),
    ];
    for i in 0..5 {
        b.push(block(
            [0.0, 0.15 + 0.28 * i as f32, 0.0],
            [2.2, 0.12, 1.4],
            Body,
        ));
    }
    b
}

/// A norm's machine: a gate whose two leaves narrow to a slot (what passes is scaled to one size).
fn gate_blocks() -> Vec<Block> {
    use Tint::{Accent, Body};
    let mut left = block([0.0, 1.2, -0.9], [0.25, 2.4, 1.6], Accent);
    left.turn = 0.5;
    let mut right = block([0.0, 1.2, 0.9], [0.25, 2.4, 1.6], Accent);
    right.turn = -0.5;
    vec![left, right, block([0.0, 2.55, 0.0], [0.4, 0.3, 3.2], Body)]
}

/// The merge's machine: a hopper fed by one pipe per head (at most 12 pipes).
fn hopper_blocks(depth: f32, heads: usize) -> Vec<Block> {
    use Tint::{Accent, Body};
    let mut b = vec![
        block([0.0, 2.1, 0.0], [2.4, 0.9, 2.0], Accent),
        block([0.0, 1.3, 0.0], [1.2, 0.7, 1.0], Accent),
        block([0.0, 0.5, 0.0], [0.5, 1.0, 0.5], Body),
    ];
    // the pipes arrive from the booths' side, one per head, side by side
    let n = heads.clamp(1, 12);
    for h in 0..n {
        let z = -0.8 + 1.6 * (h as f32 + 0.5) / n as f32;
        b.push(block(
            [-depth / 4.0 - 0.6, 2.3, z],
            [depth / 2.0, 0.12, 0.12],
            Body,
        ));
    }
    b
}

/// Spawns a station's machine under `parent`, beside the belt of half-width `half_width`.
pub(crate) fn spawn_machine(
    commands: &mut Commands,
    kit: &Kit,
    station: &Station,
    half_width: f32,
    heads: usize,
    parent: Entity,
) {
    let base = Vec3::new(station.x, 0.0, half_width + SIDE);
    for b in blocks(station.kind, station.depth, heads) {
        let material: Handle<FlatMaterial> = match b.tint {
            Tint::Body => kit.machine_body.clone(),
            Tint::Accent => kit.machine_accent(station.kind),
        };
        commands.spawn((
            Name::new("Machine block"),
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(material),
            Transform::from_translation(base + b.at)
                .with_rotation(Quat::from_rotation_y(b.turn))
                .with_scale(b.size),
            ChildOf(parent),
        ));
    }
}

/// A norm gate's spread bars under `parent`: one row before the gate (the stream coming in), one
/// after it (the norm's output), a bar per token across the machine, on one scale per gate.
pub(crate) fn spawn_spread_bars(
    commands: &mut Commands,
    kit: &Kit,
    (index, station): (usize, &Station),
    half_width: f32,
    h: &History,
    parent: Entity,
) {
    let Some(norm) = BoardSource::for_station(station.kind) else {
        return;
    };
    let Some(input) = norm.norm_input(h.layers.len()) else {
        return;
    };
    // the latest tokens only: a long prompt's bars would be thousands of slivers
    let first = h.len().saturating_sub(SPREAD_TOKENS);
    let spread = |src: BoardSource| -> Vec<f32> {
        src.rows(h)[first..].iter().map(|r| mean_std(r).1).collect()
    };
    let (before, after) = (spread(input), spread(norm));
    let top = before
        .iter()
        .chain(&after)
        .copied()
        .fold(0.0f32, f32::max)
        .max(1e-6);
    let n = before.len().max(1);
    let span = 2.8;
    let pitch = span / n as f32;
    let thick = (pitch * 0.7).min(0.25);
    let base = Vec3::new(station.x, 0.0, half_width + SIDE);
    for (after_gate, row) in [(false, &before), (true, &after)] {
        let x = if after_gate { 1.1 } else { -1.1 };
        for (t, &s) in row.iter().enumerate() {
            let height = (SPREAD_HEIGHT * s / top).max(0.02);
            let z = -span / 2.0 + (t as f32 + 0.5) * pitch;
            commands.spawn((
                Name::new("Spread bar"),
                SpreadBar {
                    norm,
                    station: index,
                    t: first + t,
                    after: after_gate,
                    spread: s,
                },
                Mesh3d(kit.cube.clone()),
                MeshMaterial3d(kit.spread.clone()),
                Transform::from_translation(base + Vec3::new(x, height / 2.0, z))
                    .with_scale(Vec3::new(thick, height, thick)),
                // shown when its crate reaches the gate (`show_spread_bars`)
                Visibility::Hidden,
                ChildOf(parent),
            ));
        }
    }
}

/// Shows each spread bar once its token's crate has reached the gate, as the boards fill.
pub(crate) fn show_spread_bars(
    floor: Res<Floor>,
    playback: Res<Playback>,
    mut bars: Query<(&SpreadBar, &mut Visibility)>,
) {
    if !playback.is_changed() && !floor.is_changed() {
        return;
    }
    for (b, mut vis) in &mut bars {
        let shown = b.t < playback.revealed_columns(&floor, b.station);
        vis.set_if_neq(if shown {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_station_has_a_machine_within_its_stretch_and_below_the_signs() {
        let kinds = [
            StationKind::Dock,
            StationKind::Embedding,
            StationKind::Position,
            StationKind::NormAttn(0),
            StationKind::Booth(0, 0),
            StationKind::Merge(0),
            StationKind::NormFfn(0),
            StationKind::Ffn(0),
            StationKind::FinalNorm,
            StationKind::Shipping,
        ];
        for kind in kinds {
            let depth = 6.0;
            let b = blocks(kind, depth, 4);
            assert!(!b.is_empty(), "{kind:?}");
            for x in &b {
                let top = x.at.y + x.size.y / 2.0;
                assert!(
                    top < super::super::layout::SIGN_HEIGHT,
                    "{kind:?} reaches the signs"
                );
                assert!(
                    x.at.y - x.size.y / 2.0 >= -1e-3,
                    "{kind:?} sinks into the floor"
                );
                assert!(
                    x.at.z.abs() + x.size.z / 2.0 < SIDE + 1.6,
                    "{kind:?} too wide"
                );
            }
        }
    }
}
