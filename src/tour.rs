//! Guided tours: a RON file of stops (where to look, what to say, what to light up, what to do),
//! and a player that walks the factory through them. T starts and stops a tour, Space pauses it,
//! the left and right arrows go to the previous and next stop.

use std::path::{Path, PathBuf};

use bevy::prelude::*;
use serde::Deserialize;

use crate::app::AppSet;
use crate::camera::{OrbitGoal, station_view};
use crate::inference::Request;
use crate::model::Config;
use crate::scene::layout::StationKind;
use crate::scene::{CurrentLayout, Playback, Selection};

/// A station, as named in a tour file: `Dock`, `Booth(0, 2)`, ... (the layout's own kinds).
pub type Station = StationKind;

/// Something a stop lights up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Highlight {
    /// A token by position.
    Token(usize),
    /// The last token on the floor.
    LastToken,
    /// An attention head (layer, head).
    Head(usize, usize),
    /// An FFN neuron (layer, index).
    Neuron(usize, usize),
}

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
}

/// A camera angle around the stop's station (any field left out keeps the station view's value).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Default)]
pub struct Pose {
    /// Angle around the vertical axis, radians.
    #[serde(default)]
    pub yaw: Option<f32>,
    /// Angle above the horizon, radians.
    #[serde(default)]
    pub pitch: Option<f32>,
    /// Distance from the station, world units.
    #[serde(default)]
    pub distance: Option<f32>,
}

/// One stop of a tour.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Stop {
    /// Caption title.
    pub title: String,
    /// Caption text: one to three sentences.
    pub text: String,
    /// Where the camera goes.
    pub station: Station,
    /// Camera adjustments.
    #[serde(default)]
    pub camera: Pose,
    /// Seconds at this stop.
    pub seconds: f32,
    /// What to light up.
    #[serde(default)]
    pub highlight: Vec<Highlight>,
    /// What to do on arrival.
    #[serde(default)]
    pub actions: Vec<Action>,
}

/// A whole tour.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tour {
    /// Its name.
    pub title: String,
    /// The stops, in order.
    pub stops: Vec<Stop>,
}

/// Why a tour file cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TourError {
    /// The file could not be read.
    #[error("{path}: {problem}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What happened.
        problem: String,
    },
    /// The RON is malformed.
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
    /// A stop asks for something the model or the rules do not allow.
    #[error("{path}, stop {stop} (\"{title}\"): {problem}")]
    Stop {
        /// The file.
        path: PathBuf,
        /// 1-based stop number.
        stop: usize,
        /// Its title.
        title: String,
        /// What is wrong.
        problem: String,
    },
}

/// Longest caption accepted, in characters.
pub const MAX_CAPTION: usize = 600;

