//! The model as a Bevy resource, run off the main thread: requests in, traces out.
//!
//! Requests (a new prompt, or one sampled token to append) start a task on the
//! `AsyncComputeTaskPool`; a system polls it each frame without blocking and sends the finished run
//! as a [`Computed`] message. The key/value cache travels with the task and comes back with the
//! trace, so a frame never waits for the model. What is shown, and when, is the playback's business.

use std::path::PathBuf;
use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task};

use crate::model::patch::PatchSpec;
use crate::model::{Ablations, KvCache, LoadedModel, ModelError};
use crate::schedule::AppSet;

mod poll;
mod runs;
use poll::take_finished;
pub(crate) use poll::take_finished_for;
pub(crate) use runs::texts;
pub use runs::{Computed, InferenceError, Outcome};
use runs::{Run, run_append, run_prompt, with_patch};

/// The loaded model, shared with inference tasks.
#[derive(Resource, Clone)]
pub struct Engine(pub Arc<LoadedModel>);

/// Asks the model for work.
#[derive(Message, Debug, Clone, PartialEq)]
pub enum Request {
    /// Start over with this prompt.
    Prompt(String),
    /// Append this token (sampled at the shipping dock) and run it with the cache.
    Append(u32),
    /// Open the model in this folder instead (off the main thread), then run the last prompt on it.
    Model(PathBuf),
    /// Switch these parts of the model off (and the others on) and run the floor's tokens again.
    Ablate(Ablations),
    /// Run the floor's tokens with one activation of another prompt's run put in (a patching
    /// grid's cell: the floor's prompt is the corrupted one), or without (`None`). A new prompt or
    /// model ends it.
    Patch(Option<PatchSpec>),
    /// Run on these weights of the same model (the learning step's copy, or the model on disk
    /// again) and run the floor's tokens again; no [`ModelChanged`]: the shape and folder are the
    /// same.
    Weights(Weights),
}

/// Weights of the loaded model handed to the engine ([`Request::Weights`]), the same when they are
/// the same copy.
#[derive(Debug, Clone)]
pub struct Weights(pub Arc<LoadedModel>);

