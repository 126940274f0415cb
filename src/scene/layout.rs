//! Where everything stands: a pure function from the model's shape and the token count to positions.
//!
//! The factory is a long hall. Token crates ride along +x through the stations in the order the model
//! computes; the tokens of a prompt stand side by side across z, one lane each. Up is +y.

use bevy::math::Vec3;

use crate::i18n::Lang;
use crate::tr;

/// One kind of place in the factory. Tour files name stations with these variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize)]
pub enum StationKind {
    /// Text becomes token crates.
    Dock,
    /// Each id looks up its row of `wte`.
    Embedding,
    /// The row of `wpe` for each position is added.
    Position,
    /// LayerNorm before attention (ln_1).
    NormAttn(usize),
    /// One attention head of one layer.
    Booth(usize, usize),
    /// Heads concatenated, projected and added to the residual stream.
    Merge(usize),
    /// LayerNorm before the FFN (ln_2).
    NormFfn(usize),
    /// Expand, GELU, contract; added to the residual stream.
    Ffn(usize),
    /// The last LayerNorm (ln_f).
    FinalNorm,
    /// Logits, softmax, sampling.
    Shipping,
}

impl StationKind {
    /// The layer this station belongs to, if any.
    pub fn layer(self) -> Option<usize> {
        match self {
            StationKind::NormAttn(l)
            | StationKind::Booth(l, _)
            | StationKind::Merge(l)
            | StationKind::NormFfn(l)
            | StationKind::Ffn(l) => Some(l),
            _ => None,
        }
    }

    /// The sign over the station, in `lang`: its name and what happens there.
    pub fn title(self, lang: Lang) -> String {
        match self {
            StationKind::Dock => lang.t("station-dock"),
            StationKind::Embedding => lang.t("station-embedding"),
            StationKind::Position => lang.t("station-position"),
            StationKind::NormAttn(l) => tr!(lang, "station-norm-attn", layer = l),
            StationKind::Booth(l, h) => tr!(lang, "station-booth", layer = l, head = h),
            StationKind::Merge(l) => tr!(lang, "station-merge", layer = l),
            StationKind::NormFfn(l) => tr!(lang, "station-norm-ffn", layer = l),
            StationKind::Ffn(l) => tr!(lang, "station-ffn", layer = l),
            StationKind::FinalNorm => lang.t("station-final-norm"),
            StationKind::Shipping => lang.t("station-shipping"),
        }
    }

    /// The station's sign in plain words: "`number` · name" on its first line, what it does on
    /// the second ("12 · Norm gate, layer 2" / "keeps the numbers in range").
    pub fn sign(self, lang: Lang, number: usize) -> String {
        let (name, does) = match self {
            StationKind::Dock => (lang.t("sign-dock"), lang.t("sign-dock-does")),
            StationKind::Embedding => (lang.t("sign-embedding"), lang.t("sign-embedding-does")),
            StationKind::Position => (lang.t("sign-position"), lang.t("sign-position-does")),
            StationKind::NormAttn(l) | StationKind::NormFfn(l) => {
                (tr!(lang, "sign-norm", layer = l), lang.t("sign-norm-does"))
            }
            StationKind::Booth(l, h) => (
                tr!(lang, "sign-booth", layer = l, head = h),
                lang.t("sign-booth-does"),
            ),
            StationKind::Merge(l) => (
                tr!(lang, "sign-merge", layer = l),
                lang.t("sign-merge-does"),
            ),
            StationKind::Ffn(l) => (tr!(lang, "sign-ffn", layer = l), lang.t("sign-ffn-does")),
            StationKind::FinalNorm => (lang.t("sign-final-norm"), lang.t("sign-final-norm-does")),
            StationKind::Shipping => (lang.t("sign-shipping"), lang.t("sign-shipping-does")),
        };
        format!("{number} \u{b7} {name}\n{does}")
    }

    /// A booth's sign with its head's role in general (over the model's held-out text) on a third
    /// line: "looks at the previous word: 0.83 of its attention", or "no one habit" (mixed).
    pub fn sign_with_role(
        self,
        lang: Lang,
        number: usize,
        role: &crate::model::heads::HeadRole,
    ) -> String {
        format!("{}\n{}", self.sign(lang, number), role_text(lang, role))
    }

