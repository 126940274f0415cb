//! A second prompt beside the floor's, for the A/B window: prompt B runs on the same model with
//! the same parts switched off as the floor (prompt A), off the main thread, and runs again by
//! itself when the model or the switched-off parts change, so the two sides always compare like
//! with like.

use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

use super::Floor;
use super::history::History;
use crate::inference::Engine;
use crate::model::generate::encode_prompt;
use crate::model::{Ablations, KvCache, LoadedModel, ModelError, Record};

/// What B's numbers were computed for: its text, the model, the parts switched off.
type Key = (String, usize, Ablations);

/// Prompt B and its numbers.
#[derive(Resource, Default)]
pub struct Comparison {
    /// The prompt B asked for (none: no comparison).
    pub wanted: Option<String>,
    /// B's history, once computed for `wanted` on the floor's model and ablations.
    pub b: Option<History>,
    /// Why B could not run (an empty prompt, one too long), in the model's words.
    pub error: Option<String>,
    /// Something to know about B's numbers (its first tokens dropped to fit the context).
    pub notice: Option<String>,
    /// Bumped whenever `b` changes (for pictures made from it).
    pub version: u64,
    made_for: Option<Key>,
    task: Option<(Key, Task<Side>)>,
}

/// What a run of B gives: its history and a notice, or why it could not run.
type Side = Result<(History, Option<String>), ModelError>;

impl Comparison {
    /// No comparison: B is forgotten (a run under way still finishes, unasked for again).
    pub fn clear(&mut self) {
        self.wanted = None;
        self.b = None;
        self.error = None;
        self.notice = None;
        self.made_for = None;
        self.version += 1;
    }

    /// True while B is being computed.
    pub fn busy(&self) -> bool {
        self.task.is_some()
    }
}

/// The history of `text` on `model` with `ablations`: what the floor would hold for it as a prompt;
/// with the notice when its first tokens were dropped to fit the context.
pub fn side_history(model: &LoadedModel, text: &str, ablations: &Ablations) -> Side {
    let p = encode_prompt(&model.tokenizer, text, model.config.n_positions)?;
    let mut cache = KvCache::with_ablations(ablations.clone());
    let trace = model.gpt.trace_with(&p.ids, &mut cache, Record::View)?;
    let mut h = History::default();
    h.append(&trace, crate::inference::texts(model, &p.ids));
    Ok((h, p.notice()))
}

/// Starts B's run when what it is for changed, and takes its result when done (one at a time: a
/// change while it runs starts the next run after it).
pub(super) fn update_comparison(
    engine: Option<Res<Engine>>,
    floor: Res<Floor>,
    mut cmp: ResMut<Comparison>,
) {
    if let Some((key, task)) = cmp.task.as_mut()
        && let Some(result) = block_on(poll_once(task))
    {
        let key = key.clone();
        cmp.task = None;
        match result {
            Ok((h, notice)) => {
                cmp.b = Some(h);
                cmp.error = None;
                cmp.notice = notice;
            }
            Err(e) => {
                cmp.b = None;
                cmp.error = Some(e.to_string());
                cmp.notice = None;
            }
        }
        cmp.version += 1;
        cmp.made_for = Some(key);
    }
    let (Some(engine), Some(text)) = (engine, cmp.wanted.clone()) else {
        return;
    };
    let key: Key = (
        text.clone(),
        Arc::as_ptr(&engine.0) as usize,
        floor.ablations.clone(),
    );
    if cmp.task.is_some() || cmp.made_for.as_ref() == Some(&key) {
        return;
    }
    let model = engine.0.clone();
    let ablations = floor.ablations.clone();
    let task =
        AsyncComputeTaskPool::get().spawn(async move { side_history(&model, &text, &ablations) });
    cmp.task = Some((key, task));
}
