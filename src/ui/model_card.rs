//! The model card: this model beside GPT-2 small and GPT-3, its context, vocabulary and folder.

use bevy_egui::egui;

use crate::model::{Config, LoadedModel};

/// GPT-2 small and GPT-3 (175B), for the model card.
fn scale_rows(cfg: &Config) -> Vec<(&'static str, usize, usize, usize, usize, f64)> {
    let g2 = Config::gpt2_small();
    vec![
        (
            "this model",
            cfg.n_layer,
            cfg.n_head,
            cfg.n_embd,
            cfg.n_positions,
            cfg.n_params() as f64,
        ),
        (
            "GPT-2 small",
            g2.n_layer,
            g2.n_head,
            g2.n_embd,
            g2.n_positions,
            g2.n_params() as f64,
        ),
        ("GPT-3", 96, 96, 12288, 2048, 175e9),
    ]
}

fn params_text(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.0}B", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1}M", n / 1e6)
    } else {
        format!("{:.0}k", n / 1e3)
    }
}

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
                for (name, l, h, d, _, p) in scale_rows(cfg) {
                    ui.label(name);
                    ui.label(l.to_string());
                    ui.label(h.to_string());
                    ui.label(d.to_string());
                    ui.label(params_text(p));
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
