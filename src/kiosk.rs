//! Kiosk mode: fullscreen, simple controls, an attract loop when nobody is there, and nothing a
//! visitor does can quit, crash or stall it. Esc never quits; a configurable key chord does.

use std::path::{Path, PathBuf};

use bevy::ecs::system::SystemParam;
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll};
use bevy::prelude::*;
use serde::Deserialize;

use crate::camera::{OrbitGoal, home_view};
use crate::i18n::Lang;
use crate::inference::Request;
use crate::keys::chord_key_codes;
use crate::limits::{self, sanitize_prompt};
use crate::playback::Selection;
use crate::playback::filter::WordFilter;
use crate::scene::CurrentLayout;
use crate::schedule::AppSet;
use crate::tour::TourPlayer;

/// Why the kiosk cannot start: the file, where in it, and what to change.
#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The config file is not valid RON for a `KioskConfig`.
    #[error("{path}, line {line}, column {col}: {problem}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        col: usize,
        /// What the parser said.
        problem: String,
    },
    /// A value is out of range (in a file when `path` is known).
    #[error("{}{problem}", path.as_ref().map(|p| format!("{}: ", p.display())).unwrap_or_default())]
    Value {
        /// The file, when the config came from one.
        path: Option<PathBuf>,
        /// What is wrong and what is allowed.
        problem: String,
    },
    /// The prompt list has no usable line.
    #[error("{0}: no prompts in the file")]
    NoPrompts(PathBuf),
}

fn bad(problem: String) -> KioskError {
    KioskError::Value {
        path: None,
        problem,
    }
}

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
    /// Words that may not appear on the wall (one per line), typed or generated.
    #[serde(default = "default_blocked_words")]
    pub blocked_words: PathBuf,
    /// The language the kiosk starts in and returns to when idle ("en", "de"); visitors can
    /// switch with the language button.
    #[serde(default, deserialize_with = "lang_code")]
    pub lang: Lang,
}

fn lang_code<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
    let code = String::deserialize(d)?;
    Lang::parse(&code).map_err(serde::de::Error::custom)
}

fn default_blocked_words() -> PathBuf {
    "assets/kiosk/blocked-words.txt".into()
}

impl Default for KioskConfig {
    fn default() -> Self {
        Self {
            idle_seconds: 90.0,
            prompts: "assets/kiosk/prompts.txt".into(),
            tour: "assets/tours/default.ron".into(),
            max_prompt_chars: 100,
            exit_chord: ["Ctrl", "Alt", "Shift", "Q"].map(String::from).to_vec(),
            blocked_words: default_blocked_words(),
            lang: Lang::En,
        }
    }
}

impl KioskConfig {
    /// Reads and checks a kiosk config file; errors name the file, line and problem.
    pub fn load(path: &Path) -> Result<Self, KioskError> {
        let text = std::fs::read_to_string(path).map_err(|source| KioskError::Read {
            path: path.to_owned(),
            source,
        })?;
        let cfg: KioskConfig = ron::from_str(&text).map_err(|e| KioskError::Syntax {
            path: path.to_owned(),
            line: e.span.start.line,
            col: e.span.start.col,
            problem: e.code.to_string(),
        })?;
        cfg.check().map_err(|e| match e {
            KioskError::Value { problem, .. } => KioskError::Value {
                path: Some(path.to_owned()),
                problem,
            },
            other => other,
        })?;
        Ok(cfg)
    }

