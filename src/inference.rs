//! The model as a Bevy resource, run off the main thread; traces come back as messages.
//!
//! Requests (a new prompt, or one sampled token to append) start a task on the
//! `AsyncComputeTaskPool`; a system polls it each frame without blocking. The key/value cache travels
//! with the task and comes back with the trace, so a frame never waits for the model.

use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

use crate::model::generate::{encode_prompt, slide_keep};
use crate::model::sample::Candidate;
use crate::model::{KvCache, LoadedModel, Sampler, SamplingParams, Trace};
use crate::scene::history::History;

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
}

/// What is on the factory floor: the tokens and every number computed for them.
#[derive(Resource, Default, Debug)]
pub struct Floor {
    /// Per-token record of the computation.
    pub history: History,
    /// First token of the crates now riding through (earlier ones are cached).
    pub flow_start: usize,
    /// True when the floor came from a new prompt (not from an appended token, nor from a window
    /// that slid or was re-run): selection and playback start over only then.
    pub fresh_prompt: bool,
    /// Bumped whenever `history` changes, so the scene knows to rebuild.
    pub version: u64,
    /// The token sampled last at the shipping dock and the candidates it was drawn from.
    pub last_sample: Option<(u32, Vec<Candidate>)>,
    /// Something the user should know (e.g. the prompt was cut to fit the context).
    pub notice: Option<String>,
    /// The last error, shown in the overlay until the next success.
    pub error: Option<String>,
}

/// The sampling settings and the seeded sampler they drive.
#[derive(Resource, Debug)]
pub struct Sampling {
    params: SamplingParams,
    sampler: Sampler,
}

impl Default for Sampling {
    fn default() -> Self {
        let params = SamplingParams::default();
        Self {
            params,
            sampler: Sampler::new(params).expect("default sampling values are valid"),
        }
    }
}

impl Sampling {
    /// The settings in use.
    pub fn params(&self) -> SamplingParams {
        self.params
    }

    /// Changes the settings (and restarts the random sequence from the seed); refuses bad values.
    pub fn set(&mut self, params: SamplingParams) -> Result<(), String> {
        if params == self.params {
            return Ok(());
        }
        self.sampler = Sampler::new(params).map_err(|e| e.to_string())?;
        self.params = params;
        Ok(())
    }

    /// Restarts the random sequence from the seed (a new prompt does this).
    pub fn reseed(&mut self) {
        self.sampler = Sampler::new(self.params).expect("params were validated");
    }

    /// Draws the next token from `logits`.
    pub fn sample(&mut self, logits: &[f32]) -> (u32, Vec<Candidate>) {
        self.sampler.sample(logits)
    }
}

/// When present, model runs finish within the frame that starts them (for deterministic recording).
#[derive(Resource, Debug, Clone, Copy)]
pub struct Blocking;

/// A finished run of the model.
struct Outcome {
    result: Result<(Trace, Vec<String>, Option<String>), String>,
    cache: KvCache,
    serial: u64,
    /// From a `Request::Prompt`.
    prompt: bool,
    /// Tokens of the previous floor no longer shown (a slid window).
    dropped: usize,
}

/// The task in flight and the cache between tasks.
#[derive(Resource, Default)]
pub struct Pending {
    task: Option<Task<Outcome>>,
    cache: Option<KvCache>,
    queue: Vec<Request>,
    serial: u64,
}

impl Pending {
    /// True while the model is working or requests wait.
    pub fn busy(&self) -> bool {
        self.task.is_some() || !self.queue.is_empty()
    }
}

/// Adds the engine's systems (the `Engine` resource is inserted by whoever loaded the model).
pub(super) fn plugin(app: &mut App) {
    app.add_message::<Request>()
        .init_resource::<Floor>()
        .init_resource::<Sampling>()
        .init_resource::<Pending>()
        .add_systems(
            Update,
            (queue_requests, start_task, finish_task)
                .chain()
                .in_set(crate::app::AppSet::Inference),
        );
}

/// Takes requests; a new prompt replaces everything queued or running.
fn queue_requests(mut requests: MessageReader<Request>, mut pending: ResMut<Pending>) {
    for r in requests.read() {
        if matches!(r, Request::Prompt(_)) {
            pending.queue.clear();
            pending.task = None; // its result is dropped
            pending.serial += 1;
        }
        pending.queue.push(r.clone());
    }
}

