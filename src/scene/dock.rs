//! The shipping dock: a bar per candidate next token, sized by its probability after the
//! sampling settings, shown once the crates arrive; and at each booth a bar for that head's direct
//! part in the top candidate's logit.

use bevy::prelude::*;

use super::kit::Kit;
use super::parts::{
    ChartBoard, ChartLine, CurrentLayout, LensSign, PartBar, ProbBar, WinnerPlaque, WorldLabel,
};
use crate::i18n::Lang;
use crate::playback::attribution::HeadAttribution;
use crate::playback::{Dock, Floor, Playback, SHOWN_CANDIDATES};
use crate::tr;

/// The chart's scale lines.
type ChartLines<'w, 's> =
    Query<'w, 's, (&'static ChartLine, &'static mut Visibility), Without<ProbBar>>;
/// The board behind them.
type ChartBoards<'w, 's> = Query<
    'w,
    's,
    (&'static mut Transform, &'static mut Visibility),
    (With<ChartBoard>, Without<ProbBar>, Without<ChartLine>),
>;

/// What the bars show: the floor, whether the crates reached the dock, whether the sampled crate
/// rides back, and the token it took.
type BarsKey = (u64, bool, bool, Option<u32>);

/// A probability bar's height at 100 %, world units.
pub const BAR_FULL: f32 = 12.0;
/// A bar's width and depth, world units (thin: a bar chart, not a row of boxes).
pub const BAR_WIDTH: f32 = 0.3;
/// How far the bars stand beyond the dock's station, along the hall.
pub const BAR_X: f32 = 5.5;
/// The distance between neighbouring bars, across the hall.
const BAR_SPACING: f32 = 1.6;

/// Where the bar of `rank` stands across the hall (the ranks centred on the belt).
pub fn bar_z(rank: usize) -> f32 {
    (rank as f32 - (SHOWN_CANDIDATES as f32 - 1.0) / 2.0) * BAR_SPACING
}

/// How far over the tallest bar's top the winner's plaque stands: above that bar's own label
/// (word and share), so both are drawn (over the label, the plaque covered it and was moved
/// aside, and the tallest bar was the one without its word: fresh reviewers asked for it).
const PLAQUE_OVER: f32 = 2.2;

/// The winner's plaque's height while no bar stands under it.
pub const PLAQUE_REST: f32 = 3.4;

/// A bar's height for probability `p`.
fn bar_height(p: f32) -> f32 {
    0.05 + BAR_FULL * p
}

/// The bar the winner's plaque stands over and names: the tallest once the crates reached the
/// dock (the bars stand only then); none before or while the drawn word rides back.
fn plaque_rank(dock: &Dock, reached: bool) -> Option<usize> {
    (reached && !dock.candidates.is_empty()).then_some(0)
}

/// Sizes the probability bars and labels them; shown once the crates reach the dock. Runs its
/// work only when the candidates, the floor or the clock's side of the dock changed.
#[allow(clippy::type_complexity)]
pub(crate) fn update_bars(
    (floor, playback, dock): (Res<Floor>, Res<Playback>, Res<Dock>),
    layout: Option<Res<CurrentLayout>>,
    kit: Option<Res<Kit>>,
    mut shown: Local<Option<BarsKey>>,
    mut bars: Query<(
        &ProbBar,
        &mut Transform,
        &mut Visibility,
        &mut WorldLabel,
        &mut MeshMaterial3d<StandardMaterial>,
    )>,
    mut lines: ChartLines,
    mut board: ChartBoards,
) {
    let (Some(layout), Some(kit)) = (layout, kit) else {
        return;
    };
    let last = (layout.0.stations.len() - 1) as f32;
    let reached = playback.progress >= last;
    let chosen = floor.last_sample.as_ref().map(|s| s.0);
    let key = (floor.version, reached, playback.progress < 0.0, chosen);
    // (a floor built again, e.g. in a new language, has its bars hidden: they are set again)
    if *shown == Some(key) && !dock.is_changed() && !layout.is_changed() {
        return;
    }
    *shown = Some(key);
    let drawn = chosen.filter(|_| playback.progress < 0.0);
    for (bar, mut t, mut vis, mut label, mut mat) in &mut bars {
        match dock.candidates.get(bar.0).filter(|_| reached) {
            Some(c) => {
                // a bar chart: the height is the probability (BAR_FULL units = 100 %)
                let height = bar_height(c.prob);
                t.scale.y = height;
                t.translation.y = height / 2.0;
                *vis = Visibility::Inherited;
                // (the tallest bar's label stands under the winner's plaque, PLAQUE_OVER)
                label.text = format!("{}\n{:.1}%", word_at(&dock, bar.0), c.prob * 100.0);
                label.lift = height / 2.0 + 0.8;
                let want = if Some(c.id) == drawn {
                    &kit.bar_chosen
                } else {
                    &kit.bar
                };
                if &mat.0 != want {
                    mat.0 = want.clone();
                }
            }
            None => {
                *vis = Visibility::Hidden;
                label.text.clear();
            }
        }
    }
    // the scale's lines up to the first 10 % above the tallest bar, on the board
    let top = dock.candidates.first().filter(|_| reached).map(|c| c.prob);
    size_the_scale(top, &mut lines, &mut board);
}

