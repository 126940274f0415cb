//! Painting the real vectors into the boards and the FFN neurons into the lamp walls, as the
//! crates reach each station (only what changed is painted).

use bevy::prelude::*;

use super::backward::{self, Backward};
use super::layout::tile;
use super::palette;
use super::parts::{Board, LampWall, ShowAdded};
use crate::model::backward::Place;
use crate::playback::{Floor, Playback, Selection};

/// Whether a board that draws its tokens as summary bars (far from where the camera looks, some
/// tokens revealed, not in the backward view) is in the camera's view: the banner then says what
/// the bars are.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FarBarsSeen(pub bool);

/// Notes whether a board far from the focus with revealed tokens is in view ([`FarBarsSeen`]):
/// the flat shader draws it as one bar per token (`flat_texture.wgsl`'s summary). In view: a
/// point of it (its centre, or toward its corners) projects inside the camera's picture (the
/// renderer's own visibility counts the sun's shadow views too, which see the whole hall).
pub(crate) fn see_far_bars(
    (floor, playback, layout): (
        Res<Floor>,
        Res<Playback>,
        Option<Res<super::parts::CurrentLayout>>,
    ),
    (focus, view): (Res<super::beams::ViewFocus>, Res<Backward>),
    boards: Query<(&Board, &GlobalTransform)>,
    cameras: Query<(&Camera, &GlobalTransform), With<Camera3d>>,
    mut seen: ResMut<FarBarsSeen>,
) {
    let (Some(layout), Ok((camera, eye))) = (layout, cameras.single()) else {
        seen.set_if_neq(FarBarsSeen(false));
        return;
    };
    let size = camera.logical_viewport_size().unwrap_or(Vec2::ZERO);
    let (across, along) = (layout.0.width() * 0.4, super::layout::BOARD_DEPTH * 0.4);
    let on_screen = |at: &GlobalTransform| {
        [-1.0, 0.0, 1.0].into_iter().any(|fx| {
            [-1.0, 0.0, 1.0].into_iter().any(|fy| {
                let p = at.transform_point(Vec3::new(fx * across, fy * along, 0.0));
                camera
                    .world_to_viewport(eye, p)
                    .is_ok_and(|v| v.x >= 0.0 && v.y >= 0.0 && v.x <= size.x && v.y <= size.y)
            })
        })
    };
    let far = |x: f32| focus.0.is_some_and(|f| super::flat::summarised(x, f.x));
    let any = boards.iter().any(|(b, at)| {
        far(at.translation().x)
            && view.key(b.station).is_none()
            && playback.revealed_columns(&floor, b.station) > 0
            && on_screen(at)
    });
    seen.set_if_neq(FarBarsSeen(any));
}

/// Paints each board's revealed columns with the real vectors (or, with [`ShowAdded`], what its
/// station added to them).
pub(crate) fn paint_boards(
    floor: Res<Floor>,
    (playback, show_added): (Res<Playback>, Res<ShowAdded>),
    view: Res<Backward>,
    mut boards: Query<&mut Board>,
    mut images: ResMut<Assets<Image>>,
) {
    let h = &floor.history;
    for mut board in &mut boards {
        if paint_backward(&mut board, &view, h, &mut images) {
            continue;
        }
        let added = show_added.0 && board.added.is_some();
        if board.added_shown != added {
            (board.added_shown, board.painted) = (added, usize::MAX);
        }
        let cols = playback.revealed_columns(&floor, board.station);
        if board.painted == cols {
            continue;
        }
        board.painted = cols;
        let Some(mut image) = images.get_mut(&board.image) else {
            continue;
        };
        let rows = board.source.shown_rows(h, added);
        let (scale, shares) = match (&board.added, added) {
            (Some((scale, shares)), true) => (*scale, shares),
            _ => (board.scale, &board.shares),
        };
        let n = h.len();
        let c = rows.first().map_or(0, Vec::len);
        let (across, _) = tile(c, n);
        let Some(data) = image.data.as_mut() else {
            continue;
        };
        let width = n * across;
        for (t, row) in rows.iter().enumerate().take(n) {
            // a revealed token's cells carry its spread in their alpha: a far board draws the
            // token as one bar of it (flat_texture.wgsl); pending cells have 0, no bar
            let share = shares.get(t).copied().unwrap_or(u8::MAX);
            for (d, &v) in row.iter().enumerate() {
                let px = if t < cols {
                    let [r, g, b, _] = palette::value_rgba(v, scale);
                    [r, g, b, share]
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
