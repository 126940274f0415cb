//! The kiosk's reduced, touch-first panel: large type and buttons no smaller than a fingertip,
//! the language button, preset sentences, an on-screen keyboard for a visitor's own words, play,
//! the next word; and, while nobody is there, the attract loop's call to action.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::TOUCH_TARGET;
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Pending, Request};
use crate::kiosk::{Kiosk, Mode};
use crate::limits;
use crate::playback::filter::WordFilter;
use crate::playback::{Floor, Playback, Sampling};
use crate::tour::TourPlayer;
use crate::tr;

/// The panel's widest, in points (narrower on a small screen: it keeps 72 % for the hall).
const WIDTH: f32 = 340.0;

/// The panel's width on a screen `screen_w` points wide.
fn panel_width(screen_w: f32) -> f32 {
    (screen_w * 0.28).clamp(220.0, WIDTH)
}
/// Body text size in the kiosk.
const TEXT: f32 = 20.0;

/// The keyboard's letter rows in `lang` (the visitor's own layout: QWERTY, QWERTZ with umlauts).
pub fn keyboard_rows(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::En => ["1234567890", "qwertyuiop", "asdfghjkl'", "zxcvbnm,.?"],
        Lang::De => ["1234567890ß", "qwertzuiopü", "asdfghjklöä", "yxcvbnm,.?"],
    }
}

/// What a key of the on-screen keyboard does to the text being typed (at most `max` characters).
pub fn press_key(text: &mut String, key: Key, shift: bool, max: usize) {
    match key {
        Key::Char(c) => {
            if text.chars().count() < max {
                if shift {
                    text.extend(c.to_uppercase());
                } else {
                    text.push(c);
                }
            }
        }
        Key::Space => {
            if text.chars().count() < max && !text.is_empty() && !text.ends_with(' ') {
                text.push(' ');
            }
        }
        Key::Delete => {
            text.pop();
        }
    }
}

/// A key of the on-screen keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A letter, digit or mark.
    Char(char),
    /// The space bar (no double spaces, none first).
    Space,
    /// Deletes the last character.
    Delete,
}

/// Runs a visitor's prompt: cleaned, then through the word filter (a blocked one is refused with a
/// friendly message). Shared by the panel's button and the on-screen keyboard's.
pub(super) fn submit_prompt(
    st: &mut UiState,
    filter: Option<&WordFilter>,
    requests: &mut MessageWriter<Request>,
    lang: Lang,
) {
    let prompt = if st.simple {
        // kiosk: printable characters only, within the length limit
        limits::sanitize_prompt(&st.prompt, st.max_prompt_chars)
    } else {
        st.prompt.clone()
    };
    if prompt.trim().is_empty() {
        return;
    }
    match filter.and_then(|f| f.blocked_word(&prompt)) {
        Some(_) => st.refused = Some(tr!(lang, "prompt-refused")),
        None => {
            st.refused = None;
            requests.write(Request::Prompt(prompt));
        }
    }
}

fn big(text: String) -> egui::RichText {
    egui::RichText::new(text).size(TEXT)
}

/// A full-width button at least [`TOUCH_TARGET`] tall.
fn wide_button(ui: &mut egui::Ui, text: String) -> egui::Response {
    ui.add(
        egui::Button::new(big(text).strong())
            .wrap()
            .min_size(egui::vec2(ui.available_width(), TOUCH_TARGET)),
    )
}

/// What the panel's buttons drive and report on: playback, sampling, the guided tour, the
/// model's work in progress and the floor's errors and notices.
#[derive(SystemParam)]
pub(super) struct KioskControls<'w> {
    playback: ResMut<'w, Playback>,
    sampling: ResMut<'w, Sampling>,
    tour: ResMut<'w, TourPlayer>,
    pending: Res<'w, Pending>,
    floor: Res<'w, Floor>,
}

/// Where a visitor's words go (from this panel and the desk's): the requests to the model, past
/// the word filter (if any).
#[derive(SystemParam)]
pub(super) struct PromptSender<'w> {
    pub(super) requests: MessageWriter<'w, Request>,
    pub(super) filter: Option<Res<'w, WordFilter>>,
}

