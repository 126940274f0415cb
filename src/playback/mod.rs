//! What is shown when: the floor (every number computed so far), the animation clock, the sampling
//! loop at the shipping dock, the visitor's selection and the dock's candidates.
//!
//! Inference sends finished traces ([`Outcome`]); this module turns them into the [`Floor`], moves
//! the clock, and asks inference for the next token. The scene only draws what is here.

pub mod attribution;
pub mod compare;
pub mod export;
pub mod filter;
pub mod history;
pub mod lens;
pub mod memory;
pub mod roles;
pub mod surprise;

use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::inference::{Engine, InferenceError, Outcome, Pending, Request};
use crate::model::patch::PatchSpec;
use crate::model::sample::{Candidate, Filtering, candidates, filtering};
use crate::model::tokenizer::shown_token;
use crate::model::{Ablations, ModelError, Sampler, SamplingParams};
use crate::schedule::AppSet;
use history::History;

/// What is on the factory floor: the tokens and every number computed for them.
#[derive(Resource, Default, Debug)]
pub struct Floor {
    /// Per-token record of the computation.
    pub history: History,
    /// First token of the crates now riding through (earlier ones are cached).
    pub flow_start: usize,
    /// True when the floor came from a new prompt (not from an appended token, nor from a window
    /// that slid or was re-run): selection and playback start over only then.
    pub fresh_prompt: bool,
    /// Bumped whenever `history` changes, so the scene knows to rebuild.
    pub version: u64,
    /// The token sampled last at the shipping dock and the candidates it was drawn from.
    pub last_sample: Option<(u32, Vec<Candidate>)>,
    /// Something the user should know (e.g. the prompt was cut to fit the context).
    pub notice: Option<String>,
    /// The last error, shown in the overlay until the next success.
    pub error: Option<Arc<InferenceError>>,
    /// The parts of the model switched off for these numbers.
    pub ablations: Ablations,
    /// The activation of another prompt's run put into these numbers (a patching grid's cell).
    pub patch: Option<PatchSpec>,
    /// With ablations: the next-token logits with nothing switched off (the dock's "before").
    pub baseline_logits: Option<Vec<f32>>,
    /// The last full run measured here: (tokens, milliseconds).
    pub full_run_ms: Option<(usize, f64)>,
    /// The last one-token cached step measured here: (tokens in the context, milliseconds).
    pub cached_step_ms: Option<(usize, f64)>,
}

/// The sampling settings and the seeded sampler they drive.
#[derive(Resource, Debug)]
pub struct Sampling {
    params: SamplingParams,
    sampler: Sampler,
}

impl Default for Sampling {
    fn default() -> Self {
        let params = SamplingParams::default();
        Self {
            params,
            sampler: Sampler::new(params).expect("default sampling values are valid"),
        }
    }
}

impl Sampling {
    /// The settings in use.
    pub fn params(&self) -> SamplingParams {
        self.params
    }

    /// Changes the settings (and restarts the random sequence from the seed); refuses bad values.
    pub fn set(&mut self, params: SamplingParams) -> Result<(), ModelError> {
        if params == self.params {
            return Ok(());
        }
        self.sampler = Sampler::new(params)?;
        self.params = params;
        Ok(())
    }

    /// Restarts the random sequence from the seed (a new prompt does this).
    pub fn reseed(&mut self) {
        self.sampler = Sampler::new(self.params).expect("params were validated");
    }

    /// Draws the next token from `logits`.
    pub fn sample(&mut self, logits: &[f32]) -> (u32, Vec<Candidate>) {
        self.sampler.sample(logits)
    }
}

/// The animation clock: how far the riding crates are along the stations.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct Playback {
    /// Station index reached (fractional). Negative: a sampled crate is riding back to the dock.
    pub progress: f32,
    /// Moving or not.
    pub playing: bool,
    /// Stations per second.
    pub speed: f32,
    /// Stop when `progress` reaches this (set by "step").
    pub stop_at: Option<f32>,
    /// Tokens still to generate before pausing; `None` = keep going while playing.
    pub remaining: Option<usize>,
    /// Index of the last station (the shipping dock) of the floor now standing; set by the scene
    /// when it builds the floor's layout.
    pub last_station: Option<usize>,
}

