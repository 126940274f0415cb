//! The egui overlay: prompt and sampling, playback, the model card, the inspector, help, and the
//! labels that float over the 3D scene. Errors appear here; the app keeps running.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, EguiPrimaryContextPass, egui};

use crate::inference::{Engine, Floor, Pending, Request, Sampling};
use crate::model::generate::MAX_PROMPT_CHARS;
use crate::model::{Config, SamplingParams};
use crate::scene::beams::{BeamSettings, Beams};
use crate::scene::history::mean_std;
use crate::scene::layout::StationKind;
use crate::scene::{
    BoardSource, CurrentLayout, Playback, Selection, WorldLabel, dock_candidates, lamp_token,
    palette, shown_piece,
};
use crate::tour::TourPlayer;

/// What the overlay holds between frames.
#[derive(Resource, Debug)]
pub struct UiState {
    /// The prompt being edited.
    pub prompt: String,
    /// Tokens to generate with the "Generate" button.
    pub generate_n: usize,
    /// Help window open.
    pub help: bool,
    /// Sampling values being edited (applied when valid).
    pub edit: SamplingParams,
    /// The values last applied from the widgets.
    pub applied: SamplingParams,
    /// A message about refused input.
    pub refused: Option<String>,
    /// Hide the advanced controls (kiosk).
    pub simple: bool,
    /// The last screenshot saved with F12.
    pub saved: Option<String>,
    /// Longest prompt accepted from the box.
    pub max_prompt_chars: usize,
    /// Recording a video: captions and labels only, no control panel or inspector.
    pub recording: bool,
}

impl Default for UiState {
    fn default() -> Self {
        Self {
            prompt: DEFAULT_PROMPT.into(),
            generate_n: 8,
            help: false,
            edit: SamplingParams::default(),
            applied: SamplingParams::default(),
            refused: None,
            simple: false,
            saved: None,
            max_prompt_chars: 2000,
            recording: false,
        }
    }
}

/// The prompt the factory starts with.
pub const DEFAULT_PROMPT: &str = "The king said to the queen";

/// Overlay systems (need a window and egui).
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<UiState>().add_systems(
        EguiPrimaryContextPass,
        (draw_world_labels, draw_panels, draw_caption).chain(),
    );
    app.add_systems(
        Update,
        keyboard_shortcuts
            .run_if(not(bevy_egui::input::egui_wants_any_keyboard_input))
            .in_set(crate::app::AppSet::Input),
    );
}

fn keyboard_shortcuts(
    keys: Res<ButtonInput<KeyCode>>,
    mut playback: ResMut<Playback>,
    mut ui: ResMut<UiState>,
    mut selection: ResMut<Selection>,
    mut tour: ResMut<TourPlayer>,
    mut commands: Commands,
) {
    if keys.just_pressed(KeyCode::KeyT) {
        if tour.active {
            tour.stop();
        } else {
            tour.start();
        }
    }
    if keys.just_pressed(KeyCode::Space) {
        if tour.active {
            tour.paused = !tour.paused;
        } else {
            playback.toggle();
        }
    }
    if tour.active && keys.just_pressed(KeyCode::ArrowRight) {
        tour.jump(1);
    }
    if tour.active && keys.just_pressed(KeyCode::ArrowLeft) {
        tour.jump(-1);
    }
    if keys.just_pressed(KeyCode::F12) && !ui.simple {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = format!("factory-screenshot-{secs}.png");
        commands
            .spawn(bevy::render::view::screenshot::Screenshot::primary_window())
            .observe(bevy::render::view::screenshot::save_to_disk(path.clone()));
        ui.saved = Some(path);
    }
    if keys.just_pressed(KeyCode::KeyN) || keys.just_pressed(KeyCode::Period) {
        playback.step();
    }
    if keys.just_pressed(KeyCode::KeyG) {
        playback.generate(1);
    }
    if keys.just_pressed(KeyCode::F1) || keys.just_pressed(KeyCode::KeyH) {
        ui.help = !ui.help;
    }
    if keys.just_pressed(KeyCode::Escape) {
        *selection = Selection::default();
    }
    if keys.just_pressed(KeyCode::BracketRight) {
        playback.speed = (playback.speed * 1.5).min(40.0);
    }
    if keys.just_pressed(KeyCode::BracketLeft) {
        playback.speed = (playback.speed / 1.5).max(0.1);
    }
}

