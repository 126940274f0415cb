//! Two prompts side by side (A/B): the floor's prompt (A) and a second one (B) typed here, on the
//! same model with the same parts switched off. The next-token candidates of both under the panel's
//! sampling settings (each token's change marked), the logit lens layer by layer (layers whose top
//! guess differs marked), and one head's attention for both. Its text comes from the message
//! catalogue (`compare-*`).

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::patching::Click;
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Engine, Request};
use crate::model::sample::candidates;
use crate::model::tokenizer::shown_token;
use crate::model::{Config, Tokenizer};
use crate::playback::compare::Comparison;
use crate::playback::history::History;
use crate::playback::{Floor, Sampling, Selection};
use crate::scene::patch_glow::{PatchLight, PatchLit};
use crate::tr;

/// Candidates shown per side.
const TOP: usize = 5;
/// A change in probability this large (percentage points) is marked.
const MARKED_PP: f32 = 2.0;

/// The window's own state: B's text as typed, the head shown, the pictures made.
#[derive(Default)]
pub(super) struct CompareView {
    text: String,
    /// The head picked here (else the selected head, else layer 0's head 0).
    head: Option<(usize, usize)>,
    /// The window was open last frame (B's box is filled with A's text when it opens).
    open: bool,
    /// (floor version, B version, layer, head) the two pictures are for.
    made_for: Option<(u64, u64, usize, usize)>,
    pictures: Option<[egui::TextureHandle; 2]>,
    /// The patching section's state.
    patch: super::patching::PatchView,
}

/// Side A: the model, the floor, the panel's sampling settings and the selected head.
#[derive(SystemParam)]
pub(super) struct SideA<'w> {
    engine: Option<Res<'w, Engine>>,
    floor: Res<'w, Floor>,
    sampling: Res<'w, Sampling>,
    selection: Res<'w, Selection>,
}

/// The window, when open.
pub(super) fn draw_compare(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    mut view: Local<CompareView>,
    mut cmp: ResMut<Comparison>,
    side_a: SideA,
    (lang, mut light, mut requests): (Res<Lang>, ResMut<PatchLight>, MessageWriter<Request>),
) -> Result {
    let l = *lang;
    // the hall is lit by a patching grid only while the window shows it
    let mut lit = None;
    let ctx = contexts.ctx_mut()?;
    let floor = &side_a.floor;
    let Some(engine) = side_a.engine.as_ref() else {
        return Ok(());
    };
    if !ui_state.compare_view && view.open {
        // closed from the panel: B is forgotten, and the box starts from A again next time
        view.open = false;
        cmp.clear();
    }
    if !ui_state.compare_view || ui_state.hidden || ui_state.stage || floor.history.is_empty() {
        light.set_if_neq(PatchLight(None));
        return Ok(());
    }
    let tok = &engine.0.tokenizer;
    let cfg = &engine.0.config;
    let a = &floor.history;
    // A is every token on the floor (the prompt and what was generated): the numbers are theirs
    let a_text = a.texts.concat().trim().to_string();
    if !view.open {
        view.open = true;
        if cmp.wanted.is_none() {
            // B starts as A, to be changed a word at a time
            view.text = a_text.clone();
        }
    }
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Compare, "compare-view") else {
        light.set_if_neq(PatchLight(None));
        return Ok(());
    };
    window.show(ctx, |ui| {
        ui.label(tr!(l, "compare-intro"));
        // a grid cell on the floor: side A is that patched run, and the tables say so
        let a_key = if floor.patch.is_some() {
            "compare-a-patched"
        } else {
            "compare-a"
        };
        ui.label(tr!(l, a_key, text = shortened(&a_text, 240)));
        if b_prompt_box(ui, &mut view.text, ui_state.max_prompt_chars, l) {
            cmp.wanted = Some(view.text.clone());
        }
        b_status(ui, &cmp, floor, l);
        let Some(b) = cmp.b.as_ref() else { return };
        next_token_table(ui, a, b, &side_a.sampling, tok, l);
        lens_table(ui, a, b, tok, l);
        attention_section(ui, &mut view, &side_a, b, cmp.version, cfg, l);
        let sides = (a, b, &floor.ablations);
        // the text B's numbers (and so the grid) are for, not the box's newer one
        let b_text = b.texts.concat().trim().to_string();
        let texts = ((a_text.clone(), b_text), floor.patch.as_ref());
        let section = super::patching::patching_section;
        lit = section(ui, &mut view.patch, &engine.0, sides, texts, l).map(|(site, shares)| {
            PatchLit {
                ids: a.ids.clone(),
                site,
                shares,
            }
        });
    });
    light.set_if_neq(PatchLight(lit));
    if let Some(click) = view.patch.click.take() {
        send_click(click, &mut ui_state, &mut requests);
    }
    Ok(())
}

