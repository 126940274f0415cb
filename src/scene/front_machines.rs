//! The machines of the hall's first stations and of every norm gate, over the belt
//! (`machines.rs` places them): the embedding's screw press, the position's stamp, a norm gate's
//! arch with its striped limit bar, and the final norm's double arch.

use super::blocks::{BEAM_Y, Block, CRATE_TOP, Form, SIDE, Tint, block, moving};

/// The embedding's machine: a screw press over the belt. Two heavy columns either side and a
/// crossbeam; on the beam a hand wheel, which turns the threaded spindle through the beam, and at
/// the spindle's foot the platen, which comes down on the crates' row (the rows of the table are
/// the board on the belt).
pub(crate) fn press_blocks(depth: f32, half_width: f32) -> Vec<Block> {
    use Tint::{Accent, Body};
    let belt = -(half_width + SIDE);
    let span = 2.0 * half_width + 1.2;
    let long = (depth * 0.5).clamp(0.8, 1.4);
    let (platen, rest) = (0.4, 1.8);
    let drop = rest - (CRATE_TOP + 0.05 + platen / 2.0);
    let beam = (BEAM_Y, 0.45);
    // the spindle from the platen up through the beam into the wheel's hub (at the stroke's
    // bottom its top is still inside the beam)
    let (foot, top) = (rest + platen / 2.0, 3.55);
    let wheel_y = 3.5;
    let wheel = |size: [f32; 3], form: Form, turn: f32| Block {
        form,
        turn,
        spin: std::f32::consts::PI,
        ..block([0.0, wheel_y, belt], size, Body)
    };
    let mut b = vec![
        block(
            [0.0, BEAM_Y / 2.0, belt - span / 2.0],
            [0.55, BEAM_Y, 0.55],
            Body,
        ),
        block(
            [0.0, BEAM_Y / 2.0, belt + span / 2.0],
            [0.55, BEAM_Y, 0.55],
            Body,
        ),
        block([0.0, beam.0, belt], [0.8, beam.1, span + 0.55], Body),
        moving(
            [0.0, rest, belt],
            [long, platen, 2.0 * half_width],
            Accent,
            drop,
        ),
        Block {
            form: Form::Rod,
            ..moving(
                [0.0, (foot + top) / 2.0, belt],
                [0.22, top - foot, 0.22],
                Body,
                drop,
            )
        },
        // the hand wheel on the beam: a rim and two spokes across, which turn as the platen
        // comes down (and back as it goes up)
        wheel([2.2, 0.1, 2.2], Form::Ring, 0.0),
        wheel([2.1, 0.07, 0.09], Form::Box, 0.0),
        wheel([2.1, 0.07, 0.09], Form::Box, std::f32::consts::FRAC_PI_2),
        // the nut the spindle turns in, on the beam under the wheel
        Block {
            form: Form::Rod,
            ..block([0.0, beam.0 + beam.1 / 2.0, belt], [0.5, 0.1, 0.5], Accent)
        },
    ];
    // the spindle's thread, under the beam
    for k in 0..3 {
        let y = beam.0 - beam.1 / 2.0 - 0.12 - k as f32 * 0.1;
        b.push(Block {
            form: Form::Rod,
            ..moving([0.0, y, belt], [0.34, 0.05, 0.34], Body, drop)
        });
    }
    b
}

/// The position's machine: a post beside the belt and an arm over it, with a die over each
/// crate's lane under a bar, the die's position number on a tag facing the hall's start; the dies
/// come down on the crates and stamp where each stands.
pub(crate) fn stamp_blocks(half_width: f32, tokens: usize) -> Vec<Block> {
    use Tint::{Accent, Body};
    let belt = -(half_width + SIDE);
    let reach = half_width + SIDE + half_width + 0.4;
    let rest = 2.2;
    let drop = rest - (CRATE_TOP + 0.05 + 0.15);
    let mut b = vec![
        block([0.0, BEAM_Y / 2.0, 0.0], [0.5, BEAM_Y, 0.5], Body),
        block([0.0, 0.1, 0.0], [1.4, 0.2, 1.4], Body),
        block([0.0, BEAM_Y, -reach / 2.0 + 0.25], [0.4, 0.3, reach], Body),
        moving(
            [0.0, rest + 0.3, belt],
            [0.45, 0.3, 2.0 * half_width],
            Body,
            drop,
        ),
    ];
    // one die per token, over its lane
    for i in 0..tokens {
        let z = belt + super::layout::lane_z(i, tokens);
        b.push(Block {
            tag: Some((i.to_string(), 0.46)),
            ..moving([0.0, rest, z], [0.5, 0.36, 0.5], Accent, drop)
        });
    }
    b
}

