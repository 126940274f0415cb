//! "Learn this sentence": the floor's tokens as one training example (`model/learn.rs`). The tab
//! shows, at every position, the true next word and its probability (as loaded → now), the loss
//! and its curve over the steps; **Step** applies one update (SGD or Adam, a learning-rate knob) to
//! a copy of the weights in memory and the floor runs again on them; a second, untouched sentence
//! shows what else moved. **Forget** (or closing the tab) returns to the model on disk; the file is
//! never written. The tour's clean stage and the kiosk's attract loop close the tab, so the next
//! visitor meets the shipped model.

use std::sync::Arc;

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use candle_core::backprop::GradStore;

use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Engine, ModelChanged, Request, Weights};
use crate::model::LoadedModel;
use crate::model::learn::{Entry, Learner, Optimizer, top_next};
use crate::playback::Floor;
use crate::tour::{Action, TourPlayer};
use crate::tr;

/// The learning rate's range on the knob.
pub const LR_RANGE: std::ops::RangeInclusive<f64> = 1e-4..=0.3;

/// A sentence being learned.
pub struct Session {
    learner: Learner,
    /// The model as loaded from its folder (what Forget returns to).
    original: Arc<LoadedModel>,
    /// The example's token ids and texts.
    ids: Vec<u32>,
    texts: Vec<String>,
    /// Entry k: measured after k updates.
    pub entries: Vec<Entry>,
    /// The gradients of the last entry (what the next step applies).
    grads: GradStore,
    /// The other sentence's top next word and its probability, as loaded and now.
    other: Option<[(String, f64); 2]>,
}

/// The learning tab's state.
#[derive(Resource)]
pub struct Learning {
    /// The sentence being learned, once the tab opened on a floor of 2 tokens or more.
    pub session: Option<Session>,
    /// How the next steps update.
    pub optimizer: Optimizer,
    /// Their learning rate.
    pub lr: f64,
    /// The untouched sentence that shows what else moved.
    pub other: String,
    /// Why learning could not start (a floor of one token, a model folder that cannot be read).
    pub problem: Option<String>,
}

impl Default for Learning {
    fn default() -> Self {
        Self {
            session: None,
            optimizer: Optimizer::Sgd,
            lr: Optimizer::Sgd.default_lr(),
            other: "The dog ran to the".into(),
            problem: None,
        }
    }
}

impl Learning {
    /// Starts learning the floor's tokens on a fresh copy of `model`'s weights (entry 0 measured).
    pub fn start(&mut self, model: &Arc<LoadedModel>, ids: &[u32]) {
        let session = Learner::new(model, self.optimizer, self.lr).and_then(|learner| {
            let (entry, grads) = learner.measure(ids)?;
            Ok(Session {
                learner,
                original: model.clone(),
                ids: ids.to_vec(),
                texts: crate::inference::texts(model, ids),
                entries: vec![entry],
                grads,
                other: None,
            })
        });
        match session {
            Ok(mut s) => {
                s.other = other_guesses(&s, &self.other);
                self.session = Some(s);
                self.problem = None;
            }
            Err(e) => self.problem = Some(e.to_string()),
        }
    }

    /// One update with the last gradients, a new measurement, and the floor on the new weights.
    pub fn step(&mut self) -> Option<Weights> {
        let (optimizer, lr) = (self.optimizer, self.lr);
        let s = self.session.as_mut()?;
        if s.learner.optimizer() != optimizer || s.learner.lr() != lr {
            // a new optimiser or rate from now on (Adam's moments start afresh)
            if let Err(e) = s.learner.retune(optimizer, lr) {
                self.problem = Some(e.to_string());
                return None;
            }
        }
        let measured = s.learner.update(&s.grads).and_then(|()| {
            let (entry, grads) = s.learner.measure(&s.ids)?;
            Ok((entry, grads, s.learner.to_model(&s.original)?))
        });
        match measured {
            Ok((entry, grads, model)) => {
                s.entries.push(entry);
                s.grads = grads;
                s.other = other_guesses(s, &self.other);
                Some(Weights(Arc::new(model)))
            }
            Err(e) => {
                self.problem = Some(e.to_string());
                None
            }
        }
    }

    /// Forgets what was learned: the model on disk again (`None` when nothing was learning).
    pub fn forget(&mut self) -> Option<Weights> {
        let s = self.session.take()?;
        (s.entries.len() > 1).then(|| Weights(s.original))
    }
}

/// The other sentence's most likely next word and its probability, as loaded and now.
fn other_guesses(s: &Session, text: &str) -> Option<[(String, f64); 2]> {
    let ids = s.original.tokenizer.encode(text).ok()?;
    let word = |(id, p): (u32, f64)| (s.original.tokenizer.token_text(id), p);
    let before = top_next(&s.original.gpt, &ids).ok()?;
    let now = top_next(s.learner.gpt(), &ids).ok()?;
    Some([word(before), word(now)])
}

