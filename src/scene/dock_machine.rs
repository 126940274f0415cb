//! The receiving dock's machine: the text arrives as a paper tape across the belt over the
//! crates, printed with the prompt's words, and a big pair of scissors beside the belt cuts it
//! into pieces, one piece over each crate with the piece's word on it (tokenizing: the text cut
//! into the pieces the model reads). Built from the machines' blocks (`blocks.rs`).

use bevy::prelude::*;

use super::blocks::{BEAM_Y, Block, SIDE, Tint, block};
use super::layout::lane_z;

/// Where the tape hangs along the hall: on the rail's face, beside the crates' centres.
const TAPE_X: f32 = 0.45;
/// Height of the tape's centre over the floor (over the crates, under the signs).
const TAPE_Y: f32 = 2.55;
/// The tape's height (a piece's word label fills most of it).
const TAPE_H: f32 = 0.62;
/// The gap cut between two pieces.
const CUT: f32 = 0.16;
/// How far each blade stands open from the tape, radians.
const OPEN: f32 = 0.38;
/// A blade's length from the pivot to its tip.
const BLADE: f32 = 2.0;

/// The machine's blocks in the machines' frame (x along the hall, y up, z across from the
/// machine line), for a belt `half_width` either side of its centre and the crates' `words`: the
/// tape's pieces (a word's tag on each, facing the hall's start, where the dock is seen from),
/// the rail they hang from on its two posts, and the scissors at the tape's end on the machine's
/// side, open around it.
pub(super) fn blocks(half_width: f32, words: &[String]) -> Vec<Block> {
    let belt = -(half_width + SIDE);
    let n = words.len();
    let mut b = Vec::new();
    // the tape: a piece over each crate's lane, cut apart
    let piece = super::layout::LANE - CUT;
    for (i, w) in words.iter().enumerate() {
        let z = belt + lane_z(i, n);
        b.push(Block {
            tag: Some((w.clone(), (piece * 0.9).min(2.0 * TAPE_H * 0.9))),
            ..block([TAPE_X, TAPE_Y, z], [0.05, TAPE_H, piece], Tint::Paper)
        });
    }
    // the rail over the tape, on a post either side of the belt (clear of the sign frame's posts
    // at the station's centre)
    let span = 2.0 * half_width + 0.9;
    let post = BEAM_Y - 0.2;
    for side in [-1.0, 1.0] {
        b.push(block(
            [0.6, post / 2.0, belt + side * span / 2.0],
            [0.3, post, 0.3],
            Tint::Body,
        ));
    }
    b.push(block(
        [0.6, post, belt],
        [0.25, 0.2, span + 0.3],
        Tint::Body,
    ));
    // the tape's end on the machine's side, and the scissors' pivot just beyond it
    let end = belt + lane_z(n.saturating_sub(1), n.max(1)) + piece / 2.0;
    // (beyond the rail's post and before the sign's, which stood through the pivot)
    let pivot = Vec3::new(-0.45, TAPE_Y, end + 0.85);
    b.extend(scissors(pivot));
    // and a bracket from the rail's post to the pivot (without it they floated in the air)
    let post_at = Vec3::new(0.6, TAPE_Y, belt + span / 2.0);
    let d = post_at - pivot;
    b.push(Block {
        turn: (-d.z).atan2(d.x),
        ..block(
            ((pivot + post_at) / 2.0).into(),
            [d.length(), 0.1, 0.1],
            Tint::Body,
        )
    });
    b
}

/// A pair of scissors standing in the plane across the hall, facing the hall's start, its pivot
/// at `pivot`, the blades open toward −z (around the tape) and the handles' loops toward +z.
fn scissors(pivot: Vec3) -> Vec<Block> {
    let mut b = Vec::new();
    for open in [OPEN, -OPEN] {
        // a half: the blade one way from the pivot, its handle the other, in one straight line
        let turn = Quat::from_rotation_x(open);
        let along = turn * Vec3::Z;
        b.push(Block {
            roll: open,
            ..block(
                (pivot - along * BLADE / 2.0).into(),
                [0.07, 0.16, BLADE],
                Tint::Accent,
            )
        });
        // the handle's shank, then its loop: a ring of four bars
        b.push(Block {
            roll: open,
            ..block(
                (pivot + along * 0.35).into(),
                [0.08, 0.12, 0.7],
                Tint::Accent,
            )
        });
        let ring = pivot + along * 1.05;
        let (w, h, t) = (0.75, 0.5, 0.11);
        for (at, size) in [
            (Vec3::new(0.0, h / 2.0, 0.0), [0.08, t, w]),
            (Vec3::new(0.0, -h / 2.0, 0.0), [0.08, t, w]),
            (Vec3::new(0.0, 0.0, -w / 2.0), [0.08, h + t, t]),
            (Vec3::new(0.0, 0.0, w / 2.0), [0.08, h + t, t]),
        ] {
            b.push(Block {
                roll: open,
                ..block((ring + turn * at).into(), size, Tint::Accent)
            });
        }
    }
    // the pivot's screw
    b.push(block(pivot.into(), [0.12, 0.2, 0.2], Tint::Body));
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_piece_of_tape_over_each_crate_and_scissors_beside_the_belt() {
        let words: Vec<String> = ["The", "little", "dog"].map(String::from).into();
        let half_width = 3.0;
        let all = blocks(half_width, &words);
        let pieces: Vec<&Block> = all.iter().filter(|b| b.tag.is_some()).collect();
        assert_eq!(pieces.len(), 3);
        let belt = -(half_width + SIDE);
        for (i, p) in pieces.iter().enumerate() {
            assert_eq!(p.tag.as_ref().unwrap().0, words[i]);
            assert!(
                (p.at.z - (belt + lane_z(i, 3))).abs() < 1e-5,
                "over crate {i}"
            );
        }
        // cut apart: a gap between neighbours
        let gap =
            pieces[1].at.z - pieces[1].size.z / 2.0 - (pieces[0].at.z + pieces[0].size.z / 2.0);
        assert!((gap - CUT).abs() < 1e-5);
        // the blades open around the tape's end, beyond it on the machine's side
        let blades: Vec<&Block> = all
            .iter()
            .filter(|b| matches!(b.tint, Tint::Accent) && b.size.z >= BLADE)
            .collect();
        assert_eq!(blades.len(), 2);
        let end = pieces[2].at.z + pieces[2].size.z / 2.0;
        assert!(blades[0].at.y > TAPE_Y && blades[1].at.y < TAPE_Y);
        assert!(
            blades
                .iter()
                .all(|b| b.at.z < end + 0.55 && b.roll.abs() > 0.2)
        );
    }
}
