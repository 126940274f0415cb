//! The "switch off" controls: position embeddings, each layer's FFN, the selected head and the
//! selected neuron. A change runs the floor's tokens again with the new set; the dock then shows
//! each candidate's probability before → after.

use bevy::prelude::*;
use bevy_egui::egui;

use crate::i18n::Lang;
use crate::inference::Request;
use crate::model::{Ablation, Ablations};
use crate::playback::Selection;
use crate::tr;

/// A part of the model in words, in `l`: "layer 0, head 3", "Schicht 2, FFN".
pub(super) fn part_name(a: Ablation, l: Lang) -> String {
    match a {
        Ablation::Head(layer, head) => tr!(l, "part-head", layer = layer, head = head),
        Ablation::Neuron(layer, n) => tr!(l, "part-neuron", layer = layer, neuron = n),
        Ablation::Mlp(layer) => tr!(l, "part-mlp", layer = layer),
        Ablation::Positions => tr!(l, "ablate-positions"),
    }
}

/// The parts switched off, in words, in `l` (comma-separated).
pub(super) fn parts_names(set: &Ablations, l: Lang) -> String {
    let names: Vec<String> = set.list().iter().map(|a| part_name(*a, l)).collect();
    names.join(", ")
}

/// The section, inside the control panel. `current` is what the floor was computed with.
pub(super) fn section(
    ui: &mut egui::Ui,
    current: &Ablations,
    n_layer: usize,
    selection: &Selection,
    requests: &mut MessageWriter<Request>,
    l: Lang,
) {
    let mut wanted = current.clone();
    let header = if current.is_empty() {
        tr!(l, "ablate")
    } else {
        tr!(l, "ablate-n", n = current.list().len())
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
            toggle(ui, Ablation::Positions, tr!(l, "ablate-positions"));
            ui.horizontal_wrapped(|ui| {
                ui.label(tr!(l, "ablate-ffn-of"));
                for layer in 0..n_layer {
                    toggle(ui, Ablation::Mlp(layer), layer.to_string());
                }
            });
            if let Some((layer, h)) = selection.head {
                let name = format!("{layer}.{h}");
                toggle(
                    ui,
                    Ablation::Head(layer, h),
                    tr!(l, "ablate-head", head = name),
                );
            }
            if let Some((layer, i)) = selection.neuron {
                let name = format!("{layer}.{i}");
                toggle(
                    ui,
                    Ablation::Neuron(layer, i),
                    tr!(l, "ablate-neuron", neuron = name),
                );
            }
            if current.is_empty() {
                ui.label(tr!(l, "ablate-hint"));
            } else {
                ui.label(tr!(l, "ablate-off", parts = parts_names(current, l)));
                if ui.button(tr!(l, "ablate-all-on")).clicked() {
                    wanted = Ablations::none();
                }
            }
        });
    if wanted != *current {
        requests.write(Request::Ablate(wanted));
    }
}
