//! Attention heatmaps (BertViz's head and model views, from the real weights): the selected head's
//! weights as a grid (rows = the query token, columns = the key token it reads, the masked future
//! greyed), where hovering a cell lights that beam in the hall; and every head of every layer as a
//! thumbnail, where a click selects the head and flies to its booth. Its text comes from the
//! message catalogue (`heatmap-*`).

use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::job::Job;
use super::state::UiState;
use crate::camera::FocusStation;
use crate::i18n::Lang;
use crate::inference::{Blocking, Engine};
use crate::model::heads::Role;
use crate::model::tokenizer::shown_token;
use crate::playback::history::History;
use crate::playback::roles::HeadRoles;
use crate::playback::{Floor, HoveredPair, Selection};
use crate::scene::CurrentLayout;
use crate::scene::attention_map::{head_pixels, heatmap_side};
use crate::scene::beams::BeamHover;
use crate::scene::layout::{StationKind, role_tag, role_text};
use crate::tr;

/// Head textures, made when first shown after the floor changed (not every head on every token).
#[derive(Resource, Default)]
pub(super) struct HeadImages {
    made_for: Option<u64>,
    /// `(layer, head)` -> its picture of the current floor.
    images: std::collections::HashMap<(usize, usize), egui::TextureHandle>,
}

impl HeadImages {
    /// The texture of (`layer`, `head`) for the floor, made now if missing.
    fn get(
        &mut self,
        ctx: &egui::Context,
        floor: &Floor,
        layer: usize,
        head: usize,
    ) -> Option<egui::TextureHandle> {
        if self.made_for != Some(floor.version) {
            self.made_for = Some(floor.version);
            self.images.clear();
        }
        let h = &floor.history;
        if h.is_empty() || h.layers.get(layer)?.attention.get(head).is_none() {
            return None;
        }
        let tex = self
            .images
            .entry((layer, head))
            .or_insert_with(|| head_texture(ctx, h, layer, head, &format!("attn-{layer}-{head}")));
        Some(tex.clone())
    }
}

/// The picture of (`layer`, `head`)'s weights on floor `h`, as an egui texture named `name`.
pub(super) fn head_texture(
    ctx: &egui::Context,
    h: &History,
    layer: usize,
    head: usize,
    name: &str,
) -> egui::TextureHandle {
    let side = heatmap_side(h.len());
    let img = egui::ColorImage::from_rgba_unmultiplied([side, side], &head_pixels(h, layer, head));
    ctx.load_texture(name, img, egui::TextureOptions::NEAREST)
}

/// One query row's raw scores, computed on the task pool for (floor version, model, layer, head,
/// query): a long prompt's row is millions of products, too many for a frame.
type ScoresFor = Job<(u64, usize, usize, usize, usize), Option<Vec<f32>>>;

/// Where the heads' pictures and a row's raw scores come from: the engine (for the scores, when
/// one is loaded) and this system's caches of both.
#[derive(SystemParam)]
pub(super) struct HeadSources<'w, 's> {
    engine: Option<Res<'w, Engine>>,
    images: Local<'s, HeadImages>,
    scores: Local<'s, ScoresFor>,
    blocking: Option<Res<'w, Blocking>>,
    roles: Res<'w, HeadRoles>,
}

/// What is picked and pointed at, shared with the hall: the selected head and token, the grid
/// cell under the pointer (lit as a beam in the hall) and the beam under the pointer in the hall.
#[derive(SystemParam)]
pub(super) struct Pointing<'w> {
    selection: ResMut<'w, Selection>,
    hovered: ResMut<'w, HoveredPair>,
    beam_hover: Res<'w, BeamHover>,
}

/// The way to a head's booth: the hall's layout and the camera's flight requests.
#[derive(SystemParam)]
pub(super) struct FlyToBooth<'w> {
    layout: Option<Res<'w, CurrentLayout>>,
    focus: MessageWriter<'w, FocusStation>,
}

