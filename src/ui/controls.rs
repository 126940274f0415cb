//! The control panel: the prompt, playback, sampling, the model card and the colour legend.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::kiosk_panel::PromptSender;
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Engine, Pending, Request};
use crate::limits;
use crate::playback::{Floor, Playback, Sampling, Selection};
use crate::scene::beams::{BeamSettings, Beams, BeamsLeftOut};
use crate::tr;

/// What the panel reports on: the loaded model, the floor, whether the model is working, and
/// the selection (the ablation switches offer the selected part).
#[derive(SystemParam)]
pub(super) struct ShownFloor<'w> {
    engine: Option<Res<'w, Engine>>,
    floor: Res<'w, Floor>,
    pending: Res<'w, Pending>,
    selection: Res<'w, Selection>,
}

/// The settings the panel edits (playback, sampling, the beams' threshold) and the count of
/// beams they light.
#[derive(SystemParam)]
pub(super) struct PanelSettings<'w> {
    playback: ResMut<'w, Playback>,
    sampling: ResMut<'w, Sampling>,
    beam_settings: ResMut<'w, BeamSettings>,
    beams: Res<'w, Beams>,
    left_out: Res<'w, BeamsLeftOut>,
    show_added: ResMut<'w, crate::scene::ShowAdded>,
}

/// The control panel on the left: prompt, playback, sampling, the model card and the legend.
pub(super) fn draw_controls(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    mut lang: ResMut<Lang>,
    shown: ShownFloor,
    mut settings: PanelSettings,
    mut sender: PromptSender,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = shown.engine.as_ref() else {
        return Ok(());
    };
    if ui_state.recording || ui_state.hidden || (ui_state.stage && !ui_state.simple) {
        ui_state.panel_right = 0.0;
        return Ok(());
    }
    if ui_state.simple {
        return Ok(()); // the kiosk's own panel (kiosk_panel.rs) stands here
    }
    let cfg = &engine.0.config;
    let st = &mut *ui_state;
    if st.panel_folded {
        // the first screen: one slim bar, the scene everywhere else
        st.panel_right = 0.0;
        let status = (shown.pending.busy(), floor_problem(&shown, l));
        let sets = (&mut settings.playback, &mut settings.sampling);
        st.top_bar = super::slim_bar::draw(ctx, st, sets, &mut sender, status, &mut lang);
        return Ok(());
    }
    st.top_bar = 0.0;
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
                    header_section(ui, st, &mut lang, engine, &mut sender.requests, l);
                    prompt_section(ui, st, &shown, &mut sender, l);
                    playback_section(ui, st, &mut settings.playback, l);
                    if !st.simple {
                        beams_section(ui, st, &mut settings, l);
                    }
                    if !st.simple {
                        super::ablations::section(
                            ui,
                            &shown.floor.ablations,
                            cfg.n_layer,
                            &shown.selection,
                            &mut sender.requests,
                            l,
                        );
                    }
                    sampling_section(ui, st, &mut settings.sampling, engine, l);
                    footer_section(ui, st, engine, l);
                });
            });
        });
    st.panel_right = panel.response.rect.right();
    Ok(())
}

/// What went wrong with the floor's last run, in words: the visitor can fix a prompt; a model
/// failure is not theirs to fix.
fn floor_problem(shown: &ShownFloor, l: Lang) -> Option<String> {
    let e = shown.floor.error.as_ref()?;
    Some(if e.is_prompt() {
        tr!(l, "problem", what = e.to_string())
    } else {
        tr!(l, "model-failed", what = e.to_string())
    })
}

/// The title with the fold button, the promise, the language button and the model picker.
fn header_section(
    ui: &mut egui::Ui,
    st: &mut UiState,
    lang: &mut Lang,
    engine: &Engine,
    requests: &mut MessageWriter<Request>,
    l: Lang,
) {
    ui.horizontal(|ui| {
        ui.heading(tr!(l, "app-name"));
        if ui
            .small_button("«")
            .on_hover_text(tr!(l, "panel-fold-tip"))
            .clicked()
        {
            st.panel_folded = true;
        }
    });
    ui.label(tr!(l, "panel-promise"));
    super::language_button(ui, lang, st.simple);
    ui.separator();
    if !st.simple {
        let dir = &engine.0.dir;
        if st.shown_model.as_ref().is_none_or(|(d, _)| d != dir) {
            let name = super::models::current_name(&st.models, &engine.0);
            st.shown_model = Some((dir.clone(), name));
        }
        let current = st.shown_model.as_ref().map_or("", |(_, n)| n.as_str());
        super::models::picker(ui, &st.models, current, requests, l);
    }
}

