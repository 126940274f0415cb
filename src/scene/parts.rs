//! The scene's components and the resources that describe the floor now standing: what each
//! spawned thing is (a crate, a booth, a board, a lamp wall, a bar, a label) and its numbers' source.

use bevy::prelude::*;

use super::layout::{Layout, StationKind};
use crate::i18n::Lang;
use crate::playback::history::History;
use crate::tr;

/// Root of everything rebuilt when the history changes.
#[derive(Component)]
pub struct FloorRoot;

/// A token crate; the index of its token.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crate(pub usize);

/// An attention booth.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booth {
    /// Layer.
    pub layer: usize,
    /// Head.
    pub head: usize,
}

/// Which vector a board shows (one column per token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardSource {
    /// Rows of wte.
    TokEmb,
    /// wte + wpe.
    Embed,
    /// ln_1 output.
    Ln1(usize),
    /// Residual stream after attention.
    ResidAttn(usize),
    /// ln_2 output.
    Ln2(usize),
    /// Residual stream after the FFN.
    ResidFfn(usize),
    /// ln_f output.
    LnF,
}

impl BoardSource {
    /// The board a station shows, if any.
    pub fn for_station(kind: StationKind) -> Option<Self> {
        Some(match kind {
            StationKind::Embedding => BoardSource::TokEmb,
            StationKind::Position => BoardSource::Embed,
            StationKind::NormAttn(l) => BoardSource::Ln1(l),
            StationKind::Merge(l) => BoardSource::ResidAttn(l),
            StationKind::NormFfn(l) => BoardSource::Ln2(l),
            StationKind::Ffn(l) => BoardSource::ResidFfn(l),
            StationKind::FinalNorm => BoardSource::LnF,
            _ => return None,
        })
    }

    /// The station that shows this board (the inverse of [`Self::for_station`]).
    pub fn station(self) -> StationKind {
        match self {
            BoardSource::TokEmb => StationKind::Embedding,
            BoardSource::Embed => StationKind::Position,
            BoardSource::Ln1(l) => StationKind::NormAttn(l),
            BoardSource::ResidAttn(l) => StationKind::Merge(l),
            BoardSource::Ln2(l) => StationKind::NormFfn(l),
            BoardSource::ResidFfn(l) => StationKind::Ffn(l),
            BoardSource::LnF => StationKind::FinalNorm,
        }
    }

    /// For a norm's board, the board of the stream coming into that norm (its x).
    pub fn norm_input(self, n_layer: usize) -> Option<Self> {
        Some(match self {
            BoardSource::Ln1(0) => BoardSource::Embed,
            BoardSource::Ln1(l) => BoardSource::ResidFfn(l - 1),
            BoardSource::Ln2(l) => BoardSource::ResidAttn(l),
            BoardSource::LnF => BoardSource::ResidFfn(n_layer.checked_sub(1)?),
            _ => return None,
        })
    }

    /// The per-token vectors this board shows.
    pub fn rows(self, h: &History) -> &[Vec<f32>] {
        let layer = |l: usize| &h.layers[l];
        match self {
            BoardSource::TokEmb => &h.tok_emb,
            BoardSource::Embed => &h.embed,
            BoardSource::Ln1(l) => &layer(l).ln_1,
            BoardSource::ResidAttn(l) => &layer(l).resid_attn,
            BoardSource::Ln2(l) => &layer(l).ln_2,
            BoardSource::ResidFfn(l) => &layer(l).resid_ffn,
            BoardSource::LnF => &h.ln_f,
        }
    }

    /// For a board of the stream after a station that adds to it, what that station added to
    /// each token: the stamp its position's row of wpe, the merge the attention's output, the
    /// pattern machine the FFN's output (none for the other boards: an embedding is looked up, a
    /// norm replaces the numbers).
    pub fn added(self, h: &History) -> Option<&[Vec<f32>]> {
        match self {
            BoardSource::Embed => Some(&h.pos_emb),
            BoardSource::ResidAttn(l) => Some(&h.layers[l].attn_proj),
            BoardSource::ResidFfn(l) => Some(&h.layers[l].ffn_out),
            _ => None,
        }
    }

    /// The rows the board paints: what its station added (see [`Self::added`]) when `added` and
    /// it has them, else its own.
    pub fn shown_rows(self, h: &History, added: bool) -> &[Vec<f32>] {
        added
            .then(|| self.added(h))
            .flatten()
            .unwrap_or_else(|| self.rows(h))
    }

