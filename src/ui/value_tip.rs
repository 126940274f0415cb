//! The tooltip of the value under the pointer in the scene: a board cell or a lamp, with its
//! number and the arithmetic that made it (the same formula, with the same operands, that the
//! inspector pins on a click).

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::explain::{Asked, Formula, FormulaJob, formula_of};
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Blocking, Engine};
use crate::model::Ablation;
use crate::pick::{HoveredValue, ValueHover};
use crate::playback::history::{History, mean_std};
use crate::playback::surprise::TokenSurprise;
use crate::playback::{Dock, Floor};
use crate::scene::BoardSource;
use crate::tr;

/// The pointer's offset from the tooltip's corner, pixels.
const OFFSET: f32 = 16.0;

/// A tip's content: its bold first line and the text under it (a formula, or words).
type Tip = (String, Option<Formula>);

/// Asks for a formula (computed on the task pool; none until it is done).
type Ask<'a> = &'a mut dyn FnMut(Asked) -> Option<Formula>;

/// Where a tip's numbers come from: the floor, the model, the dock's candidates and each token's
/// surprise.
#[derive(SystemParam)]
pub(super) struct TipSources<'w> {
    floor: Res<'w, Floor>,
    engine: Option<Res<'w, Engine>>,
    dock: Res<'w, Dock>,
    surprise: Res<'w, TokenSurprise>,
    cards: Res<'w, crate::playback::roles::LampCardsRes>,
    backward: Res<'w, crate::scene::backward::Backward>,
    layout: Option<Res<'w, crate::scene::CurrentLayout>>,
    added: Res<'w, crate::scene::ShowAdded>,
}

/// Words with no operands, shown like a formula's text.
fn plain(text: String) -> Formula {
    Formula {
        text,
        operands: vec![],
        value: 0.0,
    }
}

/// Draws the tooltip beside the pointer while a board cell or a lamp is under it.
pub(super) fn draw_value_tip(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    hover: Option<Res<ValueHover>>,
    sources: TipSources,
    lang: Res<Lang>,
    (mut formulas, blocking): (Local<FormulaJob>, Option<Res<Blocking>>),
) -> Result {
    let ctx = contexts.ctx_mut()?;
    // (no pointer picking in a recording)
    let (Some(v), Some(engine)) = (hover.and_then(|h| h.0), sources.engine.as_ref()) else {
        return Ok(());
    };
    if ui_state.hidden || ui_state.recording || ui_state.stage {
        return Ok(());
    }
    let Some(pointer) = ctx.pointer_hover_pos() else {
        return Ok(());
    };
    // the backward view's gradient under the pointer has its own tip (`grad_tip.rs`)
    if super::grad_tip::gradient_hovered(&sources.backward, Some(v), sources.layout.as_deref()) {
        return Ok(());
    }
    let l = *lang;
    let mut ask = |asked| {
        let blocking = blocking.is_some();
        formula_of(&mut formulas, &sources.floor, &engine.0, asked, l, blocking)
    };
    let Some(tip) = tip_content(v, &sources, &mut ask, l) else {
        return Ok(());
    };
    let lead = lead_of(v, &sources, l);
    show_tip(ctx, pointer, v, (lead, tip), ui_state.simple, l);
    Ok(())
}

/// The tip's first line: what the thing under the pointer is and does, in one plain sentence
/// (the numbers and the formula follow it).
fn lead_of(v: HoveredValue, sources: &TipSources, l: Lang) -> String {
    let h = &sources.floor.history;
    let word = |t: usize| super::explain::word(h.texts.get(t).map_or("", String::as_str), l);
    match v {
        HoveredValue::Cell { source, t, .. } => cell_lead(source, h, sources.added.0, t, l),
        HoveredValue::Bar(rank) => {
            let label = sources.dock.labels.get(rank).map_or("", String::as_str);
            tr!(l, "plain-bar", word = super::explain::word(label, l))
        }
        HoveredValue::Switch(_) => tr!(l, "plain-switch"),
        HoveredValue::Lamp { layer, neuron, t } => {
            // and where it lights most in general (its card), the strongest three places
            let mut lines = vec![tr!(l, "plain-lamp", word = word(t))];
            if let Some(e) = &sources.engine {
                let dir = e.0.dir.display().to_string();
                let card = (layer, neuron, 3);
                lines.extend(super::explain::card_lines(
                    &sources.cards,
                    &e.0.tokenizer,
                    card,
                    &dir,
                    l,
                ));
            }
            lines.join("\n")
        }
        HoveredValue::Crate(t) => tr!(l, "plain-crate", word = word(t)),
        HoveredValue::Spread { .. } => tr!(l, "plain-spread"),
        HoveredValue::Booth { .. } => tr!(l, "plain-booth"),
    }
}

