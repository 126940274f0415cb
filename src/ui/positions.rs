//! The position room, as a window (P): the learned position table `wpe` (a row per position, a
//! column per dimension), the original paper's sinusoidal table beside it, and how alike the learned
//! positions are (cosine between every pair: nearby positions look alike). Its text comes from the
//! message catalogue (`positions-*`).

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::Engine;
use crate::model::LoadedModel;
use crate::model::positions::{cosine_matrix, sinusoidal};
use crate::scene::palette;
use crate::tr;

/// The three pictures, made once per model.
#[derive(Default)]
pub(super) struct Tables {
    made_for: Option<Arc<LoadedModel>>,
    learned: Option<egui::TextureHandle>,
    sines: Option<egui::TextureHandle>,
    alike: Option<egui::TextureHandle>,
}

fn texture(
    ctx: &egui::Context,
    name: &str,
    values: &[f32],
    w: usize,
    h: usize,
    scale: f32,
) -> egui::TextureHandle {
    let px: Vec<u8> = values
        .iter()
        .flat_map(|&v| palette::value_rgba(v, scale))
        .collect();
    ctx.load_texture(
        name,
        egui::ColorImage::from_rgba_unmultiplied([w, h], &px),
        egui::TextureOptions::NEAREST,
    )
}

/// The window, when open.
pub(super) fn draw_positions(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    engine: Option<Res<Engine>>,
    mut tables: Local<Tables>,
    lang: Res<Lang>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = engine else { return Ok(()) };
    if !ui_state.positions_view || ui_state.hidden {
        return Ok(());
    }
    let model = &engine.0;
    let (n, d) = (model.config.n_positions, model.config.n_embd);
    if tables
        .made_for
        .as_ref()
        .is_none_or(|m| !Arc::ptr_eq(m, model))
    {
        let wpe = model.gpt.position_embeddings()?;
        let scale = palette::board_scale(wpe.iter());
        tables.learned = Some(texture(ctx, "wpe", &wpe, d, n, scale));
        tables.sines = Some(texture(ctx, "sinusoidal", &sinusoidal(n, d), d, n, 1.0));
        tables.alike = Some(texture(
            ctx,
            "wpe-cosine",
            &cosine_matrix(&wpe, n, d),
            n,
            n,
            1.0,
        ));
        tables.made_for = Some(model.clone());
    }
    let mut open = true;
    egui::Window::new(tr!(l, "positions-title"))
        .id(egui::Id::new("positions-view"))
        .open(&mut open)
        .default_pos([340.0, 80.0])
        .show(ctx, |ui| {
            ui.label(tr!(l, "positions-intro", d = d, n = n));
            let side = 200.0;
            ui.horizontal(|ui| {
                for (title, tex) in [
                    (tr!(l, "positions-learned"), &tables.learned),
                    (tr!(l, "positions-sines"), &tables.sines),
                    (tr!(l, "positions-cosine"), &tables.alike),
                ] {
                    ui.vertical(|ui| {
                        ui.label(title.as_str());
                        if let Some(t) = tex {
                            ui.add(egui::Image::new((t.id(), egui::vec2(side, side))));
                        }
                    });
                }
            });
            ui.label(tr!(l, "positions-legend"));
        });
    ui_state.positions_view = open;
    Ok(())
}
