//! The inspector: the text so far, the selected token, head, neuron or cell with its real numbers,
//! and the next-token candidates.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::explain::{Asked, FormulaJob, Home, formula_of, lead};
use super::state::UiState;
use crate::camera::FocusStation;
use crate::i18n::Lang;
use crate::inference::{Blocking, Engine};
use crate::model::tokenizer::shown_token;
use crate::playback::attribution::HeadAttribution;
use crate::playback::history::mean_std;
use crate::playback::surprise::TokenSurprise;
use crate::playback::{Dock, Floor, Playback, Selection};
use crate::scene::{BoardSource, CurrentLayout};
use crate::tr;

/// The floor the inspector describes: the recorded pass, the dock's guesses, where the flow is,
/// and the numbers derived from them (surprise, each head's part in the top guess).
#[derive(SystemParam)]
pub(super) struct InspectedFloor<'w> {
    engine: Option<Res<'w, Engine>>,
    floor: Res<'w, Floor>,
    dock: Res<'w, Dock>,
    playback: Res<'w, Playback>,
    layout: Option<Res<'w, CurrentLayout>>,
    surprise: Res<'w, TokenSurprise>,
    attribution: Res<'w, HeadAttribution>,
    blocking: Option<Res<'w, Blocking>>,
    roles: Res<'w, crate::playback::roles::HeadRoles>,
    cards: Res<'w, crate::playback::roles::LampCardsRes>,
    added: Res<'w, crate::scene::ShowAdded>,
}

/// What the inspector keeps between frames: the formulas being computed for the pick (a lamp's
/// and a board cell's may be shown at once).
#[derive(Default)]
pub(super) struct Memory {
    lamp_formula: FormulaJob,
    cell_formula: FormulaJob,
}

/// The inspector, a tab of the side panel (`ui/dock.rs`).
pub(super) fn draw_inspector(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    view: InspectedFloor,
    mut selection: ResMut<Selection>,
    mut memory: Local<Memory>,
    lang: Res<Lang>,
    mut focus: MessageWriter<FocusStation>,
) -> Result {
    let lg = *lang;
    let ctx = contexts.ctx_mut()?;
    if ui_state.recording || ui_state.hidden || ui_state.stage {
        return Ok(());
    }
    let h = &view.floor.history;
    // a tab of the side panel, which comes out by itself when something is picked
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Inspector, "inspector") else {
        return Ok(());
    };
    let Memory {
        lamp_formula,
        cell_formula,
    } = &mut *memory;
    window.show(ctx, |ui| {
        if h.is_empty() {
            ui.label(tr!(lg, "inspector-waiting"));
            return;
        }
        // the numbers under each plain sentence: open for explorers, folded in the kiosk
        let lg = Words {
            lang: lg,
            numbers_open: !ui_state.simple,
        };
        text_so_far(ui, &view, lg);
        ui.separator();
        // a selection may outlive the floor it was made on (a new prompt, a tour stop)
        let token = selection.token.filter(|&t| t < h.len());
        token_section(ui, &view, token, lg);
        head_section(ui, &view, selection.head, token, lg);
        neuron_section(ui, &view, &selection, lamp_formula, lg);
        if let Some((i, dim)) = cell_section(ui, &view, (selection.dim, token), cell_formula, lg) {
            selection.dim = dim.map(|d| (i, d));
            focus.write(FocusStation(i));
        }
        if let Some(t) = selection.lamp_token(&view.floor) {
            ui.separator();
            ui.label(tr!(
                lg.lang,
                "inspector-lamps-show",
                t = t,
                text = format!("{:?}", h.texts[t])
            ));
        }
        candidates_section(ui, &view, &mut selection, lg);
        lens_section(ui, &view.dock, lg);
        if ui.button(tr!(lg.lang, "inspector-clear")).clicked() {
            *selection = Selection::default();
        }
    });
    Ok(())
}

/// The language, and whether the numbers under each plain sentence start open.
#[derive(Clone, Copy)]
struct Words {
    lang: Lang,
    numbers_open: bool,
}

/// An entry's numbers and formulas under its plain sentence, in a fold named "The numbers".
fn numbers(ui: &mut egui::Ui, id: &str, w: Words, add: impl FnOnce(&mut egui::Ui)) {
    egui::CollapsingHeader::new(tr!(w.lang, "inspector-numbers"))
        .id_salt(id)
        .default_open(w.numbers_open)
        .show(ui, add);
}

