//! The position room, as a window (P): the learned position table `wpe` (a row per position, a
//! column per dimension), the original paper's sinusoidal table beside it, and how alike the learned
//! positions are (cosine between every pair: nearby positions look alike). Its text comes from the
//! message catalogue (`positions-*`).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::job::{ArcKey, Job};
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Blocking, Engine};
use crate::model::LoadedModel;
use crate::model::positions::{cosine_matrix, sinusoidal};
use crate::scene::palette;
use crate::tr;

/// The three tables' numbers: computed on the task pool once per model (the cosine of every pair of
/// positions is a billion products for GPT-2's 1024 positions).
struct Numbers {
    wpe: Vec<f32>,
    scale: f32,
    sines: Vec<f32>,
    alike: Vec<f32>,
}

/// The three pictures, made once per model.
#[derive(Default)]
pub(super) struct Tables {
    numbers: Job<ArcKey, Result<Numbers, String>>,
    pictures: Option<(ArcKey, [egui::TextureHandle; 3])>,
}

impl Numbers {
    fn of(model: &LoadedModel) -> Result<Self, String> {
        let (n, d) = (model.config.n_positions, model.config.n_embd);
        let wpe = model.gpt.position_embeddings().map_err(|e| e.to_string())?;
        Ok(Self {
            scale: palette::board_scale(wpe.iter()),
            sines: sinusoidal(n, d),
            alike: cosine_matrix(&wpe, n, d),
            wpe,
        })
    }

    fn pictures(&self, ctx: &egui::Context, n: usize, d: usize) -> [egui::TextureHandle; 3] {
        [
            texture(ctx, "wpe", &self.wpe, d, n, self.scale),
            texture(ctx, "sinusoidal", &self.sines, d, n, 1.0),
            texture(ctx, "wpe-cosine", &self.alike, n, n, 1.0),
        ]
    }
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
    ui_state: Res<UiState>,
    engine: Option<Res<Engine>>,
    mut tables: Local<Tables>,
    (lang, blocking): (Res<Lang>, Option<Res<Blocking>>),
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = engine else { return Ok(()) };
    if !ui_state.positions_view || ui_state.hidden {
        return Ok(());
    }
    let model = &engine.0;
    let (n, d) = (model.config.n_positions, model.config.n_embd);
    let key = ArcKey(model.clone());
    let mut failed = None;
    if tables.pictures.as_ref().is_none_or(|(k, _)| *k != key) {
        let found = tables.numbers.get(key.clone(), blocking.is_some(), || {
            let model = model.clone();
            move || Numbers::of(&model)
        });
        match found.ready() {
            Some(Ok(v)) => {
                let pictures = v.pictures(ctx, n, d);
                tables.pictures = Some((key.clone(), pictures));
                tables.numbers.clear();
            }
            Some(Err(e)) => failed = Some(e.clone()),
            None => {}
        }
    }
    let pictures = tables
        .pictures
        .as_ref()
        .filter(|(k, _)| *k == key)
        .map(|(_, p)| p);
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Positions, "positions-view")
    else {
        return Ok(());
    };
    window.show(ctx, |ui| {
        ui.label(tr!(l, "positions-intro", d = d, n = n));
        let side = 200.0;
        ui.horizontal(|ui| {
            let titles = [
                tr!(l, "positions-learned"),
                tr!(l, "positions-sines"),
                tr!(l, "positions-cosine"),
            ];
            for (i, title) in titles.into_iter().enumerate() {
                ui.vertical(|ui| {
                    ui.label(title);
                    match pictures {
                        Some(p) => {
                            ui.add(egui::Image::new((p[i].id(), egui::vec2(side, side))));
                        }
                        None => {
                            match &failed {
                                Some(e) => ui.colored_label(egui::Color32::LIGHT_RED, e),
                                None => ui.label(tr!(l, "computing")),
                            };
                        }
                    }
                });
            }
        });
        ui.label(tr!(l, "positions-legend"));
    });
    Ok(())
}
