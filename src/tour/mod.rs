//! Guided tours: a [`file`] of stops, and a player that walks the factory through them. T starts and
//! stops a tour, Space pauses it, the left and right arrows go to the previous and next stop.

pub mod action;
pub mod captions;
pub mod file;
pub mod save;

use std::path::Path;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::camera::{Follow, OrbitGoal, room_view, station_view};
use crate::i18n::Lang;
use crate::inference::{Engine, ModelChanged, Request};
use crate::model::{Ablations, LoadedModel};
use crate::playback::{Floor, Playback, Sampling, Selection};
use crate::scene::CurrentLayout;
use crate::scene::beams::BeamSettings;
use crate::scene::layout::Layout;
use crate::schedule::AppSet;
pub use captions::{PLACEHOLDERS, fill, resolve};
pub use file::{Action, Highlight, Pose, Station, Stop, Tour, TourError, default_tour_path};

/// The tour loaded for this session and where the player is in it.
#[derive(Resource, Debug, Default)]
pub struct TourPlayer {
    /// The tour, once loaded and checked.
    pub tour: Option<Tour>,
    /// Why it could not be loaded.
    pub error: Option<TourError>,
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
    /// The current stop's acting actions (temperature, step, generate, ablate) were done.
    acted: bool,
    /// The file the tour came from (checked again when the model changes).
    pub path: Option<std::path::PathBuf>,
    /// The language its captions are in.
    pub lang: Lang,
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
    app.init_resource::<TourPlayer>()
        // after the floor is rebuilt (a stop's prompt resets the clock) and before crates move
        .add_systems(Update, run_tour.in_set(AppSet::Direct))
        .add_systems(
            Update,
            (check_against_new_model, follow_language).in_set(AppSet::Playback),
        );
}

/// The language changed: the captions are read again in it (where the tour stands is kept).
fn follow_language(
    lang: Option<Res<Lang>>,
    engine: Option<Res<Engine>>,
    mut player: ResMut<TourPlayer>,
) {
    let (Some(lang), Some(engine)) = (lang, engine) else {
        return;
    };
    if *lang == player.lang {
        return;
    }
    match player.path.clone() {
        Some(path) => load_into(&mut player, &path, &engine.0, *lang),
        None => player.lang = *lang,
    }
}

/// A new model may lack the layers or heads a tour names (or have those it lacked): the tour file
/// is read and checked again; a tour that no longer fits stops with a message.
fn check_against_new_model(
    mut changed: MessageReader<ModelChanged>,
    mut player: ResMut<TourPlayer>,
) {
    let Some(ModelChanged(model)) = changed.read().last() else {
        return;
    };
    if let Some(path) = player.path.clone() {
        let lang = player.lang;
        load_into(&mut player, &path, model, lang);
        if player.tour.is_none() {
            player.stop();
        }
    }
}

/// Loads and checks a tour file into the player (an error is kept for the overlay); `{role}` is
/// filled from the model folder's head roles.
pub fn load_into(player: &mut TourPlayer, path: &Path, model: &LoadedModel, lang: Lang) {
    player.path = Some(path.to_owned());
    player.lang = lang;
    let cfg = &model.config;
    let roles = match crate::model::heads::load_roles(&model.dir) {
        Some(Ok(r)) => r,
        _ => Vec::new(),
    };
    let filled = |t: Tour| t.filled(cfg, lang, &roles);
    match Tour::load(path).and_then(|t| t.check(cfg, path).map(|()| filled(t))) {
        Ok(t) => {
            player.tour = Some(t);
            player.error = None;
        }
        Err(e) => {
            player.tour = None;
            player.error = Some(e);
        }
    }
}

/// What the tour moves: the camera's goal, and whether it follows the crates.
#[derive(SystemParam)]
struct TourCamera<'w, 's> {
    layout: Option<Res<'w, CurrentLayout>>,
    goals: Query<'w, 's, &'static mut OrbitGoal>,
    follow: Option<ResMut<'w, Follow>>,
}

