//! Every key and mouse binding, in one table: the input systems ask it what was pressed and the
//! help window lists it, so the two can never disagree.
//!
//! This module imports nothing of the crate.

use bevy::prelude::*;

use crate::i18n::Lang;

/// What a binding does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    /// Orbit, pan or zoom with the mouse (listed for the help; the camera reads the mouse itself).
    Mouse,
    /// Fly forward.
    FlyForward,
    /// Fly back.
    FlyBack,
    /// Fly left.
    FlyLeft,
    /// Fly right.
    FlyRight,
    /// Fly up.
    FlyUp,
    /// Fly down.
    FlyDown,
    /// Fly faster while held.
    FlyFast,
    /// Jump to the station of a digit (see `Layout::hotkey_station`).
    Station,
    /// The previous station.
    PrevStation,
    /// The next station.
    NextStation,
    /// Reset the view.
    Home,
    /// Follow the riding crates.
    Follow,
    /// Clear the selection.
    ClearSelection,
    /// Play or pause (pauses the tour while one runs).
    PlayPause,
    /// Step one station.
    Step,
    /// Generate one token.
    GenerateOne,
    /// Slower playback.
    Slower,
    /// Faster playback.
    Faster,
    /// Start or stop the guided tour.
    Tour,
    /// The previous tour stop.
    TourBack,
    /// The next tour stop.
    TourNext,
    /// Save a screenshot.
    Screenshot,
    /// Open or close the help.
    Help,
    /// Open or close the model view (every head's attention as a thumbnail).
    ModelView,
    /// The next layer's first norm gate (reaches every layer, however many).
    NextLayer,
    /// The previous layer's first norm gate.
    PrevLayer,
    /// Hide or show every panel (for clean pictures); the labels in the hall stay.
    HideUi,
    /// Open or close the cost-of-context window.
    CostView,
    /// Open or close the positions window.
    PositionsView,
    /// Go to the embedding room (and open its window).
    EmbeddingRoom,
    /// Go to the scale room.
    ScaleRoom,
    /// Go to the layer overview.
    OverviewRoom,
    /// Open or close the training time-lapse.
    TrainingView,
    /// Save the view as one more stop in the teacher's tour file.
    SaveStop,
    /// Open or close the routes tab (the route into the last word lit in the hall).
    RoutesView,
}

/// One row of the table: the keys (none for mouse rows), how the help writes them, what they do.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// What it does.
    pub act: Act,
    /// The keys that do it (any one of them).
    pub keys: &'static [KeyCode],
    /// The message id (assets/i18n) of the keys as the help writes them; empty: not listed.
    pub shown: &'static str,
    /// The message id of what the help says it does.
    pub does: &'static str,
}

const fn b(act: Act, keys: &'static [KeyCode], shown: &'static str, does: &'static str) -> Binding {
    Binding {
        act,
        keys,
        shown,
        does,
    }
}

use KeyCode as K;

