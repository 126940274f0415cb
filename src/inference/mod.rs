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

use crate::model::generate::{encode_prompt, slide_keep};
use crate::model::patch::PatchSpec;
use crate::model::{Ablations, KvCache, LoadedModel, ModelError, Record, Trace};
use crate::schedule::AppSet;

mod poll;
use poll::take_finished;
pub(crate) use poll::take_finished_for;

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

/// Why a request gave no trace: the user's input, or the model itself.
#[derive(Debug, thiserror::Error)]
pub enum InferenceError {
    /// The prompt cannot be run (empty, too long, no tokens): the user can fix it.
    #[error("{0}")]
    Prompt(ModelError),
    /// The model failed on a good request (a broken folder, a bug): not the user's doing.
    #[error("{0}")]
    Model(ModelError),
}

impl InferenceError {
    fn from_model(e: ModelError) -> Self {
        match e {
            ModelError::Prompt(_) | ModelError::TokenId { .. } => Self::Prompt(e),
            other => Self::Model(other),
        }
    }

    /// True when the prompt was at fault (not the model).
    pub fn is_prompt(&self) -> bool {
        matches!(self, Self::Prompt(_))
    }
}

/// A finished trace and what came with it.
#[derive(Debug)]
pub struct Computed {
    /// Every number the model computed for the new tokens.
    pub trace: Trace,
    /// The new tokens' texts.
    pub texts: Vec<String>,
    /// Something the user should know (e.g. the prompt was cut to fit the context).
    pub notice: Option<String>,
    /// Tokens of the previous floor no longer shown (a slid window).
    pub dropped: usize,
    /// The parts switched off for this run.
    pub ablations: Ablations,
    /// The activation of another run put into this one (a patched run), if any.
    pub patch: Option<PatchSpec>,
    /// With ablations: the next-token logits of the same tokens with nothing switched off, for
    /// the dock's before → after.
    pub baseline_logits: Option<Vec<f32>>,
    /// Wall time of the traced run, milliseconds (one cached step when the trace is one token
    /// after cached ones, else a full run of every token).
    pub trace_ms: f64,
}

/// A finished run of the model, sent once per request that was not superseded.
#[derive(Message, Debug)]
pub struct Outcome {
    /// The trace, or why there is none.
    pub result: Result<Computed, Arc<InferenceError>>,
    /// From a `Request::Prompt` (a new prompt, not an appended token).
    pub prompt: bool,
    /// The floor's tokens run again because the ablations changed.
    pub rerun: bool,
}

/// When present, model runs finish within the frame that starts them (for deterministic recording).
#[derive(Resource, Debug, Clone, Copy)]
pub struct Blocking;

/// What a task gives back: its outcome and the cache it ran with.
struct Run {
    outcome: Outcome,
    cache: KvCache,
    /// The tokens the cache now holds (the whole floor), when the run succeeded.
    ids: Option<Vec<u32>>,
    serial: u64,
}

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
    /// The floor's tokens run again from scratch (new ablations or weights): the cache and the
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
    /// Run the floor's tokens again from scratch (the ablations changed).
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
                pending.patch = None;
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
            let cache = patched(&model, fresh, &spec);
            tagged(run_prompt(&model, &text, cache, serial), spec)
        }),
        // the floor's tokens again, all recomputed with the current ablations
        Job::Rerun => match (pending.ids.clone(), pending.last_prompt.clone()) {
            (ids, _) if !ids.is_empty() => pool.spawn(async move {
                let mut run = run_append(&model, ids, patched(&model, fresh, &spec), serial);
                run.outcome.rerun = true;
                tagged(run, spec)
            }),
            (_, Some(text)) => pool.spawn(async move {
                let cache = patched(&model, fresh, &spec);
                tagged(run_prompt(&model, &text, cache, serial), spec)
            }),
            _ => return,
        },
        Job::Append(id) => {
            let mut ids = pending.ids.clone();
            ids.push(id);
            let cache = pending.cache.take().unwrap_or(fresh);
            pool.spawn(async move {
                let cache = patched(&model, cache, &spec);
                tagged(run_append(&model, ids, cache, serial), spec)
            })
        }
        Job::Model(dir) => {
            pending.loading = Some(pool.spawn(async move { LoadedModel::open(&dir) }));
            return;
        }
    };
    pending.task = Some(task);
}