/// The selected head's heatmap (when a head is selected) and the model view (when opened).
pub(super) fn draw_heatmaps(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    floor: Res<Floor>,
    mut pointing: Pointing,
    mut sources: HeadSources,
    mut fly: FlyToBooth,
    lang: Res<Lang>,
) -> Result {
    // `l` is the layer here, so the language keeps its own name
    let lang = *lang;
    let ctx = contexts.ctx_mut()?;
    let mut now_hovered = None;
    if !ui_state.recording && !ui_state.hidden && !ui_state.stage && !floor.history.is_empty() {
        now_hovered = selected_head_window(ctx, &floor, &mut sources, &pointing, lang);
        if ui_state.model_view {
            let (images, roles) = (&mut sources.images, &*sources.roles);
            let selection = &mut pointing.selection;
            model_view_window(ctx, &floor, (images, roles), selection, &mut fly, lang);
        }
    }
    if pointing.hovered.0 != now_hovered {
        pointing.hovered.0 = now_hovered;
    }
    Ok(())
}

/// The selected head's weights as a grid, at the foot of the right column (nothing while no head
/// is selected); returns the (layer, head, query, key) under the pointer, if any.
fn selected_head_window(
    ctx: &egui::Context,
    floor: &Floor,
    sources: &mut HeadSources,
    pointing: &Pointing,
    lang: Lang,
) -> Option<(usize, usize, usize, usize)> {
    let h = &floor.history;
    let head_size = sources
        .engine
        .as_ref()
        .map_or(1, |e| e.0.config.n_embd / e.0.config.n_head.max(1));
    let (l, hd) = pointing.selection.head?;
    let window = super::dock::window(ctx, super::dock::Tab::Head, "heatmap")?;
    let tex = sources.images.get(ctx, floor, l, hd)?;
    let mut now_hovered = None;
    window.show(ctx, |ui| {
        let engine = sources.engine.as_deref();
        let blocking = sources.blocking.is_some();
        let scores = &mut *sources.scores;
        let mut explain = |q: usize| -> Option<Vec<f32>> {
            let engine = engine?;
            let key = (floor.version, Arc::as_ptr(&engine.0) as usize, l, hd, q);
            let found = scores.get(key, blocking, || {
                let model = engine.0.clone();
                let rows = h.ln_1_up_to(l, q);
                move || {
                    let rows = rows?;
                    let keys: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
                    model.gpt.head_scores(l, hd, rows.last()?, &keys).ok()
                }
            });
            found.ready().cloned().flatten()
        };
        let beam = pointing
            .beam_hover
            .0
            .filter(|b| (b.layer, b.head) == (l, hd))
            .map(|b| (b.query, b.key));
        let view = HeadGrid {
            h,
            tex: &tex,
            layer: l,
            head: hd,
            selected: pointing.selection.token,
            head_size,
            beam,
        };
        now_hovered = grid(ui, &view, &mut explain, lang, 300.0);
    });
    now_hovered
}

/// The model view: every head of every layer as a thumbnail, where a click selects the head and
/// flies to its booth (a tab of the side panel, closed with its ×). A head with a clear role in
/// general (`heads.json`) has it written under its picture. (`selection` stays a `ResMut`, so it is
/// marked changed only on a click.)
fn model_view_window(
    ctx: &egui::Context,
    floor: &Floor,
    (images, roles): (&mut HeadImages, &HeadRoles),
    selection: &mut ResMut<Selection>,
    fly: &mut FlyToBooth,
    lang: Lang,
) {
    let h = &floor.history;
    let Some(window) = super::dock::window(ctx, super::dock::Tab::ModelView, "model-view") else {
        return;
    };
    window.show(ctx, |ui| {
        let shape = h
            .layers
            .iter()
            .map(|l| l.attention.len())
            .collect::<Vec<_>>();
        if roles.roles.iter().any(|r| r.role != Role::Mixed) {
            ui.weak(tr!(lang, "heatmap-roles-legend"));
        }
        let mut texture = |l, hd| images.get(ctx, floor, l, hd);
        let thumbs = Thumbnails {
            heads: &shape,
            roles,
            selected: selection.head,
        };
        let picked = thumbnails(ui, &thumbs, &mut texture, lang);
        if let Some((l, hd)) = picked {
            selection.head = Some((l, hd));
            if let Some(i) = fly
                .layout
                .as_ref()
                .and_then(|lay| lay.0.index_of(StationKind::Booth(l, hd)))
            {
                fly.focus.write(FocusStation(i));
            }
        }
    });
}

