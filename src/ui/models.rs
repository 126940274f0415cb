//! The model picker: the models under `models/` (and their training snapshots), one click away;
//! choosing one opens it off the main thread and runs the same prompt on it.

use std::path::Path;

use bevy::prelude::*;
use bevy_egui::egui;

use crate::inference::Request;
use crate::model::LoadedModel;
use crate::model::catalog::ModelEntry;

/// The same folder, however it was written (relative, absolute, with `./`).
pub(super) fn same_folder(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// The name to show for the loaded model: its entry's name, else its folder's name.
pub(super) fn current_name(models: &[ModelEntry], loaded: &LoadedModel) -> String {
    models
        .iter()
        .find(|m| same_folder(&m.dir, &loaded.dir))
        .map(|m| m.name.clone())
        .unwrap_or_else(|| {
            loaded.dir.file_name().map_or_else(
                || loaded.dir.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        })
}

/// A row with the picker; a choice sends [`Request::Model`].
pub(super) fn picker(
    ui: &mut egui::Ui,
    models: &[ModelEntry],
    current: &str,
    requests: &mut MessageWriter<Request>,
    lang: crate::i18n::Lang,
) {
    ui.horizontal(|ui| {
        ui.label(lang.t("model"));
        egui::ComboBox::from_id_salt("model-picker")
            .selected_text(current)
            .width(220.0)
            .show_ui(ui, |ui| {
                for m in models {
                    let chosen = m.name == current;
                    if ui.selectable_label(chosen, &m.name).clicked() && !chosen {
                        requests.write(Request::Model(m.dir.clone()));
                    }
                }
            });
    });
}