/// Floats each [`WorldLabel`] over its entity, sized by distance, behind the panels.
fn draw_world_labels(
    mut contexts: EguiContexts,
    cameras: Query<(&Camera, &GlobalTransform), With<Camera3d>>,
    labels: Query<(&WorldLabel, &GlobalTransform, Option<&InheritedVisibility>)>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Ok((camera, cam_t)) = cameras.single() else {
        return Ok(());
    };
    let painter = ctx.layer_painter(egui::LayerId::background());
    let eye = cam_t.translation();
    for (label, t, vis) in &labels {
        if label.text.is_empty() || vis.is_some_and(|v| !v.get()) {
            continue;
        }
        let p = t.translation() + Vec3::Y * label.lift;
        let dist = p.distance(eye);
        let size = label.size * 20.0 / dist.max(1.0);
        if size < 7.0 {
            continue;
        }
        let Ok(screen) = camera.world_to_viewport(cam_t, p) else {
            continue;
        };
        painter.text(
            egui::pos2(screen.x, screen.y),
            egui::Align2::CENTER_BOTTOM,
            &label.text,
            egui::FontId::proportional(size.min(22.0)),
            egui::Color32::from_rgb(235, 232, 220),
        );
    }
    Ok(())
}

/// GPT-2 small and GPT-3 (175B), for the model card.
fn scale_rows(cfg: &Config) -> Vec<(&'static str, usize, usize, usize, usize, f64)> {
    let g2 = Config::gpt2_small();
    vec![
        (
            "this model",
            cfg.n_layer,
            cfg.n_head,
            cfg.n_embd,
            cfg.n_positions,
            cfg.n_params() as f64,
        ),
        (
            "GPT-2 small",
            g2.n_layer,
            g2.n_head,
            g2.n_embd,
            g2.n_positions,
            g2.n_params() as f64,
        ),
        ("GPT-3", 96, 96, 12288, 2048, 175e9),
    ]
}

fn params_text(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.0}B", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1}M", n / 1e6)
    } else {
        format!("{:.0}k", n / 1e3)
    }
}

