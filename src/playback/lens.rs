//! The logit lens of a floor whose last token came from a one-token step: the step leaves it out
//! ([`Record::Step`](crate::model::Record::Step)) so generating does not wait for it, and this job
//! computes it after, from each layer's output at the last token, on the task pool.
//!
//! The lens signs show once the riding crates have passed their layer, seconds after the step, so
//! a visitor never sees the gap; a recording ([`Blocking`]) waits for it in the frame that asks.

use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task};

use super::Floor;
use crate::inference::{Blocking, Engine, take_finished_for};
use crate::model::Guess;

/// A floor version and the model it was made on.
type Key = (u64, usize);

/// Each layer's top guesses, or nothing when the lens could not be computed.
type Lens = Option<Vec<Vec<Guess>>>;

/// The lens being computed, and the floor it was last asked for (a failure is not retried).
#[derive(Resource, Default)]
pub struct LensJob {
    asked: Option<Key>,
    task: Option<(Key, Task<Lens>)>,
}

/// Starts the lens for a floor that has none, and writes a finished one onto the floor it was
/// made for (a newer floor drops it).
pub(super) fn fill_lens(
    mut floor: ResMut<Floor>,
    engine: Option<Res<Engine>>,
    blocking: Option<Res<Blocking>>,
    mut job: ResMut<LensJob>,
) {
    let Some(engine) = engine else { return };
    let key = (floor.version, Arc::as_ptr(&engine.0) as usize);
    let h = &floor.history;
    if job.task.is_none() && job.asked != Some(key) && !h.is_empty() && h.lens.is_empty() {
        // each layer's output at the last token
        let rows: Option<Vec<Vec<f32>>> = h
            .layers
            .iter()
            .map(|l| l.resid_ffn.last().cloned())
            .collect();
        if let Some(rows) = rows.filter(|r| !r.is_empty()) {
            let model = engine.0.clone();
            job.asked = Some(key);
            job.task = Some((
                key,
                AsyncComputeTaskPool::get().spawn(async move {
                    let rows: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
                    model.gpt.logit_lens(&rows).ok()
                }),
            ));
        }
    }
    // a newer floor drops a lens made for an older one
    if let Some((made_for, Some(lens))) = take_finished_for(&mut job.task, blocking.is_some())
        && made_for == key
    {
        floor.history.lens = lens;
    }
}
