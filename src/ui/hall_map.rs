//! "You are here": a strip along the bottom of the view with every station of the hall as a small
//! block (coloured by kind, a gap between layers), the point the camera looks at as a marker, and a
//! click on a block to fly there. For halls longer than the screen (every model's is).

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::camera::{FocusStation, Orbit};
use crate::i18n::Lang;
use crate::scene::CurrentLayout;
use crate::scene::layout::{Layout, StationKind};
use crate::tour::TourPlayer;

/// Width of the map, points.
const WIDTH: f32 = 560.0;

/// Its width during a tour, in the top right corner the sentence banner leaves free.
const TOUR_WIDTH: f32 = 280.0;

/// Where station `i`'s block sits along the map (0..1), by its place along the hall.
pub fn map_x(layout: &Layout, x: f32) -> f32 {
    (x / layout.length().max(1.0)).clamp(0.0, 1.0)
}

fn colour(kind: StationKind) -> egui::Color32 {
    use crate::scene::palette::{ATTENTION, DOCK, FFN_STEEL, NORM_TEAL, PRESS_TAUPE, srgb8};
    let c = |rgb: [f32; 3]| {
        let [r, g, b] = srgb8(rgb);
        egui::Color32::from_rgb(r, g, b)
    };
    // each role's own hue, as its machine in the hall; amber and cyan are the values' only
    match kind {
        StationKind::Dock | StationKind::Shipping => c(DOCK),
        StationKind::Embedding | StationKind::Position => c(PRESS_TAUPE),
        StationKind::NormAttn(_) | StationKind::NormFfn(_) | StationKind::FinalNorm => c(NORM_TEAL),
        StationKind::Booth(..) => c(ATTENTION.map(|v| v * 0.75)),
        StationKind::Merge(_) => egui::Color32::from_gray(80),
        StationKind::Ffn(_) => c(FFN_STEEL),
    }
}

/// The hall's layout (when one is built) and the camera whose focus the map marks.
#[derive(SystemParam)]
pub(super) struct HallAndCamera<'w, 's> {
    layout: Option<Res<'w, CurrentLayout>>,
    cameras: Query<'w, 's, &'static Orbit>,
}

/// The map: at the bottom, and during a tour (whose caption has the bottom) at the top right, where
/// the inspector is put away; not in a recording or the kiosk.
pub(super) fn draw_hall_map(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    hall: HallAndCamera,
    tour: Res<TourPlayer>,
    mut focus: MessageWriter<FocusStation>,
    lang: Res<Lang>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let (Some(layout), Ok(orbit)) = (hall.layout, hall.cameras.single()) else {
        return Ok(());
    };
    if ui_state.hidden || ui_state.recording || ui_state.simple {
        return Ok(());
    }
    let l = &layout.0;
    let gap = super::column::GAP;
    let (anchor, offset, width) = if tour.active {
        // the room the sentence banner leaves at the top right (the inspector's, put away)
        (
            egui::Align2::RIGHT_TOP,
            [-gap - ui_state.dock_width, gap],
            TOUR_WIDTH,
        )
    } else {
        // centred in the bottom edge the panels leave free, and narrowed to fit it
        let (left, right) = super::column::free_span(ctx, &ui_state);
        let width = (right - left - 2.0 * gap - 20.0).clamp(160.0, WIDTH);
        let centre = (left + right) / 2.0 - ctx.viewport_rect().center().x;
        (egui::Align2::CENTER_BOTTOM, [centre, -gap], width)
    };
    egui::Area::new(egui::Id::new("hall-map"))
        .anchor(anchor, offset)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    ui.label(crate::tr!(
                        *lang,
                        "hall-map",
                        stations = l.stations.len(),
                        layers = l.shape.n_layer
                    ));
                    // the marker's key beside the title (the blocks' under the strip)
                    if !tour.active {
                        ui.add_space(8.0);
                        marker_key(ui, *lang);
                    }
                });
                let (rect, response) =
                    ui.allocate_exact_size(egui::vec2(width, 22.0), egui::Sense::click());
                let painter = ui.painter_at(rect);
                paint_stations(&painter, rect, l);
                // where the camera looks (in the yard before the dock: at the map's left end)
                paint_camera_marker(ui, &painter, rect, map_pos(rect, l, orbit.focus.x));
                ui.add_space(8.0);
                fly_on_click(&response, rect, l, &mut focus);
                name_on_hover(&response, rect, l, *lang);
                // what the blocks' colours are (a reviewer asked; not in a tour's narrow corner)
                if !tour.active {
                    key(ui, *lang, width);
                }
            });
        });
    Ok(())
}

/// The marker's triangle, as under the strip (the font has no ▲), and "you are here".
fn marker_key(ui: &mut egui::Ui, lang: Lang) {
    let (r, _) = ui.allocate_exact_size(egui::vec2(12.0, 10.0), egui::Sense::hover());
    ui.painter().add(egui::Shape::convex_polygon(
        vec![r.center_top(), r.left_bottom(), r.right_bottom()],
        egui::Color32::WHITE,
        egui::Stroke::NONE,
    ));
    ui.label(crate::tr!(lang, "hall-key-here"));
}

