//! The tooltip of the value under the pointer in the scene: a board cell or a lamp, with its
//! number and the arithmetic that made it (the same formula, with the same operands, that the
//! inspector pins on a click).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::Engine;
use crate::pick::{HoveredValue, ValueHover};
use crate::playback::{Dock, Floor};
use crate::tr;

/// The pointer's offset from the tooltip's corner, pixels.
const OFFSET: f32 = 16.0;

/// Draws the tooltip beside the pointer while a board cell or a lamp is under it.
pub(super) fn draw_value_tip(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    hover: Option<Res<ValueHover>>,
    floor: Res<Floor>,
    engine: Option<Res<Engine>>,
    dock: Res<Dock>,
    lang: Res<Lang>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    // (no pointer picking in a recording)
    let (Some(v), Some(engine)) = (hover.and_then(|h| h.0), engine) else {
        return Ok(());
    };
    if ui_state.hidden || ui_state.recording {
        return Ok(());
    }
    let Some(pointer) = ctx.pointer_hover_pos() else {
        return Ok(());
    };
    let (l, h, gpt) = (*lang, &floor.history, &engine.0.gpt);
    let (head, formula) = match v {
        HoveredValue::Cell { source, t, d } => {
            let Some(&value) = source.rows(h).get(t).and_then(|r| r.get(d)) else {
                return Ok(());
            };
            let head = tr!(
                l,
                "inspector-cell",
                board = source.caption(l),
                d = d,
                t = t,
                value = format!("{value:+.4}")
            );
            let f = super::explain::board_cell(h, gpt, &floor.ablations, source, t, d, l);
            (head, f)
        }
        HoveredValue::Bar(rank) => {
            let Some((title, lines)) = super::explain::bar(&dock, rank, l) else {
                return Ok(());
            };
            let f = super::explain::Formula {
                text: lines.join("\n"),
                operands: vec![],
                value: dock.candidates[rank].prob,
            };
            (title, Some(f))
        }
        HoveredValue::Switch(a) => {
            let on = !floor.ablations.contains(a);
            let part = super::ablations::part_name(a, l);
            let head = if on {
                tr!(l, "switch-on", part = part)
            } else {
                tr!(l, "switch-off", part = part)
            };
            let f = super::explain::Formula {
                text: tr!(l, "switch-meaning"),
                operands: vec![],
                value: 0.0,
            };
            (head, Some(f))
        }
        HoveredValue::Lamp { layer, neuron, t } => {
            let head = tr!(l, "inspector-neuron", layer = layer, neuron = neuron);
            let f =
                super::explain::lamp(h, gpt, &floor.ablations, layer, neuron, t, l).map(|mut f| {
                    f.text = tr!(l, "inspector-token-formula", t = t, formula = f.text);
                    f
                });
            (head, f)
        }
    };
    let width = (ctx.viewport_rect().width() * 0.45).clamp(260.0, 520.0);
    // right of the pointer, or left of it in the right half of the screen (never cut off)
    let right_half = pointer.x > ctx.viewport_rect().center().x;
    let (pivot, dx) = if right_half {
        (egui::Align2::RIGHT_TOP, -OFFSET)
    } else {
        (egui::Align2::LEFT_TOP, OFFSET)
    };
    egui::Area::new(egui::Id::new("value-tip"))
        .pivot(pivot)
        .fixed_pos(pointer + egui::vec2(dx, OFFSET))
        .order(egui::Order::Tooltip)
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(width);
                ui.strong(head);
                if let Some(f) = formula {
                    ui.label(egui::RichText::new(f.text).monospace());
                }
                if !matches!(v, HoveredValue::Switch(_)) {
                    ui.weak(tr!(l, "tip-click-pin"));
                }
            });
        });
    Ok(())
}