/// The chart's scale for a tallest bar of probability `top` (none: the bars are down): its lines
/// up to the first 10 % above it, and the board behind them as tall.
fn size_the_scale(top: Option<f32>, lines: &mut ChartLines, board: &mut ChartBoards) {
    let mut highest = 0;
    for (line, mut vis) in lines.iter_mut() {
        let on = top.is_some_and(|p| line.0 as f32 / 10.0 < p + 0.1);
        if on {
            highest = highest.max(line.0);
        }
        vis.set_if_neq(if on {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        });
    }
    let height = BAR_FULL * highest as f32 / 10.0 + 0.3;
    for (mut t, mut vis) in board.iter_mut() {
        (t.scale.y, t.translation.y) = (height, height / 2.0);
        vis.set_if_neq(if top.is_some() {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        });
    }
}

/// The word of candidate `i` as a visitor reads it (no space mark; "_" for a blank piece).
fn word_at(dock: &Dock, i: usize) -> String {
    let w = dock
        .labels
        .get(i)
        .map_or("", |w| w.trim_start_matches('\u{b7}'));
    if w.is_empty() {
        "_".to_string()
    } else {
        w.to_string()
    }
}

/// What the winner's plaque says depends on: the floor, whether the crates reached the dock, the
/// token drawn (while it rides back), the language.
type PlaqueKey = (u64, bool, Option<u32>, Lang);

/// Writes the winner's plaque when the dock's candidates, the crates' arrival or the drawn token
/// change (only a changed text is written).
pub(crate) fn update_winner_plaque(
    floor: Res<Floor>,
    playback: Res<Playback>,
    dock: Res<Dock>,
    layout: Option<Res<CurrentLayout>>,
    lang: Res<Lang>,
    mut shown: Local<Option<PlaqueKey>>,
    mut plaques: Query<(&mut WorldLabel, &mut Transform), With<WinnerPlaque>>,
) {
    let Some(layout) = layout else { return };
    let reached = playback.progress >= (layout.0.stations.len() - 1) as f32;
    let drawn = floor
        .last_sample
        .as_ref()
        .map(|s| s.0)
        .filter(|_| playback.progress < 0.0);
    // (a moving crate marks the playback changed every frame: only what the plaque says counts)
    let key = (floor.version, reached, drawn, *lang);
    let fresh = dock.is_changed() || layout.is_changed();
    if *shown == Some(key) && !fresh {
        return;
    }
    *shown = Some(key);
    let text = winner_text(&dock, reached, drawn, *lang);
    // over the bar it names, above that bar's label (PLAQUE_OVER); while the drawn word rides
    // back (the bars are down) where it stood at first
    let over = plaque_rank(&dock, reached)
        .map(|i| (bar_z(i), bar_height(dock.candidates[i].prob) + PLAQUE_OVER))
        .unwrap_or((bar_z(0), PLAQUE_REST));
    for (mut plaque, mut t) in &mut plaques {
        if plaque.text != text {
            plaque.text = text.clone();
        }
        let (z, y) = over;
        if t.translation.z != z || t.translation.y != y {
            t.translation.z = z;
            t.translation.y = y;
        }
    }
}

