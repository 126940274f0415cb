//! A machine at each station, so a visitor tells the stations apart without reading: at the
//! receiving dock a paper tape cut by scissors (`dock_machine.rs`); the FFN machine a cabinet whose
//! face is the lamp wall, with a duct over the belt at each end (numbers up into it, results back
//! down: narrow, wide, narrow); over the belt, so the crates pass through or under them, the
//! embedding press (a screw press: its hand wheel turns, its platen comes down on the crates'
//! row), the position stamp (an arm whose dies, each tagged with its position, stamp the crates),
//! every norm gate (an arch with a striped limit bar; its spread bars beside, `spread.rs`), the merge (the heads' pipes into a manifold, a funnel over
//! each crate) and the final norm (two arches joined). The booths' cabins are `build::cabin`.
//! Press (and its wheel), dies, spouts and nozzles move only when crates arrive: one stroke in [`STROKE`] seconds
//! of the factory's clock (recordings step it exactly), nothing while idle.

use bevy::prelude::*;

use super::blocks::{BEAM_Y, Block, CRATE_TOP, Form, SIDE, Tint, block, moving};
use super::flat::FlatMaterial;
use super::kit::Kit;
use super::layout::{Station, StationKind};
use super::middle_machines;
use crate::playback::Playback;

/// How long a press or stamp stroke takes (down and up), seconds.
pub const STROKE: f32 = 0.7;

/// A block that strokes down when the crates arrive at its station.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Plunger {
    /// The station (index in the layout) whose crates set it off.
    pub station: usize,
    /// Its height at rest.
    pub rest: f32,
    /// How far it comes down.
    pub drop: f32,
    /// The factory's clock when its stroke began, while it strokes.
    pub since: Option<f32>,
    /// Its turn about the vertical at rest, and how much more it turns at the bottom of its
    /// stroke, radians (the press's hand wheel; 0: it does not turn).
    pub turn: f32,
    pub spin: f32,
}

/// The blocks of a station's machine, in the machine's own frame (x along the hall from the
/// station's centre, y up from the floor, z across from the machine line), for a hall of `heads`
/// heads per layer whose belt is `half_width` either side of its centre line, and the crates'
/// `words`.
fn blocks(
    kind: StationKind,
    depth: f32,
    (heads, words): (usize, &[String]),
    half_width: f32,
) -> Vec<Block> {
    let tokens = words.len();
    match kind {
        StationKind::Dock => super::dock_machine::blocks(half_width, words),
        StationKind::Embedding => press_blocks(depth, half_width),
        StationKind::Position => stamp_blocks(half_width, tokens),
        StationKind::NormAttn(_) | StationKind::NormFfn(_) => gate_blocks(half_width, -0.8),
        StationKind::FinalNorm => final_gate_blocks(half_width),
        // a booth's machine is its floor across the belt and its beams: nothing beside it
        StationKind::Booth(..) => Vec::new(),
        StationKind::Merge(_) => middle_machines::merge(depth, half_width, (heads, tokens)),
        StationKind::Ffn(_) => middle_machines::ffn(depth, half_width),
        // the shipping dock's machine is its bar chart and the winner's plaque over it
        StationKind::Shipping => Vec::new(),
    }
}