impl Tour {
    /// Parses tour text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, TourError> {
        let tour: Tour = ron::from_str(text).map_err(|e| TourError::Syntax {
            path: path.to_owned(),
            line: e.span.start.line,
            col: e.span.start.col,
            problem: e.code.to_string(),
        })?;
        if tour.stops.is_empty() {
            return Err(TourError::Read {
                path: path.to_owned(),
                problem: "the tour has no stops".into(),
            });
        }
        Ok(tour)
    }

    /// Reads and parses a tour file.
    pub fn load(path: &Path) -> Result<Self, TourError> {
        let text = std::fs::read_to_string(path).map_err(|e| TourError::Read {
            path: path.to_owned(),
            problem: e.to_string(),
        })?;
        Self::parse(&text, path)
    }

    /// Checks every stop against a model's shape: layers, heads, neurons, values in range.
    pub fn check(&self, cfg: &Config, path: &Path) -> Result<(), TourError> {
        for (i, stop) in self.stops.iter().enumerate() {
            let fail = |problem: String| TourError::Stop {
                path: path.to_owned(),
                stop: i + 1,
                title: stop.title.clone(),
                problem,
            };
            let layer_ok = |l: usize| l < cfg.n_layer;
            let station_ok = |s: Station| match s {
                StationKind::Booth(l, h) => layer_ok(l) && h < cfg.n_head,
                k => k.layer().is_none_or(layer_ok),
            };
            if !station_ok(stop.station) {
                return Err(fail(format!(
                    "{:?} does not exist in a model of {} layers × {} heads",
                    stop.station, cfg.n_layer, cfg.n_head
                )));
            }
            if !(stop.seconds.is_finite() && (0.5..=120.0).contains(&stop.seconds)) {
                return Err(fail(format!(
                    "seconds must be from 0.5 to 120, not {}",
                    stop.seconds
                )));
            }
            if stop.title.chars().count() + stop.text.chars().count() > MAX_CAPTION {
                return Err(fail(format!(
                    "the caption is longer than {MAX_CAPTION} characters"
                )));
            }
            for h in &stop.highlight {
                let ok = match *h {
                    Highlight::Head(l, hd) => layer_ok(l) && hd < cfg.n_head,
                    Highlight::Neuron(l, n) => layer_ok(l) && n < cfg.n_inner,
                    Highlight::Token(t) => t < cfg.n_positions,
                    Highlight::LastToken => true,
                };
                if !ok {
                    return Err(fail(format!("{h:?} does not exist in this model")));
                }
            }
            for a in &stop.actions {
                let ok = match a {
                    Action::Prompt(p) => !p.trim().is_empty() && p.chars().count() <= 2000,
                    Action::Temperature(t) => t.is_finite() && (0.0..=3.0).contains(t),
                    Action::Generate(n) => (1..=256).contains(n),
                    Action::ShowUpTo(s) => station_ok(*s),
                    Action::Threshold(t) => t.is_finite() && (0.0..=1.0).contains(t),
                    Action::Step => true,
                };
                if !ok {
                    return Err(fail(format!("{a:?} is out of range")));
                }
            }
        }
        Ok(())
    }
}

/// The default tour's path: `assets/tours/default.ron` (see [`crate::project_path`]).
pub fn default_tour_path() -> PathBuf {
    crate::project_path("assets/tours/default.ron")
}

/// The tour loaded for this session and where the player is in it.
#[derive(Resource, Debug, Default)]
pub struct TourPlayer {
    /// The tour, once loaded and checked.
    pub tour: Option<Tour>,
    /// Why it could not be loaded.
    pub error: Option<String>,
    /// Running or not.
    pub active: bool,
    /// Paused (Space).
    pub paused: bool,
    /// The current stop.
    pub index: usize,
    /// Seconds spent at the current stop.
    pub elapsed: f32,
    /// The stop whose actions were applied last.
    applied: Option<usize>,
    /// The floor version when they were applied (a new floor re-applies "ShowUpTo").
    applied_version: u64,
    /// When set (kiosk attract loop), `Prompt` actions run this prompt instead of their own.
    pub prompt_override: Option<String>,
    /// The current stop ran a prompt and waits for its floor before applying the rest.
    waiting_for_prompt: bool,
}

impl TourPlayer {
    /// Starts from the first stop.
    pub fn start(&mut self) {
        if self.tour.is_some() {
            self.active = true;
            self.paused = false;
            self.index = 0;
            self.elapsed = 0.0;
            self.applied = None;
        }
    }

    /// Stops the tour.
    pub fn stop(&mut self) {
        self.active = false;
        self.applied = None;
    }

    /// Moves by `delta` stops (clamped).
    pub fn jump(&mut self, delta: isize) {
        let n = self.tour.as_ref().map_or(0, |t| t.stops.len());
        if n == 0 {
            return;
        }
        self.index = (self.index as isize + delta).clamp(0, n as isize - 1) as usize;
        self.elapsed = 0.0;
        self.applied = None;
    }

    /// The stop being shown.
    pub fn current(&self) -> Option<&Stop> {
        self.active
            .then(|| self.tour.as_ref()?.stops.get(self.index))
            .flatten()
    }
}

/// Tour systems (keys need a window; the player itself runs headless too).
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<TourPlayer>().add_systems(
        Update,
        // after the floor is rebuilt (a stop's prompt resets the clock) and before crates move
        run_tour
            .in_set(AppSet::Scene)
            .after(crate::scene::rebuild_floor)
            .before(crate::scene::move_crates),
    );
}