impl Default for Playback {
    fn default() -> Self {
        Self {
            progress: 0.0,
            playing: true,
            speed: 2.5,
            stop_at: None,
            remaining: Some(0),
            last_station: None,
        }
    }
}

/// How far a freshly sampled crate rides back before re-entering the dock.
pub const RETURN_RIDE: f32 = 1.5;

impl Playback {
    /// Advance one station, then stop.
    pub fn step(&mut self) {
        self.stop_at = Some(self.progress.floor() + 1.0);
        self.playing = true;
        self.remaining = Some(0);
    }

    /// Play through `n` more generated tokens, then pause.
    pub fn generate(&mut self, n: usize) {
        self.remaining = Some(n);
        self.stop_at = None;
        self.playing = true;
    }

    /// Toggle play / pause; playing runs the loop without end.
    pub fn toggle(&mut self) {
        self.playing = !self.playing;
        self.stop_at = None;
        if self.playing {
            self.remaining = None;
        }
    }

    /// How many token columns station `station` has revealed on `floor`: cached tokens always,
    /// riding ones once the clock reached it.
    pub fn revealed_columns(&self, floor: &Floor, station: usize) -> usize {
        if self.progress >= station as f32 {
            floor.history.len()
        } else {
            floor.flow_start
        }
    }
}

/// What the visitor picked.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Selection {
    /// A token: its beams are isolated and its numbers inspected.
    pub token: Option<usize>,
    /// An attention head (layer, head).
    pub head: Option<(usize, usize)>,
    /// An FFN neuron (layer, index).
    pub neuron: Option<(usize, usize)>,
    /// A board cell: (station index, dimension).
    pub dim: Option<(usize, usize)>,
    /// A probability bar at the shipping dock (its rank): the inspector explains it.
    pub bar: Option<usize>,
}

impl Selection {
    /// The token whose neurons the lamps show: the selected one, else the last token.
    pub fn lamp_token(&self, floor: &Floor) -> Option<usize> {
        let n = floor.history.len();
        self.token.filter(|&t| t < n).or_else(|| n.checked_sub(1))
    }
}

/// The attention pair (layer, head, query, key) under the pointer in a heatmap: its beam is lit.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq)]
pub struct HoveredPair(pub Option<(usize, usize, usize, usize)>);

/// Candidates shown at the shipping dock.
pub const SHOWN_CANDIDATES: usize = 10;

/// The shipping dock's candidates for the floor and the sampling settings now in force, with their
/// token pieces as shown; recomputed only when either changes.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Dock {
    /// The most likely candidates after temperature, top-k and top-p (at most [`SHOWN_CANDIDATES`]).
    pub candidates: Vec<Candidate>,
    /// Each candidate's token piece, spaces and newlines made visible.
    pub labels: Vec<String>,
    /// With ablations: each candidate's probability with nothing switched off (same settings).
    pub before: Vec<f32>,
    /// Per layer, the logit lens as one line: "·the 21% · ·a 9% · ..." (temperature 1, nothing cut).
    pub lens: Vec<String>,
    /// The operands of the bars' probabilities (its `candidates` left empty: see `candidates`).
    pub filtering: Option<Filtering>,
    /// Each shown candidate's logit.
    pub logits: Vec<f32>,
    /// The floor version and settings these were computed for.
    made_for: Option<(u64, SamplingParams, usize)>,
}

/// The floor, the clock and the loop (and the dock's candidates, derived on change).
pub(super) fn plugin(app: &mut App) {
    memory::plugin(app);
    app.init_resource::<Floor>()
        .init_resource::<Sampling>()
        .init_resource::<Playback>()
        .init_resource::<Selection>()
        .init_resource::<Dock>()
        .init_resource::<HoveredPair>()
        .init_resource::<surprise::TokenSurprise>()
        .init_resource::<attribution::HeadAttribution>()
        .init_resource::<lens::LensJob>()
        .init_resource::<compare::Comparison>()
        .init_resource::<roles::HeadRoles>()
        .init_resource::<roles::LampCardsRes>()
        .add_systems(
            Update,
            (
                (receive_outcomes, advance_playback).chain(),
                // before the floor is built: the booths' signs carry the roles
                roles::load_head_roles,
                roles::load_lamp_cards,
            )
                .in_set(AppSet::Playback),
        )
        .add_systems(
            Update,
            (
                (lens::fill_lens, update_dock).chain(),
                surprise::update_surprise,
                attribution::update_attribution,
                compare::update_comparison,
            )
                .in_set(AppSet::Derive),
        );
}

