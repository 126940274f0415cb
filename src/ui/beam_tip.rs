//! The tooltip of the beam under the pointer: which head, which token reads which, with what
//! weight (the traced softmax weight), and that a click selects it.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::model::tokenizer::shown_token;
use crate::playback::Floor;
use crate::scene::beams::BeamHover;
use crate::tr;

/// The pointer's offset from the tooltip's corner, pixels.
const OFFSET: f32 = 16.0;

/// Draws the tooltip beside the pointer while a beam is under it.
pub(super) fn draw_beam_tip(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    hover: Res<BeamHover>,
    floor: Res<Floor>,
    lang: Res<Lang>,
    backward: Res<crate::scene::backward::Backward>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(b) = hover.0 else { return Ok(()) };
    if backward.shown.is_some() {
        // the backward view's beam has its gradient's tip (`grad_tip.rs`)
        return Ok(());
    }
    let h = &floor.history;
    if ui_state.hidden
        || ui_state.recording
        || ui_state.stage
        || b.query >= h.len()
        || b.key > b.query
    {
        return Ok(());
    }
    let Some(pointer) = ctx.pointer_hover_pos() else {
        return Ok(());
    };
    let piece = |i: usize| shown_token(&h.texts[i], h.ids[i]);
    egui::Area::new(egui::Id::new("beam-tip"))
        .fixed_pos(pointer + egui::vec2(OFFSET, OFFSET))
        .order(egui::Order::Tooltip)
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(360.0);
                let word = |i: usize| super::explain::word(&h.texts[i], l);
                let lead = tr!(l, "plain-beam", q = word(b.query), k = word(b.key));
                super::explain::lead(ui, lead);
                ui.strong(tr!(l, "inspector-head", layer = b.layer, head = b.head));
                ui.label(tr!(
                    l,
                    "beam-reads",
                    q = b.query,
                    qtext = piece(b.query),
                    k = b.key,
                    ktext = piece(b.key)
                ));
                let w = format!("{:.3}", h.weight(b.layer, b.head, b.query, b.key));
                ui.label(tr!(l, "beam-weight", w = w));
                ui.weak(tr!(l, "beam-click"));
            });
        });
    Ok(())
}