/// What the tip says about `v` (none when its numbers are not on the floor).
fn tip_content(v: HoveredValue, sources: &TipSources, ask: Ask, l: Lang) -> Option<Tip> {
    let (floor, h) = (&sources.floor, &sources.floor.history);
    match v {
        HoveredValue::Cell { source, t, d } => cell_tip(sources, ask, source, t, d, l),
        HoveredValue::Bar(rank) => {
            let dock = &sources.dock;
            let (title, lines) = super::explain::bar(dock, rank, l)?;
            let f = Formula {
                text: lines.join("\n"),
                operands: vec![],
                value: dock.candidates[rank].prob,
            };
            Some((title, Some(f)))
        }
        HoveredValue::Switch(a) => {
            let on = !floor.ablations.contains(a);
            let part = super::ablations::part_name(a, l);
            let head = if on {
                tr!(l, "switch-on", part = part)
            } else {
                tr!(l, "switch-off", part = part)
            };
            Some((head, Some(plain(tr!(l, "switch-meaning")))))
        }
        HoveredValue::Lamp { layer, neuron, t } => Some(lamp_tip(floor, ask, layer, neuron, t, l)),
        HoveredValue::Crate(t) => crate_tip(sources, t, l),
        HoveredValue::Spread { norm, t } => spread_tip(h, norm, t, l),
        HoveredValue::Booth { layer, head } => {
            let title = tr!(l, "station-booth", layer = layer, head = head);
            Some((title, Some(plain(tr!(l, "tip-booth")))))
        }
    }
}

/// A board cell: its value, and the formula that made it.
fn cell_tip(
    sources: &TipSources,
    ask: Ask,
    source: BoardSource,
    t: usize,
    d: usize,
    l: Lang,
) -> Option<Tip> {
    let h = &sources.floor.history;
    let &value = source.rows(h).get(t).and_then(|r| r.get(d))?;
    let mut head = tr!(
        l,
        "inspector-cell",
        board = source.caption(l),
        d = d,
        t = t,
        value = format!("{value:+.4}")
    );
    // the tile shows what the station added: that first, then the numbers after it (whose
    // formula follows, the added part one of its terms)
    if let Some(add) = added_line(source, h, sources.added.0, (t, d), l) {
        head = format!("{add}\n{head}");
    }
    Some((head, ask(Asked::Cell(source, t, d))))
}

/// A board cell's plain first line: one of the numbers of token `t`'s word here, or (`added`, at a
/// station that adds to the stream) one of those the station added to them.
pub(super) fn cell_lead(
    source: BoardSource,
    h: &History,
    added: bool,
    t: usize,
    l: Lang,
) -> String {
    let word = super::explain::word(h.texts.get(t).map_or("", String::as_str), l);
    if added && source.added(h).is_some() {
        tr!(l, "plain-cell-added", word = word)
    } else {
        tr!(l, "plain-cell", word = word)
    }
}

/// With `added`, at a station that adds to the stream: what it added to dimension `d` of token
/// `t` (the number its tile shows), in words.
pub(super) fn added_line(
    source: BoardSource,
    h: &History,
    added: bool,
    (t, d): (usize, usize),
    l: Lang,
) -> Option<String> {
    let &a = added.then(|| source.added(h))??.get(t)?.get(d)?;
    Some(tr!(
        l,
        "tip-cell-added",
        d = d,
        t = t,
        value = format!("{a:+.4}")
    ))
}

/// A lamp: its neuron, the formula for token `t`, and what a click on it switches.
fn lamp_tip(floor: &Floor, ask: Ask, layer: usize, neuron: usize, t: usize, l: Lang) -> Tip {
    let head = tr!(l, "inspector-neuron", layer = layer, neuron = neuron);
    let f = ask(Asked::Lamp(layer, neuron, t)).map(|mut f| {
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

/// A token's crate: the token, how surprising it was, and what the crate's tag measures.
fn crate_tip(sources: &TipSources, t: usize, l: Lang) -> Option<Tip> {
    let h = &sources.floor.history;
    let (Some(text), Some(id)) = (h.texts.get(t), h.ids.get(t)) else {
        return None;
    };
    let head = tr!(
        l,
        "inspector-token",
        t = t,
        text = format!("{text:?}"),
        id = *id
    );
    let mut body = super::explain::surprise_line(&sources.surprise, &sources.floor, t, l);
    if t > 0 {
        body.push('\n');
        let vocab = h.logits.len().max(2);
        let full = format!("{:.2}", (vocab as f64).ln());
        body.push_str(&tr!(l, "tip-crate-tag", full = full, vocab = vocab));
    }
    Some((head, Some(plain(body))))
}

/// A norm gate's spread bars: token `t`'s spread before and after the norm.
fn spread_tip(h: &History, norm: BoardSource, t: usize, l: Lang) -> Option<Tip> {
    let input = norm.norm_input(h.layers.len());
    let (Some(out), Some(inp)) = (norm.rows(h).get(t), input.and_then(|i| i.rows(h).get(t))) else {
        return None;
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
    Some((title, Some(plain(body))))
}

/// Draws the tip beside the pointer: right of it, or left of it in the right half of the screen.
/// The plain sentence leads; the kiosk (`simple`) stops there, an explorer reads the numbers and
/// the formula under it.
fn show_tip(
    ctx: &egui::Context,
    pointer: egui::Pos2,
    v: HoveredValue,
    (lead, (head, formula)): (String, Tip),
    simple: bool,
    l: Lang,
) {
    let formula = formula.filter(|_| !simple);
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
                super::explain::lead(ui, lead);
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
}