/// The raw scores of one query's row (keys 0..=query), recomputed by the model on demand.
type Explain<'a> = &'a mut dyn FnMut(usize) -> Option<Vec<f32>>;

/// One head's attention as [`grid`] draws it: the floor, its picture and what to mark on it.
pub(super) struct HeadGrid<'a> {
    /// The floor whose weights are shown (token pieces on both axes).
    pub(super) h: &'a History,
    /// The head's picture of that floor, from [`head_texture`].
    pub(super) tex: &'a egui::TextureHandle,
    /// The head's layer.
    pub(super) layer: usize,
    /// The head, within its layer.
    pub(super) head: usize,
    /// The selected token, whose labels are highlighted.
    pub(super) selected: Option<usize>,
    /// The head's size (n_embd / n_head), the `hs` in the score's q·k/sqrt(hs).
    pub(super) head_size: usize,
    /// The beam under the pointer in the hall, as (query, key), marked on its cell.
    pub(super) beam: Option<(usize, usize)>,
}

/// The grid with token pieces on both axes; returns the pair under the pointer, if any. Hovering a
/// cell explains its weight: the score q·k/sqrt(hs) and the softmax over the row, with numbers.
pub(super) fn grid(
    ui: &mut egui::Ui,
    view: &HeadGrid,
    explain: Explain,
    l: Lang,
    size: f32,
) -> Option<(usize, usize, usize, usize)> {
    let h = view.h;
    let n = h.len();
    // a long floor shrinks cells below a pixel (the texture pools them); the grid stays `size` px
    let cell = (size / n as f32).min(22.0);
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
        view.tex.id(),
        grid,
        egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
        egui::Color32::WHITE,
    );
    if labels {
        axis_labels(&painter, h, grid, cell, view.selected);
    }
    // the beam under the pointer in the hall: its cell (query row, key column)
    if let Some((q, k)) = view.beam.filter(|&(q, k)| q < n && k < n) {
        mark_cell(&painter, grid, cell, q, k);
    }
    let pos = response.hover_pos()?;
    if !grid.contains(pos) {
        return None;
    }
    let q = (((pos.y - grid.top()) / cell) as usize).min(n - 1);
    let k = (((pos.x - grid.left()) / cell) as usize).min(n - 1);
    mark_cell(&painter, grid, cell, q, k);
    response.on_hover_text_at_pointer(cell_tip(view, explain, q, k, l));
    (k <= q).then_some((view.layer, view.head, q, k))
}

