//! A norm gate's spread bars: beside the gate's arch, each token's vector's spread (its standard
//! deviation over the width) before the gate and after it, from the floor's rows, one scale per
//! gate; each bar shown once its token's crate has reached the gate.

use bevy::prelude::*;

use super::blocks::{Block, SIDE, Tint, block};
use super::kit::Kit;
use super::layout::Station;
use super::machines::{self, TagMaker};
use super::parts::{BoardSource, SpreadBar};
use crate::i18n::Lang;
use crate::playback::history::{History, mean_std};
use crate::playback::{Floor, Playback};
use crate::tr;

/// A norm gate shows the spread of at most this many tokens, the latest.
pub const SPREAD_TOKENS: usize = 32;

/// Height of the tallest spread bar at a norm gate.
const SPREAD_HEIGHT: f32 = 2.2;

/// A norm gate's spread bars under `parent`: one row before the gate (the stream coming in), one
/// after it (the norm's output), a bar per token across the machine, on one scale per gate.
pub(crate) fn spawn_spread_bars(
    commands: &mut Commands,
    (kit, lang): (&Kit, Lang),
    (index, station): (usize, &Station),
    half_width: f32,
    h: &History,
    (parent, tags): (Entity, &mut TagMaker),
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
        let x = if after_gate { 1.7 } else { -1.7 };
        // each row stands on a dark plinth, so it reads as a chart, not as blocks strewn on the
        // floor (a reviewer saw "broken debris"); at its end by the belt a paper tag on a stand,
        // "before" / "after" (a reviewer could not tell which row was which), facing the start
        let word = if after_gate {
            tr!(lang, "spread-after")
        } else {
            tr!(lang, "spread-before")
        };
        let plinth = block([x, 0.04, 0.0], [0.5, 0.08, span + 0.3], Tint::Body);
        // (the one after higher, so that straight down the hall "before" does not hide it)
        let y = if after_gate { 0.8 } else { 0.36 };
        let stand = Block {
            tag: Some((word, 1.1)),
            ..block([x, y, -span / 2.0 - 0.65], [0.06, 0.6, 1.2], Tint::Body)
        };
        let at = (index, station.kind);
        machines::spawn_blocks(commands, kit, at, (base, vec![plinth, stand]), parent, tags);
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

/// The scale of the spreads of the tokens' vectors on all of the hall's boards: a far board draws
/// each token as one bar of its spread, on this one scale for the whole hall, so the far hall is
/// quiet and still shows where the vectors grow (`flat_texture.wgsl`'s summary). The 98th
/// percentile, as a board's colours (`palette::board_scale`), not the largest: in GPT-2 the first
/// token's stream is many times wider than the others', and would leave every other bar a sliver
/// (a wider one is drawn full).
pub fn hall_spread_top(h: &History, stations: &[Station]) -> f32 {
    let spreads: Vec<f32> = stations
        .iter()
        .filter_map(|s| BoardSource::for_station(s.kind))
        .flat_map(|src| src.rows(h).iter().map(|r| mean_std(r).1))
        .collect();
    super::palette::board_scale(spreads.iter())
}

/// Each token's spread in `rows` as a share of `top`, as a board's alpha: 0 to [`SHARE_FULL`]
/// (alpha 255, what the backward view's inks and lamp walls have, means "cells": no bar).
pub fn spread_shares(rows: &[Vec<f32>], top: f32) -> Vec<u8> {
    rows.iter()
        .map(|r| {
            let s = mean_std(r).1;
            let share = if top > 0.0 && s.is_finite() {
                (s / top).clamp(0.0, 1.0)
            } else {
                0.0
            };
            (share * f32::from(SHARE_FULL)).round() as u8
        })
        .collect()
}

/// A board's alpha for a token whose spread is at or above the hall's scale (a full bar).
pub const SHARE_FULL: u8 = 254;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tokens_share_is_its_standard_deviation_over_the_halls_scale() {
        // std of [1, 3] is 1; of [0, 0, 4, 4] is 2; of [5] is 0
        let rows = vec![vec![1.0, 3.0], vec![0.0, 0.0, 4.0, 4.0], vec![5.0]];
        assert_eq!(spread_shares(&rows, 2.0), vec![127, 254, 0]);
        // a spread wider than the scale is a full bar, never 255 ("cells")
        assert_eq!(spread_shares(&rows, 1.0), vec![254, 254, 0]);
        assert_eq!(spread_shares(&rows, 0.0), vec![0, 0, 0]);
    }
}