/// The map's key: a swatch per kind of block with its name, in rows no wider than the map
/// (`width` points; one row in English from 1280 × 720 up).
fn key(ui: &mut egui::Ui, lang: Lang, width: f32) {
    let entries = [
        (StationKind::Dock, "hall-key-docks"),
        (StationKind::Embedding, "hall-key-press"),
        (StationKind::NormAttn(0), "hall-key-norms"),
        (StationKind::Booth(0, 0), "hall-key-booths"),
        (StationKind::Merge(0), "hall-key-merge"),
        (StationKind::Ffn(0), "hall-key-ffn"),
    ];
    let texts = entries.map(|(_, k)| crate::tr!(lang, k));
    let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = 0.0;
    for (i, t) in texts.iter().enumerate() {
        let w = super::column::body_width(ui, t.clone()) + 26.0;
        if used + w > width && !rows.last().is_some_and(Vec::is_empty) {
            rows.push(Vec::new());
            used = 0.0;
        }
        used += w;
        if let Some(r) = rows.last_mut() {
            r.push(i);
        }
    }
    for row in rows {
        ui.horizontal(|ui| {
            ui.spacing_mut().item_spacing.x = 4.0;
            for i in row {
                let (r, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
                ui.painter().rect_filled(r, 1.0, colour(entries[i].0));
                ui.label(texts[i].clone());
                ui.add_space(6.0);
            }
        });
    }
}

/// The screen x of hall position `x` on the map strip `rect`.
fn map_pos(rect: egui::Rect, l: &Layout, x: f32) -> f32 {
    rect.left() + map_x(l, x) * rect.width()
}

/// Every station as a block on the strip `rect`, coloured by kind; booths and feed-forwards tall.
fn paint_stations(painter: &egui::Painter, rect: egui::Rect, l: &Layout) {
    for s in &l.stations {
        let (x0, x1) = (
            map_pos(rect, l, s.x - s.depth / 2.0),
            map_pos(rect, l, s.x + s.depth / 2.0),
        );
        let tall = matches!(s.kind, StationKind::Booth(..) | StationKind::Ffn(_));
        let top = if tall {
            rect.top() + 3.0
        } else {
            rect.top() + 8.0
        };
        painter.rect_filled(
            egui::Rect::from_min_max(
                egui::pos2(x0, top),
                egui::pos2(x1.max(x0 + 1.0), rect.bottom() - 3.0),
            ),
            1.0,
            colour(s.kind),
        );
    }
}

/// The camera's marker at screen x `x`: a white triangle under the strip and a line across it.
fn paint_camera_marker(ui: &egui::Ui, painter: &egui::Painter, rect: egui::Rect, x: f32) {
    ui.painter().add(egui::Shape::convex_polygon(
        vec![
            egui::pos2(x, rect.bottom() - 2.0),
            egui::pos2(x - 6.0, rect.bottom() + 8.0),
            egui::pos2(x + 6.0, rect.bottom() + 8.0),
        ],
        egui::Color32::WHITE,
        egui::Stroke::NONE,
    ));
    painter.line_segment(
        [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
        egui::Stroke::new(1.5, egui::Color32::WHITE),
    );
}

/// A click on the strip flies the camera to the station nearest the point clicked.
fn fly_on_click(
    response: &egui::Response,
    rect: egui::Rect,
    l: &Layout,
    focus: &mut MessageWriter<FocusStation>,
) {
    if response.clicked()
        && let Some(p) = response.interact_pointer_pos()
    {
        let along = (p.x - rect.left()) / rect.width() * l.length();
        if let Some((i, _)) = l
            .stations
            .iter()
            .enumerate()
            .min_by(|a, b| (a.1.x - along).abs().total_cmp(&(b.1.x - along).abs()))
        {
            focus.write(FocusStation(i));
        }
    }
}

/// Hovering the strip names the station nearest the pointer.
fn name_on_hover(response: &egui::Response, rect: egui::Rect, l: &Layout, lang: Lang) {
    if let Some(p) = response.hover_pos() {
        let along = (p.x - rect.left()) / rect.width() * l.length();
        if let Some(s) = l
            .stations
            .iter()
            .min_by(|a, b| (a.x - along).abs().total_cmp(&(b.x - along).abs()))
        {
            response.clone().on_hover_text(s.kind.title(lang));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scene::layout::Shape;

    #[test]
    fn stations_keep_their_order_on_the_map() {
        let l = Layout::new(
            Shape {
                n_layer: 12,
                n_head: 12,
            },
            8,
        );
        let xs: Vec<f32> = l.stations.iter().map(|s| map_x(&l, s.x)).collect();
        assert!(xs.windows(2).all(|w| w[0] < w[1]));
        assert!(xs[0] > 0.0 && *xs.last().unwrap() < 1.0);
        // the yard before the dock sits at the map's left end
        assert_eq!(map_x(&l, -40.0), 0.0);
    }
}