/// A tour stop with `Learn(n)`: at its act time the learning tab opens (shown on the stage too) on
/// the floor's sentence and applies `n` steps, the floor running on the learned copy; leaving the
/// stop closes the tab, which forgets.
pub fn learn_on_tour(
    tour: Res<TourPlayer>,
    mut ui: ResMut<UiState>,
    mut learning: ResMut<Learning>,
    engine: Option<Res<Engine>>,
    floor: Res<Floor>,
    mut requests: MessageWriter<Request>,
    mut done: Local<Option<usize>>,
) {
    let stop = tour.active.then(|| tour.current()).flatten();
    let steps = stop.and_then(|s| {
        s.actions.iter().find_map(|a| match a {
            Action::Learn(n) => Some((*n, s.acts_at())),
            _ => None,
        })
    });
    let Some((n, acts_at)) = steps else {
        if done.take().is_some() {
            if tour.active {
                ui.learn_view = false;
            }
            ui.learn_on_stage = false;
            // also when the tour ended here and the stage gave the tab back: the tour's copy goes
            if let Some(w) = learning.forget() {
                requests.write(Request::Weights(w));
            }
        }
        return;
    };
    let Some(engine) = engine else { return };
    if *done == Some(tour.index) || tour.elapsed < acts_at {
        return;
    }
    *done = Some(tour.index);
    (ui.learn_view, ui.learn_on_stage) = (true, true);
    // from the model on disk, with the defaults, whatever a visitor set before
    let base = match learning.forget() {
        Some(w) => {
            requests.write(Request::Weights(w.clone()));
            w.0
        }
        None => engine.0.clone(),
    };
    *learning = Learning::default();
    learning.start(&base, &floor.history.ids);
    let mut last = None;
    for _ in 0..n {
        last = learning.step().or(last);
    }
    // the floor runs on the last copy only (the request for the model on disk above is replaced)
    if let Some(w) = last {
        requests.write(Request::Weights(w));
    }
}

/// Closing the tab (the × , the tour's clean stage, the kiosk's attract loop) forgets what was
/// learned; a new model ends the session without a word (its weights are already the floor's).
pub fn end_learning(
    ui: Res<UiState>,
    mut learning: ResMut<Learning>,
    mut changed: MessageReader<ModelChanged>,
    mut requests: MessageWriter<Request>,
) {
    if changed.read().last().is_some() {
        learning.session = None;
        return;
    }
    if !ui.learn_view && learning.problem.is_some() {
        // the next opening tries the floor again
        learning.problem = None;
    }
    if !ui.learn_view
        && learning.session.is_some()
        && let Some(w) = learning.forget()
    {
        requests.write(Request::Weights(w));
    }
}

/// Draws the learning tab; it starts on the floor's tokens when it opens.
pub(super) fn draw_learn(
    mut contexts: EguiContexts,
    ui_state: Res<UiState>,
    mut learning: ResMut<Learning>,
    engine: Option<Res<Engine>>,
    floor: Res<Floor>,
    lang: Res<Lang>,
    mut requests: MessageWriter<Request>,
) -> Result {
    let l = *lang;
    let ctx = contexts.ctx_mut()?;
    let Some(engine) = engine else { return Ok(()) };
    if !ui_state.learn_view {
        return Ok(());
    }
    let Some(window) = super::dock::window(ctx, super::dock::Tab::Learn, "learn") else {
        return Ok(());
    };
    if learning.session.is_none() && learning.problem.is_none() {
        let ids = floor.history.ids.clone();
        learning.start(&engine.0, &ids);
    }
    window.show(ctx, |ui| {
        super::explain::lead(ui, tr!(l, "learn-intro"));
        if let Some(why) = &learning.problem {
            ui.colored_label(egui::Color32::LIGHT_RED, why);
        }
        if let Some(w) = learn_view(ui, &mut learning, l) {
            requests.write(Request::Weights(w));
        }
    });
    Ok(())
}

/// The session's view and knobs; the weights to run the floor on when Step or Forget was pressed.
fn learn_view(ui: &mut egui::Ui, learning: &mut Learning, l: Lang) -> Option<Weights> {
    let s = learning.session.as_ref()?;
    let (first, last) = (s.entries.first()?, s.entries.last()?);
    ui.label(tr!(
        l,
        "learn-loss",
        before = format!("{:.3}", first.loss),
        now = format!("{:.3}", last.loss),
        steps = s.entries.len() - 1
    ));
    loss_curve(ui, &s.entries, l);
    positions_table(ui, s, l);
    let mut out = None;
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        let step = egui::Button::new(egui::RichText::new(tr!(l, "learn-step")).size(20.0))
            .min_size(egui::vec2(140.0, super::TOUCH_TARGET));
        if ui
            .add(step)
            .on_hover_text(tr!(l, "learn-step-tip"))
            .clicked()
        {
            out = learning.step();
        }
        let forget = egui::Button::new(tr!(l, "learn-forget"))
            .min_size(egui::vec2(120.0, super::TOUCH_TARGET));
        if ui
            .add(forget)
            .on_hover_text(tr!(l, "learn-forget-tip"))
            .clicked()
        {
            out = learning.forget();
        }
    });
    knobs(ui, learning, l);
    other_sentence(ui, learning, l);
    ui.weak(tr!(l, "learn-copy-note"));
    out
}

