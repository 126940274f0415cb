//! A norm gate's spread bars: beside the gate's arch, each token's vector's spread (its standard
//! deviation over the width) before the gate and after it, from the floor's rows, one scale per
//! gate; each bar shown once its token's crate has reached the gate.

use bevy::prelude::*;

use super::blocks::SIDE;
use super::kit::Kit;
use super::layout::Station;
use super::parts::{BoardSource, SpreadBar};
use crate::playback::history::{History, mean_std};
use crate::playback::{Floor, Playback};

/// A norm gate shows the spread of at most this many tokens, the latest.
pub const SPREAD_TOKENS: usize = 32;

/// Height of the tallest spread bar at a norm gate.
const SPREAD_HEIGHT: f32 = 2.2;

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
    // what the bars are, over them (near gates only: the label's size fades with distance)
    for (after_gate, row) in [(false, &before), (true, &after)] {
        let x = if after_gate { 1.1 } else { -1.1 };
        // each row stands on a dark plinth, so it reads as a chart, not as blocks strewn on the
        // floor (a reviewer saw "broken debris")
        commands.spawn((
            Name::new("Spread plinth"),
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(kit.machine_body.clone()),
            Transform::from_translation(base + Vec3::new(x, 0.04, 0.0)).with_scale(Vec3::new(
                0.5,
                0.08,
                span + 0.3,
            )),
            ChildOf(parent),
        ));
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
                Transform::from_translation(base + Vec3::new(x, 0.08 + height / 2.0, z))
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
