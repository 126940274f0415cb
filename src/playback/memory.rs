//! Handing memory back after a floor is replaced. The binary's allocator keeps freed pages for
//! reuse (a long prompt's trace allocates and frees gigabytes within a second; handed back at once,
//! they are page-faulted in again and the trace is a third slower), so without this a kiosk that
//! once ran a long prompt would keep that peak for months. Once the floor has changed and the model
//! has been quiet for [`QUIET`], the allocator is asked, once, to return its free pages.
//!
//! The allocator itself belongs to the binary (`src/main.rs`), which hands its purge in with
//! [`set_purge`]; where none was set (tests, other allocators) nothing is done.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::Floor;
use crate::inference::Pending;
use crate::schedule::AppSet;

/// How long after the last floor change, with no model run pending, the free pages go back.
pub const QUIET: Duration = Duration::from_secs(5);

static PURGE: OnceLock<fn()> = OnceLock::new();

/// Sets the allocator's "return your free pages" (once, before the app starts).
pub fn set_purge(purge: fn()) {
    let _ = PURGE.set(purge);
}

/// When the free pages are due to go back: the floor version last seen and since when it stands.
#[derive(Resource, Default)]
pub struct MemoryWatch {
    /// The floor's version and when it was first seen.
    seen: Option<(u64, Instant)>,
    /// The floor version after which memory was last handed back.
    purged: Option<u64>,
    /// How many times memory was handed back (for the log and tests).
    pub purges: usize,
}

impl MemoryWatch {
    /// True when memory should go back now: the floor seen at `version` has stood for [`QUIET`]
    /// at `now`, nothing is pending, and it was not handed back for this floor yet.
    pub fn due(&mut self, version: u64, busy: bool, now: Instant) -> bool {
        match self.seen {
            Some((v, _)) if v == version => {}
            _ => self.seen = Some((version, now)),
        }
        let since = self.seen.map_or(now, |(_, t)| t);
        if busy || self.purged == Some(version) || now.duration_since(since) < QUIET {
            return false;
        }
        self.purged = Some(version);
        self.purges += 1;
        true
    }
}

fn hand_back(floor: Res<Floor>, pending: Res<Pending>, mut watch: ResMut<MemoryWatch>) {
    if watch.due(floor.version, pending.busy(), Instant::now())
        && let Some(purge) = PURGE.get()
    {
        purge();
    }
}

/// Adds the watch (after the floor and the derived jobs of the frame).
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<MemoryWatch>()
        .add_systems(Update, hand_back.in_set(AppSet::Derive));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_goes_back_once_per_floor_after_a_quiet_spell() {
        let mut w = MemoryWatch::default();
        let t0 = Instant::now();
        let later = |s: u64| t0 + Duration::from_secs(s);
        assert!(!w.due(1, false, t0), "not at once");
        assert!(!w.due(1, true, later(6)), "not while the model runs");
        assert!(w.due(1, false, later(6)));
        assert!(!w.due(1, false, later(60)), "once per floor");
        assert!(!w.due(2, false, later(61)), "a new floor waits again");
        assert!(!w.due(2, false, later(65)));
        assert!(w.due(2, false, later(66)));
        assert_eq!(w.purges, 2);
    }
}
