//! The sentence so far, large: the prompt and the tokens generated after it across the top of the
//! hall, the newest token lit as it arrives, so someone across the room can read what the factory
//! is writing.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::plaque_flight::{FLY_SECONDS, Flight, PlaqueSeen};
use super::state::UiState;
use crate::playback::Floor;
use crate::tr;

/// Characters of the text shown at most (the end of a long text: the next token continues it).
const SHOWN_CHARS: usize = 90;
/// Seconds the newest token stays lit.
const LIT_SECONDS: f32 = 2.0;
/// The surprise legend's colour: the crates' pink bars', lighter.
const SURPRISE_TEXT: egui::Color32 = egui::Color32::from_rgb(246, 160, 214);

/// The tiles legend's colour: a light grey, beside the values' own swatches.
const TILES_TEXT: egui::Color32 = egui::Color32::from_rgb(200, 200, 205);

/// The patched-run line's colour: the patching grid's violet, lighter.
const PATCHED_TEXT: egui::Color32 = egui::Color32::from_rgb(200, 170, 255);

/// The banner, top centre.
pub(super) fn draw_banner(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    floor: Res<Floor>,
    (time, lang): (Res<Time>, Res<crate::i18n::Lang>),
    (backward, seen, far_bars, added): (
        Res<crate::scene::backward::Backward>,
        Res<PlaqueSeen>,
        Res<crate::scene::paint::FarBarsSeen>,
        Res<crate::scene::ShowAdded>,
    ),
    mut arrived: Local<(u64, f32)>,
    mut flight: Local<Option<Flight>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let h = &floor.history;
    if ui_state.hidden || h.is_empty() || ui_state.title_card.is_some() {
        return Ok(());
    }
    let now = time.elapsed_secs();
    let grown = !floor.fresh_prompt && h.len() > h.n_prompt;
    if arrived.0 != floor.version {
        *arrived = (floor.version, now);
        // the drawn word flies in from the dock's plaque when it was on screen, and is lit from
        // its landing
        *flight = grown
            .then(|| h.texts.last().and_then(|t| Flight::set_off(&seen, t, now)))
            .flatten();
        if flight.is_some() {
            arrived.1 += FLY_SECONDS;
        }
    }
    let flying = flight.as_ref().is_some_and(|f| f.progress(now).is_some());
    let newest_lit = grown && (0.0..LIT_SECONDS).contains(&(now - arrived.1));
    let mut job = sentence_job(h, newest_lit, flying);
    let screen = ctx.viewport_rect();
    // between the panels in the viewer, across the frame in a recording
    let (left, right) = if ui_state.recording {
        (screen.left() + 10.0, screen.right() - 10.0)
    } else {
        // left of the side panel, or of its button at the top right
        let (left, right) = super::column::free_span(ctx, &ui_state);
        let button = if ui_state.dock_width > 0.0 || ui_state.stage {
            20.0
        } else {
            180.0
        };
        (left + 20.0, right - button)
    };
    let width = (right - left).max(200.0);
    job.wrap.max_width = width - 24.0;
    egui::Area::new("sentence-banner".into())
        .fixed_pos(egui::pos2(left, ui_state.top_bar + 8.0))
        .order(egui::Order::Background)
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::new()
                // opaque: a head plate behind it showed through its legend (at alpha 240 too)
                .fill(egui::Color32::from_rgb(10, 11, 16))
                .corner_radius(6.0)
                .inner_margin(egui::Margin::symmetric(12, 6))
                .show(ui, |ui| {
                    ui.set_max_width(width - 24.0);
                    let galley = ui.painter().layout_job(job);
                    let shown = ui.label(galley.clone()).rect;
                    if let Some(f) = flight.as_ref().filter(|_| flying) {
                        let to = super::plaque_flight::landing(&galley, shown, h.texts.last());
                        super::plaque_flight::draw(ui.ctx(), f, now, to, 26.0);
                    }
                    patched_line(ui, &floor, *lang);
                    surprise_legend(ui, *lang, h.len());
                    tiles_legend(ui, *lang, (backward.shown.is_some(), added.0));
                    if far_bars.0 {
                        far_legend(ui, *lang);
                    }
                });
        });
    Ok(())
}