impl PartialEq for Weights {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Sent when a new model replaced the old one (the [`Engine`] resource is the new model's).
#[derive(Message, Debug, Clone)]
pub struct ModelChanged(pub Arc<LoadedModel>);

/// When present, model runs finish within the frame that starts them (for deterministic recording).
#[derive(Resource, Debug, Clone, Copy)]
pub struct Blocking;

/// The task in flight, the cache between tasks and the tokens it holds.
#[derive(Resource, Default)]
pub struct Pending {
    task: Option<Task<Run>>,
    /// A model being opened.
    loading: Option<Task<Result<LoadedModel, ModelError>>>,
    /// The last prompt asked for (run again on a new model).
    last_prompt: Option<String>,
    /// The parts switched off for every run.
    ablations: Ablations,
    /// The activation put into every run (until a new prompt or model).
    patch: Option<PatchSpec>,
    cache: Option<KvCache>,
    /// Every token of the last successful run (what the floor shows).
    ids: Vec<u32>,
    queue: Vec<Job>,
    serial: u64,
}

impl Pending {
    /// The floor's tokens run again from scratch (new ablations, weights or patch): the cache and the
    /// running work are dropped, appends and reruns waiting are replaced by one rerun, unless a
    /// prompt is on its way (it runs with them anyway).
    fn rerun_floor(&mut self) {
        self.cache = None;
        self.task = None;
        self.serial += 1;
        self.queue
            .retain(|q| !matches!(q, Job::Append(_) | Job::Rerun));
        if !self.queue.iter().any(|q| matches!(q, Job::Prompt(_))) {
            self.queue.push(Job::Rerun);
        }
    }

    /// True while the model is working or requests wait.
    pub fn busy(&self) -> bool {
        self.task.is_some() || self.loading.is_some() || !self.queue.is_empty()
    }
}

/// Adds the engine's systems (the `Engine` resource is inserted by whoever loaded the model).
pub(super) fn plugin(app: &mut App) {
    app.add_message::<Request>()
        .add_message::<Outcome>()
        .add_message::<ModelChanged>()
        .init_resource::<Pending>()
        .add_systems(
            Update,
            (queue_requests, start_task, finish_loading, finish_task)
                .chain()
                .in_set(AppSet::Inference),
        );
}

/// Work waiting to start, in order.
#[derive(Debug, Clone, PartialEq)]
enum Job {
    /// Run this prompt from scratch.
    Prompt(String),
    /// Append this token with the cache.
    Append(u32),
    /// Open this model.
    Model(PathBuf),
    /// Run the floor's tokens again from scratch (new ablations, weights or patch).
    Rerun,
}

/// Takes requests: a new prompt replaces everything queued or running (a model being opened goes
/// on); a new model replaces everything; new ablations and new weights of the same model take
/// effect at once (later runs use them, the running one is dropped) and the floor runs again unless
/// a prompt is on its way.
fn queue_requests(
    mut commands: Commands,
    mut requests: MessageReader<Request>,
    mut pending: ResMut<Pending>,
) {
    for r in requests.read() {
        match r {
            Request::Prompt(p) => {
                pending.queue.retain(|q| matches!(q, Job::Model(_)));
                pending.task = None; // its result is dropped
                pending.serial += 1;
                // a patch ends with a new prompt: its cache too (a failed prompt keeps the floor)
                (pending.patch, pending.cache) = (None, None);
                pending.last_prompt = Some(p.clone());
                pending.queue.push(Job::Prompt(p.clone()));
            }
            Request::Model(dir) => {
                pending.queue.clear();
                pending.task = None;
                pending.loading = None;
                pending.serial += 1;
                pending.queue.push(Job::Model(dir.clone()));
            }
            Request::Ablate(ablations) => {
                pending.ablations = ablations.clone();
                pending.rerun_floor();
            }
            Request::Patch(spec) => {
                pending.patch = spec.clone();
                pending.rerun_floor();
            }
            Request::Append(id) => pending.queue.push(Job::Append(*id)),
            Request::Weights(Weights(model)) => {
                // the next job starts on them (commands apply before `start_task`, chained)
                commands.insert_resource(Engine(model.clone()));
                pending.rerun_floor();
            }
        }
    }
}

/// Starts the next queued job when nothing runs.
fn start_task(engine: Option<Res<Engine>>, mut pending: ResMut<Pending>) {
    let Some(engine) = engine else { return };
    if pending.task.is_some() || pending.loading.is_some() || pending.queue.is_empty() {
        return;
    }
    let job = pending.queue.remove(0);
    let model = engine.0.clone();
    let serial = pending.serial;
    let fresh = KvCache::with_ablations(pending.ablations.clone());
    let spec = pending.patch.clone();
    let pool = AsyncComputeTaskPool::get();
    let task = match job {
        Job::Prompt(text) => pool.spawn(async move {
            with_patch(&model, fresh, spec, |c| {
                run_prompt(&model, &text, c, serial)
            })
        }),
        // the floor's tokens again, all recomputed with the current ablations
        Job::Rerun => match (pending.ids.clone(), pending.last_prompt.clone()) {
            (ids, _) if !ids.is_empty() => pool.spawn(async move {
                with_patch(&model, fresh, spec, |c| {
                    let mut run = run_append(&model, ids, c, serial);
                    run.outcome.rerun = true;
                    run
                })
            }),
            (_, Some(text)) => pool.spawn(async move {
                with_patch(&model, fresh, spec, |c| {
                    run_prompt(&model, &text, c, serial)
                })
            }),
            _ => return,
        },
        Job::Append(id) => {
            let mut ids = pending.ids.clone();
            ids.push(id);
            let cache = pending.cache.take().unwrap_or(fresh);
            pool.spawn(async move {
                with_patch(&model, cache, spec, |c| run_append(&model, ids, c, serial))
            })
        }
        Job::Model(dir) => {
            pending.loading = Some(pool.spawn(async move { LoadedModel::open(&dir) }));
            return;
        }
    };
    pending.task = Some(task);
}

/// Polls the model being opened; on success it becomes the [`Engine`], the cache is dropped and
/// the last prompt runs on it; on failure the old model stays and the overlay says why.
fn finish_loading(
    mut commands: Commands,
    mut pending: ResMut<Pending>,
    blocking: Option<Res<Blocking>>,
    mut changed: MessageWriter<ModelChanged>,
    mut outcomes: MessageWriter<Outcome>,
) {
    let Some(result) = take_finished(&mut pending.loading, blocking.is_some()) else {
        return;
    };
    match result {
        Ok(model) => {
            let model = Arc::new(model);
            commands.insert_resource(Engine(model.clone()));
            pending.cache = None;
            pending.ids.clear();
            // the old model's ablations may name parts this one lacks
            pending.ablations = Ablations::none();
            pending.patch = None;
            let prompt_queued = pending.queue.iter().any(|q| matches!(q, Job::Prompt(_)));
            if let Some(p) = pending.last_prompt.clone().filter(|_| !prompt_queued) {
                pending.queue.insert(0, Job::Prompt(p));
            }
            changed.write(ModelChanged(model));
        }
        Err(e) => {
            outcomes.write(Outcome {
                result: Err(Arc::new(InferenceError::Model(e))),
                prompt: false,
                rerun: false,
            });
        }
    }
}

/// Polls the task; on completion keeps the cache and sends the outcome.
fn finish_task(
    mut pending: ResMut<Pending>,
    blocking: Option<Res<Blocking>>,
    mut outcomes: MessageWriter<Outcome>,
) {
    let Some(run) = take_finished(&mut pending.task, blocking.is_some()) else {
        return;
    };
    if run.serial != pending.serial {
        return; // superseded by a newer prompt
    }
    match run.ids {
        Some(ids) => {
            pending.ids = ids;
            pending.cache = Some(run.cache);
            // the patch is what the run had: none once a slid window dropped it
            pending.patch = run
                .outcome
                .result
                .as_ref()
                .ok()
                .and_then(|c| c.patch.clone());
        }
        None => {
            pending.queue.clear();
            // a failed request keeps the previous floor and, when it still matches, its cache
            if run.cache.len() == pending.ids.len() && !pending.ids.is_empty() {
                pending.cache = Some(run.cache);
            }
        }
    }
    outcomes.write(run.outcome);
}