    /// Length of the station along the hall.
    pub(crate) fn depth(self) -> f32 {
        match self {
            StationKind::Dock => 6.0,
            StationKind::Embedding | StationKind::Position => 5.0,
            StationKind::NormAttn(_) | StationKind::NormFfn(_) | StationKind::FinalNorm => 4.0,
            StationKind::Booth(..) => 5.0,
            StationKind::Merge(_) => 4.0,
            StationKind::Ffn(_) => 8.0,
            StationKind::Shipping => 12.0,
        }
    }
}

/// A head's role in general in words: "in general: looks at the previous word (0.83 of its
/// attention)", or "no one habit (where it looks depends on the words)" for a mixed head.
pub fn role_text(lang: Lang, role: &crate::model::heads::HeadRole) -> String {
    use crate::model::heads::Role;
    let score = format!("{:.2}", role.score());
    match role.role {
        Role::Previous => tr!(lang, "role-previous", score = score),
        Role::First => tr!(lang, "role-first", score = score),
        Role::Itself => tr!(lang, "role-self", score = score),
        Role::Induction => tr!(lang, "role-induction", score = score),
        Role::Local => tr!(lang, "role-local", score = score),
        Role::Mixed => tr!(lang, "role-mixed", score = score),
    }
}

/// A clear role in a word or two, for the marks under the all-heads thumbnails and on the layer
/// overview's windows; none for a mixed head (only clear roles are marked).
pub fn role_tag(lang: Lang, role: crate::model::heads::Role) -> Option<String> {
    use crate::model::heads::Role;
    Some(match role {
        Role::Previous => tr!(lang, "role-tag-previous"),
        Role::First => tr!(lang, "role-tag-first"),
        Role::Itself => tr!(lang, "role-tag-self"),
        Role::Induction => tr!(lang, "role-tag-induction"),
        Role::Local => tr!(lang, "role-tag-local"),
        Role::Mixed => return None,
    })
}

/// A station and where it stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Station {
    /// What happens here.
    pub kind: StationKind,
    /// Centre of the station along the hall.
    pub x: f32,
    /// Its length along the hall.
    pub depth: f32,
}

/// Model shape the layout depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Transformer blocks.
    pub n_layer: usize,
    /// Heads per block.
    pub n_head: usize,
}

/// Gap between consecutive stations.
pub const GAP: f32 = 2.0;
/// Extra gap before each layer.
pub const LAYER_GAP: f32 = 4.0;
/// Distance between token lanes.
pub const LANE: f32 = 1.5;
/// Length along the hall of the floor boards that show vectors.
pub const BOARD_DEPTH: f32 = 3.2;
/// The highest a beam's arc rises above its start.
pub const MAX_ARC: f32 = 8.0;
/// Height of the gate frames and signs.
pub const SIGN_HEIGHT: f32 = 3.6;

/// The longest side of any texture the factory makes: within every device's limits (WebGPU's
/// default is 8192, many integrated GPUs stop there too).
pub const MAX_TEXTURE_SIDE: usize = 4096;

/// Where lane `i` of `n` lies across the hall: the lanes centred on the belt, [`LANE`] apart.
pub fn lane_z(i: usize, n: usize) -> f32 {
    (i as f32 - (n as f32 - 1.0) / 2.0) * LANE
}

/// How a vector of `n` values is folded into a tile of cells when `tokens` lanes stand side by side
/// on one board: (cells across the lane, rows). Many lanes get narrower tiles, so the board's
/// texture (`tokens × across` wide) stays within [`MAX_TEXTURE_SIDE`].
pub fn tile(n: usize, tokens: usize) -> (usize, usize) {
    let mut across: usize = if n <= 256 { 8 } else { 16 };
    while across > 1 && tokens * across > MAX_TEXTURE_SIDE {
        across /= 2;
    }
    (across, n.div_ceil(across))
}

