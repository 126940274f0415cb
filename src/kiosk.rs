//! Kiosk mode: fullscreen, simple controls, an attract loop when nobody is there, and nothing a
//! visitor does can quit, crash or stall it. Esc never quits; a configurable key chord does.

use std::path::{Path, PathBuf};

use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll};
use bevy::prelude::*;
use serde::Deserialize;

use crate::app::AppSet;
use crate::camera::{OrbitGoal, home_view};
use crate::inference::Request;
use crate::scene::{CurrentLayout, Selection};
use crate::tour::TourPlayer;

/// Kiosk settings, from a RON file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct KioskConfig {
    /// Seconds without input before the reset and the attract loop.
    pub idle_seconds: f32,
    /// File of attract-loop prompts, one per line.
    pub prompts: PathBuf,
    /// Tour played by the attract loop.
    pub tour: PathBuf,
    /// Longest prompt a visitor may type.
    pub max_prompt_chars: usize,
    /// Keys held together to quit: "Ctrl", "Alt", "Shift", a letter, a digit or "F1".."F12".
    pub exit_chord: Vec<String>,
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            idle_seconds: 90.0,
            prompts: "assets/kiosk/prompts.txt".into(),
            tour: "assets/tours/default.ron".into(),
            max_prompt_chars: 100,
            exit_chord: ["Ctrl", "Alt", "Shift", "Q"].map(String::from).to_vec(),
        }
    }
}

impl KioskConfig {
    /// Reads and checks a kiosk config file; errors name the file, line and problem.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let cfg: KioskConfig = ron::from_str(&text).map_err(|e| {
            format!(
                "{}, line {}, column {}: {}",
                path.display(),
                e.span.start.line,
                e.span.start.col,
                e.code
            )
        })?;
        cfg.check()
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(cfg)
    }

    /// Checks values and the exit chord.
    pub fn check(&self) -> Result<(), String> {
        if !(self.idle_seconds.is_finite() && (5.0..=86_400.0).contains(&self.idle_seconds)) {
            return Err(format!(
                "idle_seconds must be from 5 to 86400, not {}",
                self.idle_seconds
            ));
        }
        if !(1..=2000).contains(&self.max_prompt_chars) {
            return Err("max_prompt_chars must be from 1 to 2000".into());
        }
        if self.exit_chord.len() < 2 {
            return Err("exit_chord needs at least two keys, so that no single key quits".into());
        }
        for k in &self.exit_chord {
            if key_codes(k).is_empty() {
                return Err(format!("exit_chord: unknown key {k:?}"));
            }
        }
        Ok(())
    }
}

/// The key codes a chord name stands for (either side for modifiers).
pub fn key_codes(name: &str) -> Vec<KeyCode> {
    use KeyCode as K;
    let letters = [
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
    let digits = [
        K::Digit0,
        K::Digit1,
        K::Digit2,
        K::Digit3,
        K::Digit4,
        K::Digit5,
        K::Digit6,
        K::Digit7,
        K::Digit8,
        K::Digit9,
    ];
    let fkeys = [
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
                    vec![letters[(c.to_ascii_uppercase() as u8 - b'A') as usize]]
                }
                (Some(c), None) if c.is_ascii_digit() => vec![digits[(c as u8 - b'0') as usize]],
                (Some('F'), Some(_)) => name[1..]
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=12).contains(n))
                    .map(|n| vec![fkeys[n - 1]])
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        }
    }
}

/// Keeps what a visitor typed safe to run: printable characters only, whitespace collapsed, at most
/// `max` characters.
pub fn sanitize_prompt(text: &str, max: usize) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control() && !('\u{e000}'..='\u{f8ff}').contains(c))
        .collect();
    let collapsed = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed.chars().take(max).collect()
}

/// Reads the attract prompts: non-empty lines not starting with `#`, sanitized.
pub fn read_prompts(path: &Path, max: usize) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let prompts: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| sanitize_prompt(l, max))
        .filter(|l| !l.is_empty())
        .collect();
    if prompts.is_empty() {
        return Err(format!("{}: no prompts in the file", path.display()));
    }
    Ok(prompts)
}

/// Who has the factory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A visitor is using it.
    Visitor,
    /// Nobody is: the tour plays with the kiosk's prompts.
    Attract,
}

/// Kiosk state.
#[derive(Resource, Debug, Clone)]
pub struct Kiosk {
    /// Settings.
    pub config: KioskConfig,
    /// Attract prompts.
    pub prompts: Vec<String>,
    /// Index of the next attract prompt.
    pub next: usize,
    /// Seconds since the last input.
    pub idle: f32,
    /// Who has the factory.
    pub mode: Mode,
    /// Attract cycles started so far.
    pub cycles: u64,
}

impl Kiosk {
    /// A kiosk from settings (prompts read now; the config was checked).
    pub fn new(config: KioskConfig) -> Result<Self, String> {
        let prompts = read_prompts(
            &crate::project_path(&config.prompts),
            config.max_prompt_chars,
        )?;
        Ok(Self {
            config,
            prompts,
            next: 0,
            idle: 0.0,
            mode: Mode::Visitor,
            cycles: 0,
        })
    }