/// What a stop's actions change: the highlight, the playback, the sampling, the beams, and the
/// requests to the model.
#[derive(SystemParam)]
struct StopEffects<'w> {
    selection: ResMut<'w, Selection>,
    playback: ResMut<'w, Playback>,
    requests: MessageWriter<'w, Request>,
    sampling: ResMut<'w, Sampling>,
    beams: ResMut<'w, BeamSettings>,
    engine: Option<Res<'w, Engine>>,
    added: ResMut<'w, crate::scene::ShowAdded>,
}

/// Advances the tour clock, applies each stop's actions once, moves the camera and the highlight.
fn run_tour(
    time: Res<Time>,
    mut player: ResMut<TourPlayer>,
    floor: Res<Floor>,
    mut camera: TourCamera,
    mut effects: StopEffects,
) {
    let Some(stop) = tick_clock(&mut player, time.delta_secs()) else {
        return;
    };
    let Some(layout) = camera.layout.as_deref() else {
        return;
    };
    // show, wait, then act: what changes the numbers comes once the stop has been seen a while
    // (and after its prompt's floor arrived)
    if player.applied == Some(player.index)
        && !player.acted
        && !player.waiting_for_prompt
        && player.elapsed >= stop.acts_at()
    {
        player.acted = true;
        act(
            &stop,
            effects.engine.as_deref(),
            &mut effects.requests,
            &mut effects.playback,
            &mut effects.sampling,
        );
    }
    if player.applied != Some(player.index) {
        // arriving at the stop: run its prompt, move the camera
        let prompted = arrive_at_stop(&mut player, &stop, floor.version, &mut effects.requests);
        aim_camera_at_stop(&stop, &layout.0, &mut camera.goals, camera.follow.as_mut());
        if prompted {
            return;
        }
    } else if !prompt_floor_arrived(&mut player, &stop, &floor) {
        return;
    }
    apply_stop(
        &stop,
        &layout.0,
        &floor,
        &mut effects.selection,
        &mut effects.playback,
        (&mut effects.beams, &mut effects.added),
    );
}

/// Advances the clock of a running tour and moves on when a stop's time is up; the stop to show
/// now, or `None` when the tour is not running, has just ended or has just moved to the next stop.
fn tick_clock(player: &mut ResMut<TourPlayer>, delta: f32) -> Option<Stop> {
    if !player.active {
        return None;
    }
    let Some(tour) = player.tour.as_ref() else {
        player.active = false;
        return None;
    };
    let count = tour.stops.len();
    let stop = tour.stops.get(player.index).cloned();
    if !player.paused {
        player.elapsed += delta;
    }
    let Some(stop) = stop else {
        player.active = false;
        return None;
    };
    // (to a tenth of a millisecond: forty steps of 0.1 s add up to a little under 4 in f32, which
    // made a 4 s stop one frame longer at 10 fps)
    if player.elapsed + 1e-4 >= stop.seconds {
        if player.index + 1 >= count {
            player.stop();
            return None;
        }
        player.jump(1);
        return None;
    }
    Some(stop)
}

/// Marks the stop as arrived at and sends its prompt (the kiosk's, when set); true when it sent
/// one, so the rest of the stop waits for that prompt's floor.
fn arrive_at_stop(
    player: &mut TourPlayer,
    stop: &Stop,
    floor_version: u64,
    requests: &mut MessageWriter<Request>,
) -> bool {
    player.applied = Some(player.index);
    player.applied_version = floor_version;
    player.acted = false;
    let mut prompted = false;
    for a in &stop.actions {
        match a {
            Action::Prompt(p) => {
                let p = player.prompt_override.clone().unwrap_or_else(|| p.clone());
                requests.write(Request::Prompt(p));
                prompted = true;
            }
            // a round of the game: its sentence on the floor (the round itself is the game's)
            Action::Guess(n) => {
                let list = crate::model::guess::built_in(player.lang.code());
                if let Some(s) = list.get(n % list.len().max(1)) {
                    requests.write(Request::Prompt(s.before.clone()));
                    prompted = true;
                }
            }
            _ => {}
        }
    }
    player.waiting_for_prompt = prompted;
    prompted
}