/// The winner's plaque: the most likely next word and its probability once the crates reach the
/// dock (the tallest bar), or the word drawn while it rides back; empty before.
fn winner_text(dock: &Dock, reached: bool, drawn: Option<u32>, l: Lang) -> String {
    if let Some(i) = drawn.and_then(|id| dock.candidates.iter().position(|c| c.id == id)) {
        return format!(
            "{}\n{}",
            tr!(l, "dock-drawn", word = word_at(dock, i)),
            tr!(l, "dock-drawn-does")
        );
    }
    let Some(i) = plaque_rank(dock, reached) else {
        return String::new();
    };
    format!(
        "{}\n{}",
        tr!(l, "dock-winner", word = word_at(dock, i)),
        tr!(
            l,
            "dock-winner-does",
            p = format!("{:.1}", dock.candidates[i].prob * 100.0)
        )
    )
}

/// Writes each layer's logit lens on its sign once the riding crates have passed that layer (the
/// raw guesses at temperature 1, labelled so, unlike the bars' sampled probabilities).
pub(crate) fn update_lens_signs(
    floor: Res<Floor>,
    playback: Res<Playback>,
    dock: Res<Dock>,
    lang: Res<Lang>,
    mut signs: Query<(&LensSign, &mut WorldLabel)>,
) {
    let l = *lang;
    for (sign, mut label) in &mut signs {
        let passed = playback.revealed_columns(&floor, sign.station) == floor.history.len();
        let want = match dock.lens.get(sign.layer).filter(|_| passed) {
            Some(line) => format!("{}\n{line}", tr!(l, "lens-sign", layer = sign.layer)),
            None => String::new(),
        };
        if label.text != want {
            label.text = want;
        }
    }
}

/// The tallest head's part bar, world units.
pub(crate) const PART_HEIGHT: f32 = 3.0;

/// Raises each booth's part bar to its head's direct part in the top guess's logit, once it is
/// computed for the floor standing; hidden until then.
#[allow(clippy::type_complexity)]
pub(crate) fn update_part_bars(
    (floor, dock, lang): (Res<Floor>, Res<Dock>, Res<Lang>),
    (attribution, engine): (Res<HeadAttribution>, Option<Res<crate::inference::Engine>>),
    kit: Option<Res<Kit>>,
    mut bars: Query<(
        &PartBar,
        &mut Transform,
        &mut Visibility,
        &mut MeshMaterial3d<StandardMaterial>,
        &mut WorldLabel,
    )>,
    (added, mut written_in): (Query<(), Added<PartBar>>, Local<Option<Lang>>),
) {
    let Some(kit) = kit else { return };
    // (the language by value: the panels mark it changed every frame)
    let fresh = attribution.is_changed() || floor.is_changed() || dock.is_changed();
    if !fresh && *written_in == Some(*lang) && added.is_empty() {
        return;
    }
    *written_in = Some(*lang);
    let parts = attribution.of(&floor);
    // the word the parts are toward (the top candidate's), as the bars' labels name it
    let word = parts.map_or(String::new(), |a| {
        match dock.candidates.iter().position(|c| c.id == a.token) {
            Some(i) => word_at(&dock, i),
            // cut by the temperature, top-k or top-p: the model's own piece of text
            None => engine.as_ref().map_or(format!("#{}", a.token), |e| {
                e.0.tokenizer.token_text(a.token).trim().to_string()
            }),
        }
    });
    let largest = parts.map_or(0.0, |a| {
        a.heads.iter().flatten().fold(0.0f32, |m, p| m.max(p.abs()))
    });
    for (bar, mut t, mut vis, mut mat, mut label) in &mut bars {
        let part = parts
            .and_then(|a| a.heads.get(bar.layer)?.get(bar.head).copied())
            .filter(|_| largest > 0.0);
        let Some(part) = part else {
            vis.set_if_neq(Visibility::Hidden);
            continue;
        };
        let h = (part.abs() / largest * PART_HEIGHT).max(0.15);
        if t.scale.y != h || t.translation.y != h / 2.0 {
            t.scale.y = h;
            t.translation.y = h / 2.0;
        }
        // the label rides on the bar's top (lift is above the entity's centre)
        let text = tr!(
            *lang,
            "part-bar",
            part = format!("{part:+.3}"),
            word = word.clone()
        );
        if label.text != text || label.lift != h / 2.0 + 0.3 {
            label.text = text;
            label.lift = h / 2.0 + 0.3;
        }
        vis.set_if_neq(Visibility::Inherited);
        let want = if part >= 0.0 {
            &kit.bar
        } else {
            &kit.part_negative
        };
        if &mat.0 != want {
            mat.0 = want.clone();
        }
    }
}
