//! Taking a finished task's result from its slot, at once when recording (the frame waits for the
//! model) or only once it is done.

use bevy::tasks::{Task, block_on, poll_once};

/// A task's result once it is done (the slot is then empty): at once when `blocking` (recording
/// waits for the model), else only if it has finished.
pub(super) fn take_finished<T>(slot: &mut Option<Task<T>>, blocking: bool) -> Option<T> {
    if blocking {
        return slot.take().map(block_on);
    }
    let result = block_on(poll_once(slot.as_mut()?))?;
    *slot = None;
    Some(result)
}

/// [`take_finished`] for a task kept with what it was started for (a floor, a model): that and
/// the result, once done. The playback's follow-up jobs (the lens, the heads' parts) use it.
pub(crate) fn take_finished_for<K, T>(
    slot: &mut Option<(K, Task<T>)>,
    blocking: bool,
) -> Option<(K, T)> {
    if blocking {
        return slot.take().map(|(k, task)| (k, block_on(task)));
    }
    let result = block_on(poll_once(&mut slot.as_mut()?.1))?;
    slot.take().map(|(k, _)| (k, result))
}