#[allow(clippy::too_many_arguments)]
fn draw_panels(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    engine: Option<Res<Engine>>,
    floor: Res<Floor>,
    pending: Res<Pending>,
    mut sampling: ResMut<Sampling>,
    mut playback: ResMut<Playback>,
    mut beam_settings: ResMut<BeamSettings>,
    beams: Res<Beams>,
    mut selection: ResMut<Selection>,
    layout: Option<Res<CurrentLayout>>,
    mut requests: MessageWriter<Request>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = engine else {
        return Ok(());
    };
    if ui_state.recording {
        return Ok(());
    }
    let cfg = &engine.0.config;
    let tok = &engine.0.tokenizer;
    let st = &mut *ui_state;
    // an Area (not a bare Ui) so that egui knows the pointer is over it and the scene ignores it
    let screen_h = ctx.viewport_rect().height();
    egui::Area::new("controls".into())
        .fixed_pos(egui::pos2(0.0, 0.0))
        .order(egui::Order::Middle)
        .show(ctx, |ui| {
            let frame = egui::Frame::new()
                .fill(ui.style().visuals.panel_fill)
                .inner_margin(egui::Margin::same(8));
            frame.show(ui, |ui| {
                ui.set_width(314.0);
                ui.set_min_height(screen_h - 16.0);
                egui::ScrollArea::vertical().show(ui, |ui| {
                    ui.heading("Transformer Factory");
                    ui.label("Every number here is the model's own.");
                    ui.separator();
                    ui.label("Prompt");
                    let edit = egui::TextEdit::multiline(&mut st.prompt)
                        .desired_rows(2)
                        .char_limit(MAX_PROMPT_CHARS.min(st.max_prompt_chars))
                        .desired_width(f32::INFINITY);
                    ui.add(edit);
                    ui.horizontal(|ui| {
                        if ui.button("Run prompt").clicked() {
                            // the floor (and the clock) change only when the model has answered
                            let prompt = if st.simple {
                                // kiosk: printable characters only, within the length limit
                                crate::kiosk::sanitize_prompt(&st.prompt, st.max_prompt_chars)
                            } else {
                                st.prompt.clone()
                            };
                            requests.write(Request::Prompt(prompt));
                        }
                        if pending.busy() {
                            ui.spinner();
                            ui.label("the model is working");
                        }
                    });
                    if let Some(e) = &floor.error {
                        ui.colored_label(
                            egui::Color32::from_rgb(255, 110, 90),
                            format!("Problem: {e}"),
                        );
                    }
                    if let Some(n) = &floor.notice {
                        ui.colored_label(egui::Color32::from_rgb(240, 200, 90), n);
                    }
                    ui.separator();
                    ui.label("Playback");
                    ui.horizontal(|ui| {
                        let label = if playback.playing {
                            "⏸ Pause"
                        } else {
                            "▶ Play"
                        };
                        if ui.button(label).on_hover_text("Space").clicked() {
                            playback.toggle();
                        }
                        if ui
                            .button("Step ⏭")
                            .on_hover_text("N: one station")
                            .clicked()
                        {
                            playback.step();
                        }
                    });
                    ui.horizontal(|ui| {
                        if ui
                            .button("Generate")
                            .on_hover_text("G: one token")
                            .clicked()
                        {
                            playback.generate(st.generate_n);
                        }
                        ui.add(egui::DragValue::new(&mut st.generate_n).range(1..=256));
                        ui.label("tokens");
                    });
                    ui.add(
                        egui::Slider::new(&mut playback.speed, 0.1..=40.0)
                            .logarithmic(true)
                            .text("stations / s"),
                    );
                    if !st.simple {
                        ui.add(
                            egui::Slider::new(&mut beam_settings.threshold, 0.0..=1.0)
                                .text("beam threshold"),
                        );
                        ui.label(format!("{} beams lit", beams.0.len()));
                    }
                    ui.separator();
                    ui.label("Sampling");
                    // settings changed elsewhere (a tour stop) show up in the widgets
                    if sampling.params() != st.applied {
                        st.edit = sampling.params();
                        st.applied = st.edit;
                    }
                    let e = &mut st.edit;
                    ui.add(
                        egui::Slider::new(&mut e.temperature, 0.0..=3.0)
                            .text("temperature")
                            .step_by(0.05),
                    );
                    if !st.simple {
                        let mut use_k = e.top_k.is_some();
                        ui.horizontal(|ui| {
                            ui.checkbox(&mut use_k, "top-k");
                            let mut k = e.top_k.unwrap_or(40);
                            ui.add_enabled(
                                use_k,
                                egui::DragValue::new(&mut k).range(1..=cfg.vocab_size),
                            );
                            e.top_k = use_k.then_some(k);
                        });
                        ui.add(egui::Slider::new(&mut e.top_p, 0.01..=1.0).text("top-p"));
                        ui.horizontal(|ui| {
                            ui.label("seed");
                            ui.add(egui::DragValue::new(&mut e.seed));
                        });
                    }
                    if st.edit != st.applied {
                        match sampling.set(st.edit) {
                            Ok(()) => {
                                st.refused = None;
                                st.applied = st.edit;
                            }
                            Err(msg) => st.refused = Some(msg),
                        }
                    }
                    if let Some(r) = &st.refused {
                        ui.colored_label(egui::Color32::from_rgb(255, 110, 90), r);
                    }
                    ui.separator();
                    egui::CollapsingHeader::new("Model card")
                        .default_open(!st.simple)
                        .show(ui, |ui| {
                            egui::Grid::new("scale").striped(true).show(ui, |ui| {
                                for h in ["", "layers", "heads", "dims", "params"] {
                                    ui.strong(h);
                                }
                                ui.end_row();
                                for (name, l, h, d, _, p) in scale_rows(cfg) {
                                    ui.label(name);
                                    ui.label(l.to_string());
                                    ui.label(h.to_string());
                                    ui.label(d.to_string());
                                    ui.label(params_text(p));
                                    ui.end_row();
                                }
                            });
                            ui.label(format!(
                            "context {} tokens (GPT-2: 1024, GPT-3: 2048) · vocabulary {} tokens",
                            cfg.n_positions, cfg.vocab_size
                        ));
                            ui.label(format!("folder {}", engine.0.dir.display()));
                        });
                    ui.separator();
                    ui.horizontal(|ui| {
                        ui.label("colour:");
                        legend(ui);
                    });
                    ui.label("F1 / H: keys and help");
                    if let Some(path) = &st.saved {
                        ui.label(format!("screenshot saved: {path}"));
                    }
                });
            });
        });

    // inspector
    let h = &floor.history;
    egui::Window::new("Inspector")
        .anchor(egui::Align2::RIGHT_TOP, [-10.0, 10.0])
        .default_width(300.0)
        .resizable(false)
        .show(ctx, |ui| {
            if h.is_empty() {
                ui.label("waiting for the model...");
                return;
            }
            let text: String = h.texts.join("");
            // the end of a long text is what matters: the next token continues it
            let chars: Vec<char> = text.chars().collect();
            let shown: String = if chars.len() > 240 {
                format!("...{}", chars[chars.len() - 240..].iter().collect::<String>())
            } else {
                text
            };
            ui.label(egui::RichText::new(shown).monospace());
            ui.label(format!(
                "{} tokens ({} from the prompt) · crates riding: {}",
                h.len(),
                h.n_prompt,
                h.len() - floor.flow_start
            ));
            if let Some(l) = &layout {
                let p = playback.progress.max(0.0).floor() as usize;
                if let Some(s) = l.0.stations.get(p) {
                    ui.label(format!("at: {}", s.kind.title()));
                }
            }
            ui.separator();
            match selection.token.filter(|&t| t < h.len()) {
                None => {
                    ui.label("Click a crate, booth, board or lamp to inspect it.");
                }
                Some(t) => {
                    ui.strong(format!(
                        "token {t}: {:?}  (id {})",
                        h.texts[t], h.ids[t]
                    ));
                    let (m0, s0) = mean_std(&h.embed[t]);
                    ui.label(format!("embedding: mean {m0:+.3}, spread {s0:.3}"));
                    for (l, rows) in h.layers.iter().enumerate() {
                        let (m1, s1) = mean_std(&rows.resid_attn[t]);
                        let (m2, s2) = mean_std(&rows.ln_2[t]);
                        ui.label(format!(
                            "layer {l}: stream mean {m1:+.2} spread {s1:.2}, after ln_2 mean {m2:+.2} spread {s2:.2}"
                        ));
                    }
                }
            }
            // a selection may outlive the floor it was made on (a new prompt, a tour stop)
            let token = selection.token.filter(|&t| t < h.len());
            if let Some((l, hd)) = selection.head
                && let Some(rows) = h.layers.get(l).and_then(|x| x.attention.get(hd))
            {
                ui.separator();
                ui.strong(format!("layer {l}, head {hd}"));
                let q = token.unwrap_or(h.len() - 1);
                ui.label(format!("what token {q} {:?} looks at:", h.texts[q]));
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
            }
            if let Some((l, n)) = selection.neuron
                && let Some(layer) = h.layers.get(l)
            {
                ui.separator();
                ui.strong(format!("layer {l}, FFN neuron {n}"));
                ui.label("its GELU output for each token:");
                for (t, acts) in layer.ffn_act.iter().enumerate().rev().take(8) {
                    if let Some(v) = acts.get(n) {
                        ui.label(format!("{t} {:?}: {v:+.4}", h.texts[t]));
                    }
                }
            }
            if let Some((station, d)) = selection.dim
                && let Some(l) = &layout
                && let Some(src) = l.0.stations.get(station).and_then(|s| BoardSource::for_station(s.kind))
                && let Some(t) = token
                && let Some(&v) = src.rows(h).get(t).and_then(|r| r.get(d))
            {
                ui.separator();
                ui.label(format!("{}: dimension {d} of token {t} = {v:+.4}", src.caption()));
            }
            if let Some(t) = lamp_token(&floor, &selection) {
                ui.separator();
                ui.label(format!("FFN lamps show token {t} {:?}", h.texts[t]));
            }
            let cands = dock_candidates(h, &sampling);
            if !cands.is_empty() {
                ui.separator();
                ui.strong("next token (after temperature, top-k, top-p)");
                for c in cands.iter().take(6) {
                    ui.horizontal(|ui| {
                        ui.add(
                            egui::ProgressBar::new(c.prob)
                                .desired_width(120.0)
                                .text(format!("{:.1}%", c.prob * 100.0)),
                        );
                        ui.label(shown_piece(&tok.token_text(c.id)));
                    });
                }
                if let Some((id, _)) = &floor.last_sample {
                    ui.label(format!("last sampled: {}", shown_piece(&tok.token_text(*id))));
                }
            }
            if ui.button("Clear selection (Esc)").clicked() {
                *selection = Selection::default();
            }
        });

    if st.help {
        egui::Window::new("Keys and help")
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
            .open(&mut st.help)
            .show(ctx, |ui| {
                egui::Grid::new("keys").striped(true).show(ui, |ui| {
                    for (k, what) in HELP_KEYS {
                        ui.strong(*k);
                        ui.label(*what);
                        ui.end_row();
                    }
                });
                ui.separator();
                ui.label(
                    "Crates are tokens. They ride from the receiving dock through every layer: \
                     a norm gate, one booth per attention head (beams show what each token looks at; \
                     brighter and thicker = more weight; future tokens are masked and never lit), \
                     the merge and residual belt, a second norm gate and the FFN machine (one lamp per \
                     neuron). At the shipping dock the bars show the next-token probabilities; the \
                     sampled token rides back to the start and the loop goes on, using the key/value \
                     cache so only the new crate is computed.",
                );
            });
    }
    let _ = StationKind::Dock;
    Ok(())
}

