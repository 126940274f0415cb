//! Inside the booth: for the selected head and token, its query, every earlier token's key and
//! value as strips of colour, the raw score row (q·k, then ÷ sqrt(head size), the future masked)
//! beside the softmax weights, and the weighted sum of values that leaves the booth. The floor keeps
//! only the ln_1 rows and the weights; q, k and v are recomputed by the model from those rows.
//! Its text comes from the message catalogue (`booth-*`).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::Engine;
use crate::model::Gpt;
use crate::model::tokenizer::shown_token;
use crate::playback::history::History;
use crate::playback::{Floor, Selection};
use crate::scene::palette;
use crate::tr;

/// At most this many keys are listed (the strongest, in order); the sum uses them all.
pub const SHOWN_KEYS: usize = 16;

/// What happens in one booth for one query token.
#[derive(Debug, Clone, PartialEq)]
pub struct Inside {
    /// The query token's position.
    pub query: usize,
    /// Its query vector (head size numbers).
    pub q: Vec<f32>,
    /// The key and value of every token it may read (0..=query).
    pub keys: Vec<Vec<f32>>,
    /// Their values.
    pub values: Vec<Vec<f32>>,
    /// q·k for each key.
    pub dots: Vec<f32>,
    /// q·k / sqrt(head size).
    pub scaled: Vec<f32>,
    /// The softmax of the scaled scores over the keys up to the query (later ones are masked).
    pub weights: Vec<f32>,
    /// Σ weight · value: this head's output for the query token.
    pub out: Vec<f32>,
}

/// Recomputes the booth's insides for `query` from the floor's ln_1 rows and the model's weights.
pub fn inside(h: &History, gpt: &Gpt, layer: usize, head: usize, query: usize) -> Option<Inside> {
    let rows: Vec<&[f32]> = h
        .layers
        .get(layer)?
        .ln_1
        .iter()
        .take(query + 1)
        .map(Vec::as_slice)
        .collect();
    if rows.len() != query + 1 {
        return None;
    }
    let [qs, keys, values] = gpt.head_qkv(layer, head, &rows).ok()?;
    let q = qs.get(query)?.clone();
    let hs = q.len() as f32;
    let dots: Vec<f32> = keys
        .iter()
        .map(|k| k.iter().zip(&q).map(|(a, b)| a * b).sum())
        .collect();
    let scaled: Vec<f32> = dots.iter().map(|d| d / hs.sqrt()).collect();
    let top = scaled.iter().copied().fold(f32::MIN, f32::max);
    let exps: Vec<f32> = scaled.iter().map(|s| (s - top).exp()).collect();
    let total: f32 = exps.iter().sum();
    let weights: Vec<f32> = exps.iter().map(|e| e / total).collect();
    let mut out = vec![0.0; q.len()];
    for (w, v) in weights.iter().zip(&values) {
        out.iter_mut().zip(v).for_each(|(o, x)| *o += w * x);
    }
    Some(Inside {
        query,
        q,
        keys,
        values,
        dots,
        scaled,
        weights,
        out,
    })
}

/// A vector as a strip of cells, in the factory's colours (scaled to `scale`).
fn strip(ui: &mut egui::Ui, v: &[f32], scale: f32) {
    let cell = (160.0 / v.len().max(1) as f32).clamp(2.0, 6.0);
    let (rect, _) = ui.allocate_exact_size(
        egui::vec2(cell * v.len() as f32, 14.0),
        egui::Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    for (i, &x) in v.iter().enumerate() {
        let [r, g, b, _] = palette::value_rgba(x, scale);
        let min = rect.min + egui::vec2(i as f32 * cell, 0.0);
        painter.rect_filled(
            egui::Rect::from_min_size(min, egui::vec2(cell, 14.0)),
            0.0,
            egui::Color32::from_rgb(r, g, b),
        );
    }
}

/// What the window was computed for: (floor version, model, layer, head, token).
type BoothKey = (u64, usize, usize, usize, usize);

/// The window, when a head and a token are selected.
pub(super) fn draw_booth(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    floor: Res<Floor>,
    selection: Res<Selection>,
    engine: Option<Res<Engine>>,
    mut cache: Local<Option<(BoothKey, Inside)>>,
    lang: Res<Lang>,
) -> Result {
    // `l` is the layer here, so the language keeps its own name
    let lang = *lang;
    let ctx = contexts.ctx_mut()?;
    let h = &floor.history;
    let (Some(engine), Some((l, hd)), Some(t)) = (engine, selection.head, selection.token) else {
        return Ok(());
    };
    if ui_state.hidden || ui_state.recording || t >= h.len() {
        return Ok(());
    }
    let key = (
        floor.version,
        std::sync::Arc::as_ptr(&engine.0) as usize,
        l,
        hd,
        t,
    );
    if cache.as_ref().is_none_or(|(k, _)| *k != key) {
        *cache = inside(h, &engine.0.gpt, l, hd, t).map(|i| (key, i));
    }
    let Some((_, inn)) = cache.as_ref() else {
        return Ok(());
    };
    let tok = |i: usize| {
        format!(
            "\u{ab}{}\u{bb}",
            shown_token(h.texts.get(i).map_or("", String::as_str), h.ids[i])
        )
    };
    let scale = palette::board_scale(inn.keys.iter().chain(&inn.values).flatten().chain(&inn.q));
    let hs = inn.q.len();
    // the strongest keys, listed in the order of the text
    let mut shown: Vec<usize> = (0..inn.weights.len()).collect();
    shown.sort_by(|&a, &b| inn.weights[b].total_cmp(&inn.weights[a]));
    shown.truncate(SHOWN_KEYS);
    shown.sort_unstable();
    egui::Window::new(tr!(lang, "booth-title", layer = l, head = hd))
        .id(egui::Id::new("inside-booth"))
        .default_pos([340.0, 60.0])
        .default_open(true)
        .show(ctx, |ui| {
            ui.horizontal(|ui| {
                ui.label(tr!(lang, "booth-query", token = tok(t), n = hs));
                strip(ui, &inn.q, scale);
            });
            ui.label(tr!(
                lang,
                "booth-explain",
                size = hs,
                n = inn.weights.len(),
                token = tok(t)
            ));
            egui::Grid::new("inside-booth-grid")
                .striped(true)
                .show(ui, |ui| {
                    for h in [
                        tr!(lang, "booth-col-token"),
                        tr!(lang, "booth-col-key"),
                        "q·k".to_string(),
                        "÷ sqrt".to_string(),
                        tr!(lang, "booth-col-weight"),
                        tr!(lang, "booth-col-value"),
                    ] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for &j in &shown {
                        ui.label(tok(j));
                        strip(ui, &inn.keys[j], scale);
                        ui.label(format!("{:+.3}", inn.dots[j]));
                        ui.label(format!("{:+.3}", inn.scaled[j]));
                        ui.label(format!("{:.3}", inn.weights[j]));
                        strip(ui, &inn.values[j], scale);
                        ui.end_row();
                    }
                });
            if shown.len() < inn.weights.len() {
                ui.label(tr!(
                    lang,
                    "booth-listed",
                    shown = shown.len(),
                    all = inn.weights.len()
                ));
            }
            ui.horizontal(|ui| {
                ui.label(tr!(lang, "booth-out"));
                strip(ui, &inn.out, scale);
            });
            if floor
                .ablations
                .contains(crate::model::Ablation::Head(l, hd))
            {
                ui.label(tr!(lang, "booth-ablated"));
            }
        });
    Ok(())
}