/// `cache` with `spec`'s activation put into its runs (the clean prompt run once), unless it has
/// it already. A grid's cell on the model that made the grid always resolves; should one not, the
/// floor runs unpatched (and its outcome says so) with a warning in the log.
fn patched(model: &LoadedModel, cache: KvCache, spec: &Option<PatchSpec>) -> KvCache {
    match spec {
        Some(spec) if cache.splice().is_none() => {
            match spec.splice(&model.gpt, cache.ablations()) {
                Ok(s) => cache.with_splice(Some(s)),
                Err(e) => {
                    warn!("the patched run could not take its activation ({e}): it runs unpatched");
                    cache
                }
            }
        }
        _ => cache,
    }
}

/// `run` with the patch it ran with in its outcome (none once the cache lost it: the window slid).
fn tagged(mut run: Run, spec: Option<PatchSpec>) -> Run {
    if let Ok(c) = run.outcome.result.as_mut() {
        c.patch = spec.filter(|_| run.cache.splice().is_some());
    }
    run
}

/// Each token's text, as the floor labels its crates.
pub(crate) fn texts(model: &LoadedModel, ids: &[u32]) -> Vec<String> {
    ids.iter()
        .map(|&id| model.tokenizer.token_text(id))
        .collect()
}

fn run_prompt(model: &LoadedModel, text: &str, mut cache: KvCache, serial: u64) -> Run {
    let result = encode_prompt(&model.tokenizer, text, model.config.n_positions).and_then(|p| {
        let start = std::time::Instant::now();
        let trace = model.gpt.trace_with(&p.ids, &mut cache, Record::View)?;
        let trace_ms = start.elapsed().as_secs_f64() * 1e3;
        Ok((
            Computed {
                trace_ms,
                baseline_logits: baseline(model, &p.ids, cache.ablations())?,
                patch: None,
                ablations: cache.ablations().clone(),
                trace,
                texts: texts(model, &p.ids),
                notice: p.notice(),
                dropped: 0,
            },
            p.ids,
        ))
    });
    finish(result, cache, serial, true)
}

fn finish(
    result: Result<(Computed, Vec<u32>), ModelError>,
    cache: KvCache,
    serial: u64,
    prompt: bool,
) -> Run {
    let (result, ids) = match result {
        Ok((c, ids)) => (Ok(c), Some(ids)),
        Err(e) => (Err(Arc::new(InferenceError::from_model(e))), None),
    };
    Run {
        outcome: Outcome {
            result,
            prompt,
            rerun: false,
        },
        cache,
        ids,
        serial,
    }
}

/// With ablations, the next-token logits of `ids` with nothing switched off (a full run).
fn baseline(
    model: &LoadedModel,
    ids: &[u32],
    ablations: &Ablations,
) -> Result<Option<Vec<f32>>, ModelError> {
    if ablations.is_empty() {
        return Ok(None);
    }
    model.gpt.next_logits(ids, &mut KvCache::new()).map(Some)
}

/// Runs the last of `ids` with the cache. Without a matching cache (a cancelled run lost it) all ids
/// run again; when the context is full, the window slides and runs again.
fn run_append(model: &LoadedModel, ids: Vec<u32>, mut cache: KvCache, serial: u64) -> Run {
    let n_pos = model.config.n_positions;
    let ablations = cache.ablations().clone();
    let start = std::time::Instant::now();
    let computed = |trace, texts, notice, dropped, shown: &[u32]| -> Result<Computed, ModelError> {
        Ok(Computed {
            trace_ms: start.elapsed().as_secs_f64() * 1e3,
            trace,
            texts,
            notice,
            dropped,
            baseline_logits: baseline(model, shown, &ablations)?,
            ablations: ablations.clone(),
            patch: None,
        })
    };
    let result = if cache.len() + 1 == ids.len() && ids.len() <= n_pos {
        let last = ids[ids.len() - 1];
        model
            .gpt
            .trace_with(&[last], &mut cache, Record::Step)
            .and_then(|t| {
                Ok((
                    computed(t, texts(model, &[last]), None, 0, &ids)?,
                    ids.clone(),
                ))
            })
    } else if ids.len() <= n_pos {
        cache.clear();
        model
            .gpt
            .trace_with(&ids, &mut cache, Record::View)
            .and_then(|t| Ok((computed(t, texts(model, &ids), None, 0, &ids)?, ids.clone())))
    } else {
        // the window slides: the patched position would be another token's, so the patch ends
        cache = cache.with_splice(None);
        let window = ids[ids.len() - slide_keep(n_pos).min(ids.len())..].to_vec();
        let dropped = ids.len() - window.len();
        model.gpt.trace_with(&window, &mut cache, Record::View).and_then(|t| {
            let note = format!(
                "the context of {n_pos} tokens was full: the factory now shows the last {} tokens",
                window.len()
            );
            Ok((
                computed(t, texts(model, &window), Some(note), dropped, &window)?,
                window.clone(),
            ))
        })
    };
    finish(result, cache, serial, false)
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