/// The text so far (its end, when long), the token counts and the station the flow is at.
fn text_so_far(ui: &mut egui::Ui, view: &InspectedFloor, w: Words) {
    let lg = w.lang;
    let h = &view.floor.history;
    let text: String = h.texts.join("");
    // the end of a long text is what matters: the next token continues it
    let chars: Vec<char> = text.chars().collect();
    let shown: String = if chars.len() > 240 {
        format!(
            "...{}",
            chars[chars.len() - 240..].iter().collect::<String>()
        )
    } else {
        text
    };
    lead(ui, tr!(lg, "inspector-plain-text"));
    ui.label(egui::RichText::new(shown).monospace());
    ui.label(tr!(
        lg,
        "inspector-tokens",
        n = h.len(),
        prompt = h.n_prompt,
        riding = h.len() - view.floor.flow_start
    ));
    if let Some(l) = &view.layout {
        let p = view.playback.progress.max(0.0).floor() as usize;
        if let Some(s) = l.0.stations.get(p) {
            ui.label(tr!(lg, "inspector-at", station = s.kind.title(lg)));
        }
    }
}

/// The selected token (or a hint to pick one): its id, surprise, embedding and stream per layer.
fn token_section(ui: &mut egui::Ui, view: &InspectedFloor, token: Option<usize>, w: Words) {
    let (h, lg) = (&view.floor.history, w.lang);
    match token {
        None => {
            lead(ui, tr!(lg, "inspector-hint"));
        }
        Some(t) => {
            let word = super::explain::word(&h.texts[t], lg);
            let n = h.len();
            lead(
                ui,
                tr!(lg, "inspector-plain-token", word = word, n = t + 1, all = n),
            );
            numbers(ui, "token-numbers", w, |ui| token_numbers(ui, view, t, lg));
        }
    }
}

/// The selected token's numbers: its id, surprise, embedding and stream per layer.
fn token_numbers(ui: &mut egui::Ui, view: &InspectedFloor, t: usize, lg: Lang) {
    let h = &view.floor.history;
    ui.strong(tr!(
        lg,
        "inspector-token",
        t = t,
        text = format!("{:?}", h.texts[t]),
        id = h.ids[t]
    ));
    ui.label(super::explain::surprise_line(
        &view.surprise,
        &view.floor,
        t,
        lg,
    ));
    let (m0, s0) = mean_std(&h.embed[t]);
    ui.label(tr!(
        lg,
        "inspector-embedding",
        mean = format!("{m0:+.3}"),
        spread = format!("{s0:.3}")
    ));
    for (l, rows) in h.layers.iter().enumerate() {
        let (m1, s1) = mean_std(&rows.resid_attn[t]);
        let (m2, s2) = mean_std(&rows.ln_2[t]);
        ui.label(tr!(
            lg,
            "inspector-layer-stream",
            layer = l,
            mean = format!("{m1:+.2}"),
            spread = format!("{s1:.2}"),
            mean2 = format!("{m2:+.2}"),
            spread2 = format!("{s2:.2}")
        ));
    }
}

/// The selected head: where the token (else the last one) looks most, and the head's part in
/// the top guess.
fn head_section(
    ui: &mut egui::Ui,
    view: &InspectedFloor,
    head: Option<(usize, usize)>,
    token: Option<usize>,
    w: Words,
) {
    let (h, lg) = (&view.floor.history, w.lang);
    if let Some((l, hd)) = head
        && let Some(rows) = h.layers.get(l).and_then(|x| x.attention.get(hd))
    {
        ui.separator();
        let q = token.unwrap_or(h.len() - 1);
        let word = super::explain::word(&h.texts[q], lg);
        lead(
            ui,
            tr!(
                lg,
                "inspector-plain-head",
                layer = l,
                head = hd,
                word = word
            ),
        );
        let dir = view.engine.as_ref().map(|e| e.0.dir.display().to_string());
        super::explain::role_line(ui, &view.roles, dir, (l, hd), lg);
        let row = rows.get(q).cloned().unwrap_or_default();
        let mut order: Vec<usize> = (0..row.len()).collect();
        order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
        for k in order.into_iter().take(6) {
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(row[k])
                        .desired_width(120.0)
                        .text(format!("{:.3}", row[k])),
                );
                ui.label(format!("{k}: {:?}", h.texts[k]));
            });
        }
        numbers(ui, "head-numbers", w, |ui| {
            ui.label(tr!(
                lg,
                "inspector-looks-at",
                t = q,
                text = format!("{:?}", h.texts[q])
            ));
            head_attribution(ui, view, l, hd, lg);
        });
    }
}

