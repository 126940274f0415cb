//! What a tour stop does (`Action`): the actions a tour file may name, which of them wait to act,
//! and their limits against the model's shape (`file.rs` reports what fails with the stop's number).

use serde::Deserialize;

use crate::limits;
use crate::model::{Ablations, Config};
use crate::scene::layout::StationKind as Station;

/// Something a stop does when it begins.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub enum Action {
    /// Run a new prompt.
    Prompt(String),
    /// Set the sampling temperature.
    Temperature(f32),
    /// Send the crates forward one station.
    Step,
    /// Generate this many tokens.
    Generate(usize),
    /// Put the crates at this station at once.
    ShowUpTo(Station),
    /// Set the beam threshold.
    Threshold(f32),
    /// Switch exactly these parts off (`["head:0.1", "positions"]`; `[]` switches all on again);
    /// the floor runs again, and the rest of the stop waits for it.
    Ablate(Vec<String>),
    /// Plays one round of the guessing game: sentence `n` (from 0, counted round the list) of the
    /// game's list in its tab and on the floor (like a prompt: the stop's other actions wait for
    /// it), the true word picked at the stop's act time (the model's chances revealed).
    /// Recordable: the same round every time.
    Guess(usize),
    /// Learns the floor's sentence: at the stop's act time the learning tab opens (on the stage
    /// too) and applies this many steps (1 to 20) with its default optimiser and rate, the floor
    /// running on the learned copy; leaving the stop forgets it (the model on disk again).
    Learn(usize),
    /// The stamp's, the merges' and the pattern machines' boards show what each added to the
    /// words' numbers (`true`), or the numbers after them again (`false`), as the drawer's switch
    /// does; it stays so for the stops after.
    ShowAdded(bool),
}

impl Action {
    /// What a `ShowAdded` action sets the adding stations' boards to show; none for the others.
    pub fn show_added(&self) -> Option<bool> {
        match self {
            Action::ShowAdded(on) => Some(*on),
            _ => None,
        }
    }

    /// True for the actions that change what the model computes or plays (run after the stop has
    /// been shown for a while); false for those that set the scene (a prompt, where the crates
    /// stand, the beam threshold).
    pub fn acts(&self) -> bool {
        matches!(
            self,
            Action::Temperature(_) | Action::Step | Action::Generate(_) | Action::Ablate(_)
        )
    }
}

/// A stop's actions within their limits and the model's shape.
pub(super) fn check_actions(
    actions: &[Action],
    cfg: &Config,
    station_ok: impl Fn(Station) -> bool,
) -> Result<(), String> {
    for a in actions {
        let ok = match a {
            Action::Prompt(p) => {
                !p.trim().is_empty() && p.chars().count() <= limits::MAX_PROMPT_CHARS
            }
            Action::Temperature(t) => t.is_finite() && limits::TEMPERATURE.contains(t),
            Action::Generate(n) => limits::GENERATE_TOKENS.contains(n),
            Action::ShowUpTo(s) => station_ok(*s),
            Action::Threshold(t) => t.is_finite() && limits::BEAM_THRESHOLD.contains(t),
            Action::Guess(_) => true,
            Action::Learn(n) => (1..=20).contains(n),
            Action::Ablate(specs) => {
                if let Err(e) = Ablations::parse(specs, cfg) {
                    return Err(e.to_string());
                }
                true
            }
            Action::Step | Action::ShowAdded(_) => true,
        };
        if !ok {
            return Err(format!("{a:?} is out of range"));
        }
    }
    Ok(())
}