/// Station positions for a model shape and a number of tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Every station, in the order a token visits them.
    pub stations: Vec<Station>,
    /// Number of token lanes.
    pub n_tokens: usize,
    /// Shape it was made for.
    pub shape: Shape,
}

impl Layout {
    /// Lays out the hall.
    pub fn new(shape: Shape, n_tokens: usize) -> Self {
        let mut kinds = vec![
            StationKind::Dock,
            StationKind::Embedding,
            StationKind::Position,
        ];
        for l in 0..shape.n_layer {
            kinds.push(StationKind::NormAttn(l));
            kinds.extend((0..shape.n_head).map(|h| StationKind::Booth(l, h)));
            kinds.push(StationKind::Merge(l));
            kinds.push(StationKind::NormFfn(l));
            kinds.push(StationKind::Ffn(l));
        }
        kinds.push(StationKind::FinalNorm);
        kinds.push(StationKind::Shipping);
        let mut stations = Vec::with_capacity(kinds.len());
        let mut x = 0.0;
        for (i, kind) in kinds.into_iter().enumerate() {
            let depth = kind.depth();
            if i > 0 {
                x += GAP;
                if matches!(kind, StationKind::NormAttn(_)) {
                    x += LAYER_GAP;
                }
            }
            stations.push(Station {
                kind,
                x: x + depth / 2.0,
                depth,
            });
            x += depth;
        }
        Self {
            stations,
            n_tokens: n_tokens.max(1),
            shape,
        }
    }

    /// Lane of token `i` across the hall (centred on z = 0).
    pub fn token_z(&self, i: usize) -> f32 {
        lane_z(i, self.n_tokens)
    }

    /// Width of the token row.
    pub fn width(&self) -> f32 {
        self.n_tokens as f32 * LANE
    }

    /// Length of the hall.
    pub fn length(&self) -> f32 {
        self.stations.last().map_or(0.0, |s| s.x + s.depth / 2.0)
    }

    /// Index of a station.
    pub fn index_of(&self, kind: StationKind) -> Option<usize> {
        self.stations.iter().position(|s| s.kind == kind)
    }

    /// The station with this kind.
    pub fn station(&self, kind: StationKind) -> Option<&Station> {
        self.stations.iter().find(|s| s.kind == kind)
    }

    /// Position along the hall at fractional station progress `p` (0 = dock, last = shipping).
    pub fn x_at(&self, p: f32) -> f32 {
        let last = self.stations.len() - 1;
        let p = p.clamp(0.0, last as f32);
        let i = (p.floor() as usize).min(last);
        let f = p - i as f32;
        let a = self.stations[i].x;
        let b = self.stations[(i + 1).min(last)].x;
        a + (b - a) * f
    }

    /// Where the crate of token `i` is at progress `p`, resting on the belt.
    pub fn crate_position(&self, i: usize, p: f32) -> Vec3 {
        Vec3::new(self.x_at(p), 0.5, self.token_z(i))
    }

    /// Point on the arc a beam draws in booth (`layer`, `head`) from query lane `q` to key lane `k`,
    /// `t` in 0..=1. Arcs rise higher the farther apart the tokens are.
    pub fn beam_point(&self, booth_x: f32, q: usize, k: usize, t: f32) -> Vec3 {
        let (zq, zk) = (self.token_z(q), self.token_z(k));
        // capped, so that a long prompt's far-apart pairs draw long low arcs, not walls of light
        let height = (1.2 + 0.45 * (zq - zk).abs()).min(MAX_ARC);
        let z = zq + (zk - zq) * t;
        let y = 1.1 + height * 4.0 * t * (1.0 - t);
        Vec3::new(booth_x, y, z)
    }