/// Direct logit attribution: the head's part in the top guess, and its rank among all heads.
fn head_attribution(ui: &mut egui::Ui, view: &InspectedFloor, l: usize, hd: usize, lg: Lang) {
    if let Some(engine) = view.engine.as_ref() {
        match view.attribution.of(&view.floor) {
            Some(a) => {
                let part = a.heads[l][hd];
                let all: Vec<f32> = a.heads.iter().flatten().copied().collect();
                let rank = 1 + all.iter().filter(|p| p.abs() > part.abs()).count();
                let text = engine.0.tokenizer.token_text(a.token);
                ui.label(tr!(
                    lg,
                    "inspector-part",
                    token = shown_token(&text, a.token),
                    part = format!("{part:+.3}"),
                    logit = format!("{:.3}", a.logit),
                    rank = rank,
                    heads = all.len()
                ))
            }
            None => ui.label(tr!(lg, "inspector-part-waiting")),
        };
    }
}

/// The selected neuron: its output for the last tokens, and the formula for the lamp's token.
fn neuron_section(
    ui: &mut egui::Ui,
    view: &InspectedFloor,
    selection: &Selection,
    formulas: &mut FormulaJob,
    w: Words,
) {
    let (h, lg) = (&view.floor.history, w.lang);
    if let Some((l, n)) = selection.neuron
        && l < h.layers.len()
    {
        ui.separator();
        lead(ui, tr!(lg, "inspector-plain-neuron", layer = l, neuron = n));
        if let Some(e) = &view.engine {
            let dir = e.0.dir.display().to_string();
            let card = (l, n, crate::model::lamps::TOP);
            for line in super::explain::card_lines(&view.cards, &e.0.tokenizer, card, &dir, lg) {
                ui.label(line);
            }
        }
        numbers(ui, "neuron-numbers", w, |ui| {
            neuron_numbers(ui, view, selection, formulas, (l, n), lg)
        });
    }
}

/// The selected neuron's numbers: its output for the last tokens, and the formula for the lamp's
/// token.
fn neuron_numbers(
    ui: &mut egui::Ui,
    view: &InspectedFloor,
    selection: &Selection,
    formulas: &mut FormulaJob,
    (l, n): (usize, usize),
    lg: Lang,
) {
    let (floor, h) = (&view.floor, &view.floor.history);
    if let Some(layer) = h.layers.get(l) {
        ui.strong(tr!(lg, "inspector-neuron", layer = l, neuron = n));
        ui.label(tr!(lg, "inspector-neuron-outputs"));
        for (t, acts) in layer.ffn_act.iter().enumerate().rev().take(8) {
            if let Some(v) = acts.get(n) {
                ui.label(format!("{t} {:?}: {v:+.4}", h.texts[t]));
            }
        }
        if let Some(t) = selection.lamp_token(floor)
            && let Some(e) = view.engine.as_ref()
            && let Some(f) = formula_of(
                formulas,
                floor,
                &e.0,
                Asked::Lamp(l, n, t),
                lg,
                view.blocking.is_some(),
            )
        {
            ui.label(tr!(lg, "inspector-token-formula", t = t, formula = f.text));
        }
    }
}