/// The token pieces along the grid `grid` (cells `cell` wide): the query tokens before the rows,
/// the key tokens above the columns, the `selected` token's in gold.
fn axis_labels(
    painter: &egui::Painter,
    h: &History,
    grid: egui::Rect,
    cell: f32,
    selected: Option<usize>,
) {
    let font = egui::FontId::proportional(cell.clamp(9.0, 13.0));
    let text = egui::Color32::from_rgb(220, 218, 205);
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

/// A white frame around the cell (query `q` row, key `k` column), at least 4 px wide.
fn mark_cell(painter: &egui::Painter, grid: egui::Rect, cell: f32, q: usize, k: usize) {
    let side = cell.max(4.0);
    painter.rect_stroke(
        egui::Rect::from_center_size(
            grid.min + egui::vec2((k as f32 + 0.5) * cell, (q as f32 + 0.5) * cell),
            egui::vec2(side, side),
        ),
        0.0,
        egui::Stroke::new(1.5, egui::Color32::WHITE),
        egui::StrokeKind::Outside,
    );
}

/// The hovered cell's tooltip: masked (a key after its query), or the weight it reads, explained
/// with the row's raw scores and softmax when `explain` has them.
fn cell_tip(view: &HeadGrid, explain: Explain, q: usize, k: usize, l: Lang) -> String {
    let h = view.h;
    let piece = |i: usize| shown_token(&h.texts[i], h.ids[i]);
    if k > q {
        return tr!(
            l,
            "heatmap-masked",
            q = q,
            query = piece(q),
            k = k,
            key = piece(k)
        );
    }
    let mut tip = tr!(
        l,
        "heatmap-reads",
        q = q,
        query = piece(q),
        k = k,
        key = piece(k),
        weight = format!("{:.3}", h.weight(view.layer, view.head, q, k))
    );
    if let Some(s) = explain(q).filter(|s| k < s.len()) {
        let top = s.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let z: f32 = s.iter().map(|&x| (x - top).exp()).sum();
        let e = (s[k] - top).exp();
        let score = tr!(
            l,
            "heatmap-score",
            size = view.head_size,
            score = format!("{:.3}", s[k]),
            top = format!("{top:.3}")
        );
        let weight = tr!(l, "heatmap-weight-formula", n = s.len(), q = q);
        tip.push_str(&format!(
            "\n{score}\n{weight}\n= {e:.4} / {z:.4} = {:.3}",
            e / z
        ));
    }
    tip
}

/// What the model view's grid shows: the heads per layer, their roles, the selected head.
struct Thumbnails<'a> {
    heads: &'a [usize],
    roles: &'a HeadRoles,
    selected: Option<(usize, usize)>,
}

/// Every head as a thumbnail, layers as rows, a clear role's word under its picture (the whole
/// role line on hover); returns the head clicked.
fn thumbnails(
    ui: &mut egui::Ui,
    view: &Thumbnails,
    texture: &mut impl FnMut(usize, usize) -> Option<egui::TextureHandle>,
    lang: Lang,
) -> Option<(usize, usize)> {
    let (heads, selected) = (view.heads, view.selected);
    let mut clicked = None;
    let grid = egui::ScrollArea::both().max_height(560.0).max_width(800.0);
    grid.show(ui, |ui| {
        egui::Grid::new("model-view-grid").show(ui, |ui| {
            for (l, &n_head) in heads.iter().enumerate() {
                ui.label(tr!(lang, "heatmap-layer", layer = l));
                for hd in 0..n_head {
                    let role = view.roles.of(l, hd);
                    let tag = role.and_then(|r| role_tag(lang, r.role));
                    let size = egui::vec2(60.0, 56.0 + if tag.is_some() { 16.0 } else { 0.0 });
                    let (cell, r) = ui.allocate_exact_size(size, egui::Sense::click());
                    let rect = egui::Rect::from_min_size(cell.min, egui::vec2(56.0, 56.0));
                    // only the thumbnails scrolled into view are made
                    if ui.is_rect_visible(rect)
                        && let Some(tex) = texture(l, hd)
                    {
                        let uv =
                            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
                        ui.painter().image(tex.id(), rect, uv, egui::Color32::WHITE);
                    }
                    if let Some(tag) = &tag {
                        ui.painter().text(
                            egui::pos2(rect.center().x, rect.bottom() + 1.0),
                            egui::Align2::CENTER_TOP,
                            tag,
                            egui::FontId::proportional(12.0),
                            ui.visuals().text_color(),
                        );
                    }
                    let mut hover = tr!(lang, "heatmap-head", layer = l, head = hd);
                    if let Some(role) = role {
                        hover = format!("{hover}\n{}", role_text(lang, role));
                    }
                    let r = r.on_hover_text(hover);
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
        })
    });
    clicked
}
