//! Activation patching in the A/B window (`model/patch.rs`): A is the clean prompt, B the corrupted
//! one (the same token length); B runs again with one activation from A's run, for every layer and
//! position (or head), off the main thread with its progress shown and a Cancel button. The grid's
//! cells show how much of the way from B's metric to A's each patch goes (violet, brighter = more;
//! below zero or above one is clamped in colour, never in the numbers, which are on hover). A click
//! on a cell runs that patched B on the floor (the grid stays, its cell outlined, until Back to A).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use bevy_egui::egui;

use super::job::{ArcKey, Job};
use crate::i18n::Lang;
use crate::model::patch::{Metric, PatchGrid, PatchSpec, Site, patch};
use crate::model::{Ablations, LoadedModel};
use crate::playback::history::History;
use crate::tr;

/// What a grid was computed for.
type Key = (ArcKey, Vec<u32>, Vec<u32>, Site, Metric, Ablations);

/// The patching section's own state.
#[derive(Default)]
pub(super) struct PatchView {
    site: Option<Site>,
    /// The metric is A's top token minus B's (else A's top token's probability).
    diff: bool,
    /// The grid asked for (the button).
    asked: Option<Key>,
    job: Job<Key, Result<PatchGrid, String>>,
    /// Runs done of the one in progress, and its total.
    progress: Arc<(AtomicUsize, AtomicUsize)>,
    /// Set by Cancel; the run stops after its current patch.
    stop: Arc<AtomicBool>,
    /// The grid a cell of which is on the floor, kept while the floor shows B (A is then gone
    /// from the floor).
    kept: Option<Kept>,
    /// What a click asked for this frame, for the window to send.
    pub(super) click: Option<Click>,
}

/// A grid kept while one of its cells runs on the floor.
struct Kept {
    grid: PatchGrid,
    shares: Vec<Vec<f64>>,
    words: Vec<String>,
    /// A's text (the floor's again on Back to A) and B's (the floor's while patched).
    texts: (String, String),
    /// What the grid was made for: the model (weights), A's and B's tokens, the site, the metric
    /// and the switched-off parts.
    key: Key,
}

/// A click in the section.
pub(super) enum Click {
    /// Run B on the floor (its text) with this patch.
    Patch(String, PatchSpec),
    /// Put A back on the floor (its text).
    Back(String),
}

/// The highest-probability token of a side's last position.
fn top(h: &History) -> Option<u32> {
    h.logits
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i as u32)
}

/// The section: the site and metric, Patch / Cancel, the progress, the grid; a grid shown is
/// returned (its site and each cell's share of the way from B's metric to A's) for the hall.
pub(super) fn patching_section(
    ui: &mut egui::Ui,
    view: &mut PatchView,
    model: &Arc<LoadedModel>,
    (a, b, abl): (&History, &History, &Ablations),
    (texts, on_floor): ((String, String), Option<&PatchSpec>),
    l: Lang,
) -> Option<(Site, Vec<Vec<f64>>)> {
    ui.separator();
    ui.strong(tr!(l, "patch-title"));
    ui.label(tr!(l, "patch-intro"));
    if let Some(spec) = on_floor {
        return kept_section(ui, view, spec, (ArcKey(model.clone()), abl), l);
    }
    if a.ids.len() != b.ids.len() {
        ui.weak(tr!(l, "patch-lengths", a = a.ids.len(), b = b.ids.len()));
        return None;
    }
    let (ta, tb) = (top(a)?, top(b)?);
    let word = |id: u32| model.tokenizer.token_text(id).trim().to_string();
    let (site, metric) = options(ui, view, (ta, tb), &word, l);
    let key: Key = (
        ArcKey(model.clone()),
        a.ids.clone(),
        b.ids.clone(),
        site,
        metric,
        abl.clone(),
    );
    if view.asked.as_ref().is_some_and(|a| *a != key) {
        // the site, the metric or a prompt changed: that grid is no longer this one
        cancel(view);
    }
    controls(ui, view, &key, l);
    let asked = view.asked.clone()?;
    let (model, progress, stop) = (model.clone(), view.progress.clone(), view.stop.clone());
    let found = view.job.get(asked.clone(), false, move || {
        move || run_grid(&model, asked, &progress, &stop)
    });
    match found.ready() {
        None => {
            progress_bar(ui, view);
            None
        }
        Some(Err(e)) => {
            ui.colored_label(egui::Color32::LIGHT_RED, e);
            None
        }
        Some(Ok(grid)) => {
            let (shares, words) = (shares(grid), model_words(b, &word));
            let clicked = grid_view(ui, (grid, &shares), (site, None), &words, l);
            ui.weak(tr!(l, "patch-hall"));
            if let Some(cell) = clicked {
                let (grid, shares) = (grid.clone(), shares.clone());
                let kept = Kept {
                    grid,
                    shares,
                    words,
                    texts,
                    key,
                };
                keep(view, kept, cell);
            }
            Some((site, shares))
        }
    }
}

