//! The guessing game, for visitors at the kiosk and on the desktop: a sentence with its next word
//! hidden, four large choices (the true word, the model's top guess, two more the model finds
//! plausible); the visitor picks, then the model's probability for each choice is revealed and the
//! true word marked. Five rounds, then the score: "you 3, the model 2". A tab of the side panel
//! (`ui/dock.rs`); the kiosk's attract loop invites to play, and returning to it ends a game.
//!
//! The sentences are a curated list per language (`assets/game/<code>.txt`, built in); the model
//! reads English only, so in the German interface the sentences stay English and the screen says
//! so. The rounds come from `model/guess.rs`.

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};

use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Engine, Request};
use crate::tour::{Action, TourPlayer};

use crate::model::guess::{Round, Sentence, built_in, make_round};
use crate::tr;

/// Rounds in a game.
pub const ROUNDS: usize = 5;

/// The sentence list of `lang`, built into the binary.
pub fn sentences(lang: Lang) -> Vec<Sentence> {
    built_in(lang.code())
}

/// A game in play.
#[derive(Resource, Debug, Default, Clone)]
pub struct Game {
    /// Rounds played so far in this game (the current one included once picked).
    pub played: usize,
    /// The visitor's points.
    pub you: usize,
    /// The model's points (its top guess was the true word).
    pub model: usize,
    /// The round on screen.
    pub round: Option<Round>,
    /// The visitor's pick in it, once made (the probabilities are revealed then).
    pub picked: Option<usize>,
    /// Which sentence comes next (counts on across games, so a new game has new sentences).
    pub next: usize,
    /// Why a round could not be made (a sentence the model cannot read).
    pub problem: Option<String>,
    /// No sentence of the list made a round (a model whose vocabulary lacks the words): not tried
    /// again until the next game.
    pub exhausted: bool,
}

impl Game {
    /// Starts a new game (the next sentences).
    pub fn restart(&mut self) {
        let next = self.next;
        *self = Game {
            next,
            ..Game::default()
        };
    }

    /// The game is over: five rounds picked.
    pub fn over(&self) -> bool {
        self.played >= ROUNDS && self.picked.is_some()
    }

    /// Makes the next round from the sentence list, skipping sentences the model cannot play.
    /// (One short forward pass and a sort of the vocabulary, on the frame it is asked: a few
    /// milliseconds for the default model.)
    pub fn deal(&mut self, engine: &Engine, list: &[Sentence]) {
        self.picked = None;
        self.round = None;
        self.exhausted = true;
        for _ in 0..list.len() {
            let i = self.next % list.len().max(1);
            self.next += 1;
            let m = &engine.0;
            match make_round(&m.gpt, &m.tokenizer, &list[i], self.next as u64) {
                Ok(r) => {
                    self.round = Some(r);
                    self.problem = None;
                    self.exhausted = false;
                    return;
                }
                Err(e) => self.problem = Some(format!("{:?}: {e}", list[i].before)),
            }
        }
    }

    /// The visitor picks choice `i`: a point each for the visitor and the model when right.
    pub fn pick(&mut self, i: usize) {
        let Some(r) = &self.round else { return };
        if self.picked.is_some() {
            return;
        }
        self.picked = Some(i);
        self.played += 1;
        self.you += usize::from(i == r.truth);
        self.model += usize::from(r.model_pick == r.truth);
    }
}

/// Ends a game when the kiosk's attract loop takes over (its tab closes too: the next visitor
/// starts from the panel), or when its tab is closed.
pub fn end_game_on_attract(mut ui: ResMut<UiState>, mut game: ResMut<Game>) {
    if ui.attract && ui.game_view && !ui.game_on_stage {
        ui.game_view = false;
    }
    if !ui.game_view && (game.round.is_some() || game.played > 0 || game.exhausted) {
        game.restart();
    }
}

/// The tour stop's round (`Guess(n)`), when the stop now shown has one, and whether it is picked.
type TourRound = Option<(usize, bool)>;

/// A tour stop with `Guess(n)`: on arriving, the game's tab opens (on the stage too) with sentence
/// `n`'s round (the tour runs its sentence on the floor); at the stop's act time the true word is
/// picked, so the model's chances show. Leaving the stop closes the tab (the game starts afresh).
pub fn play_tour_round(
    tour: Res<TourPlayer>,
    mut ui: ResMut<UiState>,
    mut game: ResMut<Game>,
    engine: Option<Res<Engine>>,
    lang: Res<Lang>,
    mut at: Local<TourRound>,
) {
    let stop = tour.active.then(|| tour.current()).flatten();
    let guess = stop.and_then(|s| {
        s.actions.iter().find_map(|a| match a {
            Action::Guess(n) => Some((*n, s.acts_at())),
            _ => None,
        })
    });
    let Some((n, acts_at)) = guess else {
        if at.take().is_some() {
            // on to another stop: the tab closes (when the tour ended, the stage put back what
            // was open before it)
            if tour.active {
                ui.game_view = false;
            }
            ui.game_on_stage = false;
        }
        return;
    };
    let Some(engine) = engine else { return };
    if at.map(|(i, _)| i) != Some(tour.index) {
        game.restart();
        game.next = n;
        game.deal(&engine, &sentences(*lang));
        (ui.game_view, ui.game_on_stage) = (true, true);
        *at = Some((tour.index, false));
    }
    if *at == Some((tour.index, false)) && tour.elapsed >= acts_at {
        if let Some(r) = game.round.clone() {
            game.pick(r.truth);
        }
        *at = Some((tour.index, true));
    }
}

