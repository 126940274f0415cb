//! Where labels go on screen: each wants a rectangle, the more important first, none covering
//! another; a sign slid sideways into the view; the winner's plaque hung to the side of its bar
//! away from the other bars (whose labels it would otherwise cover).

use bevy::math::{Rect, Vec2};

/// Space kept free around each placed label (points).
const MARGIN: f32 = 2.0;
/// How far past the thing it names a plaque hung aside reaches (points), its tether still on it.
const HOOK: f32 = 24.0;

/// A label that wants a place on screen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The screen rectangle it would cover.
    pub rect: Rect,
    /// Higher goes first.
    pub priority: f32,
    /// Points kept free between it and a kept candidate that also keeps a gap (the stations'
    /// signs, [`SIGN_GAP`]); against any other only the margin every label keeps.
    pub gap: f32,
}

/// The labels to draw: highest priority first (ties: the earlier), each kept only where it covers
/// none already kept, nor comes nearer than the larger of their gaps to one that keeps a gap too.
/// Returns their indices in `candidates`, in drawing order. (A sign left out for crowding keeps
/// nothing else out: a crate's label beside it is placed.)
pub fn place(candidates: &[Candidate]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by(|&a, &b| {
        candidates[b]
            .priority
            .total_cmp(&candidates[a].priority)
            .then(a.cmp(&b))
    });
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        let c = candidates[i];
        let clear = |k: &usize| {
            let other = candidates[*k];
            let m = if c.gap > 0.0 && other.gap > 0.0 {
                c.gap.max(other.gap)
            } else {
                MARGIN
            };
            let grown = Rect::from_corners(c.rect.min - m, c.rect.max + m);
            grown.intersect(other.rect).is_empty()
        };
        if kept.iter().all(clear) {
            kept.push(i);
        }
    }
    kept
}

/// The gap kept between two stations' signs' plaques (points): two signs nearer than this read as
/// one crowded board ("2 · Embedding press" under "3 · Position stamp", a reviewer said).
pub const SIGN_GAP: f32 = 160.0;

/// A sign's plaque kept off the floating boxes (`avoid`: the sentence banner, the hall map) and
/// inside `free`: `rect` as it is when that holds, else moved just right of or just below a box it
/// would cover, where that holds (a norm gate's sign over the banner's end was dropped, and the
/// gate went unnamed); none when neither does.
pub fn clear_of(rect: Rect, avoid: &[Rect], free: Rect) -> Option<Rect> {
    let clear = |r: Rect| {
        avoid.iter().all(|a| a.intersect(r).is_empty())
            && free.contains(r.min)
            && free.contains(r.max)
    };
    if clear(rect) {
        return Some(rect);
    }
    let shifted = |d: Vec2| Rect::from_corners(rect.min + d, rect.max + d);
    (avoid.iter())
        .filter(|a| !a.intersect(rect).is_empty())
        .flat_map(|a| {
            let gap = 2.0 * MARGIN;
            [
                shifted(Vec2::new(a.max.x + gap - rect.min.x, 0.0)),
                shifted(Vec2::new(0.0, a.max.y + gap - rect.min.y)),
            ]
        })
        .find(|&r| clear(r))
}

/// `rect` moved sideways to lie between `left` and `right` (its left edge wins when it is wider).
pub fn fit_across(rect: Rect, left: f32, right: f32) -> Rect {
    let over = (rect.max.x - right).max(0.0);
    let dx = (left - (rect.min.x - over)).max(0.0) - over;
    Rect::new(rect.min.x + dx, rect.min.y, rect.max.x + dx, rect.max.y)
}

