//! The learning tab's pictures: each position's probability as loaded and now, the loss curve,
//! and the backward pass's switch and key (the gradients' inks).

use bevy_egui::egui;

use crate::i18n::Lang;
use crate::model::learn::Entry;
use crate::scene::palette;
use crate::tr;

/// The switch that shows the backward pass in the hall, and its key while on.
pub(super) fn backward_switch(ui: &mut egui::Ui, on: &mut bool, l: Lang) {
    ui.add_space(4.0);
    ui.checkbox(on, egui::RichText::new(tr!(l, "learn-backward")).strong())
        .on_hover_text(tr!(l, "learn-backward-tip"));
    if !*on {
        return;
    }
    for (colour, text) in [
        (palette::GRAD_POSITIVE, tr!(l, "grad-key-positive")),
        (palette::GRAD_PAPER, tr!(l, "grad-key-zero")),
        (palette::GRAD_NEGATIVE, tr!(l, "grad-key-negative")),
    ] {
        ui.horizontal(|ui| {
            let (rect, _) = ui.allocate_exact_size(egui::vec2(22.0, 14.0), egui::Sense::hover());
            let [r, g, b] = palette::srgb8(colour);
            ui.painter()
                .rect_filled(rect, 2.0, egui::Color32::from_rgb(r, g, b));
            ui.add(egui::Label::new(text).wrap());
        });
    }
    ui.weak(tr!(l, "grad-key-note"));
}

/// Every position: the word, the true next word, its probability as loaded → now.
pub(super) fn positions_table(ui: &mut egui::Ui, texts: &[String], entries: &[Entry], l: Lang) {
    let (first, last) = (&entries[0], &entries[entries.len() - 1]);
    egui::Grid::new("learn-positions")
        .striped(true)
        .show(ui, |ui| {
            ui.strong(tr!(l, "learn-col-word"));
            ui.strong(tr!(l, "learn-col-next"));
            ui.strong(tr!(l, "learn-col-before"));
            ui.strong(tr!(l, "learn-col-now"));
            ui.end_row();
            for t in 0..texts.len() - 1 {
                ui.label(texts[t].trim());
                ui.label(texts[t + 1].trim());
                ui.label(super::game::percent(first.probs[t] as f32));
                let up = last.probs[t] >= first.probs[t];
                let colour = if up {
                    egui::Color32::from_rgb(150, 220, 150)
                } else {
                    egui::Color32::from_rgb(240, 150, 150)
                };
                ui.colored_label(colour, super::game::percent(last.probs[t] as f32));
                ui.end_row();
            }
        });
}

/// The loss after each step, as a line (a dot per step).
pub(super) fn loss_curve(ui: &mut egui::Ui, entries: &[Entry], l: Lang) {
    let (rect, _) =
        ui.allocate_exact_size(egui::vec2(ui.available_width(), 90.0), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, egui::Color32::from_gray(24));
    let top = entries
        .iter()
        .map(|e| e.loss)
        .fold(0.0f64, f64::max)
        .max(1e-6);
    let n = entries.len().max(2) - 1;
    let at = |k: usize, loss: f64| {
        egui::pos2(
            rect.left() + 8.0 + (rect.width() - 16.0) * k as f32 / n as f32,
            rect.bottom() - 8.0 - (rect.height() - 16.0) * (loss / top) as f32,
        )
    };
    let points: Vec<egui::Pos2> = entries
        .iter()
        .enumerate()
        .map(|(k, e)| at(k, e.loss))
        .collect();
    let stroke = egui::Stroke::new(2.0, egui::Color32::from_rgb(240, 236, 224));
    painter.add(egui::Shape::line(points.clone(), stroke));
    for p in points {
        painter.circle_filled(p, 3.0, stroke.color);
    }
    painter.text(
        rect.left_top() + egui::vec2(6.0, 4.0),
        egui::Align2::LEFT_TOP,
        tr!(l, "learn-curve", top = format!("{top:.2}")),
        egui::FontId::proportional(12.0),
        egui::Color32::from_gray(170),
    );
}