/// The sentence's end that fits, in the banner's type: the prompt's words plain, the generated
/// ones green, the newest lit (`lit`) or kept invisible while it is still in flight (`flying`).
fn sentence_job(
    h: &crate::playback::history::History,
    lit: bool,
    flying: bool,
) -> egui::text::LayoutJob {
    // which pieces fit, from the end
    let mut start = h.len();
    let mut chars = 0;
    while start > 0 && chars + h.texts[start - 1].chars().count() <= SHOWN_CHARS {
        start -= 1;
        chars += h.texts[start].chars().count();
    }
    let font = egui::FontId::proportional(26.0);
    let mut job = egui::text::LayoutJob::default();
    let plain = egui::Color32::from_rgb(236, 232, 220);
    let generated = egui::Color32::from_rgb(120, 220, 130);
    if start > 0 {
        job.append("… ", 0.0, egui::TextFormat::simple(font.clone(), plain));
    }
    for i in start..h.len() {
        let mut format =
            egui::TextFormat::simple(font.clone(), if i < h.n_prompt { plain } else { generated });
        if lit && i + 1 == h.len() {
            format.color = egui::Color32::BLACK;
            format.background = egui::Color32::from_rgb(255, 214, 80);
        }
        if flying && i + 1 == h.len() {
            format.color = egui::Color32::TRANSPARENT; // its place, kept for the word in flight
        }
        job.append(&h.texts[i].replace('\n', " ¶ "), 0.0, format);
    }
    job
}

/// A patched run (the A/B window's grid) says so under the sentence, where everyone reads.
fn patched_line(ui: &mut egui::Ui, floor: &Floor, lang: crate::i18n::Lang) {
    if let Some(spec) = &floor.patch {
        let place = super::patching::place(spec, &floor.history.texts, lang);
        let text = tr!(lang, "banner-patched", place = place);
        ui.label(egui::RichText::new(text).color(PATCHED_TEXT).size(14.0));
    }
}

/// What the coloured floor tiles are (a fresh reviewer found "no legend anywhere" for them): an
/// amber and a blue swatch, the values' own colours, and a line under the sentence; while the
/// backward pass is shown, the gradients' crimson and navy inks and what they mean; with
/// `ShowAdded`, that the adding stations' tiles show what they added.
fn tiles_legend(ui: &mut egui::Ui, lang: crate::i18n::Lang, (gradients, added): (bool, bool)) {
    use crate::scene::palette::{GRAD_NEGATIVE, GRAD_POSITIVE, NEGATIVE, POSITIVE};
    // (wrapped: a long line must not widen the banner past the window, which moves it aside)
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        let (swatches, key) = match (gradients, added) {
            (true, _) => ([GRAD_POSITIVE, GRAD_NEGATIVE], "banner-tiles-gradient"),
            (false, true) => ([POSITIVE, NEGATIVE], "banner-tiles-added"),
            (false, false) => ([POSITIVE, NEGATIVE], "banner-tiles"),
        };
        for c in swatches {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(10.0, 10.0), egui::Sense::hover());
            ui.painter().rect_filled(rect, 1.0, colour(c));
        }
        ui.add_space(4.0);
        let text = egui::RichText::new(tr!(lang, key));
        ui.label(text.color(TILES_TEXT).size(14.0));
    });
}

/// A colour of the scene's palette (sRGB 0-1) for a swatch.
fn colour(c: [f32; 3]) -> egui::Color32 {
    let [r, g, b] = crate::scene::palette::srgb8(c);
    egui::Color32::from_rgb(r, g, b)
}

/// What the light bars on the far boards are (shown while such a board is in view): a swatch of a
/// bar on the belt's grey, and a line.
fn far_legend(ui: &mut egui::Ui, lang: crate::i18n::Lang) {
    use crate::scene::palette::{PENDING, SUMMARY_BAR};
    ui.horizontal(|ui| {
        ui.spacing_mut().item_spacing.x = 3.0;
        let (rect, _) = ui.allocate_exact_size(egui::vec2(23.0, 10.0), egui::Sense::hover());
        ui.painter().rect_filled(rect, 1.0, colour(PENDING));
        let bar = egui::Rect::from_min_size(rect.min + egui::vec2(2.0, 3.0), egui::vec2(14.0, 4.0));
        ui.painter().rect_filled(bar, 0.0, colour(SUMMARY_BAR));
        ui.add_space(4.0);
        let text = egui::RichText::new(tr!(lang, "banner-far-bars"));
        ui.label(text.color(TILES_TEXT).size(14.0));
    });
}

/// What the one mark on every crate means (two fresh reviewers could not tell): under the sentence.
fn surprise_legend(ui: &mut egui::Ui, lang: crate::i18n::Lang, tokens: usize) {
    if tokens < 2 {
        return; // the first word has no surprise: no bar yet to explain
    }
    let text = egui::RichText::new(tr!(lang, "banner-surprise"));
    ui.label(text.color(SURPRISE_TEXT).size(14.0));
}
