//! "Learn this sentence": the floor's tokens as one training example (`model/learn.rs`). The tab
//! shows, at every position, the true next word and its probability (as loaded → now), the loss
//! and its curve over the steps; **Step** applies one update (SGD or Adam, a learning-rate knob) to
//! a copy of the weights in memory and the floor runs again on them; a second, untouched sentence
//! shows what else moved. **Forget** (or closing the tab) returns to the model on disk; the file is
//! never written. The tour's clean stage and the kiosk's attract loop close the tab, so the next
//! visitor meets the shipped model.

use std::sync::{Arc, Mutex};

use bevy::prelude::*;
use bevy_egui::{EguiContexts, egui};
use candle_core::backprop::GradStore;

use super::learn_job::{Plan, Running, Work, other_guesses};
use super::state::UiState;
use crate::i18n::Lang;
use crate::inference::{Blocking, Engine, ModelChanged, Request, Weights};
use crate::model::LoadedModel;
use crate::model::backward::Gradients;
use crate::model::learn::{Entry, Learner, Optimizer};
use crate::playback::{Floor, Playback};
use crate::scene::backward::Backward;
use crate::tour::{Action, TourPlayer};
use crate::tr;

/// The learning rate's range on the knob.
pub const LR_RANGE: std::ops::RangeInclusive<f64> = 1e-4..=0.3;

/// A sentence being learned.
pub struct Session {
    /// The copy of the weights that learns (shared with its work on the task pool and the
    /// chain-rule steps of the gradient tips).
    pub learner: Arc<Mutex<Learner>>,
    /// The model as loaded from its folder (what Forget returns to).
    original: Arc<LoadedModel>,
    /// The example's token ids and texts.
    ids: Vec<u32>,
    pub texts: Vec<String>,
    /// Entry k: measured after k updates.
    pub entries: Vec<Entry>,
    /// The gradients of the last entry (what the next step applies; away while a step runs).
    grads: Option<GradStore>,
    /// The last entry's backward pass, as the hall draws it.
    pub drawn: Arc<Gradients>,
    /// The other sentence's top next word and its probability, as loaded and now.
    other: Option<[(String, f64); 2]>,
}

/// The learning tab's state.
#[derive(Resource)]
pub struct Learning {
    /// The sentence being learned, once the tab opened on a floor of 2 tokens or more.
    pub session: Option<Session>,
    /// Work on the task pool (a start or steps), until it is done.
    pub running: Option<Running>,
    /// How the next steps update.
    pub optimizer: Optimizer,
    /// Their learning rate.
    pub lr: f64,
    /// The untouched sentence that shows what else moved.
    pub other: String,
    /// Why learning could not start (a floor of one token, a model folder that cannot be read).
    pub problem: Option<String>,
    /// The backward pass shown in the hall.
    pub backward: bool,
}

impl Default for Learning {
    fn default() -> Self {
        Self {
            session: None,
            running: None,
            optimizer: Optimizer::Sgd,
            lr: Optimizer::Sgd.default_lr(),
            other: "The dog ran to the".into(),
            problem: None,
            backward: false,
        }
    }
}

impl Learning {
    fn plan(&self, steps: usize) -> Plan {
        Plan {
            optimizer: self.optimizer,
            lr: self.lr,
            steps,
            other: self.other.clone(),
        }
    }

    /// Starts learning the floor's tokens on a fresh copy of `model`'s weights (entry 0 measured,
    /// then `steps` updates), on the task pool.
    pub fn start(&mut self, model: &Arc<LoadedModel>, ids: &[u32], steps: usize) {
        let limit = model.config.n_positions;
        if let Err(e) = crate::model::learn::check_tokens(ids, limit)
            .and_then(|()| crate::model::learn::check_memory(&model.config, ids.len()))
        {
            self.problem = Some(e.to_string());
            return;
        }
        let work = Work::Start {
            model: model.clone(),
            ids: ids.to_vec(),
        };
        self.session = None;
        self.running = Some(Running::spawn(work, self.plan(steps)));
    }