/// The keys, for the help window.
pub const HELP_KEYS: &[(&str, &str)] = &[
    ("left drag", "orbit"),
    ("right / middle drag", "pan"),
    ("wheel", "zoom"),
    ("W A S D, Q E", "fly (Shift: faster)"),
    ("1 2 3", "receiving dock, embedding press, position stamp"),
    ("4 to 9", "layers 0 to 5"),
    ("0", "shipping dock"),
    ("Page Up / Down", "previous / next station"),
    ("Home", "reset the view"),
    ("F", "follow the riding crates"),
    (
        "click",
        "select a crate, booth, board cell or lamp and fly to it",
    ),
    ("Esc", "clear the selection"),
    ("Space", "play / pause"),
    ("N or .", "step one station"),
    ("G", "generate one token"),
    ("[ ]", "slower / faster"),
    ("T", "start / stop the guided tour"),
    ("Space (in the tour)", "pause the tour"),
    ("left / right arrows", "previous / next tour stop"),
    ("F12", "save a screenshot"),
    ("F1 or H", "this help"),
];

fn legend(ui: &mut egui::Ui) {
    for v in [-1.0f32, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0] {
        let [r, g, b, _] = palette::value_rgba(v, 1.0);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter()
            .rect_filled(rect, 2.0, egui::Color32::from_rgb(r, g, b));
    }
    ui.label("− 0 +  (brightness = size)");
}