/// Puts each finished trace on the floor; a new prompt starts the clock, the selection and the
/// random sequence over; a failure keeps the floor and says why.
fn receive_outcomes(
    mut outcomes: MessageReader<Outcome>,
    mut floor: ResMut<Floor>,
    mut playback: ResMut<Playback>,
    mut selection: ResMut<Selection>,
    mut sampling: ResMut<Sampling>,
) {
    for outcome in outcomes.read() {
        if outcome.prompt {
            sampling.reseed();
        }
        let c = match &outcome.result {
            Ok(c) => c,
            Err(e) => {
                floor.error = Some(e.clone());
                continue;
            }
        };
        let n_prompt = floor.history.n_prompt;
        floor.flow_start = c.trace.start_pos;
        floor.history.append(&c.trace, c.texts.clone());
        if !outcome.prompt && c.trace.start_pos == 0 {
            // a re-run window: the prompt's tokens keep their colour, minus those dropped
            floor.history.n_prompt = n_prompt.saturating_sub(c.dropped);
        }
        floor.fresh_prompt = outcome.prompt;
        floor.ablations = c.ablations.clone();
        floor.patch = c.patch.clone();
        let timing = (floor.history.len(), c.trace_ms);
        if c.trace.start_pos > 0 && c.trace.len() == 1 {
            floor.cached_step_ms = Some(timing);
        } else {
            floor.full_run_ms = Some(timing);
        }
        floor.baseline_logits.clone_from(&c.baseline_logits);
        floor.version += 1;
        floor.error = None;
        if c.notice.is_some() || outcome.prompt {
            floor.notice.clone_from(&c.notice);
        }
        // a new prompt rides from the dock; an appended token first rides back from the shipping dock
        playback.progress = if floor.flow_start == 0 {
            0.0
        } else {
            -RETURN_RIDE
        };
        if floor.fresh_prompt || outcome.rerun {
            // a new prompt (or the same tokens with parts switched off) rides from the dock to the
            // shipping dock, then waits; a rerun keeps what the visitor selected
            playback.stop_at = None;
            playback.playing = true;
            playback.remaining = Some(0);
            if floor.fresh_prompt {
                *selection = Selection::default();
            }
        }
        let n = floor.history.len();
        selection.token = selection.token.filter(|&t| t < n);
    }
}

/// What draws the next token at the shipping dock and asks inference for its floor: the sampler,
/// the kiosk's word filter with the tokenizer it needs, the language of the notice.
#[derive(SystemParam)]
struct NextToken<'w> {
    sampling: ResMut<'w, Sampling>,
    filter: Option<Res<'w, filter::WordFilter>>,
    engine: Option<Res<'w, Engine>>,
    lang: Res<'w, crate::i18n::Lang>,
    requests: MessageWriter<'w, Request>,
}

impl NextToken<'_> {
    /// Samples the next token from the floor's last logits (filtered, in a kiosk), keeps it and
    /// its candidates on the floor, and asks for it to be appended.
    fn sample_and_send(&mut self, floor: &mut Floor) {
        let (id, cands) = match (&self.filter, &self.engine) {
            (Some(filter), Some(engine)) => {
                let (id, cands, masked) = sample_filtered(
                    &mut self.sampling,
                    &floor.history,
                    filter,
                    &engine.0.tokenizer,
                );
                if masked > 0 {
                    floor.notice = Some(crate::tr!(*self.lang, "filter-masked", n = masked));
                }
                (id, cands)
            }
            _ => self.sampling.sample(&floor.history.logits),
        };
        floor.last_sample = Some((id, cands));
        self.requests.write(Request::Append(id));
    }
}

