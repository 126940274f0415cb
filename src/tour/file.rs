//! The tour file: a RON list of stops (where to look, what to say, what to light up, what to do),
//! parsed with line-numbered errors and checked against the model it will run on.

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use super::action::Action;
use super::captions::{ROLE, fill_role, resolve};
use crate::i18n::Lang;
use crate::limits;
use crate::model::Config;
use crate::model::heads::HeadRole;
use crate::rooms::Room;
use crate::scene::layout::StationKind;

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
    /// A room to show instead: the camera goes to a 3D room (`Embedding`, `Scale`; `camera` is
    /// then ignored), a window room (`Positions`, `Cost`, `Training`) opens beside the station.
    #[serde(default)]
    pub room: Option<Room>,
    /// Camera adjustments.
    #[serde(default)]
    pub camera: Pose,
    /// Seconds at this stop.
    pub seconds: f32,
    /// What to light up.
    #[serde(default)]
    pub highlight: Vec<Highlight>,
    /// What to do: a prompt runs and the scene is set (`ShowUpTo`, `Threshold`, `ShowAdded`) on arrival;
    /// what changes the numbers (`Temperature`, `Step`, `Generate`, `Ablate`) waits `act_after`
    /// seconds, so the visitor reads and sees the "before" first.
    #[serde(default)]
    pub actions: Vec<Action>,
    /// Seconds to wait before the acting actions (default [`ACT_AFTER`]; never more than half the
    /// stop, see [`Stop::acts_at`]).
    #[serde(default = "default_act_after")]
    pub act_after: f32,
}

impl Stop {
    /// When the stop acts: `act_after`, but at the latest halfway through the stop (a short stop
    /// still acts, and its "after" is seen).
    pub fn acts_at(&self) -> f32 {
        self.act_after.min(self.seconds * 0.5)
    }
}

/// How long a stop shows before it acts, unless it says otherwise.
pub const ACT_AFTER: f32 = 3.0;