/// The grid `asked` for, off the main thread: its progress counted, stopped by `stop`.
fn run_grid(
    model: &LoadedModel,
    asked: Key,
    progress: &(AtomicUsize, AtomicUsize),
    stop: &AtomicBool,
) -> Result<PatchGrid, String> {
    let (_, ids_a, ids_b, site, metric, abl) = asked;
    let mut tick = |done: usize, total: usize| {
        progress.0.store(done, Ordering::Relaxed);
        progress.1.store(total, Ordering::Relaxed);
    };
    let sides = (ids_a.as_slice(), ids_b.as_slice());
    patch(&model.gpt, sides, (site, metric), &abl, &mut tick, stop).map_err(|e| e.to_string())
}

/// A cell clicked: its patched run asked for, the grid kept for while the floor shows it.
fn keep(view: &mut PatchView, kept: Kept, (layer, index): (usize, usize)) {
    let spec = PatchSpec {
        clean: kept.key.1.clone(),
        site: kept.key.3,
        layer,
        index,
    };
    view.click = Some(Click::Patch(kept.texts.1.clone(), spec));
    view.kept = Some(kept);
}

/// The run in progress: done of total.
fn progress_bar(ui: &mut egui::Ui, view: &PatchView) {
    let (done, total) = (
        view.progress.0.load(Ordering::Relaxed),
        view.progress.1.load(Ordering::Relaxed).max(1),
    );
    ui.add(egui::ProgressBar::new(done as f32 / total as f32).text(format!("{done}/{total}")));
    ui.ctx().request_repaint();
}

/// Where a patch puts A's piece, in words: the site and its cell (`words`: B's tokens).
pub(super) fn place(spec: &PatchSpec, words: &[String], l: Lang) -> String {
    let cell = cell_name(spec.site, (spec.layer, spec.index), words, l);
    format!("{}: {cell}", tr!(l, site_name(spec.site)))
}

/// A site's name in the catalogue.
fn site_name(site: Site) -> &'static str {
    match site {
        Site::ResidPre => "patch-resid-pre",
        Site::AttnOut => "patch-attn-out",
        Site::MlpOut => "patch-mlp-out",
        Site::Head => "patch-head",
    }
}

/// A grid cell in words: its layer and head, or its layer, position and word (`words`: B's).
fn cell_name(site: Site, (layer, column): (usize, usize), words: &[String], l: Lang) -> String {
    if site == Site::Head {
        tr!(l, "patch-cell-head", layer = layer, head = column)
    } else {
        let word = words.get(column).map_or("", |w| w.trim()).to_string();
        tr!(
            l,
            "patch-cell",
            layer = layer,
            position = column,
            word = word
        )
    }
}

/// While a cell runs on the floor: what the floor shows, Back to A, and the kept grid (its cell
/// outlined; a click on another runs that one).
fn kept_section(
    ui: &mut egui::Ui,
    view: &mut PatchView,
    spec: &PatchSpec,
    (model, abl): (ArcKey, &Ablations),
    l: Lang,
) -> Option<(Site, Vec<Vec<f64>>)> {
    let kept = view.kept.as_ref().filter(|k| k.key.1 == spec.clean)?;
    let site = kept.key.3;
    let what = place(spec, &kept.words, l);
    ui.colored_label(
        egui::Color32::from_rgb(200, 170, 255),
        tr!(l, "patch-on-floor", place = what),
    );
    let mut click = None;
    if ui.button(tr!(l, "patch-back")).clicked() {
        click = Some(Click::Back(kept.texts.0.clone()));
    }
    // the floor runs patched under new weights or switches at once; the grid was made before
    let lit = if kept.key.0 == model && kept.key.5 == *abl {
        let at = Some((spec.layer, spec.index));
        let sides = (&kept.grid, kept.shares.as_slice());
        if let Some((layer, index)) = grid_view(ui, sides, (site, at), &kept.words, l) {
            let spec = PatchSpec {
                layer,
                index,
                ..spec.clone()
            };
            click = Some(Click::Patch(kept.texts.1.clone(), spec));
        }
        Some((site, kept.shares.clone()))
    } else {
        ui.weak(tr!(l, "patch-kept-stale"));
        None
    };
    if matches!(click, Some(Click::Back(_))) {
        view.kept = None;
    }
    view.click = click;
    lit
}

/// Each cell's share of the way from B's metric to A's (0 where the two metrics are equal).
fn shares(grid: &PatchGrid) -> Vec<Vec<f64>> {
    let span = grid.clean - grid.corrupt;
    // (not a number counts as nothing: the hall's strips are kept only while the grid is equal)
    let share = |v: f64| {
        let s = (v - grid.corrupt) / span;
        if span.abs() > 1e-12 && s.is_finite() {
            s
        } else {
            0.0
        }
    };
    grid.grid
        .iter()
        .map(|row| row.iter().map(|&v| share(v)).collect())
        .collect()
}

