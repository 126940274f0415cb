//! The model card: this model beside GPT-2 small and GPT-3, its context, vocabulary and folder.

use bevy_egui::egui;

use crate::model::LoadedModel;
use crate::model::scale::{count_words, of_config, published};

/// The model card, a collapsing section (open unless the kiosk's simple mode hides detail).
pub(super) fn show(ui: &mut egui::Ui, model: &LoadedModel, simple: bool) {
    let cfg = &model.config;
    egui::CollapsingHeader::new("Model card")
        .default_open(!simple)
        .show(ui, |ui| {
            egui::Grid::new("scale").striped(true).show(ui, |ui| {
                for h in ["", "layers", "heads", "dims", "params"] {
                    ui.strong(h);
                }
                ui.end_row();
                let [g2, g3] = published();
                for m in [of_config(cfg), g2, g3] {
                    ui.label(m.name);
                    ui.label(m.layers.to_string());
                    ui.label(m.heads.to_string());
                    ui.label(m.width.to_string());
                    ui.label(count_words(m.params));
                    ui.end_row();
                }
            });
            ui.label(format!(
                "context {} tokens (GPT-2: 1024, GPT-3: 2048) · vocabulary {} tokens",
                cfg.n_positions, cfg.vocab_size
            ));
            ui.label(format!("folder {}", model.dir.display()));
        });
}