/// `plaque` hung beside the point `at` on the side away from `others` (where the other labels of
/// its row stand, x on screen), then kept between `left` and `right`: over `at` by [`HOOK`].
pub fn aside(plaque: Rect, at: Vec2, others: f32, (left, right): (f32, f32)) -> Rect {
    let w = plaque.width();
    let x = if others > at.x {
        at.x + HOOK - w
    } else {
        at.x - HOOK
    };
    fit_across(Rect::new(x, plaque.min.y, x + w, plaque.max.y), left, right)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_keeps_off_the_banner_by_moving_right_or_below_it() {
        let free = Rect::new(0.0, 40.0, 1280.0, 720.0);
        let banner = Rect::new(20.0, 50.0, 800.0, 130.0);
        let clear = Rect::new(900.0, 200.0, 1100.0, 240.0);
        assert_eq!(
            clear_of(clear, &[banner], free),
            Some(clear),
            "already clear: kept"
        );
        // over the banner's right end: just right of it
        let r = clear_of(Rect::new(700.0, 100.0, 900.0, 140.0), &[banner], free).unwrap();
        assert!(r.min.x > banner.max.x && r.min.y == 100.0, "{r:?}");
        // too wide to go right of it: just below it
        let wide = Rect::new(300.0, 60.0, 1000.0, 100.0);
        let r = clear_of(wide, &[banner], free).unwrap();
        assert!(r.min.y > banner.max.y && r.min.x == 300.0, "{r:?}");
        // no room either way
        let tall = Rect::new(300.0, 60.0, 1000.0, 700.0);
        assert_eq!(clear_of(tall, &[banner], free), None);
    }

    fn cand(x: f32, y: f32, w: f32, priority: f32) -> Candidate {
        Candidate {
            rect: Rect::new(x, y, x + w, y + 10.0),
            priority,
            gap: 0.0,
        }
    }

    #[test]
    fn signs_at_the_edge_slide_into_the_view() {
        let r = |a: f32, b: f32| Rect::new(a, 0.0, b, 10.0);
        assert_eq!(
            fit_across(r(10.0, 50.0), 0.0, 100.0),
            r(10.0, 50.0),
            "inside: stays"
        );
        assert_eq!(
            fit_across(r(80.0, 120.0), 0.0, 100.0),
            r(60.0, 100.0),
            "past the right"
        );
        assert_eq!(
            fit_across(r(-15.0, 25.0), 0.0, 100.0),
            r(0.0, 40.0),
            "past the left"
        );
        assert_eq!(
            fit_across(r(-10.0, 150.0), 0.0, 100.0),
            r(0.0, 160.0),
            "too wide"
        );
    }

    #[test]
    fn overlapping_labels_yield_to_the_more_important() {
        let c = [
            cand(0.0, 0.0, 50.0, 1.0),
            cand(40.0, 5.0, 50.0, 5.0),  // covers the first, matters more
            cand(200.0, 0.0, 50.0, 0.5), // alone
            cand(60.0, 0.0, 10.0, 9.0),  // inside the second, matters most
        ];
        // the fourth goes first and pushes out the second; the first, which only the second
        // covered, stays
        assert_eq!(place(&c), vec![3, 0, 2]);
        let apart = [cand(0.0, 0.0, 10.0, 1.0), cand(0.0, 20.0, 10.0, 1.0)];
        assert_eq!(place(&apart), vec![0, 1]);
    }

    #[test]
    fn the_winners_plaque_hangs_away_from_the_other_bars() {
        let plaque = Rect::new(100.0, 10.0, 300.0, 50.0); // centred over its bar at 200
        let bar = Vec2::new(200.0, 80.0);
        // the other bars to the right: the plaque reaches left, over its bar by HOOK
        let left = aside(plaque, bar, 500.0, (0.0, 1000.0));
        assert_eq!((left.min.x, left.max.x), (24.0, 224.0));
        // to the left: it reaches right
        let right = aside(plaque, bar, 10.0, (0.0, 1000.0));
        assert_eq!((right.min.x, right.max.x), (176.0, 376.0));
        // no room on that side: slid back into the view
        let tight = aside(plaque, Vec2::new(50.0, 80.0), 500.0, (0.0, 1000.0));
        assert_eq!((tight.min.x, tight.max.x), (0.0, 200.0));
        assert_eq!((left.min.y, left.max.y), (10.0, 50.0), "only sideways");
    }

    #[test]
    fn a_sign_too_near_a_kept_sign_is_dropped_and_keeps_nothing_out() {
        let sign = |x: f32, priority: f32| Candidate {
            rect: Rect::new(x, 0.0, x + 100.0, 40.0),
            priority,
            gap: SIGN_GAP,
        };
        let cands = [
            sign(0.0, 9.0),
            sign(200.0, 8.0),
            sign(330.0, 7.0),
            // a crate's label overlapping only the second sign, less important than it
            cand(250.0, 35.0, 40.0, 1.0),
            // and one beside the first sign, nearer than the gap (labels keep only the margin)
            cand(103.0, 0.0, 20.0, 1.0),
        ];
        // the second sign is 100 points from the first: dropped; the third 230 from it: kept;
        // the crate's label it covered is placed; the one beside the first sign too
        assert_eq!(place(&cands), vec![0, 2, 3, 4]);
    }
}