/// Loads and checks a tour file into the player (an error is kept for the overlay).
pub fn load_into(player: &mut TourPlayer, path: &Path, cfg: &Config) {
    match Tour::load(path).and_then(|t| t.check(cfg, path).map(|()| t)) {
        Ok(t) => {
            player.tour = Some(t);
            player.error = None;
        }
        Err(e) => {
            player.tour = None;
            player.error = Some(e.to_string());
        }
    }
}

/// Advances the tour clock, applies each stop's actions once, moves the camera and the highlight.
#[allow(clippy::too_many_arguments)]
fn run_tour(
    time: Res<Time>,
    mut player: ResMut<TourPlayer>,
    layout: Option<Res<CurrentLayout>>,
    mut goals: Query<&mut OrbitGoal>,
    mut selection: ResMut<Selection>,
    mut playback: ResMut<Playback>,
    mut requests: MessageWriter<Request>,
    mut sampling: ResMut<crate::inference::Sampling>,
    mut beams: ResMut<crate::scene::beams::BeamSettings>,
    floor: Res<crate::inference::Floor>,
) {
    if !player.active {
        return;
    }
    let Some(tour) = player.tour.clone() else {
        player.active = false;
        return;
    };
    if !player.paused {
        player.elapsed += time.delta_secs();
    }
    let Some(stop) = tour.stops.get(player.index) else {
        player.active = false;
        return;
    };
    if player.elapsed >= stop.seconds {
        if player.index + 1 >= tour.stops.len() {
            player.stop();
            return;
        }
        player.jump(1);
        return;
    }
    let Some(layout) = layout else { return };
    if player.applied != Some(player.index) {
        // arriving at the stop: run its prompt, move the camera
        player.applied = Some(player.index);
        player.applied_version = floor.version;
        let mut prompted = false;
        for a in &stop.actions {
            if let Action::Prompt(p) = a {
                let p = player.prompt_override.clone().unwrap_or_else(|| p.clone());
                requests.write(Request::Prompt(p));
                prompted = true;
            }
        }
        player.waiting_for_prompt = prompted;
        if let Some(i) = layout.0.index_of(stop.station) {
            let mut view = station_view(&layout.0, i);
            view.yaw = stop.camera.yaw.unwrap_or(view.yaw);
            view.pitch = stop.camera.pitch.unwrap_or(view.pitch);
            view.distance = stop.camera.distance.unwrap_or(view.distance);
            for mut g in &mut goals {
                g.0 = view;
            }
        }
        if prompted {
            return;
        }
    } else {
        // a stop that ran a prompt applies the rest to the floor that prompt brings
        // (or after two seconds, if the prompt failed)
        let arrived = floor.version != player.applied_version && floor.fresh_prompt;
        if !(player.waiting_for_prompt && (arrived || player.elapsed > 2.0)) {
            return;
        }
        player.waiting_for_prompt = false;
    }
    apply_stop(
        stop,
        &layout.0,
        &floor,
        &mut selection,
        &mut playback,
        &mut sampling,
        &mut beams,
    );
}