/// The bindings, in the order the help lists them. Rows with an empty `shown` work but are not
/// listed on their own (they are part of a row above).
pub const BINDINGS: &[Binding] = &[
    b(Act::Mouse, &[], "key-mouse", "key-mouse.does"),
    b(Act::Mouse, &[], "key-mouse-2", "key-mouse-2.does"),
    b(Act::Mouse, &[], "key-mouse-3", "key-mouse-3.does"),
    b(
        Act::FlyForward,
        &[K::KeyW],
        "key-fly-forward",
        "key-fly-forward.does",
    ),
    b(Act::FlyLeft, &[K::KeyA], "", ""),
    b(Act::FlyBack, &[K::KeyS], "", ""),
    b(Act::FlyRight, &[K::KeyD], "", ""),
    b(Act::FlyDown, &[K::KeyQ], "", ""),
    b(Act::FlyUp, &[K::KeyE], "", ""),
    b(Act::FlyFast, &[K::ShiftLeft, K::ShiftRight], "", ""),
    b(
        Act::Station,
        &[K::Digit1, K::Digit2, K::Digit3],
        "key-station",
        "key-station.does",
    ),
    b(
        Act::Station,
        &[
            K::Digit4,
            K::Digit5,
            K::Digit6,
            K::Digit7,
            K::Digit8,
            K::Digit9,
        ],
        "key-station-2",
        "key-station-2.does",
    ),
    b(
        Act::Station,
        &[K::Digit0],
        "key-station-3",
        "key-station-3.does",
    ),
    b(
        Act::PrevStation,
        &[K::PageUp],
        "key-prev-station",
        "key-prev-station.does",
    ),
    b(Act::NextStation, &[K::PageDown], "", ""),
    b(
        Act::PrevLayer,
        &[K::Minus, K::NumpadSubtract],
        "key-prev-layer",
        "key-prev-layer.does",
    ),
    b(Act::NextLayer, &[K::Equal, K::NumpadAdd], "", ""),
    b(Act::Home, &[K::Home], "key-home", "key-home.does"),
    b(Act::Follow, &[K::KeyF], "key-follow", "key-follow.does"),
    b(Act::Mouse, &[], "key-mouse-4", "key-mouse-4.does"),
    b(
        Act::ClearSelection,
        &[K::Escape],
        "key-clear-selection",
        "key-clear-selection.does",
    ),
    b(
        Act::PlayPause,
        &[K::Space],
        "key-play-pause",
        "key-play-pause.does",
    ),
    b(
        Act::Step,
        &[K::KeyN, K::Period],
        "key-step",
        "key-step.does",
    ),
    b(
        Act::GenerateOne,
        &[K::KeyG],
        "key-generate-one",
        "key-generate-one.does",
    ),
    b(
        Act::Slower,
        &[K::BracketLeft],
        "key-slower",
        "key-slower.does",
    ),
    b(Act::Faster, &[K::BracketRight], "", ""),
    b(Act::Tour, &[K::KeyT], "key-tour", "key-tour.does"),
    b(Act::Mouse, &[], "key-mouse-5", "key-mouse-5.does"),
    b(
        Act::TourBack,
        &[K::ArrowLeft],
        "key-tour-back",
        "key-tour-back.does",
    ),
    b(Act::TourNext, &[K::ArrowRight], "", ""),
    b(
        Act::Screenshot,
        &[K::F12],
        "key-screenshot",
        "key-screenshot.does",
    ),
    b(
        Act::SaveStop,
        &[K::KeyK],
        "key-save-stop",
        "key-save-stop.does",
    ),
    b(
        Act::ModelView,
        &[K::KeyV],
        "key-model-view",
        "key-model-view.does",
    ),
    b(Act::HideUi, &[K::KeyU], "key-hide-ui", "key-hide-ui.does"),
    b(
        Act::CostView,
        &[K::KeyC],
        "key-cost-view",
        "key-cost-view.does",
    ),
    b(
        Act::PositionsView,
        &[K::KeyP],
        "key-positions-view",
        "key-positions-view.does",
    ),
    b(
        Act::EmbeddingRoom,
        &[K::KeyM],
        "key-embedding-room",
        "key-embedding-room.does",
    ),
    b(
        Act::ScaleRoom,
        &[K::KeyB],
        "key-scale-room",
        "key-scale-room.does",
    ),
    b(
        Act::OverviewRoom,
        &[K::KeyO],
        "key-overview-room",
        "key-overview-room.does",
    ),
    b(
        Act::TrainingView,
        &[K::KeyL],
        "key-training-view",
        "key-training-view.does",
    ),
    b(
        Act::RoutesView,
        &[K::KeyR],
        "key-routes-view",
        "key-routes-view.does",
    ),
    b(Act::Mouse, &[], "key-mouse-6", "key-mouse-6.does"),
    b(Act::Mouse, &[], "key-mouse-7", "key-mouse-7.does"),
    b(Act::Help, &[K::F1, K::KeyH], "key-help", "key-help.does"),
];

