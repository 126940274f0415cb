//! The embedding room's window (M) and its pointer: hover a point to read its token, click one to
//! see its nearest neighbours by cosine, and vector arithmetic (`boy - man + woman`) with the rank
//! of the answer you expect, all from the loaded model's `wte`. Its text comes from the message
//! catalogue (`embedding-win-*`).

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::labels::to_screen;
use super::state::UiState;
use crate::camera::DragDistance;
use crate::i18n::Lang;
use crate::inference::Engine;
use crate::model::Tokenizer;
use crate::model::embedding::{Neighbour, parse_expr, single_token};
use crate::playback::{Floor, Selection};
use crate::rooms::embedding::{Arithmetic, EmbeddingRoom, NEIGHBOURS, piece};
use crate::rooms::{EMBEDDING_CENTRE, EMBEDDING_RADIUS};
use crate::tr;

/// What the arithmetic box holds between frames.
pub(super) struct Boxes {
    expr: String,
    expect: String,
    error: Option<String>,
}

impl Default for Boxes {
    fn default() -> Self {
        Self {
            expr: "boy - man + woman".into(),
            expect: "girl".into(),
            error: None,
        }
    }
}

/// Runs `expr` on the map's rows and shows the result in the room.
fn compute(room: &mut EmbeddingRoom, tok: &Tokenizer, b: &Boxes, l: Lang) -> Result<(), String> {
    let Some(map) = room.map.clone() else {
        return Err(tr!(l, "embedding-win-map-pending"));
    };
    let terms = parse_expr(tok, &b.expr).map_err(|e| e.to_string())?;
    if let Some(&(id, _)) = terms.iter().find(|t| t.0 as usize >= map.rows.len()) {
        return Err(tr!(l, "embedding-win-no-row", id = id));
    }
    let expect = match b.expect.trim() {
        "" => None,
        w => Some(single_token(tok, w).map_err(|e| e.to_string())?),
    };
    let mut operands: Vec<u32> = terms.iter().map(|t| t.0).collect();
    operands.sort_unstable();
    operands.dedup();
    let q = map.rows.query(terms, expect, NEIGHBOURS);
    room.show_arithmetic(Some(Arithmetic {
        text: b.expr.trim().to_string(),
        at: map.world_of(map.map.project(&q.vector)),
        neighbours: q.neighbours,
        expected: q.expected,
        ranked: map.rows.len() - operands.len(),
    }));
    Ok(())
}

/// A list of neighbours: rank, token (a link) and cosine; returns the token clicked, if any.
fn neighbour_rows(ui: &mut egui::Ui, tok: &Tokenizer, list: &[Neighbour], l: Lang) -> Option<u32> {
    let mut clicked = None;
    egui::Grid::new(ui.next_auto_id())
        .striped(true)
        .show(ui, |ui| {
            for (rank, n) in list.iter().enumerate() {
                ui.label(format!("{}.", rank + 1));
                if ui.link(piece(tok, n.id)).clicked() {
                    clicked = Some(n.id);
                }
                ui.label(tr!(
                    l,
                    "embedding-win-cosine",
                    value = format!("{:+.3}", n.cosine)
                ));
                ui.end_row();
            }
        });
    clicked
}

/// The embedding room, the model whose `wte` it maps, and the floor (its tokens are marked on
/// the map, and a point picked here selects its crate on the floor).
#[derive(SystemParam)]
pub(super) struct RoomSources<'w> {
    engine: Option<Res<'w, Engine>>,
    room: ResMut<'w, EmbeddingRoom>,
    floor: Res<'w, Floor>,
}

/// The room's pointer: the camera it looks through, how far the last press dragged (a drag is
/// not a click), and what the last hover test was for.
#[derive(SystemParam)]
pub(super) struct RoomPointer<'w, 's> {
    cameras: Query<'w, 's, (&'static Camera, &'static GlobalTransform), With<Camera3d>>,
    drag: Res<'w, DragDistance>,
    last_look: Local<'s, Option<(egui::Pos2, Mat4, u64, u64)>>,
}

