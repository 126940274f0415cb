//! The "switch off" controls: position embeddings, each layer's FFN, the selected head and the
//! selected neuron. A change runs the floor's tokens again with the new set; the dock then shows
//! each candidate's probability before → after.

use bevy::prelude::*;
use bevy_egui::egui;

use crate::inference::Request;
use crate::model::{Ablation, Ablations};
use crate::playback::Selection;

/// The section, inside the control panel. `current` is what the floor was computed with.
pub(super) fn section(
    ui: &mut egui::Ui,
    current: &Ablations,
    n_layer: usize,
    selection: &Selection,
    requests: &mut MessageWriter<Request>,
) {
    let mut wanted = current.clone();
    let header = if current.is_empty() {
        "Switch parts off".to_string()
    } else {
        format!("Switch parts off ({} off)", current.list().len())
    };
    egui::CollapsingHeader::new(header)
        .id_salt("ablations")
        .default_open(false)
        .show(ui, |ui| {
            let mut toggle = |ui: &mut egui::Ui, a: Ablation, label: String| {
                let mut on = !wanted.contains(a);
                if ui.checkbox(&mut on, label).changed() {
                    wanted = wanted.toggled(a);
                }
            };
            toggle(ui, Ablation::Positions, "position embeddings".into());
            ui.horizontal_wrapped(|ui| {
                ui.label("FFN of layer");
                for l in 0..n_layer {
                    toggle(ui, Ablation::Mlp(l), l.to_string());
                }
            });
            if let Some((l, h)) = selection.head {
                toggle(ui, Ablation::Head(l, h), format!("head {l}.{h} (selected)"));
            }
            if let Some((l, i)) = selection.neuron {
                toggle(
                    ui,
                    Ablation::Neuron(l, i),
                    format!("neuron {l}.{i} (selected)"),
                );
            }
            if current.is_empty() {
                ui.label("Unticked parts are switched off. Select a head or a lamp to switch it.");
            } else {
                ui.label(format!("off: {current}"));
                if ui.button("Switch everything on").clicked() {
                    wanted = Ablations::none();
                }
            }
        });
    if wanted != *current {
        requests.write(Request::Ablate(wanted));
    }
}
