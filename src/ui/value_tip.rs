//! The tooltip of the value under the pointer in the scene: a board cell or a lamp, with its
//! number and the arithmetic that made it (the same formula, with the same operands, that the
//! inspector pins on a click).

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::Engine;
use crate::model::Ablation;
use crate::pick::{HoveredValue, ValueHover};
use crate::playback::history::mean_std;
use crate::playback::surprise::TokenSurprise;
use crate::playback::{Dock, Floor};
use crate::tr;

/// The pointer's offset from the tooltip's corner, pixels.
const OFFSET: f32 = 16.0;

/// Words with no operands, shown like a formula's text.
fn plain(text: String) -> super::explain::Formula {
    super::explain::Formula {
        text,
        operands: vec![],
        value: 0.0,
    }
}

/// Draws the tooltip beside the pointer while a board cell or a lamp is under it.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_value_tip(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    hover: Option<Res<ValueHover>>,
    floor: Res<Floor>,
    engine: Option<Res<Engine>>,
    dock: Res<Dock>,
    surprise: Res<TokenSurprise>,
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
            (head, Some(plain(tr!(l, "switch-meaning"))))
        }
        HoveredValue::Lamp { layer, neuron, t } => {
            let head = tr!(l, "inspector-neuron", layer = layer, neuron = neuron);
            let f =
                super::explain::lamp(h, gpt, &floor.ablations, layer, neuron, t, l).map(|mut f| {
                    f.text = tr!(l, "inspector-token-formula", t = t, formula = f.text);
                    let off = floor.ablations.contains(Ablation::Neuron(layer, neuron));
                    f.text.push('\n');
                    f.text.push_str(&if off {
                        tr!(l, "tip-lamp-switch-on")
                    } else {
                        tr!(l, "tip-lamp-switch-off")
                    });
                    f
                });
            (head, f)
        }
        HoveredValue::Crate(t) => {
            let (Some(text), Some(id)) = (h.texts.get(t), h.ids.get(t)) else {
                return Ok(());
            };
            let head = tr!(
                l,
                "inspector-token",
                t = t,
                text = format!("{text:?}"),
                id = *id
            );
            let mut body = super::explain::surprise_line(&surprise, &floor, t, l);
            if t > 0 {
                body.push('\n');
                let vocab = h.logits.len().max(2);
                let full = format!("{:.2}", (vocab as f64).ln());
                body.push_str(&tr!(l, "tip-crate-tag", full = full, vocab = vocab));
            }
            (head, Some(plain(body)))
        }
        HoveredValue::Spread { norm, t } => {
            let input = norm.norm_input(h.layers.len());
            let (Some(out), Some(inp)) =
                (norm.rows(h).get(t), input.and_then(|i| i.rows(h).get(t)))
            else {
                return Ok(());
            };
            let spread = |v: &[f32]| format!("{:.3}", mean_std(v).1);
            // the gate by its sign's name (the board's caption says only "after LayerNorm")
            let title = tr!(
                l,
                "tip-spread-title",
                norm = norm.station().title(l),
                t = t,
                text = format!("{:?}", h.texts[t])
            );
            let body = tr!(
                l,
                "tip-spread",
                n = out.len(),
                before = spread(inp),
                after = spread(out)
            );
            (title, Some(plain(body)))
        }
        HoveredValue::Booth { layer, head } => {
            let title = tr!(l, "station-booth", layer = layer, head = head);
            (title, Some(plain(tr!(l, "tip-booth"))))
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
                    // formulas line up in a fixed-width font; words read better in the usual one
                    let words = matches!(
                        v,
                        HoveredValue::Crate(_)
                            | HoveredValue::Booth { .. }
                            | HoveredValue::Spread { .. }
                            | HoveredValue::Switch(_)
                    );
                    if words {
                        ui.label(f.text);
                    } else {
                        ui.label(egui::RichText::new(f.text).monospace());
                    }
                }
                if !matches!(v, HoveredValue::Switch(_)) {
                    ui.weak(tr!(l, "tip-click-pin"));
                }
            });
        });
    Ok(())
}