/// A stop's actions (other than its prompt) and highlights, on the floor now standing.
fn apply_stop(
    stop: &Stop,
    layout: &crate::scene::layout::Layout,
    floor: &crate::inference::Floor,
    selection: &mut Selection,
    playback: &mut Playback,
    sampling: &mut crate::inference::Sampling,
    beams: &mut crate::scene::beams::BeamSettings,
) {
    for a in &stop.actions {
        match a {
            Action::Prompt(_) => {}
            Action::Temperature(t) => {
                let mut p = sampling.params();
                p.temperature = *t;
                let _ = sampling.set(p);
            }
            Action::Step => playback.step(),
            Action::Generate(n) => playback.generate(*n),
            Action::ShowUpTo(s) => {
                if let Some(i) = layout.index_of(*s) {
                    playback.progress = i as f32;
                    playback.playing = false;
                }
            }
            Action::Threshold(t) => beams.threshold = *t,
        }
    }
    *selection = Selection::default();
    let n = floor.history.len();
    for h in &stop.highlight {
        match *h {
            // a token the floor does not have (a short prompt) is simply not highlighted
            Highlight::Token(t) => selection.token = (t < n).then_some(t),
            Highlight::LastToken => selection.token = n.checked_sub(1),
            Highlight::Head(l, hd) => selection.head = Some((l, hd)),
            Highlight::Neuron(l, i) => selection.neuron = Some((l, i)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"Tour(
        title: "t",
        stops: [
            Stop(title: "a", text: "b", station: Dock, seconds: 3.0),
            Stop(title: "c", text: "d", station: Booth(1, 2), seconds: 4.0,
                 highlight: [Head(1, 2), LastToken], actions: [Prompt("hi"), Generate(2)],
                 camera: Pose(yaw: Some(0.3))),
        ],
    )"#;

    #[test]
    fn parses_a_good_tour() {
        let t = Tour::parse(GOOD, Path::new("x.ron")).unwrap();
        assert_eq!(t.stops.len(), 2);
        assert_eq!(t.stops[1].station, Station::Booth(1, 2));
        assert_eq!(t.stops[1].camera.yaw, Some(0.3));
        t.check(&Config::factory_small(4096, 128), Path::new("x.ron"))
            .unwrap();
    }

    #[test]
    fn malformed_files_name_the_line() {
        let bad = GOOD.replace("seconds: 4.0,", "seconds: 4.0");
        let e = Tour::parse(&bad, Path::new("x.ron")).unwrap_err();
        match &e {
            TourError::Syntax { line, .. } => assert_eq!(*line, 6, "{e}"),
            other => panic!("{other}"),
        }
        assert!(e.to_string().contains("x.ron, line 6"));
        let e = Tour::parse(&GOOD.replace("Dock", "Basement"), Path::new("x.ron")).unwrap_err();
        assert!(matches!(e, TourError::Syntax { line: 4, .. }), "{e}");
        let e = Tour::parse("Tour(title: \"t\", stops: [])", Path::new("x.ron")).unwrap_err();
        assert!(e.to_string().contains("no stops"));
    }

    #[test]
    fn stops_are_checked_against_the_model() {
        let cfg = Config::factory_small(4096, 128);
        let t = Tour::parse(
            &GOOD.replace("Booth(1, 2)", "Booth(7, 2)"),
            Path::new("x.ron"),
        )
        .unwrap();
        let e = t.check(&cfg, Path::new("x.ron")).unwrap_err().to_string();
        assert!(e.contains("stop 2") && e.contains("Booth(7, 2)"), "{e}");
        let t = Tour::parse(
            &GOOD.replace("Generate(2)", "Generate(0)"),
            Path::new("x.ron"),
        )
        .unwrap();
        assert!(t.check(&cfg, Path::new("x.ron")).is_err());
        let t = Tour::parse(
            &GOOD.replace("seconds: 3.0", "seconds: -1.0"),
            Path::new("x.ron"),
        )
        .unwrap();
        assert!(
            t.check(&cfg, Path::new("x.ron"))
                .unwrap_err()
                .to_string()
                .contains("seconds")
        );
    }

    #[test]
    fn the_default_tour_is_valid_for_the_default_model() {
        let path = default_tour_path();
        let t = Tour::load(&path).unwrap();
        let cfg =
            Config::from_file(&crate::model::default_model_dir().join("config.json")).unwrap();
        t.check(&cfg, &path).unwrap();
        assert!(t.stops.len() >= 12);
    }

    #[test]
    fn the_player_walks_and_clamps() {
        let mut p = TourPlayer {
            tour: Some(Tour::parse(GOOD, Path::new("x")).unwrap()),
            ..default()
        };
        p.start();
        assert_eq!(p.current().unwrap().title, "a");
        p.jump(5);
        assert_eq!(p.index, 1);
        p.jump(-9);
        assert_eq!(p.index, 0);
        p.stop();
        assert!(p.current().is_none());
    }
}