    /// What the board shows, in words, in `l`.
    pub fn caption(self, l: Lang) -> String {
        match self {
            BoardSource::TokEmb => tr!(l, "board-tok-emb"),
            BoardSource::Embed => tr!(l, "board-embed"),
            BoardSource::Ln1(_) | BoardSource::Ln2(_) | BoardSource::LnF => {
                tr!(l, "board-layernorm")
            }
            BoardSource::ResidAttn(_) => tr!(l, "board-resid-attn"),
            BoardSource::ResidFfn(_) => tr!(l, "board-resid-ffn"),
        }
    }
}

/// A board of vectors lying on the floor of a station: in each token's lane, a tile of `n_embd`
/// cells (see [`super::layout::tile`]), dimension `d` at column `d % across`, row `d / across`.
#[derive(Component, Debug, Clone)]
pub struct Board {
    /// Index of its station in the layout.
    pub station: usize,
    /// What it shows.
    pub source: BoardSource,
    /// Its texture.
    pub image: Handle<Image>,
    /// Colour scale: |v| at full brightness.
    pub scale: f32,
    /// Columns painted with values so far (the others are dark).
    pub painted: usize,
    /// What the backward view painted on it (`backward::Backward::key`), if it did.
    pub backward: Option<(usize, bool)>,
    /// Each token's spread on the hall's one scale (`spread::spread_shares`), painted into its
    /// cells' alpha once revealed: what the board shows as one bar per token when far away.
    pub shares: Vec<u8>,
    /// For a board whose station adds to the stream ([`BoardSource::added`]): the colour scale and
    /// the spreads of what it added, painted instead with [`ShowAdded`].
    pub added: Option<(f32, Vec<u8>)>,
    /// Whether the board's painted columns show what its station added.
    pub added_shown: bool,
}

/// The boards of the stations that add to each word's numbers (the stamp, the merges, the pattern
/// machines) show what they added instead of the numbers after it: a switch in the drawer, off
/// by default. The other boards are as they were.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ShowAdded(pub bool);

/// The FFN's neuron lamps for one layer: `n_inner` cells, lit by the selected token's GELU outputs.
#[derive(Component, Debug, Clone)]
pub struct LampWall {
    /// Layer.
    pub layer: usize,
    /// Index of its station.
    pub station: usize,
    /// Its texture: `cols × rows` cells, neuron `i` at (i % cols, i / cols).
    pub image: Handle<Image>,
    /// Cells per row.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
    /// Token whose activations are shown now, if any.
    pub shown: Option<usize>,
    /// Colour scale.
    pub scale: f32,
    /// Size in world units (width, height).
    pub size: Vec2,
    /// What the backward view lit on it (`backward::Backward::key`), if it did.
    pub backward: Option<(usize, bool)>,
}

/// The logit-lens sign at a layer's exit: what the model would guess if it stopped there.
#[derive(Component, Debug, Clone, Copy)]
pub struct LensSign {
    /// The layer.
    pub layer: usize,
    /// Index of its station (the layer's FFN machine) in the layout.
    pub station: usize,
}

/// The plaque over the shipping dock's podium: the most likely next word (and the one drawn), once
/// the crates reach the dock.
#[derive(Component, Debug, Clone, Copy)]
pub struct WinnerPlaque;

/// A station's grouping node (its index along the hall): its machine, sign, board and the rest
/// are its children.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct StationNode(pub usize);

/// Signs that say alike of neighbouring stations (the booths of one layer: the number of that
/// layer): of a group only the nearest sign is drawn; the head plates name the others. Two booth
/// signs stacked over the cabins hid a head plate in every review of the booth view.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignGroup(pub usize);

/// One probability bar at the shipping dock; its rank among the candidates.
#[derive(Component, Debug, Clone, Copy)]
pub struct ProbBar(pub usize);

/// A line of the bar chart's scale behind the shipping dock's bars: k × 10 %.
#[derive(Component, Debug, Clone, Copy)]
pub struct ChartLine(pub usize);

/// The dark board behind the shipping dock's bars, as tall as the scale's lines shown: the bars
/// read as a chart in front of it (from the home view's height, without it, as posts).
#[derive(Component, Debug, Clone, Copy)]
pub struct ChartBoard;

/// The conveyor belt's slats (one mesh): they slide down the hall by up to one gap and back, so the
/// belt is seen to move while the crates ride. The number is how many slats there are.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct BeltSlat(pub usize);

