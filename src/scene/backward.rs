//! The backward pass in the hall: while the learning tab shows it, the crates ride back from the
//! shipping dock to the press, and every board they pass shows d loss / d that station's output
//! instead of its value, in the gradients' own look (ink on paper: crimson positive, navy
//! negative, the paper zero; [`palette::grad_rgba`]); the lamps show d loss / d each neuron's
//! output, the beams d loss / d each attention weight. The numbers are the learning step's own
//! ([`crate::model::backward::Gradients`]); the scene computes none.

use std::sync::Arc;

use bevy::prelude::*;

use super::layout::{Layout, StationKind};
use super::palette;
use super::parts::{BoardSource, CurrentLayout};
use crate::model::Array;
use crate::model::backward::{Gradients, Place};
use crate::playback::history::Beam;

/// Stations per second the crates ride back.
pub const RIDE_SPEED: f32 = 5.0;

/// The backward pass shown in the hall (set by the learning tab; `None`: the forward values).
#[derive(Resource, Debug, Default, Clone)]
pub struct Backward {
    /// The gradients shown.
    pub shown: Option<Arc<Gradients>>,
    /// The station the ride back has reached: stations from it to the dock show gradients.
    pub reached: usize,
    /// Per layer, the largest |d loss / d an attention weight| (the beams' full opacity).
    beam_tops: Vec<f32>,
}

impl Backward {
    /// Shows `g` (the ride back starts from the dock), or the forward values again (`None`).
    pub fn show(&mut self, g: Option<Arc<Gradients>>) {
        self.beam_tops = g.as_ref().map_or(Vec::new(), |g| {
            g.layers
                .iter()
                .map(|l| l.attention.data.iter().fold(0.0f32, |m, x| m.max(x.abs())))
                .collect()
        });
        self.reached = usize::MAX;
        self.shown = g;
    }

    /// The gradients, if shown and the ride back has passed station `index`.
    pub fn at(&self, index: usize) -> Option<&Gradients> {
        self.shown.as_deref().filter(|_| self.reached <= index)
    }

    /// An identity for what is drawn: the gradients' and whether the ride reached `index`.
    pub fn key(&self, index: usize) -> Option<(usize, bool)> {
        let g = self.shown.as_ref()?;
        Some((Arc::as_ptr(g) as usize, self.reached <= index))
    }
}

/// Where the crates riding back are (a station index, falling to 0); `None` when not riding.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct BackwardRide(pub Option<f32>);

/// Moves the ride back along (from past the dock to the press, [`RIDE_SPEED`]); a new backward
/// pass starts it again. `reached` changes only when a station is passed.
pub(crate) fn ride_back(
    time: Res<Time>,
    layout: Option<Res<CurrentLayout>>,
    mut view: ResMut<Backward>,
    mut ride: ResMut<BackwardRide>,
    mut riding_for: Local<Option<usize>>,
) {
    let (Some(g), Some(layout)) = (view.shown.clone(), layout) else {
        *riding_for = None;
        if ride.0.is_some() {
            ride.0 = None;
        }
        return;
    };
    let last = layout.0.stations.len().saturating_sub(1) as f32;
    let id = Arc::as_ptr(&g) as usize;
    let at = if *riding_for != Some(id) {
        *riding_for = Some(id);
        last + 0.5
    } else {
        let now = ride.0.unwrap_or(last);
        (now - time.delta_secs() * RIDE_SPEED).max(0.0)
    };
    if ride.0 != Some(at) {
        ride.0 = Some(at);
    }
    let reached = at.ceil() as usize;
    if view.reached != reached {
        view.reached = reached;
    }
}

/// Where a board's gradients are: the press's rows and the stamp's are each added into the stream
/// once, so their gradient is the stream's.
pub fn place_of(source: BoardSource) -> Place {
    match source {
        BoardSource::TokEmb | BoardSource::Embed => Place::Embed,
        BoardSource::Ln1(l) => Place::Ln1(l),
        BoardSource::ResidAttn(l) => Place::ResidAttn(l),
        BoardSource::Ln2(l) => Place::Ln2(l),
        BoardSource::ResidFfn(l) => Place::ResidFfn(l),
        BoardSource::LnF => Place::LnF,
    }
}

/// The gradient rows of a board's station.
pub fn board_rows(g: &Gradients, source: BoardSource) -> Option<&Array> {
    g.array(place_of(source))
}

