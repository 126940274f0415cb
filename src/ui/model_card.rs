//! The model card: this model beside GPT-2 small and GPT-3, its context, vocabulary and folder.

use bevy_egui::egui;

use crate::i18n::{Lang, count_words};
use crate::model::LoadedModel;
use crate::model::scale::{of_config, published};
use crate::tr;

/// The model card, a collapsing section (open unless the kiosk's simple mode hides detail).
pub(super) fn show(ui: &mut egui::Ui, model: &LoadedModel, simple: bool, l: Lang) {
    let cfg = &model.config;
    egui::CollapsingHeader::new(tr!(l, "model-card"))
        .id_salt("model-card")
        .default_open(!simple)
        .show(ui, |ui| {
            egui::Grid::new("scale").striped(true).show(ui, |ui| {
                ui.strong("");
                for h in ["card-layers", "card-heads", "card-dims", "card-params"] {
                    ui.strong(l.t(h));
                }
                ui.end_row();
                let [g2, g3] = published();
                for (i, m) in [of_config(cfg), g2, g3].into_iter().enumerate() {
                    if i == 0 {
                        ui.label(tr!(l, "room-scale-ours"));
                    } else {
                        ui.label(m.name);
                    }
                    ui.label(m.layers.to_string());
                    ui.label(m.heads.to_string());
                    ui.label(m.width.to_string());
                    ui.label(count_words(l, m.params));
                    ui.end_row();
                }
            });
            ui.label(tr!(
                l,
                "card-context",
                context = cfg.n_positions,
                vocab = cfg.vocab_size
            ));
            ui.label(tr!(
                l,
                "card-folder",
                folder = model.dir.display().to_string()
            ));
        });
}
