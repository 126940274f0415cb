//! The inspector: the text so far, the selected token, head, neuron or cell with its real numbers,
//! and the next-token candidates.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::explain::{Asked, FormulaJob, Home, formula_of};
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
}

/// What the inspector keeps between frames: the last pick (to unfold on a new one) and the
/// formulas being computed for it (a lamp's and a board cell's may be shown at once).
#[derive(Default)]
pub(super) struct Memory {
    last_pick: Selection,
    lamp_formula: FormulaJob,
    cell_formula: FormulaJob,
}

/// The inspector window, top right.
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
    // folded at first, so the scene has the room; it opens by itself when something is picked
    let id = egui::Id::new(super::column::INSPECTOR);
    let Memory {
        last_pick,
        lamp_formula,
        cell_formula,
    } = &mut *memory;
    unfold_on_new_pick(ctx, id, &selection, last_pick);
    egui::Window::new(tr!(lg, "inspector"))
        .id(id)
        .default_open(false)
        .anchor(
            egui::Align2::RIGHT_TOP,
            [-super::column::GAP, super::column::GAP],
        )
        .default_width(300.0)
        .resizable(false)
        // above the heatmap, never over it: what does not fit scrolls
        .max_height(super::column::inspector_max_height(
            ctx,
            selection.head.is_some(),
        ))
        .vscroll(true)
        .show(ctx, |ui| {
            if h.is_empty() {
                ui.label(tr!(lg, "inspector-waiting"));
                return;
            }
            text_so_far(ui, &view, lg);
            ui.separator();
            // a selection may outlive the floor it was made on (a new prompt, a tour stop)
            let token = selection.token.filter(|&t| t < h.len());
            token_section(ui, &view, token, lg);
            head_section(ui, &view, selection.head, token, lg);
            neuron_section(ui, &view, &selection, lamp_formula, lg);
            if let Some((i, dim)) =
                cell_section(ui, &view, (selection.dim, token), cell_formula, lg)
            {
                selection.dim = dim.map(|d| (i, d));
                focus.write(FocusStation(i));
            }
            if let Some(t) = selection.lamp_token(&view.floor) {
                ui.separator();
                ui.label(tr!(
                    lg,
                    "inspector-lamps-show",
                    t = t,
                    text = format!("{:?}", h.texts[t])
                ));
            }
            candidates_section(ui, &view, &mut selection, lg);
            lens_section(ui, &view.dock, lg);
            if ui.button(tr!(lg, "inspector-clear")).clicked() {
                *selection = Selection::default();
            }
        });
    Ok(())
}

/// Opens the folded window once when the selection changes to something picked.
fn unfold_on_new_pick(
    ctx: &egui::Context,
    id: egui::Id,
    selection: &Selection,
    last_pick: &mut Selection,
) {
    if *selection != *last_pick {
        *last_pick = selection.clone();
        if *selection != Selection::default() {
            let key = id.with("collapsing");
            let mut folded =
                egui::collapsing_header::CollapsingState::load_with_default_open(ctx, key, false);
            folded.set_open(true);
            folded.store(ctx);
        }
    }
}

/// The text so far (its end, when long), the token counts and the station the flow is at.
fn text_so_far(ui: &mut egui::Ui, view: &InspectedFloor, lg: Lang) {
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
fn token_section(ui: &mut egui::Ui, view: &InspectedFloor, token: Option<usize>, lg: Lang) {
    let h = &view.floor.history;
    match token {
        None => {
            ui.label(tr!(lg, "inspector-hint"));
        }
        Some(t) => {
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
    }
}

/// The selected head: where the token (else the last one) looks most, and the head's part in
/// the top guess.
fn head_section(
    ui: &mut egui::Ui,
    view: &InspectedFloor,
    head: Option<(usize, usize)>,
    token: Option<usize>,
    lg: Lang,
) {
    let h = &view.floor.history;
    if let Some((l, hd)) = head
        && let Some(rows) = h.layers.get(l).and_then(|x| x.attention.get(hd))
    {
        ui.separator();
        ui.strong(tr!(lg, "inspector-head", layer = l, head = hd));
        let q = token.unwrap_or(h.len() - 1);
        ui.label(tr!(
            lg,
            "inspector-looks-at",
            t = q,
            text = format!("{:?}", h.texts[q])
        ));
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
        head_attribution(ui, view, l, hd, lg);
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
    lg: Lang,
) {
    let (floor, h) = (&view.floor, &view.floor.history);
    if let Some((l, n)) = selection.neuron
        && let Some(layer) = h.layers.get(l)
    {
        ui.separator();
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
    lg: Lang,
) -> Option<(usize, Option<usize>)> {
    let (floor, h) = (&view.floor, &view.floor.history);
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
    lg: Lang,
) {
    let (floor, dock) = (&view.floor, &view.dock);
    if !dock.candidates.is_empty() {
        ui.separator();
        ui.strong(tr!(lg, "inspector-next"));
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
    }
}

/// The logit lens: each layer's raw top guesses.
fn lens_section(ui: &mut egui::Ui, dock: &Dock, lg: Lang) {
    if !dock.lens.is_empty() {
        ui.separator();
        ui.strong(tr!(lg, "inspector-lens"));
        ui.label(tr!(lg, "inspector-lens-raw"));
        for (l, line) in dock.lens.iter().enumerate() {
            ui.label(tr!(lg, "inspector-lens-layer", layer = l, guesses = line));
        }
    }
}