/// The selected board cell: its value and formula, with a button per operand that lives
/// elsewhere on the floor. Returns the station (and the cell, for a board) of a clicked operand.
fn cell_section(
    ui: &mut egui::Ui,
    view: &InspectedFloor,
    (dim, token): (Option<(usize, usize)>, Option<usize>),
    formulas: &mut FormulaJob,
    w: Words,
) -> Option<(usize, Option<usize>)> {
    let (floor, h, lg) = (&view.floor, &view.floor.history, w.lang);
    let mut goto: Option<(usize, Option<usize>)> = None;
    if let Some((station, d)) = dim
        && let Some(l) = &view.layout
        && let Some(src) =
            l.0.stations
                .get(station)
                .and_then(|s| BoardSource::for_station(s.kind))
        && let Some(t) = token
        && let Some(&v) = src.rows(h).get(t).and_then(|r| r.get(d))
    {
        ui.separator();
        let added = view.added.0;
        lead(ui, super::value_tip::cell_lead(src, h, added, t, lg));
        if let Some(line) = super::value_tip::added_line(src, h, added, (t, d), lg) {
            ui.label(line); // what the tile shows, before the sum and its formula
        }
        ui.label(tr!(
            lg,
            "inspector-cell",
            board = src.caption(lg),
            d = d,
            t = t,
            value = format!("{v:+.4}")
        ));
        let asked = Asked::Cell(src, t, d);
        if let Some(e) = view.engine.as_ref()
            && let Some(f) = formula_of(formulas, floor, &e.0, asked, lg, view.blocking.is_some())
        {
            ui.label(f.text);
            // each operand that lives elsewhere on the floor: a click flies there (a
            // board's cell is selected, so its own formula follows)
            ui.horizontal_wrapped(|ui| {
                for (name, value) in &f.operands {
                    let n_layer = h.layers.len();
                    let Some(home) = super::explain::operand_home(src, name, n_layer) else {
                        continue;
                    };
                    let (kind, cell) = match home {
                        Home::Board(b) => (b.station(), true),
                        Home::Station(k) => (k, false),
                    };
                    let Some(i) = l.0.stations.iter().position(|s| s.kind == kind) else {
                        continue;
                    };
                    let label = format!("{name} = {value:+.4} »");
                    let tip = tr!(lg, "inspector-go", station = l.0.stations[i].kind.title(lg));
                    if ui.small_button(label).on_hover_text(tip).clicked() {
                        goto = Some((i, cell.then_some(d)));
                    }
                }
            });
        }
    }
    goto
}

/// The next-token candidates as bars (a click picks the one explained), why the picked one has
/// its share, and the token sampled last. (`selection` stays a `ResMut`, so it is marked changed
/// only when the bar picked changes.)
fn candidates_section(
    ui: &mut egui::Ui,
    view: &InspectedFloor,
    selection: &mut ResMut<Selection>,
    w: Words,
) {
    let (floor, dock, lg) = (&view.floor, &view.dock, w.lang);
    if !dock.candidates.is_empty() {
        ui.separator();
        lead(ui, tr!(lg, "inspector-plain-next"));
        if !floor.ablations.is_empty() {
            ui.label(tr!(
                lg,
                "inspector-ablated",
                parts = super::ablations::parts_names(&floor.ablations, lg)
            ));
        }
        // the bar picked here or at the dock; the top one until then
        let mut explain = selection
            .bar
            .unwrap_or(0)
            .min(dock.candidates.len().saturating_sub(1));
        for (i, (c, label)) in dock.candidates.iter().zip(&dock.labels).enumerate().take(6) {
            ui.horizontal(|ui| {
                let text = match dock.before.get(i) {
                    Some(b) => format!("{:.1}% -> {:.1}%", b * 100.0, c.prob * 100.0),
                    None => format!("{:.1}%", c.prob * 100.0),
                };
                let bar = ui.add(
                    egui::ProgressBar::new(c.prob)
                        .desired_width(120.0)
                        .text(text),
                );
                let name = ui.selectable_label(i == explain, label);
                if bar.interact(egui::Sense::click()).clicked() || name.clicked() {
                    explain = i;
                }
            });
        }
        if selection.bar.unwrap_or(0) != explain {
            selection.bar = Some(explain);
        }
        numbers(ui, "next-numbers", w, |ui| {
            ui.label(tr!(lg, "inspector-next"));
            if let Some((title, lines)) = super::explain::bar(dock, explain, lg) {
                ui.label(egui::RichText::new(title).strong());
                for line in lines {
                    ui.label(line);
                }
            }
            if let (Some((id, _)), Some(engine)) = (&floor.last_sample, &view.engine) {
                let text = engine.0.tokenizer.token_text(*id);
                ui.label(tr!(
                    lg,
                    "inspector-last-sampled",
                    token = shown_token(&text, *id)
                ));
            }
        });
    }
}

/// The logit lens: each layer's raw top guesses.
fn lens_section(ui: &mut egui::Ui, dock: &Dock, w: Words) {
    let lg = w.lang;
    if !dock.lens.is_empty() {
        ui.separator();
        lead(ui, tr!(lg, "inspector-plain-lens"));
        ui.weak(tr!(lg, "inspector-lens"));
        ui.weak(tr!(lg, "inspector-lens-raw"));
        for (l, line) in dock.lens.iter().enumerate() {
            ui.label(tr!(lg, "inspector-lens-layer", layer = l, guesses = line));
        }
    }
}