/// The prompt box with its run button, the model's progress, and the floor's error or notice.
fn prompt_section(
    ui: &mut egui::Ui,
    st: &mut UiState,
    shown: &ShownFloor,
    sender: &mut PromptSender,
    l: Lang,
) {
    ui.label(tr!(l, "prompt"));
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
        if ui.button(tr!(l, "run-prompt")).clicked() {
            // the floor (and the clock) change only when the model has answered
            super::kiosk_panel::submit_prompt(
                st,
                sender.filter.as_deref(),
                &mut sender.requests,
                l,
            );
        }
        if shown.pending.busy() {
            ui.spinner();
            ui.label(tr!(l, "model-working"));
        }
    });
    if let Some(what) = floor_problem(shown, l) {
        ui.colored_label(egui::Color32::from_rgb(255, 110, 90), what);
    }
    if let Some(n) = &shown.floor.notice {
        ui.colored_label(egui::Color32::from_rgb(240, 200, 90), n);
    }
}

/// Play/pause and step, generating n tokens, and the speed.
fn playback_section(ui: &mut egui::Ui, st: &mut UiState, playback: &mut ResMut<Playback>, l: Lang) {
    ui.separator();
    ui.label(tr!(l, "playback"));
    ui.horizontal(|ui| {
        super::slim_bar::play_button(ui, playback, "Space".into(), l);
        if ui
            .button(tr!(l, "step"))
            .on_hover_text(tr!(l, "step-tip"))
            .clicked()
        {
            playback.step();
        }
    });
    ui.horizontal(|ui| {
        if ui
            .button(tr!(l, "generate"))
            .on_hover_text(tr!(l, "generate-tip"))
            .clicked()
        {
            playback.generate(st.generate_n);
        }
        ui.add(egui::DragValue::new(&mut st.generate_n).range(limits::GENERATE_TOKENS));
        ui.label(tr!(l, "tokens"));
    });
    ui.add(
        egui::Slider::new(&mut playback.speed, limits::SPEED)
            .logarithmic(true)
            .text(tr!(l, "speed")),
    );
}

/// The beams' threshold, how many beams are lit, and the buttons that open the other views.
fn beams_section(ui: &mut egui::Ui, st: &mut UiState, settings: &mut PanelSettings, l: Lang) {
    ui.add(
        egui::Slider::new(
            &mut settings.beam_settings.threshold,
            limits::BEAM_THRESHOLD,
        )
        .text(tr!(l, "beam-threshold")),
    );
    // wraps: in some languages the buttons do not fit beside the count
    ui.horizontal_wrapped(|ui| {
        let drawn = settings.beams.0.len();
        if settings.left_out.0 == 0 {
            ui.label(tr!(l, "beams-lit", n = drawn));
        } else {
            let all = drawn + settings.left_out.0;
            ui.label(tr!(l, "beams-lit-of", n = drawn, all = all))
                .on_hover_text(tr!(l, "beams-cap-tip", max = limits::MAX_BEAMS));
        }
        view_toggles(ui, st, l);
    });
    ui.checkbox(&mut st.show_ids, tr!(l, "show-ids"))
        .on_hover_text(tr!(l, "show-ids-tip"));
    let mut added = settings.show_added.0;
    if ui
        .checkbox(&mut added, tr!(l, "show-added"))
        .on_hover_text(tr!(l, "show-added-tip"))
        .changed()
    {
        settings.show_added.0 = added;
    }
}