/// A grid cell clicked: B on the floor with that patch; Back: A again (a new prompt ends a
/// patch). The prompt box shows what the floor runs.
fn send_click(click: Click, ui_state: &mut UiState, requests: &mut MessageWriter<Request>) {
    let (text, patch) = match click {
        Click::Patch(text, spec) => (text, Some(spec)),
        Click::Back(text) => (text, None),
    };
    ui_state.prompt = text.clone();
    requests.write(Request::Prompt(text));
    if let Some(spec) = patch {
        requests.write(Request::Patch(Some(spec)));
    }
}

/// B's text box and its run button; true when B is to be run (the button, or Enter in the box).
fn b_prompt_box(ui: &mut egui::Ui, text: &mut String, max_chars: usize, l: Lang) -> bool {
    let mut run = false;
    ui.horizontal(|ui| {
        ui.label("B:");
        let edit = egui::TextEdit::singleline(text)
            .char_limit(crate::limits::MAX_PROMPT_CHARS.min(max_chars))
            .desired_width(360.0);
        let r = ui.add(edit);
        let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button(tr!(l, "compare-run")).clicked() || enter {
            run = true;
        }
    });
    run
}

/// Whether B is being computed, why it could not run, its notice, and a note on switched-off parts.
fn b_status(ui: &mut egui::Ui, cmp: &Comparison, floor: &Floor, l: Lang) {
    if cmp.busy() {
        ui.label(tr!(l, "compare-busy"));
    }
    if let Some(e) = &cmp.error {
        ui.colored_label(egui::Color32::from_rgb(255, 110, 90), e);
    }
    if let Some(n) = &cmp.notice {
        ui.weak(n);
    }
    if !floor.ablations.is_empty() {
        ui.weak(tr!(l, "compare-ablated"));
    }
}

/// The next token: the union of both sides' top candidates, each with its change.
fn next_token_table(
    ui: &mut egui::Ui,
    a: &History,
    b: &History,
    sampling: &Sampling,
    tok: &Tokenizer,
    l: Lang,
) {
    let piece = |id: u32| shown_token(&tok.token_text(id), id);
    ui.separator();
    ui.strong(tr!(l, "compare-next"));
    let params = sampling.params();
    let (ca, cb) = (
        candidates(&a.logits, &params),
        candidates(&b.logits, &params),
    );
    let p_of = |c: &[crate::model::sample::Candidate], id: u32| {
        c.iter().find(|x| x.id == id).map_or(0.0, |x| x.prob)
    };
    let mut ids: Vec<u32> = Vec::new();
    for c in ca.iter().take(TOP).chain(cb.iter().take(TOP)) {
        if !ids.contains(&c.id) {
            ids.push(c.id);
        }
    }
    egui::Grid::new("compare-next")
        .striped(true)
        .show(ui, |ui| {
            ui.weak(tr!(l, "compare-token"));
            ui.weak("A");
            ui.weak("B");
            ui.weak("B − A");
            ui.end_row();
            for id in ids {
                let (pa, pb) = (100.0 * p_of(&ca, id), 100.0 * p_of(&cb, id));
                let d = pb - pa;
                ui.monospace(piece(id));
                ui.monospace(format!("{pa:5.1}%"));
                ui.monospace(format!("{pb:5.1}%"));
                ui.colored_label(change_colour(d), format!("{d:+5.1}"));
                ui.end_row();
            }
        });
}

