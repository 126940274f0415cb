//! Inside the booth: for the selected head and token, its query, every earlier token's key and
//! value as strips of colour, the raw score row (q·k, then ÷ sqrt(head size), the future masked)
//! beside the softmax weights, and the weighted sum of values that leaves the booth. The floor keeps
//! only the ln_1 rows and the weights; q, k and v are recomputed by the model from those rows.
//! Its text comes from the message catalogue (`booth-*`).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use std::sync::Arc;

use super::job::{Found, Job};
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Blocking, Engine};
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
    let rows = h.ln_1_up_to(layer, query)?;
    inside_rows(&rows, gpt, layer, head)
}

/// The booth's insides for the last of `rows` (ln_1 rows of the tokens 0..=query).
fn inside_rows(rows: &[Vec<f32>], gpt: &Gpt, layer: usize, head: usize) -> Option<Inside> {
    let query = rows.len().checked_sub(1)?;
    let rows: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
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

/// The window, when a head and a token are selected. Its numbers are computed on the task pool once
/// per selection (q, k and v of every earlier token: a long prompt's are millions of products).
pub(super) fn draw_booth(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    floor: Res<Floor>,
    selection: Res<Selection>,
    engine: Option<Res<Engine>>,
    mut job: Local<Job<BoothKey, Option<Inside>>>,
    (lang, blocking): (Res<Lang>, Option<Res<Blocking>>),
) -> Result {
    // `l` is the layer here, so the language keeps its own name
    let lang = *lang;
    let ctx = contexts.ctx_mut()?;
    let h = &floor.history;
    let (Some(engine), Some((l, hd)), Some(t)) = (engine, selection.head, selection.token) else {
        return Ok(());
    };
    if ui_state.hidden || ui_state.recording || ui_state.stage || t >= h.len() {
        return Ok(());
    }
    // a tab of the side panel: computed only while it is shown
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Booth, "inside-booth") else {
        return Ok(());
    };
    let key = (floor.version, Arc::as_ptr(&engine.0) as usize, l, hd, t);
    let found = job.get(key, blocking.is_some(), || {
        let (model, rows) = (engine.0.clone(), h.ln_1_up_to(l, t));
        move || inside_rows(&rows?, &model.gpt, l, hd)
    });
    let inn = match found {
        Found::Ready(Some(inn)) => inn,
        Found::Ready(None) => return Ok(()),
        Found::Computing => {
            window.show(ctx, |ui| ui.label(tr!(lang, "computing")));
            return Ok(());
        }
    };
    let scale = palette::board_scale(inn.keys.iter().chain(&inn.values).flatten().chain(&inn.q));
    let shown = strongest_keys(&inn.weights);
    window.show(ctx, |ui| {
        query_lines(ui, h, inn, t, scale, lang);
        key_table(ui, h, inn, &shown, scale, lang);
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

/// Token `i` of floor `h` as the booth names it, in guillemets.
fn token_name(h: &History, i: usize) -> String {
    format!(
        "\u{ab}{}\u{bb}",
        shown_token(h.texts.get(i).map_or("", String::as_str), h.ids[i])
    )
}

/// The keys listed: the [`SHOWN_KEYS`] strongest by weight, in the order of the text.
fn strongest_keys(weights: &[f32]) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..weights.len()).collect();
    shown.sort_by(|&a, &b| weights[b].total_cmp(&weights[a]));
    shown.truncate(SHOWN_KEYS);
    shown.sort_unstable();
    shown
}

/// The query token `t` and its query vector as a strip, then what the booth does with it.
fn query_lines(ui: &mut egui::Ui, h: &History, inn: &Inside, t: usize, scale: f32, lang: Lang) {
    let hs = inn.q.len();
    ui.horizontal(|ui| {
        ui.label(tr!(lang, "booth-query", token = token_name(h, t), n = hs));
        strip(ui, &inn.q, scale);
    });
    ui.label(tr!(
        lang,
        "booth-explain",
        size = hs,
        n = inn.weights.len(),
        token = token_name(h, t)
    ));
}

/// The table of the `shown` keys: each token, its key, q·k, the scaled score, the weight and its
/// value.
fn key_table(
    ui: &mut egui::Ui,
    h: &History,
    inn: &Inside,
    shown: &[usize],
    scale: f32,
    lang: Lang,
) {
    egui::Grid::new("inside-booth-grid")
        .striped(true)
        .show(ui, |ui| {
            for heading in [
                tr!(lang, "booth-col-token"),
                tr!(lang, "booth-col-key"),
                "q·k".to_string(),
                "÷ sqrt".to_string(),
                tr!(lang, "booth-col-weight"),
                tr!(lang, "booth-col-value"),
            ] {
                ui.strong(heading);
            }
            ui.end_row();
            for &j in shown {
                ui.label(token_name(h, j));
                strip(ui, &inn.keys[j], scale);
                ui.label(format!("{:+.3}", inn.dots[j]));
                ui.label(format!("{:+.3}", inn.scaled[j]));
                ui.label(format!("{:.3}", inn.weights[j]));
                strip(ui, &inn.values[j], scale);
                ui.end_row();
            }
        });
}