/// The window, when open, and the room's pointer (hover and click on the points).
pub(super) fn draw_embedding(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    mut sources: RoomSources,
    mut selection: ResMut<Selection>,
    mut pointing: RoomPointer,
    mut boxes: Local<Boxes>,
    lang: Res<Lang>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = sources.engine.as_ref() else {
        return Ok(());
    };
    let tok = &engine.0.tokenizer;
    if ui_state.hidden {
        return Ok(());
    }
    let (room, floor) = (&mut sources.room, &sources.floor);
    let mut chosen = hover_points(ctx, room, floor, &mut pointing, tok, l);
    if ui_state.embedding_view
        && let Some(next) = embedding_window(ctx, room, &mut boxes, tok, l)
    {
        chosen = Some(next);
    }
    if let Some(id) = chosen {
        room.pick(Some(id));
        // a token on the floor: select its crate too
        if let Some(i) = floor.history.ids.iter().position(|&t| t == id) {
            selection.token = Some(i);
        }
    }
    Ok(())
}

/// The point under the pointer, when the camera is in the room and the pointer not over a panel:
/// marks it hovered, labels it, and returns it when clicked (released without a drag).
fn hover_points(
    ctx: &egui::Context,
    room: &mut EmbeddingRoom,
    floor: &Floor,
    pointing: &mut RoomPointer,
    tok: &Tokenizer,
    l: Lang,
) -> Option<u32> {
    let mut chosen: Option<u32> = None;
    // the pointer, when the camera is in the room and not over a panel
    let near = pointing
        .cameras
        .single()
        .is_ok_and(|(_, t)| t.translation().distance(EMBEDDING_CENTRE) < EMBEDDING_RADIUS * 8.0);
    if let (true, Some(map), Ok((camera, cam_t)), Some(pointer)) = (
        near,
        room.map.clone(),
        pointing.cameras.single(),
        ctx.pointer_hover_pos(),
    ) {
        let over_panel = ctx.is_pointer_over_egui();
        // projecting every point is done again only when the pointer or the camera moved
        let look = (pointer, cam_t.to_matrix(), floor.version, room.version);
        let moved = *pointing.last_look != Some(look);
        *pointing.last_look = Some(look);
        let hovered = match camera.logical_viewport_rect() {
            _ if !moved && !over_panel => room.hovered,
            Some(view) if !over_panel => {
                let clip_from_world = camera.clip_from_view() * cam_t.to_matrix().inverse();
                let eye = cam_t.translation();
                // the pointer in the overlay's points, the view in the window's logical pixels
                let at = Vec2::new(pointer.x, pointer.y) * ctx.zoom_factor() - view.min;
                map.nearest_on_screen(at, 10.0, &floor.history.ids, |p| {
                    to_screen(clip_from_world, view.size(), p).map(|s| (s, p.distance(eye)))
                })
            }
            _ => None,
        };
        room.hovered = hovered;
        if let Some(id) = hovered {
            let text = tr!(l, "embedding-win-hover", token = piece(tok, id), id = id);
            hover_label(ctx, pointer, text);
            let released = ctx.input(|i| i.pointer.primary_released());
            if released && pointing.drag.farthest < 6.0 {
                chosen = Some(id);
            }
        }
    } else {
        room.hovered = None;
    }
    chosen
}

/// The hovered point's token, on a dark plate beside the pointer, above every window.
fn hover_label(ctx: &egui::Context, pointer: egui::Pos2, text: String) {
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Tooltip,
        egui::Id::new("embedding-hover"),
    ));
    let galley =
        painter.layout_no_wrap(text, egui::FontId::proportional(16.0), egui::Color32::WHITE);
    let at = pointer + egui::vec2(14.0, -22.0);
    painter.rect_filled(
        egui::Rect::from_min_size(at, galley.size()).expand(4.0),
        4.0,
        egui::Color32::from_black_alpha(200),
    );
    painter.galley(at, galley, egui::Color32::WHITE);
}