/// Sends the camera to the stop's room, or to its station with the stop's own angles.
fn aim_camera_at_stop(
    stop: &Stop,
    layout: &Layout,
    goals: &mut Query<&mut OrbitGoal>,
    follow: Option<&mut ResMut<Follow>>,
) {
    if let Some(view) = stop.room.and_then(room_view) {
        for mut g in goals.iter_mut() {
            g.0 = view;
        }
        // following the crates would pull the camera back into the hall
        if let Some(f) = follow {
            f.0 = false;
        }
    } else if let Some(i) = layout.index_of(stop.station) {
        let mut view = station_view(layout, i);
        view.yaw = stop.camera.yaw.unwrap_or(view.yaw);
        view.pitch = stop.camera.pitch.unwrap_or(view.pitch);
        view.distance = stop.camera.distance.unwrap_or(view.distance);
        for mut g in goals.iter_mut() {
            g.0 = view;
        }
    }
}

/// A stop that ran a prompt applies the rest to the floor that brings (or after two seconds, if it
/// failed): true once, when that moment has come.
fn prompt_floor_arrived(player: &mut ResMut<TourPlayer>, stop: &Stop, floor: &Floor) -> bool {
    let has_prompt = stop
        .actions
        .iter()
        .any(|a| matches!(a, Action::Prompt(_) | Action::Guess(_)));
    let arrived = floor.version != player.applied_version && (floor.fresh_prompt || !has_prompt);
    if !(player.waiting_for_prompt && (arrived || player.elapsed > 2.0)) {
        return false;
    }
    player.waiting_for_prompt = false;
    true
}

/// A stop's acting actions: the temperature, a step, tokens to generate, parts switched off.
fn act(
    stop: &Stop,
    engine: Option<&Engine>,
    requests: &mut MessageWriter<Request>,
    playback: &mut Playback,
    sampling: &mut Sampling,
) {
    for a in stop.actions.iter().filter(|a| a.acts()) {
        match a {
            Action::Temperature(t) => {
                let mut p = sampling.params();
                p.temperature = *t;
                let _ = sampling.set(p);
            }
            Action::Step => playback.step(),
            Action::Generate(n) => playback.generate(*n),
            Action::Ablate(specs) => {
                if let Some(ablations) =
                    engine.and_then(|e| Ablations::parse(specs, &e.0.config).ok())
                {
                    requests.write(Request::Ablate(ablations));
                }
            }
            // the game's round is the game's own (`ui/game.rs`)
            Action::Prompt(_)
            | Action::ShowUpTo(_)
            | Action::Threshold(_)
            | Action::Guess(_)
            | Action::Learn(_)
            | Action::ShowAdded(_) => {}
        }
    }
}

/// A stop's scene-setting actions (where the crates stand, the beam threshold, what the adding
/// stations' boards show) and highlights, on
/// the floor now standing.
fn apply_stop(
    stop: &Stop,
    layout: &Layout,
    floor: &Floor,
    selection: &mut Selection,
    playback: &mut Playback,
    (beams, added): (&mut BeamSettings, &mut crate::scene::ShowAdded),
) {
    for a in stop.actions.iter().filter(|a| !a.acts()) {
        match a {
            Action::ShowUpTo(s) => {
                if let Some(i) = layout.index_of(*s) {
                    playback.progress = i as f32;
                    playback.playing = false;
                }
            }
            Action::Threshold(t) => beams.threshold = *t,
            Action::ShowAdded(on) => added.0 = *on,
            _ => {}
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
            Stop(title: "c", text: "d", station: Booth(1, 2), seconds: 4.0),
        ],
    )"#;

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