/// The rows the help lists in `lang`: (keys as written, what they do).
pub fn help_rows(lang: Lang) -> impl Iterator<Item = (String, String)> {
    BINDINGS
        .iter()
        .filter(|b| !b.shown.is_empty())
        .map(move |b| (lang.t(b.shown), lang.t(b.does)))
}

/// The keys bound to `act`.
pub fn keys_of(act: Act) -> impl Iterator<Item = KeyCode> {
    BINDINGS
        .iter()
        .filter(move |b| b.act == act)
        .flat_map(|b| b.keys.iter().copied())
}

/// True when a key bound to `act` went down this frame.
pub fn just_pressed(input: &ButtonInput<KeyCode>, act: Act) -> bool {
    keys_of(act).any(|k| input.just_pressed(k))
}

/// True while a key bound to `act` is held.
pub fn held(input: &ButtonInput<KeyCode>, act: Act) -> bool {
    keys_of(act).any(|k| input.pressed(k))
}

/// The digit of a station key that went down this frame, if any.
pub fn station_digit(input: &ButtonInput<KeyCode>) -> Option<u8> {
    keys_of(Act::Station)
        .filter(|k| input.just_pressed(*k))
        .find_map(digit_of)
}

fn digit_of(k: KeyCode) -> Option<u8> {
    DIGITS.iter().position(|d| *d == k).map(|i| i as u8)
}

#[rustfmt::skip]
const DIGITS: [KeyCode; 10] = [
    K::Digit0, K::Digit1, K::Digit2, K::Digit3, K::Digit4,
    K::Digit5, K::Digit6, K::Digit7, K::Digit8, K::Digit9,
];