    /// The tour file, resolved.
    pub fn tour_path(&self) -> PathBuf {
        crate::project_path(&self.config.tour)
    }
}

/// Kiosk systems; the `Kiosk` resource is inserted by the caller. Runs headless too.
pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (watch_input, run_attract)
            .chain()
            .in_set(AppSet::Input)
            .run_if(resource_exists::<Kiosk>),
    );
}

/// Any key, button, motion or wheel is a visitor: it resets the idle clock and ends the attract loop.
#[allow(clippy::too_many_arguments)]
fn watch_input(
    time: Res<Time>,
    keys: Res<ButtonInput<KeyCode>>,
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    mut kiosk: ResMut<Kiosk>,
    mut tour: ResMut<TourPlayer>,
    mut exit: MessageWriter<AppExit>,
) {
    let chord_held = kiosk
        .config
        .exit_chord
        .iter()
        .all(|k| key_codes(k).iter().any(|c| keys.pressed(*c)));
    if chord_held {
        info!("kiosk: exit chord pressed, quitting");
        exit.write(AppExit::Success);
        return;
    }
    let input = keys.get_pressed().next().is_some()
        || buttons.get_pressed().next().is_some()
        || motion.delta != Vec2::ZERO
        || scroll.delta != Vec2::ZERO;
    if input {
        kiosk.idle = 0.0;
        if kiosk.mode == Mode::Attract {
            kiosk.mode = Mode::Visitor;
            tour.stop();
            tour.prompt_override = None;
        }
    } else {
        kiosk.idle += time.delta_secs();
    }
}

/// After the idle time: reset the view, run a fresh prompt, play the tour; loop while nobody comes.
fn run_attract(
    mut kiosk: ResMut<Kiosk>,
    mut tour: ResMut<TourPlayer>,
    layout: Option<Res<CurrentLayout>>,
    mut goals: Query<&mut OrbitGoal>,
    mut selection: ResMut<Selection>,
    mut requests: MessageWriter<Request>,
) {
    let start = match kiosk.mode {
        Mode::Visitor => kiosk.idle >= kiosk.config.idle_seconds,
        Mode::Attract => !tour.active,
    };
    if !start {
        return;
    }
    if tour.tour.is_none() {
        // no usable tour: a fresh prompt once per idle period, and the clock starts again
        let prompt = kiosk.prompts[kiosk.next % kiosk.prompts.len()].clone();
        kiosk.next = (kiosk.next + 1) % kiosk.prompts.len();
        kiosk.idle = 0.0;
        kiosk.mode = Mode::Visitor;
        kiosk.cycles += 1;
        requests.write(Request::Prompt(prompt));
        return;
    }
    let prompt = kiosk.prompts[kiosk.next % kiosk.prompts.len()].clone();
    kiosk.next = (kiosk.next + 1) % kiosk.prompts.len();
    kiosk.mode = Mode::Attract;
    kiosk.cycles += 1;
    *selection = Selection::default();
    if let Some(l) = layout {
        for mut g in &mut goals {
            g.0 = home_view(&l.0);
        }
    }
    requests.write(Request::Prompt(prompt.clone()));
    tour.prompt_override = Some(prompt);
    tour.start();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_sanitized() {
        assert_eq!(
            sanitize_prompt("  hello\t\nworld\u{7}  ", 100),
            "hello world"
        );
        assert_eq!(sanitize_prompt("abcdef", 3), "abc");
        assert_eq!(sanitize_prompt("\u{0}\u{1b}[31m", 100), "[31m");
        assert_eq!(sanitize_prompt("naïve ☕", 100), "naïve ☕");
        assert_eq!(sanitize_prompt("   ", 10), "");
    }

    #[test]
    fn chords_parse() {
        assert_eq!(key_codes("Q"), vec![KeyCode::KeyQ]);
        assert_eq!(key_codes("F12"), vec![KeyCode::F12]);
        assert_eq!(key_codes("Ctrl").len(), 2);
        assert!(key_codes("Escape").is_empty());
        let mut c = KioskConfig::default();
        c.check().unwrap();
        c.exit_chord = vec!["Q".into()];
        assert!(c.check().unwrap_err().contains("two keys"));
        c.exit_chord = vec!["Ctrl".into(), "Hyper".into()];
        assert!(c.check().unwrap_err().contains("Hyper"));
    }

    #[test]
    fn the_shipped_config_and_prompts_load() {
        let cfg = KioskConfig::load(&crate::project_path("assets/kiosk/kiosk.ron")).unwrap();
        let k = Kiosk::new(cfg).unwrap();
        assert!(k.prompts.len() >= 5);
        assert!(k.tour_path().exists());
        let e = KioskConfig::load(Path::new("/nonexistent.ron")).unwrap_err();
        assert!(e.contains("nonexistent"));
    }
}