fn default_act_after() -> f32 {
    ACT_AFTER
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

    /// The tour in `lang` with every caption's placeholders filled from `cfg` (see [`resolve`]; a
    /// checked tour has only known ones, anything else is left as written).
    pub fn filled(mut self, cfg: &Config, lang: Lang, roles: &[HeadRole]) -> Self {
        if let Ok(t) = resolve(&self.title, cfg, lang) {
            self.title = t;
        }
        for stop in &mut self.stops {
            let booth = match stop.station {
                StationKind::Booth(l, h) => (l, h),
                _ => (usize::MAX, usize::MAX),
            };
            for text in [&mut stop.title, &mut stop.text] {
                if let Ok(t) = resolve(text, cfg, lang) {
                    *text = fill_role(&t, roles, booth, lang);
                }
            }
        }
        self
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
            let secs = limits::STOP_SECONDS;
            if !(stop.seconds.is_finite() && secs.contains(&stop.seconds)) {
                return Err(fail(format!(
                    "seconds must be from {} to {}, not {}",
                    secs.start(),
                    secs.end(),
                    stop.seconds
                )));
            }
            check_pose(&stop.camera).map_err(fail)?;
            if !(stop.act_after.is_finite() && stop.act_after >= 0.0) {
                return Err(fail(format!(
                    "act_after must be 0 or more seconds, not {}",
                    stop.act_after
                )));
            }
            for text in [&stop.title, &stop.text] {
                match resolve(text, cfg, Lang::En) {
                    Err(problem) => return Err(fail(problem)),
                    Ok(t)
                        if t.contains(ROLE) && !matches!(stop.station, StationKind::Booth(..)) =>
                    {
                        return Err(fail(format!(
                            "{ROLE} names the role of the stop's booth: its station must be a \
                             Booth, not {:?}",
                            stop.station
                        )));
                    }
                    Ok(_) => {}
                }
            }
            if stop.title.chars().count() + stop.text.chars().count() > limits::MAX_CAPTION_CHARS {
                return Err(fail(format!(
                    "the caption is longer than {} characters",
                    limits::MAX_CAPTION_CHARS
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
            super::action::check_actions(&stop.actions, cfg, station_ok).map_err(fail)?;
        }
        Ok(())
    }
}

/// A stop's camera angle within what the camera can take: the yaw finite, the pitch from
/// −0.2 (just below level) to 1.5 (nearly straight down) as the mouse keeps it, the distance from 2
/// to 1500 units as the wheel keeps it.
fn check_pose(pose: &Pose) -> Result<(), String> {
    let within = |name: &str, v: Option<f32>, lo: f32, hi: f32| match v {
        Some(v) if !(v.is_finite() && (lo..=hi).contains(&v)) => Err(format!(
            "camera: {name} must be a number from {lo} to {hi}, not {v}"
        )),
        _ => Ok(()),
    };
    // (any finite yaw: the mouse does not wrap it, and a stop saved with K keeps what it had)
    if let Some(yaw) = pose.yaw.filter(|y| !y.is_finite()) {
        return Err(format!("camera: yaw must be a finite number, not {yaw}"));
    }
    within("pitch", pose.pitch, -0.2, 1.5)?;
    within("distance", pose.distance, 2.0, 1500.0)
}

/// The default tour's path: `assets/tours/default.ron` (see [`crate::project_path`]).
pub fn default_tour_path() -> PathBuf {
    crate::project_path("assets/tours/default.ron")
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
    fn camera_poses_out_of_range_are_refused_with_the_stop() {
        let cfg = Config::factory_small(4096, 128);
        for (pose, field) in [
            ("Pose(pitch: Some(NaN))", "pitch"),
            ("Pose(pitch: Some(1.6))", "pitch"),
            ("Pose(distance: Some(0.0))", "distance"),
            ("Pose(distance: Some(-3.0))", "distance"),
            ("Pose(distance: Some(inf))", "distance"),
            ("Pose(yaw: Some(-inf))", "yaw"),
        ] {
            let text = GOOD.replace("Pose(yaw: Some(0.3))", pose);
            let t = Tour::parse(&text, Path::new("x.ron")).unwrap();
            let e = t.check(&cfg, Path::new("x.ron")).unwrap_err().to_string();
            assert!(e.contains("stop 2") && e.contains(field), "{pose}: {e}");
        }
        let fine = GOOD.replace(
            "Pose(yaw: Some(0.3))",
            "Pose(yaw: Some(-2.0), pitch: Some(-0.2), distance: Some(1500.0))",
        );
        let t = Tour::parse(&fine, Path::new("x.ron")).unwrap();
        t.check(&cfg, Path::new("x.ron")).unwrap();
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

    /// The README states the default tour's length as "the default tour lasts N s in M stops"; a
    /// new stop or a longer one changes it, so the figure is checked against the file.
    #[test]
    fn the_readme_states_the_default_tours_length() {
        const MARK: &str = "the default tour lasts ";
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
                .unwrap();
        // a line break may fall anywhere in the sentence
        let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
        let tour = Tour::load(&default_tour_path()).unwrap();
        let seconds: f32 = tour.stops.iter().map(|s| s.seconds).sum();
        let stated: Vec<&str> = readme
            .match_indices(MARK)
            .map(|(i, _)| &readme[i + MARK.len()..])
            .collect();
        assert!(
            !stated.is_empty(),
            "README.md no longer says \"{MARK}N s in M stops\""
        );
        for rest in stated {
            let shown: String = rest.chars().take(40).collect();
            let (secs, rest) = rest
                .split_once(" s in ")
                .unwrap_or_else(|| panic!("not \"{MARK}N s in M stops\": {shown:?}"));
            let (stops, _) = rest
                .split_once(" stops")
                .unwrap_or_else(|| panic!("not \"{MARK}N s in M stops\": {shown:?}"));
            let secs: f32 = secs
                .replace(',', "")
                .parse()
                .unwrap_or_else(|e| panic!("{shown:?}: {e}"));
            let stops: usize = stops.parse().unwrap_or_else(|e| panic!("{shown:?}: {e}"));
            assert!(
                (secs - seconds).abs() < 0.05 && stops == tour.stops.len(),
                "the README says the default tour lasts {secs} s in {stops} stops; its stops in {} \
                 add up to {seconds} s in {} stops",
                default_tour_path().display(),
                tour.stops.len()
            );
        }
    }
}