/// Draws the game's tab; a pick runs the sentence on the floor.
pub(super) fn draw_game(
    mut contexts: EguiContexts,
    mut ui_state: ResMut<UiState>,
    mut game: ResMut<Game>,
    engine: Option<Res<Engine>>,
    lang: Res<Lang>,
    mut requests: MessageWriter<Request>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = engine else { return Ok(()) };
    if !ui_state.game_view {
        return Ok(());
    }
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Game, "game") else {
        return Ok(());
    };
    if game.round.is_none() && !game.over() && !game.exhausted {
        game.deal(&engine, &sentences(l));
    }
    let tok = &engine.0.tokenizer;
    window.show(ctx, |ui| {
        super::explain::lead(ui, tr!(l, "game-intro"));
        if l != Lang::En {
            ui.weak(tr!(l, "game-english-only"));
        }
        if let Some(why) = &game.problem {
            ui.colored_label(egui::Color32::LIGHT_RED, why);
        }
        if let Some(before) = round_view(ui, &mut game, tok, (l, ui_state.game_on_stage)) {
            // the prompt box shows what the floor runs
            ui_state.prompt.clone_from(&before);
            requests.write(Request::Prompt(before));
        }
    });
    Ok(())
}

/// A probability as a percentage a visitor reads: one decimal from 1 % up, two significant digits
/// below ("0.023 %": never a bare "0.0 %").
pub fn percent(p: f32) -> String {
    let v = p * 100.0;
    if v >= 1.0 {
        format!("{v:.1} %")
    } else if v > 0.0 {
        let digits = (1 - v.log10().floor() as i32).max(1) as usize;
        format!("{v:.digits$} %")
    } else {
        "0 %".into()
    }
}

/// The round: the sentence with its gap, the four choices as large buttons, then what the model
/// thought, the score and the way on (a tour's round: the true word and what the model thought).
/// Returns the sentence to run on the floor when a choice was picked now.
fn round_view(
    ui: &mut egui::Ui,
    game: &mut Game,
    tok: &crate::model::Tokenizer,
    (l, on_stage): (Lang, bool),
) -> Option<String> {
    let r = game.round.clone()?;
    let mut run = None;
    let number = if game.picked.is_some() {
        game.played
    } else {
        game.played + 1
    };
    if !on_stage {
        ui.label(tr!(l, "game-round", n = number, of = ROUNDS));
    }
    ui.label(
        egui::RichText::new(format!("{} ___", r.sentence.before))
            .size(26.0)
            .strong(),
    );
    ui.add_space(8.0);
    let word = |id: u32| tok.token_text(id).trim().to_string();
    for (i, &id) in r.choices.iter().enumerate() {
        let mut text = word(id);
        if game.picked.is_some() {
            let mark = if i == r.truth { "  \u{2714}" } else { "" };
            text = format!("{text}  {}{mark}", percent(r.probs[i]));
        }
        let button = egui::Button::new(egui::RichText::new(text).size(22.0).strong())
            .min_size(egui::vec2(ui.available_width(), super::TOUCH_TARGET))
            .selected(game.picked == Some(i));
        if ui.add(button).clicked() && !on_stage && game.picked.is_none() {
            game.pick(i);
            run = Some(r.sentence.before.clone());
        }
    }
    let Some(p) = game.picked else {
        ui.weak(tr!(l, "game-pick"));
        return run;
    };
    ui.add_space(8.0);
    let verdict = if on_stage {
        tr!(l, "game-truth", word = word(r.choices[r.truth]))
    } else if p == r.truth {
        tr!(l, "game-right", word = word(r.choices[r.truth]))
    } else {
        tr!(l, "game-wrong", word = word(r.choices[r.truth]))
    };
    super::explain::lead(ui, verdict);
    ui.label(tr!(
        l,
        "game-model-thought",
        word = word(r.choices[r.model_pick]),
        p = percent(r.probs[r.model_pick])
    ));
    ui.weak(tr!(l, "game-raw-note"));
    if on_stage {
        ui.weak(tr!(l, "game-tour-invite"));
        return run;
    }
    ui.label(tr!(l, "game-score", you = game.you, model = game.model));
    let next = if game.over() {
        tr!(l, "game-again")
    } else {
        tr!(l, "game-next")
    };
    let button = egui::Button::new(egui::RichText::new(next).size(22.0))
        .min_size(egui::vec2(220.0, super::TOUCH_TARGET));
    if ui.add(button).clicked() {
        if game.over() {
            game.restart();
        } else {
            game.round = None;
            game.picked = None;
        }
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_never_read_zero_for_a_chance() {
        assert_eq!(percent(0.198), "19.8 %");
        assert_eq!(percent(0.01), "1.0 %");
        assert_eq!(percent(0.00023), "0.023 %");
        assert_eq!(percent(0.0042), "0.42 %");
        assert_eq!(percent(0.0), "0 %");
    }

    #[test]
    fn both_languages_have_sentences_the_model_can_play() {
        for lang in Lang::ALL {
            let list = sentences(lang);
            assert!(list.len() >= ROUNDS, "{lang:?}: {} sentences", list.len());
        }
        // the model reads English only: the German list's sentences are the English ones
        assert_eq!(sentences(Lang::En), sentences(Lang::De));
    }
}
