//! Attention heatmaps (BertViz's head and model views, from the real weights): the selected head's
//! weights as a grid (rows = the query token, columns = the key token it reads, the masked future
//! greyed), where hovering a cell lights that beam in the hall; and every head of every layer as a
//! thumbnail, where a click selects the head and flies to its booth.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::camera::FocusStation;
use crate::model::tokenizer::shown_token;
use crate::playback::history::History;
use crate::playback::{Floor, HoveredPair, Selection};
use crate::scene::CurrentLayout;
use crate::scene::layout::StationKind;
use crate::scene::palette;

/// One texture per head, made when the floor changes.
#[derive(Resource, Default)]
pub(super) struct HeadImages {
    made_for: Option<u64>,
    /// `[layer][head]`: n × n, row = query, column = key.
    images: Vec<Vec<egui::TextureHandle>>,
}

/// Grey of the masked future (a query never reads a later key).
const MASKED: [u8; 4] = [58, 60, 66, 255];

/// RGBA8 pixels of one head's weights: amber by weight, the masked future grey.
pub fn head_pixels(h: &History, layer: usize, head: usize) -> Vec<u8> {
    let n = h.len();
    let mut px = Vec::with_capacity(n * n * 4);
    for q in 0..n {
        for k in 0..n {
            if k > q {
                px.extend_from_slice(&MASKED);
            } else {
                px.extend_from_slice(&palette::value_rgba(h.weight(layer, head, q, k), 1.0));
            }
        }
    }
    px
}

fn refresh(ctx: &egui::Context, floor: &Floor, images: &mut HeadImages) {
    if images.made_for == Some(floor.version) {
        return;
    }
    images.made_for = Some(floor.version);
    let h = &floor.history;
    let n = h.len();
    images.images = (0..h.layers.len())
        .map(|l| {
            (0..h.layers[l].attention.len())
                .map(|hd| {
                    let img = egui::ColorImage::from_rgba_unmultiplied(
                        [n.max(1), n.max(1)],
                        &head_pixels(h, l, hd),
                    );
                    ctx.load_texture(format!("attn-{l}-{hd}"), img, egui::TextureOptions::NEAREST)
                })
                .collect()
        })
        .collect();
}

/// The selected head's heatmap (when a head is selected) and the model view (when opened).
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_heatmaps(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    floor: Res<Floor>,
    mut selection: ResMut<Selection>,
    mut hovered: ResMut<HoveredPair>,
    layout: Option<Res<CurrentLayout>>,
    mut images: Local<HeadImages>,
    mut focus: MessageWriter<FocusStation>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let mut now_hovered = None;
    if !ui_state.recording && !ui_state.hidden && !floor.history.is_empty() {
        refresh(ctx, &floor, &mut images);
        let h = &floor.history;
        if let Some((l, hd)) = selection.head
            && let Some(tex) = images.images.get(l).and_then(|r| r.get(hd))
        {
            egui::Window::new(format!("Attention: layer {l}, head {hd}"))
                .id(egui::Id::new("heatmap"))
                .anchor(egui::Align2::RIGHT_BOTTOM, [-10.0, -10.0])
                .collapsible(true)
                .resizable(false)
                .show(ctx, |ui| {
                    now_hovered = grid(ui, h, tex, l, hd, selection.token);
                });
        }
        if ui_state.model_view {
            let mut open = true;
            egui::Window::new("All heads (click one)")
                .id(egui::Id::new("model-view"))
                .open(&mut open)
                .default_pos([330.0, 60.0])
                .show(ctx, |ui| {
                    if let Some((l, hd)) = thumbnails(ui, &images.images, selection.head) {
                        selection.head = Some((l, hd));
                        if let Some(i) = layout
                            .as_ref()
                            .and_then(|lay| lay.0.index_of(StationKind::Booth(l, hd)))
                        {
                            focus.write(FocusStation(i));
                        }
                    }
                });
            ui_state.model_view = open;
        }
    }
    if hovered.0 != now_hovered {
        hovered.0 = now_hovered;
    }
    Ok(())
}

