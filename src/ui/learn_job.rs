//! The learning tab's work, off the main thread: starting a session (a copy of the weights, the
//! first measurement) and applying updates, each measurement with its backward pass as the hall
//! draws it. A frame never waits on it, except while recording ([`crate::inference::Blocking`]),
//! when it is waited for so that every frame shows finished numbers.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};
use candle_core::backprop::GradStore;

use crate::inference::Weights;
use crate::model::LoadedModel;
use crate::model::backward::Gradients;
use crate::model::learn::{Entry, Learner, Optimizer, top_next};

/// What a piece of work starts from.
pub enum Work {
    /// A fresh copy of `model`'s weights learning `ids`.
    Start {
        /// The model as loaded from its folder.
        model: Arc<LoadedModel>,
        /// The example.
        ids: Vec<u32>,
    },
    /// More updates of a session's copy, from the last measurement's gradients.
    Step {
        /// The copy.
        learner: Arc<Mutex<Learner>>,
        /// The last measurement's gradients.
        grads: GradStore,
        /// The model as loaded from its folder.
        model: Arc<LoadedModel>,
        /// The example.
        ids: Vec<u32>,
    },
}

/// How the work learns: the optimiser and rate, how many updates, and the untouched sentence.
pub struct Plan {
    /// The optimiser (a change starts Adam's moments afresh).
    pub optimizer: Optimizer,
    /// The learning rate.
    pub lr: f64,
    /// Updates to apply (0: only measure).
    pub steps: usize,
    /// The untouched sentence whose guess is compared.
    pub other: String,
}

/// What the work found.
pub struct Done {
    /// The copy that learned.
    pub learner: Arc<Mutex<Learner>>,
    /// A measurement per update (and the first, for a start).
    pub entries: Vec<Entry>,
    /// The last measurement's gradients (what the next update applies).
    pub grads: GradStore,
    /// The last measurement's backward pass, for the hall.
    pub drawn: Arc<Gradients>,
    /// The model to run the floor on, when an update was applied.
    pub weights: Option<Weights>,
    /// The untouched sentence's most likely next word and its probability, as loaded and now.
    pub other: Option<[(String, f64); 2]>,
    /// The model as loaded from its folder.
    pub model: Arc<LoadedModel>,
    /// The example.
    pub ids: Vec<u32>,
}

/// Work running on the task pool, and how far it got. Dropped, it stops at its next measurement
/// (a task begun is not cancelled by dropping it: its work checks `stop`).
pub struct Running {
    task: Task<Result<Done, String>>,
    /// Measurements done so far.
    pub done: Arc<AtomicUsize>,
    /// Measurements it makes in all.
    pub total: usize,
    stop: Arc<AtomicBool>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Running {
    /// Starts `work` on the task pool.
    pub fn spawn(work: Work, plan: Plan) -> Self {
        let done = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let total = plan.steps + usize::from(matches!(work, Work::Start { .. }));
        let (counter, stopped) = (done.clone(), stop.clone());
        let task = AsyncComputeTaskPool::get().spawn(async move {
            run(work, &plan, (&counter, &stopped)).map_err(|e| e.to_string())
        });
        Self {
            task,
            done,
            total,
            stop,
        }
    }

    /// Its outcome once finished (waited for with `blocking`).
    pub fn poll(&mut self, blocking: bool) -> Option<Result<Done, String>> {
        if blocking {
            return Some(block_on(&mut self.task));
        }
        block_on(poll_once(&mut self.task))
    }

    /// Measurements done so far.
    pub fn progress(&self) -> usize {
        self.done.load(Ordering::Relaxed)
    }
}

fn run(
    work: Work,
    plan: &Plan,
    (done, stop): (&AtomicUsize, &AtomicBool),
) -> crate::model::error::Result<Done> {
    let given_up = || crate::model::error::ModelError::Prompt("learning given up".into());
    let (learner, grads, model, ids) = match work {
        Work::Start { model, ids } => {
            let learner = Learner::new(&model, plan.optimizer, plan.lr)?;
            (Arc::new(Mutex::new(learner)), None, model, ids)
        }
        Work::Step {
            learner,
            grads,
            model,
            ids,
        } => (learner, Some(grads), model, ids),
    };
    let mut l = learner.lock().expect("learner lock");
    if l.optimizer() != plan.optimizer || l.lr() != plan.lr {
        // a new optimiser or rate from now on (Adam's moments start afresh)
        l.retune(plan.optimizer, plan.lr)?;
    }
    let mut entries = Vec::new();
    let mut last = match grads {
        Some(g) => (g, None),
        None => {
            let (entry, g, drawn) = l.measure_drawn(&ids)?;
            entries.push(entry);
            done.fetch_add(1, Ordering::Relaxed);
            (g, Some(drawn))
        }
    };
    for _ in 0..plan.steps {
        if stop.load(Ordering::Relaxed) {
            return Err(given_up());
        }
        l.update(&last.0)?;
        let (entry, g, drawn) = l.measure_drawn(&ids)?;
        entries.push(entry);
        last = (g, Some(drawn));
        done.fetch_add(1, Ordering::Relaxed);
    }
    let weights = if plan.steps > 0 {
        Some(Weights(Arc::new(l.to_model(&model)?)))
    } else {
        None
    };
    let other = other_guesses(&model, &l, &plan.other);
    drop(l);
    let (grads, drawn) = last;
    Ok(Done {
        learner,
        entries,
        grads,
        drawn: Arc::new(drawn.unwrap_or_default()),
        weights,
        other,
        model,
        ids,
    })
}

/// The other sentence's most likely next word and its probability, as loaded and now.
pub fn other_guesses(
    model: &LoadedModel,
    learner: &Learner,
    text: &str,
) -> Option<[(String, f64); 2]> {
    let ids = model.tokenizer.encode(text).ok()?;
    let word = |(id, p): (u32, f64)| (model.tokenizer.token_text(id), p);
    let before = top_next(&model.gpt, &ids).ok()?;
    let now = top_next(learner.gpt(), &ids).ok()?;
    Some([word(before), word(now)])
}