/// The kiosk's panel, on the left, and the call to action while the attract loop plays.
pub(super) fn draw_kiosk_panel(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    kiosk: Option<Res<Kiosk>>,
    mut lang: ResMut<Lang>,
    mut controls: KioskControls,
    mut sender: PromptSender,
    time: Res<Time>,
) -> Result {
    let ctx = contexts.ctx_mut()?;
    let Some(kiosk) = kiosk else {
        return Ok(());
    };
    if ui_state.recording || ui_state.hidden {
        return Ok(());
    }
    let panel_w = panel_width(ctx.viewport_rect().width());
    ui_state.attract = kiosk.mode == Mode::Attract;
    if ui_state.attract {
        // the next visitor starts clean: no half-typed words, no old refusal
        let st = &mut *ui_state;
        st.keyboard = false;
        st.shift = false;
        st.prompt.clear();
        st.refused = None;
        call_to_action(ctx, *lang, time.elapsed_secs(), panel_w);
    }
    let l = *lang;
    let st = &mut *ui_state;
    let screen = ctx.viewport_rect();
    let (screen_h, width) = (screen.height(), panel_width(screen.width()));
    // as many preset sentences as leave room for the buttons below them
    let presets = if screen_h < 700.0 { 3 } else { 6 };
    let panel = egui::Area::new("kiosk-panel".into())
        .fixed_pos(egui::pos2(0.0, 0.0))
        .order(egui::Order::Middle)
        .show(ctx, |ui| {
            egui::Frame::new()
                .fill(ui.style().visuals.panel_fill)
                .inner_margin(egui::Margin::same(10))
                .show(ui, |ui| {
                    ui.set_width(width);
                    ui.set_min_height(screen_h - 20.0);
                    ui.spacing_mut().item_spacing = egui::vec2(8.0, 10.0);
                    egui::ScrollArea::vertical().show(ui, |ui| {
                        welcome(ui, &mut lang);
                        // the game first: the reason to stay
                        if wide_button(ui, tr!(l, "kiosk-game")).clicked() {
                            st.game_view = !st.game_view;
                        }
                        prompt_choices(ui, st, &kiosk, presets, &mut sender, l);
                        status_lines(ui, st, &controls, l);
                        ui.separator();
                        run_buttons(ui, &mut controls, &mut sender.requests, l);
                        temperature(ui, st, &mut controls.sampling, width, l);
                        ui.separator();
                        colour_key(ui, l);
                    });
                });
        });
    st.panel_right = panel.response.rect.right();
    if st.keyboard {
        keyboard(ctx, st, l, &mut sender, width);
    }
    Ok(())
}

/// The panel's head: the app's name, its promise and the language button.
fn welcome(ui: &mut egui::Ui, lang: &mut Lang) {
    let l = *lang;
    ui.label(big(tr!(l, "app-name")).size(28.0).strong());
    ui.label(big(tr!(l, "kiosk-promise")));
    super::language_button(ui, lang, true);
    ui.separator();
}

/// The first `presets` preset sentences, each run at a touch, and the button that opens (or
/// closes) the on-screen keyboard for a visitor's own words.
fn prompt_choices(
    ui: &mut egui::Ui,
    st: &mut UiState,
    kiosk: &Kiosk,
    presets: usize,
    sender: &mut PromptSender,
    l: Lang,
) {
    ui.label(big(tr!(l, "kiosk-choose")).strong());
    ui.label(egui::RichText::new(tr!(l, "kiosk-english-only")).size(16.0));
    for p in kiosk.prompts.iter().take(presets) {
        if wide_button(ui, format!("\u{201c}{p}\u{201d}")).clicked() {
            st.prompt.clone_from(p);
            st.keyboard = false;
            submit_prompt(st, sender.filter.as_deref(), &mut sender.requests, l);
        }
    }
    let own = if st.keyboard {
        tr!(l, "kiosk-keyboard-close")
    } else {
        tr!(l, "kiosk-own-words")
    };
    if wide_button(ui, format!("⌨ {own}")).clicked() {
        st.keyboard = !st.keyboard;
        st.refused = None;
        if st.keyboard {
            st.prompt.clear();
        }
    }
}

/// What the model is up to, in words: working, a refused prompt, an error, a notice.
fn status_lines(ui: &mut egui::Ui, st: &UiState, controls: &KioskControls, l: Lang) {
    if controls.pending.busy() {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(big(tr!(l, "model-working")));
        });
    }
    if let Some(r) = &st.refused {
        ui.colored_label(egui::Color32::from_rgb(255, 110, 90), big(r.clone()));
    }
    if let Some(e) = &controls.floor.error {
        let what = tr!(l, "problem", what = e.to_string());
        ui.colored_label(egui::Color32::from_rgb(255, 110, 90), big(what));
    }
    if let Some(n) = &controls.floor.notice {
        ui.colored_label(egui::Color32::from_rgb(240, 200, 90), big(n.clone()));
    }
}

