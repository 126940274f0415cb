//! The pulses that travel along the lit attention beams, from the token read to the token
//! reading: which way attention carries what it reads (the beams themselves are `beams.rs`').
//! Drawn anew each frame (they move) with the app's virtual time, so a recording repeats exactly.

use bevy::prelude::*;

use super::beams::{Beams, DIMMED, compute_beams};
use super::layout::StationKind;
use super::palette;
use super::parts::CurrentLayout;
use crate::playback::Selection;
use crate::playback::history::Beam;
use crate::schedule::AppSet;

/// Drawing, for builds with a renderer (beside `beams::draw_plugin`).
pub(crate) fn draw_plugin(app: &mut App) {
    app.init_gizmo_group::<PulseGizmos>()
        .add_systems(Startup, set_pulse_width)
        .add_systems(
            Update,
            draw_pulses.in_set(AppSet::Draw).after(compute_beams),
        );
}

/// The pulses' line style (a gizmo group of their own, drawn anew each frame: they move).
#[derive(Default, Reflect, GizmoConfigGroup)]
pub struct PulseGizmos;

/// The pulses are arrowheads in thick lines.
fn set_pulse_width(mut store: ResMut<GizmoConfigStore>) {
    let (config, _) = store.config_mut::<PulseGizmos>();
    config.line.width = 6.0;
}

/// Seconds a pulse takes from the token read to the token reading.
pub const PULSE_PERIOD: f32 = 1.6;
/// Beams lighter than this carry no pulse (they are many and faint).
pub const PULSE_MIN_WEIGHT: f32 = 0.2;
/// At most this many pulses, the strongest beams' (a long prompt lights thousands of beams).
pub const MAX_PULSES: usize = 400;

/// Where on its arc a beam's pulse is at `seconds` (1 = at the key, the token read; 0 = at the
/// query, the token reading): it runs from the key to the query once per [`PULSE_PERIOD`], each
/// beam a little out of step with its neighbours so that a booth's pulses do not march in line.
pub fn pulse_position(seconds: f32, query: usize, key: usize) -> f32 {
    let offset = (query as f32 * 0.137 + key as f32 * 0.291).fract();
    1.0 - (seconds / PULSE_PERIOD + offset).fract()
}

/// Draws a bright arrowhead travelling along each strong lit beam, from the token read to the token
/// reading: which way attention carries what it reads (the other way while the backward pass is
/// shown: the gradient goes back from the reader to what it read). Moves with the app's (virtual)
/// time, so a recording repeats exactly.
fn draw_pulses(
    beams: Res<Beams>,
    backward: Res<super::backward::Backward>,
    layout: Option<Res<CurrentLayout>>,
    selection: Res<Selection>,
    time: Res<Time>,
    mut gizmos: Gizmos<PulseGizmos>,
) {
    let Some(layout) = layout else { return };
    let l = &layout.0;
    let mut strong: Vec<&Beam> = beams
        .0
        .iter()
        .filter(|b| b.weight >= PULSE_MIN_WEIGHT)
        .collect();
    strong.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let seconds = time.elapsed_secs_wrapped();
    let [r, g, bl] = palette::ATTENTION_PULSE;
    for b in strong.into_iter().take(MAX_PULSES) {
        let Some(index) = l.index_of(StationKind::Booth(b.layer, b.head)) else {
            continue;
        };
        let station = &l.stations[index];
        // the backward view: none until the gradient reached the booth
        if backward.shown.is_some() && backward.at(index).is_none() {
            continue;
        }
        let dimmed = selection.head.is_some_and(|sel| sel != (b.layer, b.head));
        let alpha = (0.35 + 0.65 * b.weight) * if dimmed { DIMMED } else { 1.0 };
        let at = pulse_position(seconds, b.query, b.key);
        // (the backward view: from the reader back to what it read)
        let at = if backward.shown.is_some() {
            1.0 - at
        } else {
            at
        };
        let head = l.beam_point(station.x, b.query, b.key, at);
        // it points the way across the hall from the token read to the reader (the way the
        // sentence reads), or down into a token reading itself: pointing along the arc, up one
        // side and down the other, the arrowheads of one booth looked every way to a reviewer
        let across = l.token_z(b.query) - l.token_z(b.key);
        let way = if b.query == b.key {
            -Vec3::Y
        } else {
            Vec3::Z * across.signum()
        };
        let way = if backward.shown.is_some() { -way } else { way };
        if let Some(points) = chevron(head, head - way) {
            gizmos.linestrip(points, Color::srgba(r, g, bl, alpha));
        }
    }
}

/// Length of an arrowhead's wings, world units.
const WING: f32 = 0.28;

/// An arrowhead at `head` pointing away from `tail` in the booth's plane (across the hall): its
/// two wings and its tip, as a line strip; none where the two points meet or the line runs along
/// the hall.
pub fn chevron(head: Vec3, tail: Vec3) -> Option<[Vec3; 3]> {
    let d = (head - tail).try_normalize()?;
    // the arcs stand in the plane across the hall: the wings spread in it, either side of d
    let side = Vec3::X.cross(d).try_normalize()?;
    let back = -d * WING * 0.87;
    Some([
        head + back + side * WING * 0.5,
        head,
        head + back - side * WING * 0.5,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pulse_runs_from_the_token_read_to_the_token_reading() {
        let (q, k) = (5, 2); // out of step by (5 * 0.137 + 2 * 0.291).fract() = 0.267
        let start = pulse_position(0.0, q, k);
        assert!((start - 0.733).abs() < 1e-4, "{start}");
        // the arc's t = 1 is the key's end, t = 0 the query's: the pulse's t falls as time goes
        let a_little_later = pulse_position(0.1, q, k);
        assert!((start - a_little_later - 0.1 / PULSE_PERIOD).abs() < 1e-4);
        // once around per period
        let later = pulse_position(PULSE_PERIOD, q, k);
        assert!((later - start).abs() < 1e-4);
        assert!((0.0..=1.0).contains(&start));
        // neighbours out of step
        assert_ne!(pulse_position(0.0, 5, 2), pulse_position(0.0, 5, 3));
    }

    #[test]
    fn the_arrowhead_points_the_way_the_pulse_goes() {
        let (tail, head) = (Vec3::new(3.0, 1.0, 0.0), Vec3::new(3.0, 1.0, 2.0));
        let [a, tip, b] = chevron(head, tail).unwrap();
        assert_eq!(tip, head);
        // both wings behind the tip, on either side of the line, in the booth's plane
        for w in [a, b] {
            assert!(w.z < head.z && (w.x - 3.0).abs() < 1e-6);
        }
        assert!((a.y - 1.0) * (b.y - 1.0) < 0.0);
        assert!(chevron(head, head).is_none());
    }
}