    /// Checks values and the exit chord.
    pub fn check(&self) -> Result<(), KioskError> {
        let idle = limits::KIOSK_IDLE_SECONDS;
        if !(self.idle_seconds.is_finite() && idle.contains(&self.idle_seconds)) {
            return Err(bad(format!(
                "idle_seconds must be from {} to {}, not {}",
                idle.start(),
                idle.end(),
                self.idle_seconds
            )));
        }
        let chars = limits::KIOSK_PROMPT_CHARS;
        if !chars.contains(&self.max_prompt_chars) {
            return Err(bad(format!(
                "max_prompt_chars must be from {} to {}, not {}",
                chars.start(),
                chars.end(),
                self.max_prompt_chars
            )));
        }
        if self.exit_chord.len() < 2 {
            return Err(bad(
                "exit_chord needs at least two keys, so that no single key quits".into(),
            ));
        }
        let mut seen: Vec<Vec<KeyCode>> = Vec::new();
        for k in &self.exit_chord {
            let codes = chord_key_codes(k);
            if codes.is_empty() {
                return Err(bad(format!("exit_chord: unknown key {k:?}")));
            }
            if seen.contains(&codes) {
                return Err(bad(format!(
                    "exit_chord names the key {k:?} twice; a chord needs distinct keys"
                )));
            }
            seen.push(codes);
        }
        let modifiers = ["Ctrl", "Alt", "Shift"];
        if !self
            .exit_chord
            .iter()
            .any(|k| modifiers.contains(&k.as_str()))
        {
            return Err(bad(
                "exit_chord needs at least one of Ctrl, Alt or Shift, so that typing cannot quit"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// Reads the attract prompts: non-empty lines not starting with `#`, sanitized.
pub fn read_prompts(path: &Path, max: usize) -> Result<Vec<String>, KioskError> {
    let text = std::fs::read_to_string(path).map_err(|source| KioskError::Read {
        path: path.to_owned(),
        source,
    })?;
    let prompts: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| sanitize_prompt(l, max))
        .filter(|l| !l.is_empty())
        .collect();
    if prompts.is_empty() {
        return Err(KioskError::NoPrompts(path.to_owned()));
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
    /// The word filter (typed prompts and generated tokens).
    pub filter: WordFilter,
}

impl Kiosk {
    /// A kiosk from settings (prompts read now; the config was checked).
    pub fn new(config: KioskConfig) -> Result<Self, KioskError> {
        let prompts = read_prompts(
            &crate::project_path(&config.prompts),
            config.max_prompt_chars,
        )?;
        let path = crate::project_path(&config.blocked_words);
        let filter = WordFilter::load(&path).map_err(|source| KioskError::Read { path, source })?;
        Ok(Self {
            config,
            prompts,
            next: 0,
            idle: 0.0,
            mode: Mode::Visitor,
            cycles: 0,
            filter,
        })
    }

    /// The tour file, resolved.
    pub fn tour_path(&self) -> PathBuf {
        crate::project_path(&self.config.tour)
    }
}

/// Kiosk systems; the `Kiosk` resource is inserted by the caller. Runs headless too.
pub fn plugin(app: &mut App) {
    app.add_systems(Startup, install_filter.run_if(resource_exists::<Kiosk>));
    app.add_systems(
        Update,
        (watch_input, run_attract)
            .chain()
            .in_set(AppSet::Input)
            .run_if(resource_exists::<Kiosk>),
    );
}

/// The kiosk's word filter applies to every prompt typed and every token generated.
fn install_filter(mut commands: Commands, kiosk: Res<Kiosk>) {
    commands.insert_resource(kiosk.filter.clone());
}

/// Everything a visitor can touch: keys, mouse buttons, mouse motion and wheel, a touch screen.
#[derive(SystemParam)]
struct VisitorInput<'w> {
    keys: Res<'w, ButtonInput<KeyCode>>,
    buttons: Res<'w, ButtonInput<MouseButton>>,
    motion: Res<'w, AccumulatedMouseMotion>,
    scroll: Res<'w, AccumulatedMouseScroll>,
    touches: Option<Res<'w, Touches>>,
}

impl VisitorInput<'_> {
    /// True while every key of the exit chord is held.
    fn chord_held(&self, chord: &[String]) -> bool {
        chord
            .iter()
            .all(|k| chord_key_codes(k).iter().any(|c| self.keys.pressed(*c)))
    }

    /// True when anything was pressed, released, moved, scrolled or touched this frame.
    fn any(&self) -> bool {
        // a tap can press and release within one frame: count the release too
        self.keys.get_pressed().next().is_some()
            || self.keys.get_just_released().next().is_some()
            || self.buttons.get_pressed().next().is_some()
            || self.buttons.get_just_released().next().is_some()
            || self.motion.delta != Vec2::ZERO
            || self.scroll.delta != Vec2::ZERO
            || self
                .touches
                .as_ref()
                .is_some_and(|t| t.iter().next().is_some() || t.any_just_released())
    }
}

/// Any key, button, motion or wheel is a visitor: it resets the idle clock and ends the attract loop.
fn watch_input(
    time: Res<Time>,
    input: VisitorInput,
    mut kiosk: ResMut<Kiosk>,
    mut tour: ResMut<TourPlayer>,
    mut selection: ResMut<Selection>,
    mut exit: MessageWriter<AppExit>,
) {
    if input.chord_held(&kiosk.config.exit_chord) {
        info!("kiosk: exit chord pressed, quitting");
        exit.write(AppExit::Success);
        return;
    }
    if input.any() {
        kiosk.idle = 0.0;
        if kiosk.mode == Mode::Attract {
            kiosk.mode = Mode::Visitor;
            tour.stop();
            tour.prompt_override = None;
            // the demo's highlights are not the visitor's
            *selection = Selection::default();
        }
    } else {
        kiosk.idle += time.delta_secs();
    }
}

/// The camera the attract loop sends back to the home view.
#[derive(SystemParam)]
struct HomeCamera<'w, 's> {
    layout: Option<Res<'w, CurrentLayout>>,
    goals: Query<'w, 's, &'static mut OrbitGoal>,
}

/// What a visitor may have changed and the attract loop puts back: the selection, the language,
/// the parts switched off (seen on the floor).
#[derive(SystemParam)]
struct VisitorChanges<'w> {
    selection: ResMut<'w, Selection>,
    lang: ResMut<'w, Lang>,
    floor: Res<'w, crate::playback::Floor>,
}

impl VisitorChanges<'_> {
    /// The next visitor finds the exhibit as it was set up: its own language, nothing selected,
    /// every part of the model switched on.
    fn undo(&mut self, lang: Lang, requests: &mut MessageWriter<Request>) {
        *self.selection = Selection::default();
        if *self.lang != lang {
            *self.lang = lang;
        }
        if !self.floor.ablations.is_empty() {
            requests.write(Request::Ablate(crate::model::Ablations::none()));
        }
    }
}

/// After the idle time: reset the view, run a fresh prompt, play the tour; loop while nobody comes.
fn run_attract(
    mut kiosk: ResMut<Kiosk>,
    mut tour: ResMut<TourPlayer>,
    mut camera: HomeCamera,
    mut changes: VisitorChanges,
    mut requests: MessageWriter<Request>,
) {
    let start = match kiosk.mode {
        Mode::Visitor => kiosk.idle >= kiosk.config.idle_seconds,
        Mode::Attract => !tour.active,
    };
    if !start {
        return;
    }
    changes.undo(kiosk.config.lang, &mut requests);
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
    if let Some(l) = &camera.layout {
        for mut g in &mut camera.goals {
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
        assert_eq!(chord_key_codes("Q"), vec![KeyCode::KeyQ]);
        assert_eq!(chord_key_codes("F12"), vec![KeyCode::F12]);
        assert_eq!(chord_key_codes("Ctrl").len(), 2);
        assert!(chord_key_codes("Escape").is_empty());
        let mut c = KioskConfig::default();
        c.check().unwrap();
        c.exit_chord = vec!["Q".into()];
        assert!(c.check().unwrap_err().to_string().contains("two keys"));
        c.exit_chord = vec!["Ctrl".into(), "Hyper".into()];
        assert!(c.check().unwrap_err().to_string().contains("Hyper"));
        c.exit_chord = vec!["Q".into(), "q".into()];
        assert!(c.check().unwrap_err().to_string().contains("twice"));
        c.exit_chord = vec!["Ctrl".into(), "Ctrl".into()];
        assert!(c.check().unwrap_err().to_string().contains("twice"));
        c.exit_chord = vec!["Q".into(), "W".into()];
        assert!(
            c.check()
                .unwrap_err()
                .to_string()
                .contains("Ctrl, Alt or Shift")
        );
        c.exit_chord = vec!["Ctrl".into(), "Q".into()];
        c.check().unwrap();
    }

    #[test]
    fn the_shipped_config_and_prompts_load() {
        let cfg = KioskConfig::load(&crate::project_path("assets/kiosk/kiosk.ron")).unwrap();
        let k = Kiosk::new(cfg).unwrap();
        assert!(k.prompts.len() >= 5);
        // the shipped word list covers both languages, whole words, any case
        assert!(k.filter.len() > 20);
        assert!(k.filter.blocked_word("Well, SCHEISSE.").is_some());
        assert!(k.filter.blocked_word("the shitty cat").is_some());
        assert!(
            k.filter
                .blocked_word("The king said to the queen")
                .is_none()
        );
        assert!(k.tour_path().exists());
        let e = KioskConfig::load(Path::new("/nonexistent.ron")).unwrap_err();
        assert!(matches!(e, KioskError::Read { .. }));
        assert!(e.to_string().contains("nonexistent"));
    }
}