/// Starts the next queued request when nothing runs.
fn start_task(
    engine: Option<Res<Engine>>,
    floor: Res<Floor>,
    mut pending: ResMut<Pending>,
    mut sampling: ResMut<Sampling>,
) {
    let Some(engine) = engine else { return };
    if pending.task.is_some() || pending.queue.is_empty() {
        return;
    }
    let request = pending.queue.remove(0);
    let model = engine.0.clone();
    let serial = pending.serial;
    let task = match request {
        Request::Prompt(text) => {
            sampling.reseed();
            AsyncComputeTaskPool::get().spawn(async move { run_prompt(&model, &text, serial) })
        }
        Request::Append(id) => {
            let mut ids = floor.history.ids.clone();
            ids.push(id);
            let cache = pending.cache.take().unwrap_or_default();
            AsyncComputeTaskPool::get().spawn(async move { run_append(&model, ids, cache, serial) })
        }
    };
    pending.task = Some(task);
}

fn texts(model: &LoadedModel, ids: &[u32]) -> Vec<String> {
    ids.iter()
        .map(|&id| model.tokenizer.token_text(id))
        .collect()
}

fn run_prompt(model: &LoadedModel, text: &str, serial: u64) -> Outcome {
    let mut cache = KvCache::new();
    let result = encode_prompt(&model.tokenizer, text, model.config.n_positions)
        .and_then(|p| {
            let trace = model.gpt.trace(&p.ids, &mut cache)?;
            Ok((trace, texts(model, &p.ids), p.notice()))
        })
        .map_err(|e| e.to_string());
    Outcome {
        result,
        cache,
        serial,
        prompt: true,
        dropped: 0,
    }
}

/// Runs the last of `ids` with the cache. Without a matching cache (a cancelled run lost it) all ids
/// run again; when the context is full, the window slides and runs again.
fn run_append(model: &LoadedModel, ids: Vec<u32>, mut cache: KvCache, serial: u64) -> Outcome {
    let n_pos = model.config.n_positions;
    let mut dropped = 0;
    let result = if cache.len() + 1 == ids.len() && ids.len() <= n_pos {
        let last = ids[ids.len() - 1];
        model
            .gpt
            .trace(&[last], &mut cache)
            .map(|t| (t, texts(model, &[last]), None))
    } else if ids.len() <= n_pos {
        cache.clear();
        model
            .gpt
            .trace(&ids, &mut cache)
            .map(|t| (t, texts(model, &ids), None))
    } else {
        cache.clear();
        let window = &ids[ids.len() - slide_keep(n_pos).min(ids.len())..];
        dropped = ids.len() - window.len();
        model.gpt.trace(window, &mut cache).map(|t| {
            let note = format!(
                "the context of {n_pos} tokens was full: the factory now shows the last {} tokens",
                window.len()
            );
            (t, texts(model, window), Some(note))
        })
    }
    .map_err(|e| e.to_string());
    Outcome {
        result,
        cache,
        serial,
        prompt: false,
        dropped,
    }
}

/// Polls the task; on completion updates the floor.
fn finish_task(
    mut pending: ResMut<Pending>,
    mut floor: ResMut<Floor>,
    blocking: Option<Res<Blocking>>,
) {
    let outcome = if blocking.is_some() {
        let Some(task) = pending.task.take() else {
            return;
        };
        block_on(task)
    } else {
        let Some(task) = pending.task.as_mut() else {
            return;
        };
        let Some(outcome) = block_on(poll_once(task)) else {
            return;
        };
        outcome
    };
    pending.task = None;
    if outcome.serial != pending.serial {
        return; // superseded by a newer prompt
    }
    match outcome.result {
        Ok((trace, texts, notice)) => {
            let n_prompt = floor.history.n_prompt;
            floor.flow_start = trace.start_pos;
            floor.history.append(&trace, texts);
            if !outcome.prompt && trace.start_pos == 0 {
                // a re-run window: the prompt's tokens keep their colour, minus those dropped
                floor.history.n_prompt = n_prompt.saturating_sub(outcome.dropped);
            }
            floor.fresh_prompt = outcome.prompt;
            floor.version += 1;
            floor.error = None;
            if notice.is_some() || outcome.prompt {
                floor.notice = notice;
            }
            pending.cache = Some(outcome.cache);
        }
        Err(e) => {
            floor.error = Some(e);
            pending.queue.clear();
            // a failed request keeps the previous floor and, when it still matches, its cache
            if outcome.cache.len() == floor.history.len() && !floor.history.is_empty() {
                pending.cache = Some(outcome.cache);
            }
        }
    }
}