/// The key codes a chord name stands for (the kiosk's exit chord): "Ctrl", "Alt", "Shift" (either
/// side), a letter, a digit, or "F1" to "F12". Unknown names give none.
pub fn chord_key_codes(name: &str) -> Vec<KeyCode> {
    const LETTERS: [KeyCode; 26] = [
        K::KeyA,
        K::KeyB,
        K::KeyC,
        K::KeyD,
        K::KeyE,
        K::KeyF,
        K::KeyG,
        K::KeyH,
        K::KeyI,
        K::KeyJ,
        K::KeyK,
        K::KeyL,
        K::KeyM,
        K::KeyN,
        K::KeyO,
        K::KeyP,
        K::KeyQ,
        K::KeyR,
        K::KeyS,
        K::KeyT,
        K::KeyU,
        K::KeyV,
        K::KeyW,
        K::KeyX,
        K::KeyY,
        K::KeyZ,
    ];
    const FKEYS: [KeyCode; 12] = [
        K::F1,
        K::F2,
        K::F3,
        K::F4,
        K::F5,
        K::F6,
        K::F7,
        K::F8,
        K::F9,
        K::F10,
        K::F11,
        K::F12,
    ];
    match name {
        "Ctrl" => vec![K::ControlLeft, K::ControlRight],
        "Alt" => vec![K::AltLeft, K::AltRight],
        "Shift" => vec![K::ShiftLeft, K::ShiftRight],
        _ => {
            let mut chars = name.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => {
                    vec![LETTERS[(c.to_ascii_uppercase() as u8 - b'A') as usize]]
                }
                (Some(c), None) if c.is_ascii_digit() => vec![DIGITS[(c as u8 - b'0') as usize]],
                (Some('F'), Some(_)) => name[1..]
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=12).contains(n))
                    .map(|n| vec![FKEYS[n - 1]])
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_does_two_things() {
        let mut seen: Vec<(KeyCode, Act)> = Vec::new();
        for b in BINDINGS {
            for k in b.keys {
                if let Some((_, other)) = seen.iter().find(|(s, _)| s == k) {
                    assert_eq!(*other, b.act, "{k:?} is bound twice");
                }
                seen.push((*k, b.act));
            }
        }
    }

    /// How the English help writes a key, written here apart from the catalogue; `None` for a key
    /// this test has not been told about (add it when a key joins an unlisted row).
    fn written(k: KeyCode) -> Option<&'static str> {
        const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let name = format!("{k:?}");
        if let Some(l) = name.strip_prefix("Key").filter(|l| l.len() == 1) {
            return LETTERS.find(l).map(|i| &LETTERS[i..i + 1]);
        }
        Some(match k {
            K::ShiftLeft | K::ShiftRight => "Shift",
            K::PageDown => "Down",
            K::Equal | K::NumpadAdd => "+",
            K::BracketRight => "]",
            K::ArrowRight => "right",
            _ => return None,
        })
    }

    /// The rows of `table` that are not listed on their own and whose keys the listed row above
    /// them does not name (in its keys or what it does, English), each with why.
    fn unlisted_keys_not_named_above(table: &[Binding]) -> Vec<String> {
        let mut problems = Vec::new();
        let mut above: Option<&Binding> = None;
        for b in table {
            if !b.shown.is_empty() {
                above = Some(b);
                continue;
            }
            let Some(listed) = above else {
                problems.push(format!("{:?} comes before any listed row", b.act));
                continue;
            };
            if b.keys.is_empty() {
                problems.push(format!("{:?} is unlisted and has no keys", b.act));
            }
            let line = format!("{} {}", Lang::En.t(listed.shown), Lang::En.t(listed.does));
            let words: Vec<&str> = line
                .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ':' | '/'))
                .filter(|w| !w.is_empty())
                .collect();
            for k in b.keys {
                match written(*k) {
                    None => problems.push(format!("{k:?} ({:?}): unknown to this test", b.act)),
                    Some(w) if !words.contains(&w) => problems.push(format!(
                        "{k:?} ({:?}) is not named in the help line {line:?} above it",
                        b.act
                    )),
                    Some(_) => {}
                }
            }
        }
        problems
    }

    #[test]
    fn every_bound_key_is_in_the_help() {
        // a bound row without its own help line is part of the listed row above it: that line
        // names its keys ("W A S D, Q E" for A, S, D, Q and E; "fly (Shift: faster)" for Shift)
        let problems = unlisted_keys_not_named_above(BINDINGS);
        assert!(problems.is_empty(), "{problems:#?}");
        // the check finds a planted row: a key that no help line above it names
        let mut planted = BINDINGS.to_vec();
        planted.push(b(Act::Follow, &[K::KeyJ], "", ""));
        let found = unlisted_keys_not_named_above(&planted);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("KeyJ"), "{found:#?}");
        // and a row listed nowhere at all
        let first_unlisted = [b(Act::FlyLeft, &[K::KeyA], "", "")];
        assert_eq!(unlisted_keys_not_named_above(&first_unlisted).len(), 1);
        assert!(help_rows(Lang::En).any(|(k, _)| k == "F1 or H"));
        for b in BINDINGS.iter().filter(|b| !b.shown.is_empty()) {
            for lang in Lang::ALL {
                assert!(lang.has(b.shown) && lang.has(b.does), "{}", b.shown);
            }
        }
    }

    #[test]
    fn digits_and_chords() {
        let mut input = ButtonInput::<KeyCode>::default();
        input.press(KeyCode::Digit7);
        assert_eq!(station_digit(&input), Some(7));
        assert!(!just_pressed(&input, Act::Help));
        input.press(KeyCode::KeyH);
        assert!(just_pressed(&input, Act::Help));
        assert_eq!(chord_key_codes("q"), vec![KeyCode::KeyQ]);
        assert_eq!(chord_key_codes("F12"), vec![KeyCode::F12]);
        assert!(chord_key_codes("F13").is_empty() && chord_key_codes("Hyper").is_empty());
    }
}