/// Text drawn at an entity's position by the overlay.
#[derive(Component, Debug, Clone)]
pub struct WorldLabel {
    /// The text.
    pub text: String,
    /// Size at a distance of 20 units, in points.
    pub size: f32,
    /// Offset above the entity.
    pub lift: f32,
    /// Importance when labels compete for room on screen (× their size): signs 3, the lens and the
    /// probability bars 2, token crates 1.
    pub weight: f32,
}

impl WorldLabel {
    /// The weight of a sign (a station's or a room's): drawn on a dark plaque, its first line the
    /// name and the rest in smaller type, whole or not at all.
    pub const SIGN: f32 = 3.0;

    /// Whether the label is a sign (see [`WorldLabel::SIGN`]).
    pub fn is_sign(&self) -> bool {
        self.weight >= Self::SIGN
    }
}

/// A label whose text follows the language (station and room signs): how to write it in any
/// language.
/// When the language changes, its [`WorldLabel`]'s text is written again in the new one.
#[derive(Component)]
pub struct Localized(Box<dyn Fn(Lang) -> String + Send + Sync>);

impl Localized {
    /// A label written by `text`.
    pub fn new(text: impl Fn(Lang) -> String + Send + Sync + 'static) -> Self {
        Localized(Box::new(text))
    }

    /// Its text in `l`.
    pub fn text(&self, l: Lang) -> String {
        (self.0)(l)
    }
}

/// The layout of the floor now standing.
#[derive(Resource, Debug, Clone)]
pub struct CurrentLayout(pub Layout);

/// The floor version the scene was built from.
#[derive(Resource, Debug, Default)]
pub(crate) struct Built(pub(crate) Option<u64>);

/// A switch in the hall: a click switches its part of the model off or on again (a head at its
/// booth, the FFN at its machine); green while the part runs, red while it is off.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switch(pub crate::model::Ablation);

/// The knob at a switch's lever's end (a child of the lever): pointing at it or clicking it is
/// pointing at or clicking the switch.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SwitchKnob(pub crate::model::Ablation);

impl SwitchKnob {
    /// The part a switch or its knob switches: `(switch, knob)` as a query's `AnyOf` gives them.
    pub fn part(found: (Option<&Switch>, Option<&SwitchKnob>)) -> Option<crate::model::Ablation> {
        found.0.map(|s| s.0).or(found.1.map(|k| k.0))
    }
}

/// The gauge along the top of token `.0`'s crate (a bar, never a door: seen from every station
/// view): filled from one end by the token's surprise, full at ln(vocabulary), the surprise of a
/// blind guess; hidden while unknown and for the first token.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurpriseGauge(pub usize);

/// The empty slot behind a crate's surprise gauge, shown with it.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GaugeSlot(pub usize);

/// Length of a full surprise gauge (the crate is 0.9 long).
pub const GAUGE_LENGTH: f32 = 0.8;

/// One of a norm gate's spread bars: before the gate, token `t`'s stream coming in; after it, the
/// norm's output; each as tall as that vector's spread (standard deviation over its dimensions),
/// on one scale per gate, so the gate is seen to bring every token to one size.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct SpreadBar {
    /// The norm's board (what comes out).
    pub norm: BoardSource,
    /// The gate's station (the bar shows once its token's crate has reached it).
    pub station: usize,
    /// The token.
    pub t: usize,
    /// After the gate (the norm's output) or before it (the stream coming in).
    pub after: bool,
    /// The vector's spread.
    pub spread: f32,
}

/// The post at a booth's near side whose height is that head's direct part in the top guess's logit
/// (amber up for a push up, cyan for a push down; the tallest of the floor 3 units).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartBar {
    /// Layer.
    pub layer: usize,
    /// Head.
    pub head: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `station` undoes `for_station` for every station that shows a board, in every layer.
    #[test]
    fn a_board_names_the_station_that_shows_it() {
        let layout = super::super::layout::Layout::new(
            super::super::layout::Shape {
                n_layer: 3,
                n_head: 2,
            },
            4,
        );
        let mut boards = 0;
        for s in &layout.stations {
            if let Some(b) = BoardSource::for_station(s.kind) {
                assert_eq!(b.station(), s.kind, "{b:?}");
                boards += 1;
            }
        }
        // press, stamp, final norm, and per layer two norms, the merge and the FFN
        assert_eq!(boards, 3 + 4 * 3);
    }
}
