//! The stations' signs: how one is written on its plaque (its name, what the station does), which
//! are drawn (the nearest few, one of a group), and how a sign beyond the nearest is drawn (its
//! name only, smaller), so the station in view is plain.

use bevy_egui::egui;

use crate::scene::WorldLabel;
use crate::scene::parts::SignGroup;

/// The smallest a sign is drawn (points): the overlay's smallest text (14 points: 14 pixels at
/// 720p, 21 at 1080p); its second line is [`SUBTITLE`] of its name, never under this.
pub const MIN_SIGN: f32 = 14.0;
/// A sign's second line, as a share of its first's size.
pub const SUBTITLE: f32 = 0.8;
/// At most this many signs at once: the nearest (the far hall stays unsigned, not cluttered).
pub const MAX_SIGNS: usize = 4;
/// Where signs stand among the labels competing for room: above every crate's and bar's label (a
/// sign's priority is this less its distance), below the selected crate's (1000 and more).
pub const SIGN_PRIORITY: f32 = 600.0;
/// The plaque's margin around a sign's text (points).
pub const PLAQUE_PAD: f32 = 6.0;

/// A sign's text laid out: its first line (the name) at `size`, the rest (what the station does)
/// at [`SUBTITLE`] of it in a softer colour.
pub fn sign_job(text: &str, size: f32) -> egui::text::LayoutJob {
    let (name, does) = text.split_once('\n').unwrap_or((text, ""));
    let mut job = egui::text::LayoutJob::default();
    let format = |size: f32, colour: egui::Color32| egui::TextFormat {
        font_id: egui::FontId::proportional(size),
        color: colour,
        ..Default::default()
    };
    job.append(name, 0.0, format(size, SIGN_TEXT));
    if !does.is_empty() {
        job.append("\n", 0.0, format(size, SIGN_TEXT));
        let small = (size * SUBTITLE).max(MIN_SIGN);
        job.append(does, 0.0, format(small, SIGN_SUBTITLE));
    }
    job
}

/// A sign's name, warm white on its plaque.
pub const SIGN_TEXT: egui::Color32 = egui::Color32::from_rgb(240, 236, 224);
/// A sign's second line.
pub const SIGN_SUBTITLE: egui::Color32 = egui::Color32::from_rgb(176, 184, 200);
/// The plaque behind a sign: near-black, a little see-through.
pub const PLAQUE: egui::Color32 = egui::Color32::from_rgba_premultiplied(9, 10, 14, 242);
/// The plaque's edge.
pub const PLAQUE_EDGE: egui::Color32 = egui::Color32::from_rgb(92, 100, 120);

/// The signs kept: the [`MAX_SIGNS`] nearest (by `distance`), of those given as
/// (index, distance, group), and of signs in one [`SignGroup`] only the nearest.
pub fn nearest_signs(mut signs: Vec<(usize, f32, Option<SignGroup>)>) -> Vec<usize> {
    signs.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mut groups = Vec::new();
    signs.retain(|(_, _, g)| match g {
        Some(g) if groups.contains(g) => false,
        Some(g) => {
            groups.push(*g);
            true
        }
        None => true,
    });
    signs.into_iter().take(MAX_SIGNS).map(|(i, ..)| i).collect()
}

/// A sign's size beside the nearest one's (see [`neighbour_sign`]).
pub const NEIGHBOUR_SIGN: f32 = 0.8;

/// A sign beyond the nearest as drawn: its first line (the station's number and name) at
/// [`NEIGHBOUR_SIGN`] of its size.
/// `distance`: from the eye; `largest`: the largest size a label is drawn at (points).
pub fn neighbour_sign(
    label: &WorldLabel,
    text: &str,
    (distance, largest): (f32, f32),
) -> (WorldLabel, String) {
    let name = text.lines().next().unwrap_or_default().to_string();
    // smaller than the nearest sign as drawn, after the largest size a label is drawn at (a near
    // neighbour at 0.8 of its size would still be drawn at that largest size)
    let drawn = (label.size * 20.0 / distance.max(1.0)).min(largest);
    let small = WorldLabel {
        text: name.clone(),
        size: drawn * NEIGHBOUR_SIGN * distance.max(1.0) / 20.0,
        ..label.clone()
    };
    (small, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_neighbours_sign_is_its_name_only_and_smaller() {
        let sign = WorldLabel {
            text: "9 · Merge, layer 0\nthe heads' findings are added to the belt".into(),
            size: 30.0,
            lift: 0.0,
            weight: WorldLabel::SIGN,
        };
        // far: 0.8 of its size
        let (small, name) = neighbour_sign(&sign, &sign.text, (40.0, 22.0));
        assert_eq!(name, "9 · Merge, layer 0");
        assert_eq!(small.text, name);
        assert!((small.size - 24.0).abs() < 1e-4 && small.is_sign());
        // near, where signs are drawn at the largest size: 0.8 of that
        let (small, _) = neighbour_sign(&sign, &sign.text, (10.0, 22.0));
        let drawn = small.size * 20.0 / 10.0;
        assert!((drawn - 0.8 * 22.0).abs() < 1e-3, "{drawn}");
    }

    /// Of one layer's booth signs only the nearest is kept (the head plates name the others), the
    /// rest of the nearest four as before.
    #[test]
    fn one_sign_of_a_group_and_the_nearest_four() {
        let layer0 = Some(SignGroup(0));
        let signs = vec![
            (0, 9.0, layer0),
            (1, 5.0, layer0),
            (2, 7.0, None),
            (3, 6.0, layer0),
            (4, 12.0, Some(SignGroup(1))),
            (5, 13.0, Some(SignGroup(1))),
            (6, 30.0, None),
            (7, 40.0, None),
        ];
        assert_eq!(nearest_signs(signs), vec![1, 2, 4, 6]);
    }
}
