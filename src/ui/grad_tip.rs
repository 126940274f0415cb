//! The tooltip of a gradient under the pointer in the backward view (a board cell, a lamp or a beam
//! the ride back has passed): its number and the chain-rule step that made it, with the real
//! numbers ([`crate::model::backward::chain`], computed off the main thread once per cell).

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::job::{ArcKey, Found, Job};
use super::learn::Learning;
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::Blocking;
use crate::model::backward::{Chain, Gradients, Place};
use crate::pick::{HoveredValue, ValueHover};
use crate::scene::CurrentLayout;
use crate::scene::backward::Backward;
use crate::scene::beams::BeamHover;
use crate::scene::layout::StationKind;
use crate::tr;

/// Where a hovered thing's gradient is: its place, its cell and the station showing it.
fn hovered_place(
    value: Option<HoveredValue>,
    beam: &BeamHover,
    layout: &CurrentLayout,
) -> Option<(Place, (usize, usize), usize)> {
    let l = &layout.0;
    if let Some(b) = beam.0 {
        let at = l.index_of(StationKind::Booth(b.layer, b.head))?;
        return Some((Place::Attention(b.layer, b.head), (b.query, b.key), at));
    }
    match value? {
        HoveredValue::Cell { source, t, d } => {
            let place = crate::scene::backward::place_of(source);
            Some((place, (t, d), l.index_of(source.station())?))
        }
        HoveredValue::Lamp { layer, neuron, t } => Some((
            Place::Neuron(layer),
            (t, neuron),
            l.index_of(StationKind::Ffn(layer))?,
        )),
        _ => None,
    }
}

/// A chain-rule step, keyed by the backward pass it explains, the place and the cell.
type ChainJob = Job<(ArcKey<Gradients>, Place, (usize, usize)), Option<Chain>>;

/// What the gradient tip reads.
#[derive(SystemParam)]
pub(super) struct GradSources<'w> {
    view: Res<'w, Backward>,
    hover: Option<Res<'w, ValueHover>>,
    beam: Res<'w, BeamHover>,
    layout: Option<Res<'w, CurrentLayout>>,
    learning: Res<'w, Learning>,
    blocking: Option<Res<'w, Blocking>>,
}

/// True when the hall's backward view has a gradient under the pointer (the value's tip then
/// gives way to the gradient's).
pub(super) fn gradient_hovered(
    view: &Backward,
    value: Option<HoveredValue>,
    layout: Option<&CurrentLayout>,
) -> bool {
    let beam = BeamHover::default();
    layout
        .and_then(|l| hovered_place(value, &beam, l))
        .is_some_and(|(_, _, at)| view.at(at).is_some())
}

/// Draws the tooltip of the gradient under the pointer in the backward view.
pub(super) fn draw_grad_tip(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    sources: GradSources,
    lang: Res<Lang>,
    mut job: Local<ChainJob>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    if ui_state.hidden || ui_state.recording || ui_state.stage {
        return Ok(());
    }
    let Some(layout) = sources.layout.as_deref() else {
        return Ok(());
    };
    let value = sources.hover.as_ref().and_then(|h| h.0);
    let Some((place, cell, at)) = hovered_place(value, &sources.beam, layout) else {
        return Ok(());
    };
    let (Some(g), Some(s), Some(pointer)) = (
        sources.view.at(at),
        sources.learning.session.as_ref(),
        ctx.pointer_hover_pos(),
    ) else {
        return Ok(());
    };
    let Some(grad) = g.at(place, cell) else {
        return Ok(());
    };
    let shown = sources.view.shown.clone().expect("shown");
    let key = (ArcKey(shown.clone()), place, cell);
    let learner = s.learner.clone();
    let found = job.get(key, sources.blocking.is_some(), move || {
        move || {
            let learner = learner.lock().ok()?;
            learner.chain(&shown, place, cell).ok().flatten()
        }
    });
    let l = *lang;
    let lines = match found {
        Found::Ready(Some(chain)) => chain_lines(chain, place, l),
        Found::Ready(None) => vec![],
        Found::Computing => vec![tr!(l, "grad-computing")],
    };
    egui::Area::new(egui::Id::new("grad-tip"))
        .fixed_pos(pointer + egui::vec2(16.0, 16.0))
        .order(egui::Order::Tooltip)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(460.0);
                ui.strong(tr!(l, "grad-title", value = format!("{grad:+.5}")));
                ui.label(tr!(l, "grad-meaning"));
                ui.separator();
                for line in lines {
                    ui.monospace(line);
                }
            });
        });
    Ok(())
}

/// The chain-rule step in words and numbers.
fn chain_lines(chain: &Chain, place: Place, l: Lang) -> Vec<String> {
    let n = |v: f64| format!("{v:+.5}");
    match chain {
        Chain::Stream { skip, branch } => {
            let mut lines = Vec::new();
            if let Some(skip) = skip {
                lines.push(tr!(l, "grad-skip", value = n(*skip)));
            }
            lines.push(tr!(l, "grad-branch", value = n(*branch)));
            lines.push(tr!(l, "grad-total", value = n(chain.total())));
            lines
        }
        Chain::Sum {
            n: count,
            top,
            total,
        } => {
            let feeds = match place {
                Place::Ln1(_) => "grad-feeds-qkv",
                Place::Ln2(_) => "grad-feeds-neurons",
                Place::LnF => "grad-feeds-words",
                Place::Neuron(_) => "grad-feeds-stream",
                _ => "grad-feeds-values",
            };
            let mut lines = vec![tr!(l, feeds, n = *count)];
            lines.push(tr!(l, "grad-largest"));
            for t in top {
                lines.push(format!(
                    "  #{:<5} {} × {} = {}",
                    t.index,
                    n(t.factor),
                    n(t.grad),
                    n(t.factor * t.grad)
                ));
            }
            lines.push(tr!(l, "grad-total", value = n(*total)));
            lines
        }
    }
}
