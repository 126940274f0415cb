//! Model work the overlay needs (a formula's operands, a head's scores, the inside of a booth, the
//! position cosines), done off the main thread once per key and kept until the key changes: a frame
//! never waits on the model. While recording ([`crate::inference::Blocking`]) the job is waited
//! for, so every frame of a recording shows the finished numbers.

use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

/// A shared value as (part of) a key: equal when it is the same one (a loaded model by default, or
/// a learning step's backward pass). It holds the value, so a later one can never be taken for it
/// by landing at the same address.
pub struct ArcKey<T = crate::model::LoadedModel>(pub std::sync::Arc<T>);

impl<T> Clone for ArcKey<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> PartialEq for ArcKey<T> {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The value computed for the last key asked, or the task computing it.
pub struct Job<K, V> {
    done: Option<(K, V)>,
    running: Option<(K, Task<V>)>,
}

impl<K, V> Default for Job<K, V> {
    fn default() -> Self {
        Self {
            done: None,
            running: None,
        }
    }
}

/// What [`Job::get`] found for a key.
#[derive(Debug, PartialEq)]
pub enum Found<'a, V> {
    /// Computed for this key.
    Ready(&'a V),
    /// Being computed (started now or earlier).
    Computing,
}

impl<'a, V> Found<'a, V> {
    /// The value, once computed.
    pub fn ready(self) -> Option<&'a V> {
        match self {
            Found::Ready(v) => Some(v),
            Found::Computing => None,
        }
    }
}

impl<K: PartialEq, V: Send + 'static> Job<K, V> {
    /// The value for `key`. Computed already: it. Otherwise the work `start` makes (called at most
    /// once per key, on this thread, to gather owned inputs) runs on the task pool, replacing the
    /// work for an older key; with `blocking` it is waited for.
    pub fn get<W>(&mut self, key: K, blocking: bool, start: impl FnOnce() -> W) -> Found<'_, V>
    where
        W: FnOnce() -> V + Send + 'static,
    {
        self.poll(blocking);
        if self.done.as_ref().is_some_and(|(k, _)| *k == key) {
            return Found::Ready(&self.done.as_ref().expect("checked").1);
        }
        if !self.running.as_ref().is_some_and(|(k, _)| *k == key) {
            // a task for an older key is dropped, which cancels it
            let work = start();
            let task = AsyncComputeTaskPool::get().spawn(async move { work() });
            self.running = Some((key, task));
        }
        self.poll(blocking);
        match &self.done {
            Some((_, v)) if self.running.is_none() => Found::Ready(v),
            _ => Found::Computing,
        }
    }

    /// Takes a finished task's value (waits for it with `blocking`).
    fn poll(&mut self, blocking: bool) {
        let Some((_, task)) = self.running.as_mut() else {
            return;
        };
        let value = if blocking {
            Some(block_on(task))
        } else {
            block_on(poll_once(task))
        };
        if let Some(value) = value {
            let (key, _) = self.running.take().expect("checked");
            self.done = Some((key, value));
        }
    }

    /// Forgets the value and any running work (a new model, a closed window).
    pub fn clear(&mut self) {
        self.done = None;
        self.running = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() {
        AsyncComputeTaskPool::get_or_init(bevy::tasks::TaskPool::new);
    }

    #[test]
    fn computes_once_per_key_and_replaces_older_work() {
        pool();
        let mut job: Job<u32, u32> = Job::default();
        let calls = std::cell::Cell::new(0);
        let ask = |job: &mut Job<u32, u32>, key: u32, blocking: bool| {
            job.get(key, blocking, || {
                calls.set(calls.get() + 1);
                move || key * 10
            })
            .ready()
            .copied()
        };
        assert_eq!(ask(&mut job, 1, true), Some(10));
        assert_eq!(ask(&mut job, 1, true), Some(10));
        assert_eq!(calls.get(), 1, "a key's work runs once");
        assert_eq!(ask(&mut job, 2, true), Some(20));
        assert_eq!(calls.get(), 2);
        // without blocking the value arrives on a later call
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let mut got = ask(&mut job, 3, false);
        while got.is_none() && std::time::Instant::now() < deadline {
            std::thread::yield_now();
            got = ask(&mut job, 3, false);
        }
        assert_eq!(got, Some(30));
        assert_eq!(calls.get(), 3);
        job.clear();
        assert_eq!(ask(&mut job, 3, true), Some(30));
        assert_eq!(calls.get(), 4, "cleared: computed again");
    }
}