/// The guided tour's caption and its controls, at the bottom of the screen.
fn draw_caption(
    mut contexts: EguiContexts,
    mut tour: ResMut<TourPlayer>,
    ui_state: Res<UiState>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    // beside the control panel in the viewer; centred in a recording
    let offset = if ui_state.recording { 0.0 } else { 150.0 };
    if let Some(err) = tour.error.clone() {
        egui::Window::new("Tour file problem")
            .anchor(egui::Align2::CENTER_BOTTOM, [0.0, -10.0])
            .collapsible(false)
            .show(ctx, |ui| {
                ui.colored_label(egui::Color32::from_rgb(255, 110, 90), err);
                ui.label("The factory runs without a tour. Fix the file and restart to use it.");
            });
        return Ok(());
    }
    let n = tour.tour.as_ref().map_or(0, |t| t.stops.len());
    let Some(stop) = tour.current().cloned() else {
        return Ok(());
    };
    let (index, paused, elapsed) = (tour.index, tour.paused, tour.elapsed);
    egui::Window::new("tour-caption")
        .title_bar(false)
        .anchor(egui::Align2::CENTER_BOTTOM, [offset, -16.0])
        .fixed_size([620.0_f32.min(ctx.viewport_rect().width() - 40.0), 0.0])
        .show(ctx, |ui| {
            ui.heading(&stop.title);
            ui.label(egui::RichText::new(&stop.text).size(16.0));
            ui.add(
                egui::ProgressBar::new((elapsed / stop.seconds).clamp(0.0, 1.0))
                    .desired_height(4.0),
            );
            if ui_state.recording {
                return;
            }
            ui.horizontal(|ui| {
                ui.label(format!("stop {} of {n}", index + 1));
                if ui.button("< back").clicked() {
                    tour.jump(-1);
                }
                if ui.button(if paused { "resume" } else { "pause" }).clicked() {
                    tour.paused = !paused;
                }
                if ui.button("next >").clicked() {
                    tour.jump(1);
                }
                if ui.button("end tour").clicked() {
                    tour.stop();
                }
                ui.label("(T, Space, left / right arrows)");
            });
        });
    Ok(())
}
