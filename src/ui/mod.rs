//! The egui overlay: one file per panel ([`controls`], [`inspector`], [`model_card`], [`help`],
//! [`caption`]), the labels over the scene ([`labels`]) and the keyboard shortcuts ([`shortcuts`]).
//! Errors appear here; the app keeps running.

mod ablations;
mod banner;
mod beam_tip;
pub mod booth;
mod caption;
mod clean_stage;
mod column;
mod compare;
mod controls;
mod cost;
pub mod dock;
mod embedding;
pub mod explain;
pub mod game;
mod grad_tip;
mod hall_map;
pub mod heatmap;
mod help;
mod inspector;
pub mod job;
pub mod kiosk_panel;
pub mod labels;
pub mod layout_file;
pub mod learn;
pub mod learn_job;
mod learn_look;
mod model_card;
mod models;
mod patching;
pub mod placing;
mod plaque_flight;
mod positions;
pub mod routes;
mod save_stop;
mod shortcuts;
mod signs;
mod slim_bar;
mod state;
mod training;
mod value_tip;

use bevy::prelude::*;
use bevy_egui::{EguiPrimaryContextPass, egui};

use crate::schedule::AppSet;
pub use state::{DEFAULT_PROMPT, UiState};

/// Smallest text size in the overlay, in points: readable from a step back.
pub const MIN_TEXT: f32 = 14.0;

/// The window height the overlay is laid out for; a taller window zooms it in proportion.
pub const BASE_HEIGHT: f32 = 720.0;

/// The overlay's zoom for a window `height` logical pixels tall: 1 up to 720, in proportion above
/// (1.5 at 1080, so body text of 14 points is 21 pixels), at most 3 (4K).
pub fn zoom_for(height: f32) -> f32 {
    (height / BASE_HEIGHT).clamp(1.0, 3.0)
}

/// Zooms the overlay with the window: text and panels grow on a large screen.
fn scale_with_window(
    mut contexts: bevy_egui::EguiContexts,
    windows: Query<&Window, With<bevy::window::PrimaryWindow>>,
    mut ui: ResMut<UiState>,
) -> Result {
    let Ok(window) = windows.single() else {
        return Ok(());
    };
    let zoom = zoom_for(window.height());
    if (ui.zoom - zoom).abs() > 0.01 {
        contexts.ctx_mut()?.set_zoom_factor(zoom);
        ui.zoom = zoom;
    }
    Ok(())
}

/// Raises every egui text style to at least [`MIN_TEXT`], once.
fn set_text_sizes(mut contexts: bevy_egui::EguiContexts, mut done: Local<bool>) -> Result {
    if *done {
        return Ok(());
    }
    let ctx = contexts.ctx_mut()?;
    ctx.all_styles_mut(|style| {
        for font in style.text_styles.values_mut() {
            font.size = font.size.max(MIN_TEXT);
        }
    });
    *done = true;
    Ok(())
}

/// The language button: it names the next language in that language ("Deutsch" while English is
/// shown), so a visitor finds their own; large in the kiosk (a touch target of 44 px or more).
pub(crate) fn language_button(ui: &mut egui::Ui, lang: &mut crate::i18n::Lang, large: bool) {
    let next = lang.next();
    let text = egui::RichText::new(format!("🌐 {}", next.name()));
    let button = if large {
        egui::Button::new(text.size(22.0)).min_size(egui::vec2(160.0, TOUCH_TARGET))
    } else {
        egui::Button::new(text)
    };
    if ui.add(button).clicked() {
        *lang = next;
    }
}

/// The colour scale, from negative to positive.
pub(super) fn legend(ui: &mut egui::Ui, l: crate::i18n::Lang) {
    for v in [-1.0f32, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0] {
        let [r, g, b, _] = crate::scene::palette::value_rgba(v, 1.0);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter()
            .rect_filled(rect, 2.0, egui::Color32::from_rgb(r, g, b));
        if v < 0.0 {
            // the boards' second cue for the sign: negative cells are dotted
            let dark = egui::Color32::from_rgb(r / 4, g / 4, b / 4);
            ui.painter().circle_filled(rect.center(), 2.5, dark);
        }
    }
    ui.label(crate::tr!(l, "legend"));
}

/// The key to the crates' surprise gauges: a pink swatch (the gauge's colour as drawn) and what it means, in `size`-point text.
pub(super) fn surprise_legend(ui: &mut egui::Ui, l: crate::i18n::Lang, size: f32) {
    ui.horizontal_wrapped(|ui| {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(8.0, 14.0), egui::Sense::hover());
        ui.painter()
            .rect_filled(rect, 1.0, egui::Color32::from_rgb(255, 176, 255));
        ui.label(
            egui::RichText::new(crate::tr!(l, "legend-surprise"))
                .size(size)
                .weak(),
        );
    });
}

/// The smallest side of anything a kiosk visitor touches, in points.
pub const TOUCH_TARGET: f32 = 48.0;

/// Overlay systems (need a window and egui), drawn in this order each frame.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<UiState>()
        .init_resource::<dock::DockState>()
        .init_resource::<game::Game>()
        .init_resource::<learn::Learning>()
        .init_resource::<routes::RouteTab>()
        .init_resource::<labels::PlaqueSeen>()
        .add_systems(
            EguiPrimaryContextPass,
            (
                scale_with_window,
                set_text_sizes,
                labels::draw_world_labels,
                banner::draw_banner,
                controls::draw_controls,
                kiosk_panel::draw_kiosk_panel,
                dock::draw_dock,
                inspector::draw_inspector,
                heatmap::draw_heatmaps,
                booth::draw_booth,
                (
                    cost::draw_cost,
                    compare::draw_compare,
                    game::draw_game,
                    learn::draw_learn,
                    routes::draw_routes,
                )
                    .chain(),
                positions::draw_positions,
                embedding::draw_embedding,
                training::draw_training,
                help::draw_help,
                caption::draw_caption,
                hall_map::draw_hall_map,
                (
                    beam_tip::draw_beam_tip,
                    routes::draw_route_tip,
                    value_tip::draw_value_tip,
                    grad_tip::draw_grad_tip,
                )
                    .chain(),
            )
                .chain()
                // one machine alone for its picture: no overlay at all
                .run_if(not(resource_exists::<crate::scene::silhouette::Silhouette>)),
        );
    app.add_systems(
        Update,
        (
            shortcuts::keyboard_shortcuts
                .run_if(not(bevy_egui::input::egui_wants_any_keyboard_input)),
            shortcuts::open_room_windows,
            (
                clean_stage::clean_stage,
                shortcuts::tour_room_windows,
                game::play_tour_round,
                learn::learn_on_tour,
            )
                .chain(),
            save_stop::save_tour_stop,
            save_stop::export_floor_json,
            layout_file::remember_layout,
            game::end_game_on_attract,
            (
                learn::poll_learning,
                learn::end_learning,
                learn::show_backward,
                learn::share_true_next,
            )
                .chain(),
            routes::light_route,
            caption::ease_caption_shift,
        )
            .chain()
            .in_set(AppSet::Input),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_overlay_grows_with_the_window_from_720_lines_on() {
        let zoom = super::zoom_for;
        assert_eq!((zoom(600.0), zoom(720.0)), (1.0, 1.0));
        // body text of MIN_TEXT points: 21 pixels at 1080p (18 asked), 42 at 4K
        assert_eq!(zoom(1080.0) * super::MIN_TEXT, 21.0);
        assert_eq!(zoom(2160.0), 3.0);
        assert_eq!(zoom(4320.0), 3.0, "at most three times");
    }
}