/// The buttons that open or close the positions, cost, compare and all-heads views, the
/// learning tab and the routes tab.
fn view_toggles(ui: &mut egui::Ui, st: &mut UiState, l: Lang) {
    if ui
        .button(tr!(l, "positions"))
        .on_hover_text(tr!(l, "positions-tip"))
        .clicked()
    {
        st.positions_view = !st.positions_view;
    }
    if ui
        .button(tr!(l, "cost"))
        .on_hover_text(tr!(l, "cost-tip"))
        .clicked()
    {
        st.cost_view = !st.cost_view;
    }
    if ui
        .button(tr!(l, "compare"))
        .on_hover_text(tr!(l, "compare-tip"))
        .clicked()
    {
        st.compare_view = !st.compare_view;
    }
    if ui
        .button(tr!(l, "all-heads"))
        .on_hover_text(tr!(l, "all-heads-tip"))
        .clicked()
    {
        st.model_view = !st.model_view;
    }
    if ui
        .button(tr!(l, "learn-open"))
        .on_hover_text(tr!(l, "learn-open-tip"))
        .clicked()
    {
        st.learn_view = !st.learn_view;
    }
    if ui
        .button(tr!(l, "routes"))
        .on_hover_text(tr!(l, "routes-tip"))
        .clicked()
    {
        st.routes_view = !st.routes_view;
    }
}

/// The sampling settings (temperature, top-k, top-p, seed), applied when changed, or why not.
fn sampling_section(
    ui: &mut egui::Ui,
    st: &mut UiState,
    sampling: &mut ResMut<Sampling>,
    engine: &Engine,
    l: Lang,
) {
    let cfg = &engine.0.config;
    ui.separator();
    ui.label(tr!(l, "sampling"));
    super::slim_bar::follow_sampling(st, sampling);
    let e = &mut st.edit;
    ui.add(
        egui::Slider::new(&mut e.temperature, limits::TEMPERATURE)
            .text(tr!(l, "temperature"))
            .step_by(0.05),
    );
    if !st.simple {
        let mut use_k = e.top_k.is_some();
        ui.horizontal(|ui| {
            ui.checkbox(&mut use_k, "top-k");
            let mut k = e.top_k.unwrap_or(40);
            ui.add_enabled(
                use_k,
                egui::DragValue::new(&mut k).range(limits::MIN_TOP_K..=cfg.vocab_size),
            );
            e.top_k = use_k.then_some(k);
        });
        ui.add(egui::Slider::new(&mut e.top_p, limits::MIN_TOP_P_SLIDER..=1.0).text("top-p"));
        ui.horizontal(|ui| {
            ui.label(tr!(l, "seed"));
            ui.add(egui::DragValue::new(&mut e.seed));
        });
    }
    super::slim_bar::apply_sampling(st, sampling);
    if let Some(r) = &st.refused {
        ui.colored_label(egui::Color32::from_rgb(255, 110, 90), r);
    }
}

/// The model card, the colour legend, and saving a tour stop or exporting the floor.
fn footer_section(ui: &mut egui::Ui, st: &mut UiState, engine: &Engine, l: Lang) {
    ui.separator();
    super::model_card::show(ui, &engine.0, st.simple, l);
    ui.separator();
    ui.horizontal(|ui| {
        ui.label(tr!(l, "colour"));
        super::legend(ui, l);
    });
    ui.weak(tr!(l, "legend-note"));
    super::surprise_legend(ui, l, 14.0);
    ui.horizontal(|ui| {
        ui.label(tr!(l, "help-hint"));
        if !st.simple
            && ui
                .button(tr!(l, "save-stop"))
                .on_hover_text(tr!(
                    l,
                    "save-stop-tip",
                    file = st.save_tour_path.display().to_string()
                ))
                .clicked()
        {
            st.save_stop = true;
        }
    });
    ui.horizontal(|ui| {
        if !st.simple
            && ui
                .button(tr!(l, "export"))
                .on_hover_text(tr!(l, "export-tip"))
                .clicked()
        {
            st.export_floor = true;
        }
        if ui
            .button(tr!(l, "layout-reset"))
            .on_hover_text(tr!(l, "layout-reset-tip"))
            .clicked()
        {
            st.reset_layout = true;
        }
    });
    if let Some(text) = &st.saved {
        if st.save_failed {
            ui.colored_label(egui::Color32::from_rgb(255, 110, 90), text);
        } else {
            ui.label(text);
        }
    }
}