/// The site and the metric, as picked (A's top token's probability, or A's top token against B's
/// when they differ).
fn options(
    ui: &mut egui::Ui,
    view: &mut PatchView,
    (ta, tb): (u32, u32),
    word: &dyn Fn(u32) -> String,
    l: Lang,
) -> (Site, Metric) {
    let site = view.site.get_or_insert(Site::ResidPre);
    ui.horizontal_wrapped(|ui| {
        for s in [Site::ResidPre, Site::AttnOut, Site::MlpOut, Site::Head] {
            ui.radio_value(site, s, tr!(l, site_name(s)));
        }
    });
    let site = *site;
    ui.horizontal_wrapped(|ui| {
        ui.radio_value(&mut view.diff, false, tr!(l, "patch-prob", word = word(ta)));
        if ta != tb {
            let label = tr!(l, "patch-diff", a = word(ta), b = word(tb));
            ui.radio_value(&mut view.diff, true, label);
        }
    });
    let metric = if view.diff && ta != tb {
        Metric::Diff(ta, tb)
    } else {
        Metric::Prob(ta)
    };
    (site, metric)
}

/// B's tokens as shown under the grid's columns.
fn model_words(b: &History, word: &dyn Fn(u32) -> String) -> Vec<String> {
    b.ids.iter().map(|&id| word(id)).collect()
}

/// Patch and Cancel.
fn controls(ui: &mut egui::Ui, view: &mut PatchView, key: &Key, l: Lang) {
    ui.horizontal(|ui| {
        if ui
            .button(tr!(l, "patch-run"))
            .on_hover_text(tr!(l, "patch-run-tip"))
            .clicked()
        {
            cancel(view);
            // a fresh flag and counters: a run still finishing reads only its own
            view.stop = Arc::new(AtomicBool::new(false));
            view.progress = Arc::default();
            view.asked = Some(key.clone());
        }
        if view.asked.is_some() && ui.button(tr!(l, "patch-cancel")).clicked() {
            cancel(view);
        }
    });
}

/// Stops the run in progress (after its current patch) and forgets the grid.
fn cancel(view: &mut PatchView) {
    view.stop.store(true, Ordering::Relaxed);
    view.asked = None;
    view.job.clear();
}

/// The grid: a row per layer, a cell per position (or head), coloured by its share of the way from
/// B's metric to A's ([`shares`]); the numbers on hover, the cell `at` outlined (the one on the
/// floor); the cell clicked, if any.
fn grid_view(
    ui: &mut egui::Ui,
    (grid, shares): (&PatchGrid, &[Vec<f64>]),
    (site, at): (Site, Option<(usize, usize)>),
    words: &[String],
    l: Lang,
) -> Option<(usize, usize)> {
    let mut clicked = None;
    ui.label(tr!(
        l,
        "patch-ends",
        clean = format!("{:.4}", grid.clean),
        corrupt = format!("{:.4}", grid.corrupt)
    ));
    let cell = 22.0;
    egui::Grid::new("patch-grid")
        .spacing([2.0, 2.0])
        .show(ui, |ui| {
            ui.label("");
            let columns = grid.grid.first().map_or(0, Vec::len);
            for c in 0..columns {
                let head = if site == Site::Head {
                    c.to_string()
                } else {
                    words.get(c).cloned().unwrap_or_default()
                };
                ui.small(head);
            }
            ui.end_row();
            for (layer, row) in grid.grid.iter().enumerate() {
                ui.small(tr!(l, "patch-layer", layer = layer));
                for (c, &v) in row.iter().enumerate() {
                    let share = shares[layer][c];
                    let [r, g, bl, _] = crate::scene::palette::weight_rgba(share as f32);
                    let (rect, resp) =
                        ui.allocate_exact_size(egui::vec2(cell, cell), egui::Sense::click());
                    ui.painter()
                        .rect_filled(rect, 2.0, egui::Color32::from_rgb(r, g, bl));
                    if at == Some((layer, c)) {
                        let stroke = egui::Stroke::new(2.5, egui::Color32::WHITE);
                        ui.painter()
                            .rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Inside);
                    }
                    if resp.clicked() {
                        clicked = Some((layer, c));
                    }
                    let what = cell_name(site, (layer, c), words, l);
                    resp.on_hover_text(format!(
                        "{what}\n{}\n{}",
                        tr!(
                            l,
                            "patch-cell-value",
                            value = format!("{v:.5}"),
                            share = format!("{:.0}", share * 100.0)
                        ),
                        tr!(l, "patch-cell-click")
                    ));
                }
                ui.end_row();
            }
        });
    clicked
}