/// The learning rate (a log knob) and the optimiser.
fn knobs(ui: &mut egui::Ui, learning: &mut Learning, l: Lang) {
    ui.horizontal(|ui| {
        ui.label(tr!(l, "learn-rate"));
        ui.add(
            egui::Slider::new(&mut learning.lr, LR_RANGE)
                .logarithmic(true)
                .custom_formatter(|v, _| format!("{v:.4}")),
        )
        .on_hover_text(tr!(l, "learn-rate-tip"));
    });
    ui.horizontal(|ui| {
        for o in [Optimizer::Sgd, Optimizer::Adam] {
            let name = match o {
                Optimizer::Sgd => tr!(l, "learn-sgd"),
                Optimizer::Adam => tr!(l, "learn-adam"),
            };
            if ui.radio(learning.optimizer == o, name).clicked() && learning.optimizer != o {
                learning.optimizer = o;
                learning.lr = o.default_lr();
            }
        }
    });
}

/// Every position: the word, the true next word, its probability as loaded → now.
fn positions_table(ui: &mut egui::Ui, s: &Session, l: Lang) {
    let (first, last) = (&s.entries[0], &s.entries[s.entries.len() - 1]);
    egui::Grid::new("learn-positions")
        .striped(true)
        .show(ui, |ui| {
            ui.strong(tr!(l, "learn-col-word"));
            ui.strong(tr!(l, "learn-col-next"));
            ui.strong(tr!(l, "learn-col-before"));
            ui.strong(tr!(l, "learn-col-now"));
            ui.end_row();
            for t in 0..s.ids.len() - 1 {
                ui.label(s.texts[t].trim());
                ui.label(s.texts[t + 1].trim());
                ui.label(super::game::percent(first.probs[t] as f32));
                let up = last.probs[t] >= first.probs[t];
                let colour = if up {
                    egui::Color32::from_rgb(150, 220, 150)
                } else {
                    egui::Color32::from_rgb(240, 150, 150)
                };
                ui.colored_label(colour, super::game::percent(last.probs[t] as f32));
                ui.end_row();
            }
        });
}

/// The loss after each step, as a line (a dot per step).
fn loss_curve(ui: &mut egui::Ui, entries: &[Entry], l: Lang) {
    let (rect, _) =
        ui.allocate_exact_size(egui::vec2(ui.available_width(), 90.0), egui::Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, egui::Color32::from_gray(24));
    let top = entries
        .iter()
        .map(|e| e.loss)
        .fold(0.0f64, f64::max)
        .max(1e-6);
    let n = entries.len().max(2) - 1;
    let at = |k: usize, loss: f64| {
        egui::pos2(
            rect.left() + 8.0 + (rect.width() - 16.0) * k as f32 / n as f32,
            rect.bottom() - 8.0 - (rect.height() - 16.0) * (loss / top) as f32,
        )
    };
    let points: Vec<egui::Pos2> = entries
        .iter()
        .enumerate()
        .map(|(k, e)| at(k, e.loss))
        .collect();
    let stroke = egui::Stroke::new(2.0, egui::Color32::from_rgb(240, 236, 224));
    painter.add(egui::Shape::line(points.clone(), stroke));
    for p in points {
        painter.circle_filled(p, 3.0, stroke.color);
    }
    painter.text(
        rect.left_top() + egui::vec2(6.0, 4.0),
        egui::Align2::LEFT_TOP,
        tr!(l, "learn-curve", top = format!("{top:.2}")),
        egui::FontId::proportional(12.0),
        egui::Color32::from_gray(170),
    );
}

/// The untouched sentence: its most likely next word as loaded and now.
fn other_sentence(ui: &mut egui::Ui, learning: &mut Learning, l: Lang) {
    ui.add_space(6.0);
    ui.label(tr!(l, "learn-other"));
    let edited = ui.text_edit_singleline(&mut learning.other).lost_focus();
    if edited && let Some(s) = learning.session.as_mut() {
        s.other = other_guesses(s, &learning.other);
    }
    let Some(s) = &learning.session else { return };
    match &s.other {
        Some([(w0, p0), (w1, p1)]) => {
            ui.label(tr!(
                l,
                "learn-other-guess",
                before = format!("“{}” {}", w0.trim(), super::game::percent(*p0 as f32)),
                now = format!("“{}” {}", w1.trim(), super::game::percent(*p1 as f32))
            ));
        }
        None => {
            ui.weak(tr!(l, "learn-other-bad"));
        }
    }
}
