//! Painting the real vectors into the boards and the FFN neurons into the lamp walls, as the
//! crates reach each station (only what changed is painted).

use bevy::prelude::*;

use super::backward::{self, Backward};
use super::layout::tile;
use super::palette;
use super::parts::{Board, LampWall};
use crate::model::backward::Place;
use crate::playback::{Floor, Playback, Selection};

/// Paints each board's revealed columns with the real vectors.
pub(crate) fn paint_boards(
    floor: Res<Floor>,
    playback: Res<Playback>,
    view: Res<Backward>,
    mut boards: Query<&mut Board>,
    mut images: ResMut<Assets<Image>>,
) {
    let h = &floor.history;
    for mut board in &mut boards {
        if paint_backward(&mut board, &view, h, &mut images) {
            continue;
        }
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

/// Paints `board` in the backward view when it is shown (true), once per change; when it is put
/// away, marks the board for painting with values again (false).
fn paint_backward(
    board: &mut Board,
    view: &Backward,
    h: &crate::playback::history::History,
    images: &mut Assets<Image>,
) -> bool {
    let key = view.key(board.station);
    if key.is_none() {
        if board.backward.take().is_some() {
            board.painted = usize::MAX;
        }
        return false;
    }
    if board.backward == key {
        return true;
    }
    board.backward = key;
    board.painted = usize::MAX;
    let Some(mut image) = images.get_mut(&board.image) else {
        return true;
    };
    let Some(data) = image.data.as_mut() else {
        return true;
    };
    let rows = view
        .at(board.station)
        .and_then(|g| backward::board_rows(g, board.source));
    let (n, c) = (h.len(), board.source.rows(h).first().map_or(0, Vec::len));
    backward::paint_board(data, rows, (n, c), tile(c, n).0);
    true
}

/// Lights each FFN lamp wall with the shown token's post-GELU activations, once the token reached it.
pub(crate) fn paint_lamps(
    floor: Res<Floor>,
    playback: Res<Playback>,
    selection: Res<Selection>,
    view: Res<Backward>,
    mut walls: Query<&mut LampWall>,
    mut images: ResMut<Assets<Image>>,
) {
    let h = &floor.history;
    for mut wall in &mut walls {
        let token = selection
            .lamp_token(&floor)
            .filter(|&t| t < playback.revealed_columns(&floor, wall.station));
        let mode = view.key(wall.station);
        if wall.shown == token && wall.backward == mode {
            continue;
        }
        (wall.shown, wall.backward) = (token, mode);
        let Some(mut image) = images.get_mut(&wall.image) else {
            continue;
        };
        let Some(data) = image.data.as_mut() else {
            continue;
        };
        if mode.is_some() {
            // the backward view: d loss / d each neuron's output, once the ride reached the wall
            let grads = view
                .at(wall.station)
                .and_then(|g| g.array(Place::Neuron(wall.layer)));
            backward::paint_lamps(data, grads, token, wall.cols * wall.rows);
            continue;
        }
        let acts = token.and_then(|t| h.layers.get(wall.layer)?.ffn_act.get(t));
        for cell in 0..wall.cols * wall.rows {
            let v = acts.and_then(|a| a.get(cell)).copied().unwrap_or(0.0);
            let px = palette::value_rgba(v, wall.scale);
            data[cell * 4..cell * 4 + 4].copy_from_slice(&px);
        }
    }
}
