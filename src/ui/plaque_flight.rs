//! The winning word's moment (issue 23): when the word drawn at the shipping dock joins the
//! sentence, a copy of it on the winner's plaque flies from where the plaque stood on screen into
//! its place at the end of the sentence banner, and lands there lit. On the factory's clock, so a
//! recording repeats it exactly; only when the plaque was on screen (from elsewhere in the hall
//! the banner just lights the new word).

use bevy_egui::egui;

pub use super::labels::PlaqueSeen;
use super::signs::{PLAQUE, PLAQUE_EDGE, SIGN_TEXT};

/// Seconds a flight takes.
pub const FLY_SECONDS: f32 = 1.2;
/// A plaque drawn this recently (seconds) when the word joins the sentence sets off a flight.
const SEEN_WITHIN: f32 = 0.5;
/// The flying word's size at the start (points), as the plaque's name line at about its size.
const START_SIZE: f32 = 34.0;

/// One word on its way: from `from` (the plaque, points) to the banner, starting at `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct Flight {
    /// The word.
    pub word: String,
    /// Where it leaves (the plaque's centre).
    pub from: egui::Pos2,
    /// When it left (the clock's seconds).
    pub start: f32,
}

impl Flight {
    /// A flight of `word` set off at `now` if the plaque was on screen just before.
    pub fn set_off(seen: &PlaqueSeen, word: &str, now: f32) -> Option<Flight> {
        let (rect, at) = seen.0?;
        (now - at <= SEEN_WITHIN && !word.trim().is_empty()).then(|| Flight {
            word: word.trim().to_string(),
            from: rect.center(),
            start: now,
        })
    }

    /// How far along (0 at the plaque, 1 landed), eased; none once landed.
    pub fn progress(&self, now: f32) -> Option<f32> {
        let t = (now - self.start) / FLY_SECONDS;
        (0.0..1.0).contains(&t).then_some(t * t * (3.0 - 2.0 * t))
    }

    /// Where the word's centre is and its size at eased progress `k`, landing at `to` with
    /// `size` (the banner's): a low arc up toward the banner.
    pub fn at(&self, k: f32, to: egui::Pos2, size: f32) -> (egui::Pos2, f32) {
        let straight = self.from + (to - self.from) * k;
        let lift = -60.0 * (std::f32::consts::PI * k).sin();
        (
            straight + egui::vec2(0.0, lift),
            START_SIZE + (size - START_SIZE) * k,
        )
    }
}

/// Where a flight lands: the centre of the newest piece (`newest`, as the banner writes it, but its
/// leading space, which a wrap leaves on the row above) at the end of the banner's text
/// (`galley`, drawn in `shown`).
pub fn landing(galley: &egui::Galley, shown: egui::Rect, newest: Option<&String>) -> egui::Pos2 {
    let chars = newest.map_or(0, |t| t.replace('\n', " ¶ ").trim_start().chars().count());
    let end = galley.end();
    let begin = egui::text::CCursor::new(end.index.saturating_sub(chars));
    let word = galley
        .pos_from_cursor(begin)
        .union(galley.pos_from_cursor(end));
    shown.min + word.center().to_vec2()
}

/// Draws `flight` at `now`, on its way to `to` (the newest word's centre in the banner) at the
/// banner's `size`, over everything else.
pub fn draw(ctx: &egui::Context, flight: &Flight, now: f32, to: egui::Pos2, size: f32) {
    let Some(k) = flight.progress(now) else {
        return;
    };
    let (centre, size) = flight.at(k, to, size);
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::new("plaque-flight"),
    ));
    let galley = painter.layout_no_wrap(
        flight.word.clone(),
        egui::FontId::proportional(size),
        SIGN_TEXT,
    );
    let pad = egui::vec2(10.0, 4.0);
    let rect = egui::Rect::from_center_size(centre, galley.size() + pad * 2.0);
    let edge = egui::Stroke::new(1.5, PLAQUE_EDGE);
    painter.rect(rect, 6.0, PLAQUE, edge, egui::StrokeKind::Inside);
    painter.galley(rect.min + pad, galley, SIGN_TEXT);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_flies_from_the_plaque_to_the_banner_and_lands() {
        let plaque = egui::Rect::from_min_size(egui::pos2(600.0, 400.0), egui::vec2(200.0, 60.0));
        let seen = PlaqueSeen(Some((plaque, 10.0)));
        // the plaque long gone from the screen: no flight
        assert_eq!(Flight::set_off(&seen, " door", 11.0), None);
        let f = Flight::set_off(&seen, " door", 10.2).unwrap();
        assert_eq!(f.word, "door");
        let to = egui::pos2(300.0, 40.0);
        let (p0, s0) = f.at(f.progress(10.2).unwrap(), to, 26.0);
        assert!(p0.distance(plaque.center()) < 1e-3 && (s0 - START_SIZE).abs() < 1e-3);
        let mid = f
            .at(f.progress(10.2 + FLY_SECONDS / 2.0).unwrap(), to, 26.0)
            .0;
        assert!(mid.y < (plaque.center().y + to.y) / 2.0, "an arc upward");
        let late = f.at(f.progress(10.2 + FLY_SECONDS * 0.999).unwrap(), to, 26.0);
        assert!(late.0.distance(to) < 1.0 && (late.1 - 26.0).abs() < 0.1);
        assert_eq!(f.progress(10.2 + FLY_SECONDS + 0.01), None, "landed");
    }
}
