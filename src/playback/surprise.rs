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
    task: Option<(u64, Task<Option<Vec<f64>>>)>,
    asked: Option<(u64, usize)>,
}

impl TokenSurprise {
    /// Token `t`'s surprise in nats, when known (none for the first token).
    pub fn of(&self, floor: &Floor, t: usize) -> Option<f64> {
        if self.version != Some(floor.version) || t == 0 {
            return None;
        }
        self.nats.get(t - 1).copied()
    }
}

/// Starts the computation for a new floor and takes its result when done.
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
        if let Some(nats) = result {
            surprise.nats = nats;
            surprise.version = Some(version);
        }
    }
    let Some(engine) = engine else { return };
    let key = (floor.version, Arc::as_ptr(&engine.0) as usize);
    if floor.history.len() < 2 || surprise.asked == Some(key) {
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