/// A board's pixels in the backward view: each token's tile in the gradients' look (a token the
/// example does not hold, and every tile before the ride reached it, the belt's grey).
pub fn paint_board(data: &mut [u8], rows: Option<&Array>, (n, c): (usize, usize), across: usize) {
    let scale = rows.map_or(1.0, |a| palette::board_scale(a.data.iter()));
    let width = n * across;
    for t in 0..n {
        for d in 0..c {
            let px = match rows
                .filter(|a| a.shape.first().is_some_and(|&n| t < n) && a.shape.get(1) == Some(&c))
            {
                Some(a) => palette::grad_rgba(a.at(&[t, d]), scale),
                None => palette::pending_rgba(),
            };
            let (x, y) = (t * across + d % across, d / across);
            let o = (y * width + x) * 4;
            if let Some(cell) = data.get_mut(o..o + 4) {
                cell.copy_from_slice(&px);
            }
        }
    }
}

/// A lamp wall's pixels in the backward view: d loss / d each neuron's output for `token` (on the
/// layer's scale), the belt's grey before the ride reached it or without a token.
pub fn paint_lamps(data: &mut [u8], neurons: Option<&Array>, token: Option<usize>, cells: usize) {
    let scale = neurons.map_or(1.0, |a| palette::board_scale(a.data.iter()));
    let row = neurons
        .zip(token)
        .filter(|(a, t)| a.shape.len() == 2 && *t < a.shape[0])
        .map(|(a, t)| a.row(&[t]));
    for cell in 0..cells {
        let px = match row {
            Some(r) => palette::grad_rgba(r.get(cell).copied().unwrap_or(0.0), scale),
            None => palette::pending_rgba(),
        };
        if let Some(o) = data.get_mut(cell * 4..cell * 4 + 4) {
            o.copy_from_slice(&px);
        }
    }
}

/// A lit beam's colour in the backward view: its gradient's, or unseen until the ride reaches its
/// booth (attention's violet is not drawn meanwhile); `None` without the backward view (its
/// forward look).
pub fn beam_color(view: &Backward, l: &Layout, b: &Beam) -> Option<Color> {
    view.shown.as_ref()?;
    let station = l.index_of(StationKind::Booth(b.layer, b.head))?;
    let rgba = beam_rgba(view, station, (b.layer, b.head, b.query, b.key));
    let [r, g, bl, a] = rgba.unwrap_or([0.0; 4]);
    Some(Color::srgba(r, g, bl, a))
}

/// Where a lit beam's arrowhead sits and where it comes from: on the query, the token reading
/// (what is read flows into it), or in the backward view on the key (the gradient of the weight
/// goes back to the token read).
pub fn arrow_ends(view: &Backward, b: &Beam) -> (usize, usize) {
    match view.shown {
        Some(_) => (b.key, b.query),
        None => (b.query, b.key),
    }
}

/// A beam's colour in the backward view: the gradient of its attention weight in the inks
/// (opaque by its size against the layer's largest), or `None` where the ride has not reached its
/// booth (it keeps its forward look).
pub fn beam_rgba(
    view: &Backward,
    station: usize,
    beam: (usize, usize, usize, usize),
) -> Option<[f32; 4]> {
    let g = view.at(station)?;
    let (layer, head, query, key) = beam;
    let v = g.at(Place::Attention(layer, head), (query, key))?;
    let top = view.beam_tops.get(layer).copied().unwrap_or(0.0).max(1e-12);
    let [r, gr, b] = if v >= 0.0 {
        palette::GRAD_BEAM_POSITIVE
    } else {
        palette::GRAD_BEAM_NEGATIVE
    };
    Some([r, gr, b, 0.25 + 0.75 * (v.abs() / top).sqrt()])
}

/// A machine's weights' gradient written over it in the backward view.
#[derive(Component, Debug)]
pub struct GaugeSign;