    /// The stations that the number keys jump to: 1 dock, 2 embedding, 3 position, 4–9 the first
    /// norm gate of layers 0–5, 0 the shipping dock.
    pub fn hotkey_station(&self, digit: u8) -> Option<usize> {
        match digit {
            1 => self.index_of(StationKind::Dock),
            2 => self.index_of(StationKind::Embedding),
            3 => self.index_of(StationKind::Position),
            4..=9 => self.index_of(StationKind::NormAttn((digit - 4) as usize)),
            0 => self.index_of(StationKind::Shipping),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(n_layer: usize, n_head: usize) -> Shape {
        Shape { n_layer, n_head }
    }

    #[test]
    fn every_computation_has_one_station_in_order() {
        let l = Layout::new(shape(4, 4), 8);
        assert_eq!(l.stations.len(), 3 + 4 * (4 + 4) + 2);
        assert_eq!(l.stations[0].kind, StationKind::Dock);
        assert_eq!(l.stations.last().unwrap().kind, StationKind::Shipping);
        for layer in 0..4 {
            for head in 0..4 {
                assert!(l.index_of(StationKind::Booth(layer, head)).is_some());
            }
            let n = l.index_of(StationKind::NormAttn(layer)).unwrap();
            let f = l.index_of(StationKind::Ffn(layer)).unwrap();
            assert!(n < f);
        }
        // stations never overlap and run along +x
        for w in l.stations.windows(2) {
            assert!(w[0].x + w[0].depth / 2.0 + GAP <= w[1].x - w[1].depth / 2.0 + 1e-4);
        }
    }

    #[test]
    fn gpt2_small_fits_and_is_navigable() {
        let l = Layout::new(shape(12, 12), 64);
        assert_eq!(l.stations.len(), 3 + 12 * 16 + 2);
        assert!(l.length() < 2000.0, "{}", l.length());
        assert!(l.hotkey_station(9).is_some());
        assert_eq!(
            l.stations[l.hotkey_station(0).unwrap()].kind,
            StationKind::Shipping
        );
    }

    /// Every board texture stays within the limit for any model up to GPT-2 small's context, and
    /// holds every value of every token.
    #[test]
    fn board_textures_stay_within_device_limits() {
        for values in [128, 256, 768, 1024, 3072] {
            for tokens in [1, 7, 128, 600, 1024] {
                let (across, rows) = tile(values, tokens);
                assert!(
                    tokens * across <= MAX_TEXTURE_SIDE,
                    "{values} x {tokens}: wide"
                );
                assert!(rows <= MAX_TEXTURE_SIDE, "{values} x {tokens}: tall");
                assert!(
                    across * rows >= values,
                    "{values} x {tokens}: every value has a cell"
                );
            }
        }
        // a short prompt keeps the wide tiles
        assert_eq!(tile(768, 64), (16, 48));
    }

    #[test]
    fn lanes_are_centred_and_distinct() {
        let l = Layout::new(shape(1, 1), 5);
        assert_eq!(l.token_z(2), 0.0);
        assert_eq!(l.token_z(0), -l.token_z(4));
        assert!((l.token_z(1) - l.token_z(0) - LANE).abs() < 1e-6);
    }

    #[test]
    fn progress_interpolates_between_stations() {
        let l = Layout::new(shape(2, 2), 3);
        assert_eq!(l.x_at(0.0), l.stations[0].x);
        let mid = l.x_at(1.5);
        assert!((mid - (l.stations[1].x + l.stations[2].x) / 2.0).abs() < 1e-4);
        assert_eq!(l.x_at(1e9), l.stations.last().unwrap().x);
        assert_eq!(l.x_at(-3.0), l.stations[0].x);
    }

    #[test]
    fn beams_start_at_the_query_and_end_at_the_key() {
        let l = Layout::new(shape(1, 1), 6);
        let a = l.beam_point(10.0, 5, 1, 0.0);
        let b = l.beam_point(10.0, 5, 1, 1.0);
        assert!((a.z - l.token_z(5)).abs() < 1e-5 && (b.z - l.token_z(1)).abs() < 1e-5);
        assert!(l.beam_point(10.0, 5, 1, 0.5).y > a.y);
        // a long prompt's farthest pair still arcs no higher than the cap
        let long = Layout::new(shape(1, 1), 1000);
        let top = long.beam_point(10.0, 999, 0, 0.5).y;
        assert!(
            top <= 1.1 + MAX_ARC + 1e-4 && top > 1.1 + MAX_ARC - 1e-3,
            "{top}"
        );
    }
}
