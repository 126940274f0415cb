//! The first screen's one slim bar, top left: the prompt, Run, Play, Step, Next word and the
//! temperature, in plain words, and "More" for the drawer that holds everything else (the control
//! panel). The scene gets the rest of the window.

use bevy::prelude::*;
use bevy_egui::egui;

use super::kiosk_panel::PromptSender;
use super::state::UiState;
use crate::i18n::Lang;
use crate::limits;
use crate::playback::{Playback, Sampling};
use crate::tr;

/// The width kept free at the top right for the side panel's button, points.
const INSPECTOR_ROOM: f32 = 124.0;

/// Draws the bar; returns how far down it reaches (points), for the sentence banner below it.
pub(super) fn draw(
    ctx: &egui::Context,
    st: &mut UiState,
    (playback, sampling): (&mut ResMut<Playback>, &mut ResMut<Sampling>),
    sender: &mut PromptSender,
    (busy, problem): (bool, Option<String>),
    lang: &mut Lang,
) -> f32 {
    let l = *lang;
    // left of the side panel, or of its button (top right); a longer language wraps to a second row
    let right = if st.dock_width > 0.0 {
        st.dock_width + 8.0
    } else {
        INSPECTOR_ROOM
    };
    let room = (ctx.viewport_rect().width() - 8.0 - right).max(320.0);
    let bar = egui::Area::new("slim-bar".into())
        .fixed_pos(egui::pos2(8.0, 8.0))
        .order(egui::Order::Middle)
        .show(ctx, |ui| {
            egui::Frame::popup(ui.style()).show(ui, |ui| {
                ui.set_max_width(room);
                ui.horizontal_wrapped(|ui| {
                    prompt_and_run(ui, st, sender, busy, l);
                    ui.separator();
                    play_buttons(ui, playback, l);
                    ui.separator();
                    temperature(ui, st, sampling, l);
                    ui.separator();
                    if ui
                        .button(tr!(l, "bar-game"))
                        .on_hover_text(tr!(l, "bar-game-tip"))
                        .clicked()
                    {
                        st.game_view = !st.game_view;
                    }
                    if ui
                        .button(tr!(l, "bar-more"))
                        .on_hover_text(tr!(l, "bar-more-tip"))
                        .clicked()
                    {
                        st.panel_folded = false;
                    }
                    super::language_button(ui, lang, false);
                });
                // what went wrong, or was refused, or was saved, in the bar's second line
                let red = egui::Color32::from_rgb(255, 110, 90);
                for (text, bad) in [
                    (problem, true),
                    (st.refused.clone(), true),
                    (st.saved.clone(), st.save_failed),
                ] {
                    match text {
                        Some(t) if bad => ui.colored_label(red, t),
                        Some(t) => ui.label(t),
                        None => continue,
                    };
                }
            });
        });
    bar.response.rect.bottom()
}

/// The prompt in one line (Enter runs it) and Run, with a spinner while the model works.
fn prompt_and_run(
    ui: &mut egui::Ui,
    st: &mut UiState,
    sender: &mut PromptSender,
    busy: bool,
    l: Lang,
) {
    let edit = egui::TextEdit::singleline(&mut st.prompt)
        .char_limit(limits::MAX_PROMPT_CHARS.min(st.max_prompt_chars))
        .desired_width(180.0)
        .hint_text(tr!(l, "prompt"));
    let field = ui.add(edit);
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    if ui.button(tr!(l, "run-prompt")).clicked() || entered {
        super::kiosk_panel::submit_prompt(st, sender.filter.as_deref(), &mut sender.requests, l);
    }
    if busy {
        ui.spinner();
    }
}

/// Play or pause, one station, one more word. (`playback` stays a `ResMut`, marked changed only
/// on a click.)
fn play_buttons(ui: &mut egui::Ui, playback: &mut ResMut<Playback>, l: Lang) {
    play_button(ui, playback, tr!(l, "bar-play-tip"), l);
    if ui
        .button(tr!(l, "bar-step"))
        .on_hover_text(tr!(l, "step-tip"))
        .clicked()
    {
        playback.step();
    }
    if ui
        .button(tr!(l, "bar-next-word"))
        .on_hover_text(tr!(l, "bar-next-word-tip"))
        .clicked()
    {
        playback.generate(1);
    }
}

/// The temperature, in plain words ("Guesses: safe … daring"), applied as it moves.
fn temperature(ui: &mut egui::Ui, st: &mut UiState, sampling: &mut ResMut<Sampling>, l: Lang) {
    follow_sampling(st, sampling);
    let label = egui::Label::new(tr!(l, "bar-boldness"))
        .wrap_mode(egui::TextWrapMode::Extend)
        .sense(egui::Sense::hover());
    // the label, the slider and its end word stay together: to the next row when they do not fit
    let width = |ui: &mut egui::Ui, key: &str| super::column::body_width(ui, tr!(l, key));
    let needed = width(ui, "bar-boldness")
        + ui.spacing().slider_width
        + width(ui, "bar-boldness-end")
        + 4.0 * ui.spacing().item_spacing.x;
    if ui.available_size_before_wrap().x < needed {
        ui.end_row();
    }
    // its value in the tip (and in the drawer): the slider's ends in words ("safe … daring"),
    // since a bare "Boldness" and a number meant nothing to fresh eyes
    let tip = tr!(
        l,
        "bar-boldness-tip",
        value = format!("{:.2}", st.edit.temperature)
    );
    ui.add(label).on_hover_text(&tip);
    ui.add(
        egui::Slider::new(&mut st.edit.temperature, limits::TEMPERATURE)
            .step_by(0.05)
            .show_value(false),
    )
    .on_hover_text(&tip);
    ui.label(tr!(l, "bar-boldness-end")).on_hover_text(&tip);
    apply_sampling(st, sampling);
}

/// Play or pause (the label says which is next), with `tip`. (`playback` stays a `ResMut`,
/// marked changed only on a click.)
pub(super) fn play_button(
    ui: &mut egui::Ui,
    playback: &mut ResMut<Playback>,
    tip: String,
    l: Lang,
) {
    let label = if playback.playing {
        tr!(l, "pause")
    } else {
        tr!(l, "play")
    };
    if ui.button(label).on_hover_text(tip).clicked() {
        playback.toggle();
    }
}

/// Settings changed elsewhere (a tour stop) show up in the widgets: the edited values follow them.
pub(super) fn follow_sampling(st: &mut UiState, sampling: &Sampling) {
    if sampling.params() != st.applied {
        st.edit = sampling.params();
        st.applied = st.edit;
    }
}

/// Applies the edited sampling values when they changed, or keeps why they were refused.
pub(super) fn apply_sampling(st: &mut UiState, sampling: &mut ResMut<Sampling>) {
    if st.edit != st.applied {
        match sampling.set(st.edit) {
            Ok(()) => {
                st.refused = None;
                st.applied = st.edit;
            }
            Err(e) => st.refused = Some(e.to_string()),
        }
    }
}