/// Play or pause, the next word, switching every ablation back on, and the guided tour.
fn run_buttons(
    ui: &mut egui::Ui,
    controls: &mut KioskControls,
    requests: &mut MessageWriter<Request>,
    l: Lang,
) {
    let play = if controls.playback.playing {
        tr!(l, "pause")
    } else {
        tr!(l, "play")
    };
    if wide_button(ui, play).clicked() {
        controls.playback.toggle();
    }
    if wide_button(ui, tr!(l, "kiosk-next-word")).clicked() {
        controls.playback.generate(1);
    }
    if !controls.floor.ablations.is_empty() && wide_button(ui, tr!(l, "ablate-all-on")).clicked() {
        requests.write(Request::Ablate(crate::model::Ablations::none()));
    }
    let tour = &mut controls.tour;
    if !tour.active && tour.tour.is_some() && wide_button(ui, tr!(l, "kiosk-tour")).clicked() {
        tour.start();
    }
}

/// The temperature slider, as wide as the panel allows, and a line on what it does (`sampling`
/// stays a `ResMut`, so it is marked changed only when the slider moves).
fn temperature(
    ui: &mut egui::Ui,
    st: &mut UiState,
    sampling: &mut ResMut<Sampling>,
    width: f32,
    l: Lang,
) {
    ui.label(big(tr!(l, "kiosk-temperature")).strong());
    let mut p = sampling.params();
    ui.spacing_mut().slider_width = width - 70.0;
    ui.spacing_mut().interact_size.y = TOUCH_TARGET;
    let slider = egui::Slider::new(&mut p.temperature, limits::TEMPERATURE).step_by(0.05);
    if ui.add(slider).changed() && sampling.set(p).is_ok() {
        st.edit = p;
        st.applied = p;
    }
    ui.label(egui::RichText::new(tr!(l, "kiosk-temperature-tip")).size(16.0));
}

/// What the colours on the belt mean, and the surprise gauges' key.
fn colour_key(ui: &mut egui::Ui, l: Lang) {
    ui.horizontal(|ui| super::legend(ui, l));
    ui.label(egui::RichText::new(tr!(l, "legend-note")).size(16.0));
    super::surprise_legend(ui, l, 16.0);
}

/// The attract loop's call to action, pulsing gently at the top of the hall.
fn call_to_action(ctx: &egui::Context, lang: Lang, t: f32, panel_w: f32) {
    let glow = 0.75 + 0.25 * (t * 2.0).sin();
    let gold = egui::Color32::from_rgb(
        (255.0 * glow) as u8,
        (214.0 * glow) as u8,
        (80.0 * glow) as u8,
    );
    egui::Area::new("kiosk-call".into())
        .anchor(egui::Align2::CENTER_TOP, [panel_w / 2.0, 70.0])
        .order(egui::Order::Foreground)
        .interactable(false)
        .show(ctx, |ui| {
            egui::Frame::new()
                .fill(egui::Color32::from_rgba_unmultiplied(10, 11, 16, 245))
                .stroke(egui::Stroke::new(3.0, gold))
                .corner_radius(10.0)
                .inner_margin(egui::Margin::symmetric(28, 14))
                .show(ui, |ui| {
                    ui.vertical_centered(|ui| {
                        ui.label(
                            egui::RichText::new(tr!(lang, "kiosk-touch"))
                                .size(if panel_w < WIDTH { 30.0 } else { 40.0 })
                                .strong()
                                .color(gold),
                        );
                        ui.label(egui::RichText::new(tr!(lang, "kiosk-demo")).size(20.0));
                        // the invitation to play
                        ui.label(
                            egui::RichText::new(tr!(lang, "kiosk-invite-game"))
                                .size(22.0)
                                .color(gold),
                        );
                    });
                });
        });
}

/// The on-screen keyboard, at the bottom of the screen beside the panel.
fn keyboard(
    ctx: &egui::Context,
    st: &mut UiState,
    lang: Lang,
    sender: &mut PromptSender,
    panel_w: f32,
) {
    let key = egui::vec2(TOUCH_TARGET - 2.0, TOUCH_TARGET);
    // beside the panel where it fits, else over the middle of the screen
    let keyboard_w = 11.0 * (key.x + 6.0) + 20.0;
    let screen_w = ctx.viewport_rect().width();
    let offset = if panel_w + keyboard_w < screen_w {
        panel_w / 2.0
    } else {
        0.0
    };
    egui::Window::new("kiosk-keyboard")
        .title_bar(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_BOTTOM, [offset, -12.0])
        .show(ctx, |ui| {
            ui.spacing_mut().item_spacing = egui::vec2(6.0, 6.0);
            typed_text(ui, st, lang);
            letter_keys(ui, st, lang, key);
            action_keys(ui, st, lang, key, sender);
        });
}

