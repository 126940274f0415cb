//! Painting the real vectors into the boards and the FFN neurons into the lamp walls, as the
//! crates reach each station (only what changed is painted).

use bevy::prelude::*;

use super::layout::tile;
use super::palette;
use super::parts::{Board, LampWall};
use crate::playback::{Floor, Playback, Selection};

/// Paints each board's revealed columns with the real vectors.
pub(crate) fn paint_boards(
    floor: Res<Floor>,
    playback: Res<Playback>,
    mut boards: Query<&mut Board>,
    mut images: ResMut<Assets<Image>>,
) {
    let h = &floor.history;
    for mut board in &mut boards {
        let cols = playback.revealed_columns(&floor, board.station);
        if board.painted == cols {
            continue;
        }
        board.painted = cols;
        let Some(mut image) = images.get_mut(&board.image) else {
            continue;
        };
        let rows = board.source.rows(h);
        let n = h.len();
        let c = rows.first().map_or(0, Vec::len);
        let (across, _) = tile(c, n);
        let Some(data) = image.data.as_mut() else {
            continue;
        };
        let width = n * across;
        for (t, row) in rows.iter().enumerate().take(n) {
            for (d, &v) in row.iter().enumerate() {
                let px = if t < cols {
                    palette::value_rgba(v, board.scale)
                } else {
                    palette::pending_rgba()
                };
                let (x, y) = (t * across + d % across, d / across);
                let o = (y * width + x) * 4;
                data[o..o + 4].copy_from_slice(&px);
            }
        }
    }
}

/// Lights each FFN lamp wall with the shown token's post-GELU activations, once the token reached it.
pub(crate) fn paint_lamps(
    floor: Res<Floor>,
    playback: Res<Playback>,
    selection: Res<Selection>,
    mut walls: Query<&mut LampWall>,
    mut images: ResMut<Assets<Image>>,
) {
    let h = &floor.history;
    for mut wall in &mut walls {
        let token = selection
            .lamp_token(&floor)
            .filter(|&t| t < playback.revealed_columns(&floor, wall.station));
        if wall.shown == token {
            continue;
        }
        wall.shown = token;
        let Some(mut image) = images.get_mut(&wall.image) else {
            continue;
        };
        let Some(data) = image.data.as_mut() else {
            continue;
        };
        let acts = token.and_then(|t| h.layers.get(wall.layer)?.ffn_act.get(t));
        for cell in 0..wall.cols * wall.rows {
            let v = acts.and_then(|a| a.get(cell)).copied().unwrap_or(0.0);
            let px = palette::value_rgba(v, wall.scale);
            data[cell * 4..cell * 4 + 4].copy_from_slice(&px);
        }
    }
}