    /// One update with the last gradients and a new measurement, on the task pool (nothing while
    /// other work runs).
    pub fn step(&mut self) {
        if self.running.is_some() {
            return;
        }
        let plan = self.plan(1);
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some(grads) = s.grads.take() else { return };
        let work = Work::Step {
            learner: s.learner.clone(),
            grads,
            model: s.original.clone(),
            ids: s.ids.clone(),
        };
        self.running = Some(Running::spawn(work, plan));
    }

    /// Takes finished work into the session: the weights to run the floor on when it applied an
    /// update (with `blocking`, it is waited for).
    pub fn poll(&mut self, blocking: bool) -> Option<Weights> {
        let outcome = self.running.as_mut()?.poll(blocking)?;
        self.running = None;
        let done = match outcome {
            Ok(done) => done,
            Err(e) => {
                // the copy may be half updated and its gradients are gone: the session ends (the
                // model on disk under the floor again if it ran on the copy); the next opening
                // starts afresh
                let back = self.forget();
                self.problem = Some(e);
                return back;
            }
        };
        self.problem = None;
        match self.session.as_mut() {
            Some(s) => {
                s.entries.extend(done.entries);
                (s.grads, s.drawn, s.other) = (Some(done.grads), done.drawn, done.other);
            }
            None => {
                self.session = Some(Session {
                    texts: crate::inference::texts(&done.model, &done.ids),
                    ids: done.ids,
                    original: done.model,
                    learner: done.learner,
                    entries: done.entries,
                    grads: Some(done.grads),
                    drawn: done.drawn,
                    other: done.other,
                });
                self.problem = None;
            }
        }
        done.weights
    }

    /// The session, while the tab is open on the sentence it learns (a new prompt on the floor: the
    /// hall shows its own values again).
    fn on_floor(&self, ui: &UiState, floor: &Floor) -> Option<&Session> {
        let s = self.session.as_ref()?;
        (ui.learn_view && s.ids == floor.history.ids).then_some(s)
    }

    /// Waits for the work running, if any (tests, recordings): its weights, as [`Self::poll`].
    pub fn wait(&mut self) -> Option<Weights> {
        self.poll(true)
    }

    /// Forgets what was learned (work still running stops at its next measurement): the model on
    /// disk again
    /// (`None` when the floor never ran on a learned copy).
    pub fn forget(&mut self) -> Option<Weights> {
        self.running = None;
        let s = self.session.take()?;
        (s.entries.len() > 1).then(|| Weights(s.original))
    }
}

/// A tour stop with `Learn(n)`: at its act time the learning tab opens (shown on the stage too) on
/// the floor's sentence, with the backward pass in the hall, and applies `n` steps, the floor
/// running on the learned copy; leaving the stop closes the tab, which forgets.
pub fn learn_on_tour(
    tour: Res<TourPlayer>,
    mut ui: ResMut<UiState>,
    mut learning: ResMut<Learning>,
    engine: Option<Res<Engine>>,
    floor: Res<Floor>,
    mut requests: MessageWriter<Request>,
    (mut done, blocking): (Local<Option<usize>>, Option<Res<Blocking>>),
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
    *learning = Learning {
        backward: true,
        ..Learning::default()
    };
    learning.start(&base, &floor.history.ids, n);
    // a recording waits for it (each frame shows finished numbers); else `poll_learning` takes it
    if blocking.is_some()
        && let Some(w) = learning.wait()
    {
        requests.write(Request::Weights(w));
    }
}

/// Takes the learning work that finished: the floor runs on the copy it updated.
pub fn poll_learning(
    mut learning: ResMut<Learning>,
    blocking: Option<Res<Blocking>>,
    mut requests: MessageWriter<Request>,
) {
    if learning.running.is_none() {
        return;
    }
    if let Some(w) = learning.poll(blocking.is_some()) {
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
        (learning.session, learning.running) = (None, None);
        return;
    }
    if !ui.learn_view && learning.problem.is_some() {
        // the next opening tries the floor again
        learning.problem = None;
    }
    if !ui.learn_view
        && (learning.session.is_some() || learning.running.is_some())
        && let Some(w) = learning.forget()
    {
        requests.write(Request::Weights(w));
    }
}