/// A norm's machine: an arch over the belt at `x` along the gate, two pillars and a lintel (the
/// crates pass through it; the spread bars beside show what it did to each vector), and hung
/// from the lintel a striped bar across the belt, as over the way into a car park: a limit the
/// numbers are brought within.
pub(crate) fn gate_blocks(half_width: f32, x: f32) -> Vec<Block> {
    use Tint::{Accent, Body, Paper};
    let belt = -(half_width + SIDE);
    let span = 2.0 * half_width + 0.9;
    let mut b = vec![
        block(
            [x, BEAM_Y / 2.0, belt - span / 2.0],
            [0.4, BEAM_Y, 0.55],
            Accent,
        ),
        block(
            [x, BEAM_Y / 2.0, belt + span / 2.0],
            [0.4, BEAM_Y, 0.55],
            Accent,
        ),
        block([x, BEAM_Y, belt], [0.4, 0.4, span + 0.55], Body),
    ];
    let (bar_y, across) = (2.6, 2.0 * half_width);
    for side in [-1.0, 1.0] {
        let z = belt + side * (across / 2.0 - 0.3);
        let hang = BEAM_Y - bar_y;
        b.push(block([x, bar_y + hang / 2.0, z], [0.06, hang, 0.06], Body));
    }
    // stripes about a unit long, light and dark in turn, an odd count so both ends are light
    let stripes = (across.round() as usize / 2 * 2 + 1).max(3);
    let long = across / stripes as f32;
    for k in 0..stripes {
        let z = belt - across / 2.0 + (k as f32 + 0.5) * long;
        let tint = if k % 2 == 0 { Paper } else { Body };
        b.push(block([x, bar_y, z], [0.22, 0.22, long], tint));
    }
    b
}

/// The final norm's machine: the last gate before the guess, a norm gate doubled (two arches
/// joined at their pillars' tops), so that it is not taken for one more layer's gate.
pub(crate) fn final_gate_blocks(half_width: f32) -> Vec<Block> {
    let belt = -(half_width + SIDE);
    let span = 2.0 * half_width + 0.9;
    // (clear of the sign frame's posts, which stand at the station's centre)
    let mut b = gate_blocks(half_width, -1.4);
    b.extend(gate_blocks(half_width, 0.6));
    for side in [-1.0, 1.0] {
        b.push(block(
            [-0.4, BEAM_Y - 0.1, belt + side * span / 2.0],
            [2.0, 0.25, 0.3],
            Tint::Body,
        ));
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stamp_has_a_numbered_die_over_each_crate() {
        use crate::scene::layout::{Layout, Shape};
        let shape = |_| Shape {
            n_layer: 1,
            n_head: 1,
        };
        for l in [1, 3, 6, 20].map(|n| Layout::new(shape(n), n)) {
            let half_width = l.width().max(6.0) / 2.0;
            let all = stamp_blocks(half_width, l.n_tokens);
            let dies: Vec<&Block> = all.iter().filter(|b| b.tag.is_some()).collect();
            assert_eq!(dies.len(), l.n_tokens);
            for (i, d) in dies.iter().enumerate() {
                assert_eq!(d.tag, Some((i.to_string(), 0.46)));
                // struck, and over crate i (the machine's frame starts at its line beside the belt)
                let z = d.at.z + half_width + SIDE;
                assert!(
                    d.drop > 0.0 && (z - l.token_z(i)).abs() < 1e-4,
                    "die {i} at {z}"
                );
            }
        }
    }

    #[test]
    fn the_press_has_a_wheel_on_its_beam_and_the_gate_a_striped_bar_over_the_crates() {
        let half_width = 4.5;
        let belt = -(half_width + SIDE);
        let press = press_blocks(6.0, half_width);
        let beam_top = press
            .iter()
            .filter(|b| b.form == Form::Box && b.drop == 0.0 && b.spin == 0.0)
            .map(|b| b.at.y + b.size.y / 2.0)
            .fold(0.0, f32::max);
        // the wheel (its rim and two spokes) turns on the beam, over the belt's centre
        let wheel: Vec<&Block> = press.iter().filter(|b| b.spin != 0.0).collect();
        assert_eq!(wheel.len(), 3);
        assert!(wheel.iter().any(|b| b.form == Form::Ring));
        for w in &wheel {
            assert!(w.at.y - w.size.y / 2.0 >= beam_top - 1e-4 && w.drop == 0.0);
            assert!((w.at.z - belt).abs() < 1e-4);
        }
        // the spindle still reaches into the beam at the stroke's bottom
        let spindle = press
            .iter()
            .find(|b| b.form == Form::Rod && b.drop > 0.0 && b.size.y > 1.0)
            .expect("a spindle");
        let beam_bottom = BEAM_Y - 0.45 / 2.0;
        assert!(spindle.at.y + spindle.size.y / 2.0 - spindle.drop > beam_bottom);
        // the gate's bar: light at both ends, across the belt, between the crates and the lintel
        let gate = gate_blocks(half_width, 0.0);
        let stripes: Vec<&Block> = gate
            .iter()
            .filter(|b| (b.size.z - b.size.y).abs() > 0.1 && b.size.y < 0.3 && b.size.x < 0.3)
            .collect();
        assert!(stripes.len() >= 3 && stripes.len() % 2 == 1);
        assert_eq!(stripes[0].tint, Tint::Paper);
        assert_eq!(stripes[stripes.len() - 1].tint, Tint::Paper);
        let across: f32 = stripes.iter().map(|b| b.size.z).sum();
        assert!((across - 2.0 * half_width).abs() < 1e-3);
        assert!(
            stripes
                .iter()
                .all(|b| b.at.y > CRATE_TOP + 1.0 && b.at.y < BEAM_Y)
        );
    }
}