/// The weight tensors a station's machine holds (by their stored names).
pub fn machine_weights(kind: StationKind) -> Vec<String> {
    let pair = |p: String| vec![format!("{p}.weight"), format!("{p}.bias")];
    match kind {
        StationKind::Embedding => vec!["wte.weight".into()],
        StationKind::Position => vec!["wpe.weight".into()],
        StationKind::NormAttn(l) => pair(format!("h.{l}.ln_1")),
        StationKind::Merge(l) => [
            pair(format!("h.{l}.attn.c_attn")),
            pair(format!("h.{l}.attn.c_proj")),
        ]
        .concat(),
        StationKind::NormFfn(l) => pair(format!("h.{l}.ln_2")),
        StationKind::Ffn(l) => [
            pair(format!("h.{l}.mlp.c_fc")),
            pair(format!("h.{l}.mlp.c_proj")),
        ]
        .concat(),
        StationKind::FinalNorm => pair("ln_f".into()),
        StationKind::Shipping => vec!["lm_head.weight".into()],
        StationKind::Dock | StationKind::Booth(..) => vec![],
    }
}

/// Writes each machine's weights' gradient (the L2 norm over its tensors, and its share of the
/// largest machine's) over it while the backward view is shown; takes the signs down after.
pub(crate) fn sign_weight_gauges(
    mut commands: Commands,
    view: Res<Backward>,
    layout: Option<Res<CurrentLayout>>,
    lang: Res<crate::i18n::Lang>,
    signs: Query<Entity, With<GaugeSign>>,
    mut made_for: Local<Option<(usize, crate::i18n::Lang)>>,
) {
    // once per backward pass, language and layout (not at every station the ride passes)
    let key = view
        .shown
        .as_ref()
        .map(|g| (Arc::as_ptr(g) as usize, *lang));
    let layout_changed = layout.as_ref().is_some_and(|l| l.is_changed());
    if key == *made_for && !layout_changed {
        return;
    }
    *made_for = key;
    for e in &signs {
        commands.entity(e).despawn();
    }
    let (Some(g), Some(layout)) = (view.shown.as_ref(), layout) else {
        return;
    };
    let l = &layout.0;
    let norms: Vec<(usize, f64)> = l
        .stations
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let names = machine_weights(s.kind);
            let sq: Vec<f64> = names
                .iter()
                .filter_map(|n| g.weight_norms.get(n))
                .map(|v| v * v)
                .collect();
            (!sq.is_empty()).then(|| (i, sq.iter().sum::<f64>().sqrt()))
        })
        .collect();
    let top = norms.iter().map(|n| n.1).fold(0.0, f64::max).max(1e-30);
    for (i, norm) in norms {
        let s = &l.stations[i];
        let text = crate::tr!(
            *lang,
            "grad-gauge",
            station = i + 1,
            norm = format!("{norm:.3}"),
            share = format!("{:.0} %", 100.0 * norm / top)
        );
        commands.spawn((
            Name::new(format!("Weights' gradient over station {i}")),
            GaugeSign,
            Transform::from_xyz(s.x, super::layout::SIGN_HEIGHT + 3.2, l.width() / 2.0 + 0.8),
            super::WorldLabel {
                text,
                size: 16.0,
                lift: 0.0,
                weight: 1.5,
            },
        ));
    }
}

/// Each position's true next word and its probability as loaded and now, while the learning tab
/// is open (set by it; `None`: nothing written at the dock).
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct TrueNext(pub Option<Vec<String>>);

/// A line at the shipping dock in a token's lane: its true next word and that word's probability.
#[derive(Component, Debug)]
pub struct TrueNextLabel;

/// Writes each position's true next word and its probability (as loaded → now) at the shipping
/// dock, in that token's lane, while the learning tab is open; takes the lines down after.
pub(crate) fn label_true_next(
    mut commands: Commands,
    lines: Res<TrueNext>,
    layout: Option<Res<CurrentLayout>>,
    labels: Query<Entity, With<TrueNextLabel>>,
) {
    let layout_changed = layout.as_ref().is_some_and(|l| l.is_changed());
    if !lines.is_changed() && !layout_changed {
        return;
    }
    for e in &labels {
        commands.entity(e).despawn();
    }
    let (Some(lines), Some(layout)) = (lines.0.as_ref(), layout) else {
        return;
    };
    let l = &layout.0;
    let Some(dock) = l.station(StationKind::Shipping) else {
        return;
    };
    for (t, text) in lines.iter().enumerate().take(l.n_tokens) {
        commands.spawn((
            Name::new(format!("True next word of token {t}")),
            TrueNextLabel,
            Transform::from_xyz(dock.x - dock.depth / 2.0, 2.2, l.token_z(t)),
            super::WorldLabel {
                text: text.clone(),
                size: 14.0,
                lift: 0.0,
                weight: 1.2,
            },
        ));
    }
}
