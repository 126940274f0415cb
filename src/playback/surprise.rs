//! How surprised the model was by each token on the floor: −ln p(token | the tokens before it),
//! computed off the main thread once per floor (the floor's trace keeps only the last position's
//! logits; this needs the logits at every position, a second pass as large as the trace).

use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

use super::Floor;
use crate::inference::Engine;
use crate::model::LoadedModel;

/// Each floor token's surprise, once computed for the floor now standing.
#[derive(Resource, Default)]
pub struct TokenSurprise {
    /// The floor version the numbers are for.
    pub version: Option<u64>,
    /// Surprise of token t (nats) at index t − 1: the first token has nothing before it.
    pub nats: Vec<f64>,
    /// The computation failed for the floor now standing (e.g. a token the model cannot score).
    pub failed: bool,
    task: Option<(u64, Task<Option<Vec<f64>>>)>,
    asked: Option<Key>,
}

/// What the numbers were computed for: the floor's version and its tokens, and the model.
type Key = (u64, Vec<u32>, usize);

impl TokenSurprise {
    /// The numbers alone (no job), e.g. for writing them out on another thread.
    pub fn numbers(&self) -> Self {
        Self {
            version: self.version,
            nats: self.nats.clone(),
            failed: self.failed,
            ..Self::default()
        }
    }

    /// Token `t`'s surprise in nats, when known (none for the first token).
    pub fn of(&self, floor: &Floor, t: usize) -> Option<f64> {
        if self.version != Some(floor.version) || t == 0 {
            return None;
        }
        self.nats.get(t - 1).copied()
    }
}

/// Starts the computation for a new floor and takes its result when done. One job at a time: while
/// tokens are generated, the newest floor is done next (a floor whose tokens and model did not
/// change, e.g. re-run with parts switched off, keeps its numbers: they are the intact model's).
pub(super) fn update_surprise(
    floor: Res<Floor>,
    engine: Option<Res<Engine>>,
    mut surprise: ResMut<TokenSurprise>,
) {
    if let Some((version, task)) = surprise.task.as_mut()
        && let Some(result) = block_on(poll_once(task))
    {
        let version = *version;
        surprise.task = None;
        surprise.failed = result.is_none();
        surprise.nats = result.unwrap_or_default();
        surprise.version = Some(version);
    }
    let Some(engine) = engine else { return };
    let model_key = Arc::as_ptr(&engine.0) as usize;
    if surprise.asked.as_ref().is_some_and(|k| k.2 != model_key) {
        // another model: the old numbers are not this model's
        surprise.version = None;
        surprise.nats.clear();
    }
    if let Some(k) = surprise.asked.as_ref()
        && k.1 == floor.history.ids
        && k.2 == model_key
        && k.0 != floor.version
        && surprise.task.is_none()
        && surprise.version == Some(k.0)
    {
        // the same tokens on the same model: the same numbers, for the new floor
        surprise.version = Some(floor.version);
        surprise.asked = Some((floor.version, floor.history.ids.clone(), model_key));
        return;
    }
    let key: Key = (floor.version, floor.history.ids.clone(), model_key);
    if floor.history.len() < 2 || surprise.task.is_some() || surprise.asked.as_ref() == Some(&key) {
        return;
    }
    surprise.asked = Some(key);
    let model: Arc<LoadedModel> = engine.0.clone();
    let ids = floor.history.ids.clone();
    // a newer floor replaces the task for an older one
    surprise.task = Some((
        floor.version,
        AsyncComputeTaskPool::get()
            .spawn(async move { crate::model::score::surprises(&model.gpt, &ids).ok() }),
    ));
}