/// The window: what the map shows, the picked token's nearest neighbours and the arithmetic box;
/// returns a token clicked in its lists.
fn embedding_window(
    ctx: &egui::Context,
    room: &mut EmbeddingRoom,
    boxes: &mut Boxes,
    tok: &Tokenizer,
    l: Lang,
) -> Option<u32> {
    let mut chosen: Option<u32> = None;
    let window = super::dock::window(ctx, super::dock::Tab::Embedding, "embedding-view")?;
    window.show(ctx, |ui| {
        let Some(map) = room.map.clone() else {
            match &room.error {
                Some(e) => ui.colored_label(egui::Color32::LIGHT_RED, e),
                None => ui.label(tr!(l, "embedding-win-making")),
            };
            return;
        };
        ui.label(tr!(
            l,
            "embedding-win-intro",
            count = map.map.coords.len(),
            width = map.rows.width,
            share = format!("{:.1}", 100.0 * map.map.shown_share())
        ));
        ui.label(tr!(l, "embedding-win-legend"));
        if let Some(id) = room.picked {
            ui.separator();
            ui.strong(tr!(
                l,
                "embedding-win-nearest",
                token = piece(tok, id),
                id = id,
                width = map.rows.width
            ));
            if let Some(next) = neighbour_rows(ui, tok, &room.neighbours_of_picked(), l) {
                chosen = Some(next);
            }
        }
        if let Some(next) = arithmetic_section(ui, room, boxes, tok, l) {
            chosen = Some(next);
        }
    });
    chosen
}

/// Vector arithmetic: the expression and the answer expected, where the result lands, its
/// nearest neighbours and the expected answer's place; returns a neighbour clicked.
fn arithmetic_section(
    ui: &mut egui::Ui,
    room: &mut EmbeddingRoom,
    boxes: &mut Boxes,
    tok: &Tokenizer,
    l: Lang,
) -> Option<u32> {
    let mut chosen: Option<u32> = None;
    ui.separator();
    ui.strong(tr!(l, "embedding-win-arithmetic"));
    ui.horizontal(|ui| {
        ui.add(egui::TextEdit::singleline(&mut boxes.expr).desired_width(170.0));
        ui.label(tr!(l, "embedding-win-expect"));
        ui.add(egui::TextEdit::singleline(&mut boxes.expect).desired_width(70.0));
    });
    if ui.button(tr!(l, "embedding-win-compute")).clicked() {
        boxes.error = compute(room, tok, boxes, l).err();
    }
    if let Some(e) = &boxes.error {
        ui.colored_label(egui::Color32::LIGHT_RED, e);
    }
    if let Some(a) = room.arithmetic.clone() {
        ui.label(tr!(l, "embedding-win-lands", expr = &a.text));
        if let Some(next) = neighbour_rows(ui, tok, &a.neighbours, l) {
            chosen = Some(next);
        }
        if let Some((id, rank, cos)) = a.expected {
            ui.label(tr!(
                l,
                "embedding-win-expected",
                token = piece(tok, id),
                place = format!("{rank}{}", ordinal(rank, l)),
                of = a.ranked,
                cosine = format!("{cos:+.3}")
            ));
        }
    }
    chosen
}

/// The mark after a place number: "st", "nd", "rd", "th" in English, "." in German.
fn ordinal(n: usize, l: Lang) -> String {
    match (n % 10, n % 100) {
        (1, r) if r != 11 => tr!(l, "embedding-win-ordinal-one"),
        (2, r) if r != 12 => tr!(l, "embedding-win-ordinal-two"),
        (3, r) if r != 13 => tr!(l, "embedding-win-ordinal-few"),
        _ => tr!(l, "embedding-win-ordinal-other"),
    }
}