/// The grid with token pieces on both axes; returns the pair under the pointer, if any.
fn grid(
    ui: &mut egui::Ui,
    h: &History,
    tex: &egui::TextureHandle,
    layer: usize,
    head: usize,
    selected: Option<usize>,
) -> Option<(usize, usize, usize, usize)> {
    let n = h.len();
    let cell = (300.0 / n as f32).clamp(3.0, 22.0);
    let side = cell * n as f32;
    let labels = cell >= 9.0;
    let margin = if labels { 70.0 } else { 4.0 };
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(side + margin, side + margin),
        egui::Sense::hover(),
    );
    let grid = egui::Rect::from_min_size(
        rect.min + egui::vec2(margin, margin),
        egui::vec2(side, side),
    );
    let painter = ui.painter_at(rect);
    painter.image(
        tex.id(),
        grid,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
        egui::Color32::WHITE,
    );
    let font = egui::FontId::proportional(cell.clamp(9.0, 13.0));
    let text = egui::Color32::from_rgb(220, 218, 205);
    if labels {
        for (i, (piece, &id)) in h.texts.iter().zip(&h.ids).enumerate() {
            let label = shown_token(piece, id);
            let y = grid.top() + (i as f32 + 0.5) * cell;
            let colour = if selected == Some(i) {
                egui::Color32::from_rgb(255, 220, 90)
            } else {
                text
            };
            // rows: the query token, right-aligned before the grid
            painter.text(
                egui::pos2(grid.left() - 4.0, y),
                egui::Align2::RIGHT_CENTER,
                &label,
                font.clone(),
                colour,
            );
            // columns: the key token, written upwards above the grid
            let galley = painter.layout_no_wrap(label, font.clone(), colour);
            let x = grid.left() + (i as f32 + 0.5) * cell - galley.size().y / 2.0;
            painter.add(
                egui::epaint::TextShape::new(egui::pos2(x, grid.top() - 4.0), galley, colour)
                    .with_angle(-std::f32::consts::FRAC_PI_2),
            );
        }
    }
    let pos = response.hover_pos()?;
    if !grid.contains(pos) {
        return None;
    }
    let q = (((pos.y - grid.top()) / cell) as usize).min(n - 1);
    let k = (((pos.x - grid.left()) / cell) as usize).min(n - 1);
    painter.rect_stroke(
        egui::Rect::from_min_size(
            grid.min + egui::vec2(k as f32 * cell, q as f32 * cell),
            egui::vec2(cell, cell),
        ),
        0.0,
        egui::Stroke::new(1.5, egui::Color32::WHITE),
        egui::StrokeKind::Outside,
    );
    let piece = |i: usize| shown_token(&h.texts[i], h.ids[i]);
    let tip = if k > q {
        format!(
            "token {q} {} cannot read token {k} {}: it comes later (masked)",
            piece(q),
            piece(k)
        )
    } else {
        format!(
            "token {q} {} reads token {k} {} with weight {:.3}",
            piece(q),
            piece(k),
            h.weight(layer, head, q, k)
        )
    };
    response.on_hover_text_at_pointer(tip);
    (k <= q).then_some((layer, head, q, k))
}

/// Every head as a thumbnail, layers as rows; returns the head clicked.
fn thumbnails(
    ui: &mut egui::Ui,
    images: &[Vec<egui::TextureHandle>],
    selected: Option<(usize, usize)>,
) -> Option<(usize, usize)> {
    let mut clicked = None;
    egui::Grid::new("model-view-grid").show(ui, |ui| {
        for (l, row) in images.iter().enumerate() {
            ui.label(format!("layer {l}"));
            for (hd, tex) in row.iter().enumerate() {
                let size = egui::vec2(56.0, 56.0);
                let image = egui::Image::new((tex.id(), size)).sense(egui::Sense::click());
                let r = ui.add(image).on_hover_text(format!("layer {l}, head {hd}"));
                if selected == Some((l, hd)) {
                    ui.painter().rect_stroke(
                        r.rect,
                        0.0,
                        egui::Stroke::new(2.0, egui::Color32::from_rgb(255, 220, 90)),
                        egui::StrokeKind::Outside,
                    );
                }
                if r.clicked() {
                    clicked = Some((l, hd));
                }
            }
            ui.end_row();
        }
    });
    clicked
}