/// The embedding's machine: a screw press over the belt. Two heavy columns either side and a
/// crossbeam; on the beam a hand wheel, which turns the threaded spindle through the beam, and at
/// the spindle's foot the platen, which comes down on the crates' row (the rows of the table are
/// the board on the belt).
fn press_blocks(depth: f32, half_width: f32) -> Vec<Block> {
    use Tint::{Accent, Body};
    let belt = -(half_width + SIDE);
    let span = 2.0 * half_width + 1.2;
    let long = (depth * 0.5).clamp(0.8, 1.4);
    let (platen, rest) = (0.4, 1.8);
    let drop = rest - (CRATE_TOP + 0.05 + platen / 2.0);
    let beam = (BEAM_Y, 0.45);
    // the spindle from the platen up through the beam to the wheel (in the beam's shade from
    // above when it comes down)
    let (foot, top) = (rest + platen / 2.0, 3.45);
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
fn stamp_blocks(half_width: f32, tokens: usize) -> Vec<Block> {
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
fn gate_blocks(half_width: f32, x: f32) -> Vec<Block> {
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
    let stripes = ((across / 1.0).round() as usize / 2 * 2 + 1).max(3);
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
fn final_gate_blocks(half_width: f32) -> Vec<Block> {
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

/// A paper tag's material and quad for a word (the crates' labels' look).
pub(crate) type TagMaker<'a> = dyn FnMut(&str) -> (Handle<StandardMaterial>, Handle<Mesh>) + 'a;

/// Spawns a station's machine (station `index` of the layout) under `parent`, beside the belt of
/// half-width `half_width` (or over it: the press, the stamp, the gates), for `heads` heads per
/// layer and the crates' `words`; a block's tag is made by `tags`.
pub(crate) fn spawn_machine(
    commands: &mut Commands,
    kit: &Kit,
    (index, station): (usize, &Station),
    half_width: f32,
    (heads, words): (usize, &[String]),
    parent: Entity,
    tags: &mut TagMaker,
) {
    let base = Vec3::new(station.x, 0.0, half_width + SIDE);
    let all = blocks(station.kind, station.depth, (heads, words), half_width);
    spawn_blocks(
        commands,
        kit,
        (index, station.kind),
        (base, all),
        parent,
        tags,
    );
}

/// Spawns `blocks` at `base` under `parent`, in station `index`'s colours (of kind `kind`): a
/// block that comes down is a [`Plunger`] set off by that station's crates; a block's tag is made
/// by `tags`.
pub(crate) fn spawn_blocks(
    commands: &mut Commands,
    kit: &Kit,
    (index, kind): (usize, StationKind),
    (base, blocks): (Vec3, Vec<Block>),
    parent: Entity,
    tags: &mut TagMaker,
) {
    for b in blocks {
        let material: Handle<FlatMaterial> = match b.tint {
            Tint::Body => kit.machine_body.clone(),
            Tint::Accent => kit.machine_accent(kind),
            Tint::Heads => kit.machine_accent(StationKind::Booth(0, 0)),
            Tint::Paper => kit.paper.clone(),
        };
        let mesh = match b.form {
            Form::Box => kit.cube.clone(),
            Form::Rod => kit.rod.clone(),
            Form::Ring => kit.ring.clone(),
            Form::Funnel => kit.funnel.clone(),
        };
        let mut e = commands.spawn((
            Name::new("Machine block"),
            Mesh3d(mesh),
            MeshMaterial3d(material),
            Transform::from_translation(base + b.at)
                .with_rotation(Quat::from_rotation_y(b.turn) * Quat::from_rotation_x(b.roll))
                .with_scale(b.size),
            ChildOf(parent),
        ));
        if b.drop > 0.0 || b.spin != 0.0 {
            e.insert(Plunger {
                station: index,
                rest: b.at.y,
                drop: b.drop,
                since: None,
                turn: b.turn,
                spin: b.spin,
            });
        }
        if let Some((tag, width)) = &b.tag {
            // on the face toward the hall's start, `width` × half that (the label's 2:1) whatever
            // the block's size (the tag's quad is 0.84 × 0.42 before the block's scale)
            let (material, quad) = tags(tag);
            let scale = Vec3::new(
                width / (0.84 * b.size.z),
                width / 2.0 / (0.42 * b.size.y),
                1.0,
            );
            let block = e.id();
            commands.spawn((
                Name::new("Tag"),
                Mesh3d(quad),
                MeshMaterial3d(material),
                // (a hundredth of a unit off the face, however thin the block)
                Transform::from_xyz(-0.5 - 0.01 / b.size.x, 0.0, 0.0)
                    .with_rotation(Quat::from_rotation_y(-std::f32::consts::FRAC_PI_2))
                    .with_scale(scale),
                ChildOf(block),
            ));
        }
    }
}

/// How far into its stroke a plunger is `t` seconds after it began: from 0 at rest to 1 at the
/// bottom and back in [`STROKE`] seconds (a half sine), 0 outside it.
pub fn stroke_depth(t: f32) -> f32 {
    if !(0.0..STROKE).contains(&t) {
        return 0.0;
    }
    (std::f32::consts::PI * t / STROKE).sin()
}

/// The height of a plunger `t` seconds into its stroke: down and back up in [`STROKE`] seconds,
/// at rest outside it.
pub fn stroke_height(p: &Plunger, t: f32) -> f32 {
    p.rest - p.drop * stroke_depth(t)
}

/// Sets off the presses and stamps whose station the crates have just ridden into (going forward,
/// less than a station and a half since the last frame: a jump sets nothing off), and moves those
/// stroking; nothing while none does.
pub(crate) fn work_machines(
    time: Res<Time>,
    playback: Res<Playback>,
    mut last: Local<Option<f32>>,
    mut plungers: Query<(&mut Plunger, &mut Transform)>,
) {
    let now = time.elapsed_secs();
    let progress = playback.progress;
    let before = last.replace(progress).unwrap_or(progress);
    for (mut p, mut t) in &mut plungers {
        let at = p.station as f32;
        // ridden into, not jumped past (a jump along the hall sets nothing off)
        if before < at && progress >= at && progress - before < 1.5 {
            p.since = Some(now);
        }
        let Some(since) = p.since else { continue };
        let depth = stroke_depth(now - since);
        if now - since >= STROKE {
            p.since = None;
        }
        let y = p.rest - p.drop * depth;
        if t.translation.y != y {
            t.translation.y = y;
        }
        if p.spin != 0.0 {
            // (a block that turns is not tilted: `roll` is the scissors' alone)
            t.rotation = Quat::from_rotation_y(p.turn + p.spin * depth);
        }
    }
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
            let words: Vec<String> = (0..l.n_tokens).map(|i| format!("w{i}")).collect();
            let all = blocks(StationKind::Position, 5.0, (1, &words), half_width);
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
        assert!(spindle.at.y + spindle.size.y / 2.0 - spindle.drop > beam_bottom - 0.1);
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

    #[test]
    fn every_station_has_a_machine_within_its_stretch_and_below_the_signs() {
        let kinds = [
            StationKind::Dock,
            StationKind::Embedding,
            StationKind::Position,
            StationKind::NormAttn(0),
            StationKind::Booth(0, 0),
            StationKind::Merge(0),
            StationKind::NormFfn(0),
            StationKind::Ffn(0),
            StationKind::FinalNorm,
            StationKind::Shipping,
        ];
        for kind in kinds {
            let depth = 6.0;
            let half_width = 4.5;
            let words: Vec<String> = ["The", "little", "dog", "ran", "to", "the"]
                .map(String::from)
                .into();
            let b = blocks(kind, depth, (4, &words), half_width);
            assert_eq!(
                b.is_empty(),
                matches!(kind, StationKind::Booth(..) | StationKind::Shipping),
                "{kind:?}: a machine for every station but the booths (their beams) and the \
                 shipping dock (its bars and plaque)"
            );
            for x in &b {
                let top = x.at.y + x.size.y / 2.0;
                assert!(
                    top < super::super::layout::SIGN_HEIGHT,
                    "{kind:?} reaches the signs"
                );
                assert!(
                    x.at.y - x.size.y / 2.0 >= -1e-3,
                    "{kind:?} sinks into the floor"
                );
                // beside the belt, or over it: never beyond its far side
                let near = x.at.z + x.size.z / 2.0;
                let far = x.at.z - x.size.z / 2.0;
                assert!(near < 1.6, "{kind:?} reaches out of the hall");
                assert!(
                    far > -(2.0 * half_width + SIDE + 1.0),
                    "{kind:?} beyond the belt's far side"
                );
                if x.drop > 0.0 {
                    assert!(
                        x.at.y - x.drop - x.size.y / 2.0 >= CRATE_TOP,
                        "{kind:?} comes down into the crates"
                    );
                }
            }
        }
    }
}