/// Moves the clock; at the shipping dock, samples the next token when the loop should go on.
fn advance_playback(
    time: Res<Time>,
    mut playback: ResMut<Playback>,
    mut floor: ResMut<Floor>,
    pending: Res<Pending>,
    mut seen: Local<u64>,
    mut next: NextToken,
) {
    // a floor that arrived this frame is built after this: its clock starts next frame
    let arrived = *seen != floor.version;
    *seen = floor.version;
    let Some(last) = playback.last_station else {
        return;
    };
    let last = last as f32;
    if arrived || !playback.playing || pending.busy() || floor.history.is_empty() {
        return;
    }
    let send_round = move_clock(&mut playback, last, time.delta_secs());
    if send_round && !floor.history.logits.is_empty() {
        next.sample_and_send(&mut floor);
    }
}

/// Moves the playing clock by `delta` seconds towards the shipping dock at `last` (stopping where
/// a step asked); true when a round should be sampled there.
fn move_clock(playback: &mut Playback, last: f32, delta: f32) -> bool {
    let mut send_round = false;
    match playback.stop_at {
        // "step" pressed at the shipping dock: the sampled token rides back to the dock, then stops
        Some(stop) if stop > last => {
            send_round = true;
            playback.stop_at = Some(0.0);
        }
        _ => {
            let mut p = playback.progress + playback.speed * delta;
            if let Some(stop) = playback.stop_at
                && p >= stop
            {
                p = stop;
                playback.playing = false;
                playback.stop_at = None;
            }
            playback.progress = p.min(last);
            if playback.progress >= last && playback.playing && playback.stop_at.is_none() {
                match playback.remaining.as_mut() {
                    None => send_round = true,
                    Some(0) => playback.playing = false,
                    Some(k) => {
                        *k -= 1;
                        send_round = true;
                    }
                }
            }
        }
    }
    send_round
}

/// Draws the next token; a token that would spell a blocked word is masked (its logit set to −∞)
/// and the draw repeats, a few times at most. Returns the token, its candidates and how many were
/// masked.
fn sample_filtered(
    sampling: &mut Sampling,
    history: &History,
    filter: &filter::WordFilter,
    tok: &crate::model::Tokenizer,
) -> (u32, Vec<Candidate>, usize) {
    let tail: String = history.texts[history.len().saturating_sub(4)..].concat();
    let mut logits = history.logits.clone();
    let mut masked = 0;
    loop {
        let (id, cands) = sampling.sample(&logits);
        if masked >= 8 || !filter.blocks_continuation(&tail, &tok.token_text(id)) {
            return (id, cands, masked);
        }
        logits[id as usize] = f32::NEG_INFINITY;
        masked += 1;
    }
}

/// Recomputes the dock's candidates when the floor or the sampling settings changed.
fn update_dock(
    floor: Res<Floor>,
    sampling: Res<Sampling>,
    engine: Option<Res<Engine>>,
    mut dock: ResMut<Dock>,
) {
    // the lens may arrive after the floor (see `lens`)
    let key = (floor.version, sampling.params(), floor.history.lens.len());
    if dock.made_for == Some(key) {
        return;
    }
    let Some(engine) = engine else { return };
    let mut filtered = filtering(&floor.history.logits, &sampling.params());
    let mut list = std::mem::take(&mut filtered.candidates);
    list.truncate(SHOWN_CANDIDATES);
    dock.logits = list
        .iter()
        .map(|c| floor.history.logits[c.id as usize])
        .collect();
    dock.filtering = (!floor.history.logits.is_empty()).then_some(filtered);
    dock.labels = list
        .iter()
        .map(|c| shown_token(&engine.0.tokenizer.token_text(c.id), c.id))
        .collect();
    dock.before = match &floor.baseline_logits {
        None => Vec::new(),
        Some(base) => {
            // the same settings on the unablated logits; a token they cut had probability 0
            let base = candidates(base, &sampling.params());
            list.iter()
                .map(|c| base.iter().find(|b| b.id == c.id).map_or(0.0, |b| b.prob))
                .collect()
        }
    };
    let tok = &engine.0.tokenizer;
    dock.lens = floor
        .history
        .lens
        .iter()
        .map(|guesses| {
            guesses
                .iter()
                .map(|g| {
                    format!(
                        "{} {:.0}%",
                        shown_token(&tok.token_text(g.id), g.id),
                        g.prob * 100.0
                    )
                })
                .collect::<Vec<_>>()
                .join("  ")
        })
        .collect();
    dock.candidates = list;
    dock.made_for = Some(key);
}
