//! Each head's direct part in the top candidate's logit, for the floor standing (see
//! [`crate::model::attribution`]): one job at a time on the task pool, a newer floor waits for it
//! (past [`AUTO_TOKENS`] tokens, only while a head is selected).
//! The inspector shows a selected head's part, the booths a bar each.

use std::sync::Arc;

use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task};

use super::{Floor, Selection};
use crate::inference::{Blocking, Engine, take_finished_for};
use crate::model::attribution::Attribution;
use crate::model::trace::top_n;

/// Floors up to this many tokens are taken apart as they arrive; a longer one (a second or more for
/// GPT-2's size, which would slow each generated token) only while a head is selected.
pub const AUTO_TOKENS: usize = 256;

/// A floor version and the model it was made on.
type Key = (u64, usize);

/// The attribution of the floor's top candidate, when computed for the floor standing.
#[derive(Resource, Default)]
pub struct HeadAttribution {
    /// The floor version (and model) `parts` are for.
    made_for: Option<Key>,
    /// The parts.
    pub parts: Option<Attribution>,
    task: Option<(Key, Task<Option<Attribution>>)>,
}

impl HeadAttribution {
    /// The parts, if they are the floor's now standing (a new model brings a new floor).
    pub fn of(&self, floor: &Floor) -> Option<&Attribution> {
        self.parts
            .as_ref()
            .filter(|_| self.made_for.is_some_and(|k| k.0 == floor.version))
    }
}

/// Collects a finished job and starts one for a new floor.
pub(super) fn update_attribution(
    floor: Res<Floor>,
    engine: Option<Res<Engine>>,
    selection: Res<Selection>,
    blocking: Option<Res<Blocking>>,
    mut attr: ResMut<HeadAttribution>,
) {
    // recording: the bars are in the picture, so they come in the frame that asked
    if let Some((key, result)) = take_finished_for(&mut attr.task, blocking.is_some()) {
        attr.parts = result;
        attr.made_for = Some(key);
    }
    let Some(engine) = engine else { return };
    let key = (floor.version, Arc::as_ptr(&engine.0) as usize);
    let h = &floor.history;
    if attr.task.is_some() || attr.made_for == Some(key) || h.is_empty() || h.logits.is_empty() {
        return;
    }
    // a patched floor's parts would need the patch in the attribution's run: not yet, so none
    if floor.patch.is_some() {
        return;
    }
    if h.len() > AUTO_TOKENS && selection.head.is_none() {
        return;
    }
    let Some(&(top, _)) = top_n(&h.logits, 1).first() else {
        return;
    };
    let model = engine.0.clone();
    let (ids, ablations) = (h.ids.clone(), floor.ablations.clone());
    attr.task = Some((
        key,
        AsyncComputeTaskPool::get()
            .spawn(async move { model.gpt.attribution(&ids, &ablations, top as u32).ok() }),
    ));
}
