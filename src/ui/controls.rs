//! The control panel: the prompt, playback, sampling, the model card and the colour legend.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::inference::{Engine, Pending, Request};
use crate::limits;
use crate::playback::filter::WordFilter;
use crate::playback::{Floor, Playback, Sampling, Selection};
use crate::scene::beams::{BeamSettings, Beams, BeamsLeftOut};
use crate::scene::palette;

/// The control panel on the left: prompt, playback, sampling, the model card and the legend.
#[allow(clippy::too_many_arguments)]
pub(super) fn draw_controls(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    engine: Option<Res<Engine>>,
    floor: Res<Floor>,
    pending: Res<Pending>,
    mut sampling: ResMut<Sampling>,
    mut playback: ResMut<Playback>,
    mut beam_settings: ResMut<BeamSettings>,
    beams: Res<Beams>,
    left_out: Res<BeamsLeftOut>,
    mut requests: MessageWriter<Request>,
    selection: Res<Selection>,
    filter: Option<Res<WordFilter>>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = engine else {
        return Ok(());
    };
    if ui_state.recording || ui_state.hidden {
        ui_state.panel_right = 0.0;
        return Ok(());
    }
    let cfg = &engine.0.config;
    let st = &mut *ui_state;
    if st.panel_folded {
        st.panel_right = 0.0;
        egui::Area::new("controls-folded".into())
            .fixed_pos(egui::pos2(8.0, 8.0))
            .order(egui::Order::Middle)
            .show(ctx, |ui| {
                if ui.button("» Controls").clicked() {
                    st.panel_folded = false;
                }
            });
        return Ok(());
    }
    // an Area (not a bare Ui) so that egui knows the pointer is over it and the scene ignores it
    let screen_h = ctx.viewport_rect().height();
    let panel = egui::Area::new("controls".into())
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
                    ui.horizontal(|ui| {
                        ui.heading("Transformer Factory");
                        if ui
                            .small_button("«")
                            .on_hover_text("fold the panel (U hides every panel)")
                            .clicked()
                        {
                            st.panel_folded = true;
                        }
                    });
                    ui.label("Every number here is the model's own.");
                    ui.separator();
                    if !st.simple {
                        let dir = &engine.0.dir;
                        if st.shown_model.as_ref().is_none_or(|(d, _)| d != dir) {
                            let name = super::models::current_name(&st.models, &engine.0);
                            st.shown_model = Some((dir.clone(), name));
                        }
                        let current = st.shown_model.as_ref().map_or("", |(_, n)| n.as_str());
                        super::models::picker(ui, &st.models, current, &mut requests);
                    }
                    ui.label("Prompt");
                    let edit = egui::TextEdit::multiline(&mut st.prompt)
                        .desired_rows(2)
                        .char_limit(limits::MAX_PROMPT_CHARS.min(st.max_prompt_chars))
                        .desired_width(f32::INFINITY);
                    // a fixed height that scrolls, however long the prompt
                    egui::ScrollArea::vertical()
                        .id_salt("prompt-box")
                        .max_height(72.0)
                        .show(ui, |ui| ui.add(edit));
                    ui.horizontal(|ui| {
                        if ui.button("Run prompt").clicked() {
                            // the floor (and the clock) change only when the model has answered
                            let prompt = if st.simple {
                                // kiosk: printable characters only, within the length limit
                                limits::sanitize_prompt(&st.prompt, st.max_prompt_chars)
                            } else {
                                st.prompt.clone()
                            };
                            match filter.as_ref().and_then(|f| f.blocked_word(&prompt)) {
                                Some(_) => {
                                    st.refused = Some(
                                        "Let's keep the wall friendly: please try other words."
                                            .into(),
                                    );
                                }
                                None => {
                                    st.refused = None;
                                    requests.write(Request::Prompt(prompt));
                                }
                            }
                        }
                        if pending.busy() {
                            ui.spinner();
                            ui.label("the model is working");
                        }
                    });
                    if let Some(e) = &floor.error {
                        // the visitor can fix a prompt; a model failure is not theirs to fix
                        let what = if e.is_prompt() {
                            "Problem"
                        } else {
                            "The model failed"
                        };
                        ui.colored_label(
                            egui::Color32::from_rgb(255, 110, 90),
                            format!("{what}: {e}"),
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
                        ui.add(
                            egui::DragValue::new(&mut st.generate_n).range(limits::GENERATE_TOKENS),
                        );
                        ui.label("tokens");
                    });
                    ui.add(
                        egui::Slider::new(&mut playback.speed, limits::SPEED)
                            .logarithmic(true)
                            .text("stations / s"),
                    );
                    if !st.simple {
                        ui.add(
                            egui::Slider::new(&mut beam_settings.threshold, limits::BEAM_THRESHOLD)
                                .text("beam threshold"),
                        );
                        ui.horizontal(|ui| {
                            let drawn = beams.0.len();
                            if left_out.0 == 0 {
                                ui.label(format!("{drawn} beams lit"));
                            } else {
                                ui.label(format!("{drawn} of {} beams lit", drawn + left_out.0))
                                    .on_hover_text(format!(
                                        "At most {} beams are drawn at once: the strongest. Raise \
                                         the threshold or select a token to see fewer.",
                                        limits::MAX_BEAMS
                                    ));
                            }
                            if ui
                                .button("Positions")
                                .on_hover_text("P: the position tables")
                                .clicked()
                            {
                                st.positions_view = !st.positions_view;
                            }
                            if ui
                                .button("Cost")
                                .on_hover_text("C: why long contexts cost (n² against n)")
                                .clicked()
                            {
                                st.cost_view = !st.cost_view;
                            }
                            if ui
                                .button("All heads")
                                .on_hover_text("V: every head's weights as a thumbnail")
                                .clicked()
                            {
                                st.model_view = !st.model_view;
                            }
                        });
                    }
                    if !st.simple {
                        super::ablations::section(
                            ui,
                            &floor.ablations,
                            cfg.n_layer,
                            &selection,
                            &mut requests,
                        );
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
                        egui::Slider::new(&mut e.temperature, limits::TEMPERATURE)
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
                                egui::DragValue::new(&mut k)
                                    .range(limits::MIN_TOP_K..=cfg.vocab_size),
                            );
                            e.top_k = use_k.then_some(k);
                        });
                        ui.add(
                            egui::Slider::new(&mut e.top_p, limits::MIN_TOP_P_SLIDER..=1.0)
                                .text("top-p"),
                        );
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
                            Err(e) => st.refused = Some(e.to_string()),
                        }
                    }
                    if let Some(r) = &st.refused {
                        ui.colored_label(egui::Color32::from_rgb(255, 110, 90), r);
                    }
                    ui.separator();
                    super::model_card::show(ui, &engine.0, st.simple);
                    ui.separator();
                    ui.horizontal(|ui| {
                        ui.label("colour:");
                        legend(ui);
                    });
                    ui.horizontal(|ui| {
                        ui.label("F1 / H: keys and help");
                        if !st.simple
                            && ui
                                .button("Save view as tour stop")
                                .on_hover_text(format!(
                                    "K: the station, camera angle, selection and room open now \
                                     become one more stop in {}",
                                    st.save_tour_path.display()
                                ))
                                .clicked()
                        {
                            st.save_stop = true;
                        }
                    });
                    if !st.simple
                        && ui
                            .button("Export the numbers (JSON, CSV)")
                            .on_hover_text(
                                "the floor's tokens with their surprise, every head's attention, \
                                 the logit lens and the next token's logits, as `factory trace \
                                 --json` writes them, to factory-floor-<time>.json; and as three \
                                 tables (tokens, attention, lens) in factory-floor-<time>-*.csv",
                            )
                            .clicked()
                    {
                        st.export_floor = true;
                    }
                    if let Some(text) = &st.saved {
                        if st.save_failed {
                            ui.colored_label(egui::Color32::from_rgb(255, 110, 90), text);
                        } else {
                            ui.label(text);
                        }
                    }
                });
            });
        });
    st.panel_right = panel.response.rect.right();
    Ok(())
}

/// The colour scale, from negative to positive.
fn legend(ui: &mut egui::Ui) {
    for v in [-1.0f32, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0] {
        let [r, g, b, _] = palette::value_rgba(v, 1.0);
        let (rect, _) = ui.allocate_exact_size(egui::vec2(14.0, 14.0), egui::Sense::hover());
        ui.painter()
            .rect_filled(rect, 2.0, egui::Color32::from_rgb(r, g, b));
    }
    ui.label("− 0 +  (brightness = size)");
}