/// The logit lens: each layer's raw top guess on both sides, layers whose guesses differ marked.
fn lens_table(ui: &mut egui::Ui, a: &History, b: &History, tok: &Tokenizer, l: Lang) {
    let piece = |id: u32| shown_token(&tok.token_text(id), id);
    ui.separator();
    ui.strong(tr!(l, "compare-lens"));
    ui.weak(tr!(l, "compare-lens-raw"));
    egui::Grid::new("compare-lens")
        .striped(true)
        .show(ui, |ui| {
            for (layer, (la, lb)) in a.lens.iter().zip(&b.lens).enumerate() {
                let (Some(ga), Some(gb)) = (la.first(), lb.first()) else {
                    continue;
                };
                ui.label(tr!(l, "heatmap-layer", layer = layer));
                let show = |g: &crate::model::trace::Guess| {
                    format!("{} {:.0}%", piece(g.id), 100.0 * g.prob)
                };
                ui.monospace(format!("A {}", show(ga)));
                ui.monospace(format!("B {}", show(gb)));
                if ga.id != gb.id {
                    ui.colored_label(
                        egui::Color32::from_rgb(255, 200, 90),
                        tr!(l, "compare-differs"),
                    );
                } else {
                    ui.label("");
                }
                ui.end_row();
            }
        });
}

/// One head's attention, both sides: the head picked here (or the selected one), both grids, and
/// the pair whose weight changed most.
fn attention_section(
    ui: &mut egui::Ui,
    view: &mut CompareView,
    side_a: &SideA,
    b: &History,
    b_version: u64,
    cfg: &Config,
    l: Lang,
) {
    let (a, floor) = (&side_a.floor.history, &side_a.floor);
    ui.separator();
    let (mut layer, mut head) = view.head.or(side_a.selection.head).unwrap_or((0, 0));
    ui.horizontal(|ui| {
        ui.strong(tr!(l, "compare-attention"));
        let layers = egui::DragValue::new(&mut layer)
            .range(0..=cfg.n_layer - 1)
            .prefix("L");
        let picked_layer = ui.add(layers).changed();
        let heads = egui::DragValue::new(&mut head)
            .range(0..=cfg.n_head - 1)
            .prefix("H");
        let picked_head = ui.add(heads).changed();
        if picked_layer || picked_head {
            view.head = Some((layer, head));
        }
    });
    let key = (floor.version, b_version, layer, head);
    if view.made_for != Some(key) || view.pictures.is_none() {
        view.pictures = Some([
            super::heatmap::head_texture(ui.ctx(), a, layer, head, "compare-a"),
            super::heatmap::head_texture(ui.ctx(), b, layer, head, "compare-b"),
        ]);
        view.made_for = Some(key);
    }
    let pictures = view.pictures.clone().unwrap();
    ui.horizontal_top(|ui| {
        for (side, (h, tex)) in [("A", (a, &pictures[0])), ("B", (b, &pictures[1]))] {
            ui.vertical(|ui| {
                ui.weak(side);
                let grid = super::heatmap::HeadGrid {
                    h,
                    tex,
                    layer,
                    head,
                    selected: None,
                    head_size: cfg.n_embd / cfg.n_head,
                    beam: None,
                };
                super::heatmap::grid(ui, &grid, &mut |_| None, l, 220.0);
            });
        }
    });
    if let Some((q, k, wa, wb)) = largest_change(a, b, layer, head) {
        ui.label(tr!(
            l,
            "compare-attention-change",
            q = q,
            k = k,
            a = format!("{wa:.3}"),
            b = format!("{wb:.3}")
        ));
    }
}

/// Amber for a rise, cyan for a fall (the hall's colours for + and −), grey for a small change.
fn change_colour(d: f32) -> egui::Color32 {
    if d >= MARKED_PP {
        egui::Color32::from_rgb(255, 180, 60)
    } else if d <= -MARKED_PP {
        egui::Color32::from_rgb(80, 190, 255)
    } else {
        egui::Color32::from_gray(150)
    }
}

/// For two floors of one length: the (query, key) pair whose weight in (`layer`, `head`) changed
/// most, with both weights (none for different lengths: then no pair is the same pair).
fn largest_change(
    a: &History,
    b: &History,
    layer: usize,
    head: usize,
) -> Option<(usize, usize, f32, f32)> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let n = a.len();
    (0..n)
        .flat_map(|q| (0..=q).map(move |k| (q, k)))
        .map(|(q, k)| {
            (
                q,
                k,
                a.weight(layer, head, q, k),
                b.weight(layer, head, q, k),
            )
        })
        .max_by(|x, y| (x.2 - x.3).abs().total_cmp(&(y.2 - y.3).abs()))
        .filter(|x| (x.2 - x.3).abs() > 1e-4)
}

/// `text`, or its last `max` characters after an ellipsis.
fn shortened(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let tail: String = text.chars().skip(n - max).collect();
    format!("… {tail}")
}