/// The words typed so far (or a hint while there are none) and how many characters are left.
fn typed_text(ui: &mut egui::Ui, st: &UiState, lang: Lang) {
    let shown = if st.prompt.is_empty() {
        egui::RichText::new(tr!(lang, "kiosk-type-here")).weak()
    } else {
        egui::RichText::new(format!("{}|", st.prompt))
    };
    ui.label(shown.size(26.0));
    ui.label(
        egui::RichText::new(tr!(
            lang,
            "kiosk-chars-left",
            n = st
                .max_prompt_chars
                .saturating_sub(st.prompt.chars().count())
        ))
        .size(16.0),
    );
}

/// The keyboard's letter rows in `lang`'s layout, upper case while shift is on; `key` is a key's size.
fn letter_keys(ui: &mut egui::Ui, st: &mut UiState, lang: Lang, key: egui::Vec2) {
    let max = st.max_prompt_chars;
    for row in keyboard_rows(lang) {
        ui.horizontal(|ui| {
            for c in row.chars() {
                let shown: String = if st.shift {
                    c.to_uppercase().collect()
                } else {
                    c.to_string()
                };
                let b = egui::Button::new(egui::RichText::new(shown).size(24.0)).min_size(key);
                if ui.add(b).clicked() {
                    press_key(&mut st.prompt, Key::Char(c), st.shift, max);
                    st.shift = false;
                    st.refused = None;
                }
            }
        });
    }
}

/// The keyboard's bottom row: shift, space, delete and the key that runs the typed prompt.
fn action_keys(
    ui: &mut egui::Ui,
    st: &mut UiState,
    lang: Lang,
    key: egui::Vec2,
    sender: &mut PromptSender,
) {
    let max = st.max_prompt_chars;
    ui.horizontal(|ui| {
        let shift = egui::Button::new(big(tr!(lang, "kiosk-shift")))
            .selected(st.shift)
            .min_size(egui::vec2(key.x * 2.0, key.y));
        if ui.add(shift).clicked() {
            st.shift = !st.shift;
        }
        let space = egui::Button::new(big(tr!(lang, "kiosk-space")))
            .min_size(egui::vec2(key.x * 4.0, key.y));
        if ui.add(space).clicked() {
            press_key(&mut st.prompt, Key::Space, false, max);
        }
        let delete = egui::Button::new(big(tr!(lang, "kiosk-delete")))
            .min_size(egui::vec2(key.x * 2.0, key.y));
        if ui.add(delete).clicked() {
            press_key(&mut st.prompt, Key::Delete, false, max);
        }
        let run = egui::Button::new(big(tr!(lang, "kiosk-run")).strong())
            .fill(egui::Color32::from_rgb(40, 110, 60))
            .min_size(egui::vec2(key.x * 2.5, key.y));
        if ui.add(run).clicked() {
            submit_prompt(st, sender.filter.as_deref(), &mut sender.requests, lang);
            if st.refused.is_none() {
                st.keyboard = false;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keyboard_types_within_the_limit() {
        let mut t = String::new();
        press_key(&mut t, Key::Space, false, 5);
        assert_eq!(t, "", "no leading space");
        for c in "hi".chars() {
            press_key(&mut t, Key::Char(c), false, 5);
        }
        press_key(&mut t, Key::Space, false, 5);
        press_key(&mut t, Key::Space, false, 5);
        press_key(&mut t, Key::Char('ü'), true, 5);
        assert_eq!(t, "hi Ü");
        press_key(&mut t, Key::Char('a'), false, 5);
        press_key(&mut t, Key::Char('b'), false, 5);
        assert_eq!(t, "hi Üa", "at most 5 characters");
        press_key(&mut t, Key::Delete, false, 5);
        assert_eq!(t, "hi Ü");
        // every language's keys are one character each, and German has its own letters
        for lang in Lang::ALL {
            assert!(keyboard_rows(lang).iter().all(|r| r.chars().count() <= 11));
        }
        assert!(keyboard_rows(Lang::De).concat().contains('ä'));
    }
}