/// The hall shows the session's backward pass while the tab is open and asks for it (the clock
/// paused, so the crates ride only backwards); otherwise the forward values.
pub fn show_backward(
    ui: Res<UiState>,
    learning: Res<Learning>,
    mut view: ResMut<Backward>,
    mut playback: ResMut<Playback>,
    floor: Res<Floor>,
) {
    let want = learning
        .on_floor(&ui, &floor)
        .filter(|_| learning.backward)
        .map(|s| s.drawn.clone())
        .filter(|g| !g.is_empty());
    let same = match (&want, &view.shown) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    };
    if same {
        return;
    }
    if want.is_some() && playback.playing {
        playback.playing = false;
    }
    if want.is_none()
        && let Some(last) = playback.last_station
    {
        // the crates rode back to the press: parked at the dock again, every board with values
        playback.progress = last as f32;
    }
    view.show(want);
}

/// While the tab is open on the floor's sentence, the shipping dock writes each position's true
/// next word and its probability as loaded and now (`scene::backward::label_true_next`).
pub fn share_true_next(
    ui: Res<UiState>,
    learning: Res<Learning>,
    floor: Res<Floor>,
    lang: Res<Lang>,
    mut lines: ResMut<crate::scene::backward::TrueNext>,
    mut made_for: Local<Option<(super::job::ArcKey<Gradients>, usize, Lang)>>,
) {
    // written once per measurement and language, not every frame
    let session = learning.on_floor(&ui, &floor);
    let key = session.map(|s| (super::job::ArcKey(s.drawn.clone()), s.entries.len(), *lang));
    if key == *made_for {
        return;
    }
    *made_for = key;
    let want = session.and_then(|s| {
        let (first, last) = (s.entries.first()?, s.entries.last()?);
        let line = |t: usize| {
            tr!(
                *lang,
                "learn-dock-line",
                word = s.texts[t + 1].trim(),
                before = super::game::percent(first.probs[t] as f32),
                now = super::game::percent(last.probs[t] as f32)
            )
        };
        Some((0..s.ids.len() - 1).map(line).collect::<Vec<_>>())
    });
    if lines.0 != want {
        lines.0 = want;
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
    let idle = learning.session.is_none() && learning.running.is_none();
    if idle && learning.problem.is_none() {
        let ids = floor.history.ids.clone();
        learning.start(&engine.0, &ids, 0);
    }
    window.show(ctx, |ui| {
        super::explain::lead(ui, tr!(l, "learn-intro"));
        if let Some(why) = &learning.problem {
            ui.colored_label(egui::Color32::LIGHT_RED, why);
        }
        if let Some(r) = &learning.running {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(tr!(
                    l,
                    "learn-working",
                    done = r.progress(),
                    total = r.total
                ));
            });
        }
        if let Some(w) = learn_view(ui, &mut learning, l) {
            requests.write(Request::Weights(w));
        }
    });
    Ok(())
}

/// The session's view and knobs; the weights to run the floor on when Forget was pressed.
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
    super::learn_look::loss_curve(ui, &s.entries, l);
    super::learn_look::positions_table(ui, &s.texts, &s.entries, l);
    let mut out = None;
    ui.add_space(6.0);
    let busy = learning.running.is_some();
    ui.horizontal(|ui| {
        let step = egui::Button::new(egui::RichText::new(tr!(l, "learn-step")).size(20.0))
            .min_size(egui::vec2(140.0, super::TOUCH_TARGET));
        if ui
            .add_enabled(!busy, step)
            .on_hover_text(tr!(l, "learn-step-tip"))
            .clicked()
        {
            learning.step();
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
    super::learn_look::backward_switch(ui, &mut learning.backward, l);
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

/// The untouched sentence: its most likely next word as loaded and now.
fn other_sentence(ui: &mut egui::Ui, learning: &mut Learning, l: Lang) {
    ui.add_space(6.0);
    ui.label(tr!(l, "learn-other"));
    let edited = ui.text_edit_singleline(&mut learning.other).lost_focus();
    if edited && let Some(s) = learning.session.as_mut() {
        // not while a step holds the copy (the frame never waits; the step's end measures it)
        if let Ok(learner) = s.learner.try_lock() {
            s.other = other_guesses(&s.original, &learner, &learning.other);
        }
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
