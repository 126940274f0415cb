//! A machine at each station, so a visitor tells the stations apart without reading: at the
//! receiving dock a paper tape cut by scissors (`dock_machine.rs`); the FFN machine a cabinet whose
//! face is the lamp wall, with a duct over the belt at each end (numbers up into it, results back
//! down: narrow, wide, narrow); over the belt, so the crates pass through or under them, the
//! embedding press (a screw press: its hand wheel turns, its platen comes down on the crates'
//! row), the position stamp (an arm whose dies, each tagged with its position, stamp the crates),
//! every norm gate (an arch with a striped limit bar; its spread bars beside, `spread.rs`), the
//! merge (the heads' pipes into a manifold, a funnel over each crate) and the final norm (two
//! arches joined); the first ones' blocks are `front_machines.rs`, the middle ones'
//! `middle_machines.rs`. The booths' cabins are `build::cabin`. The press (its platen down, its
//! wheel turning), dies, spouts and nozzles move only when crates arrive: one stroke in [`STROKE`]
//! seconds of the factory's clock (recordings step it exactly), nothing while idle.

use bevy::prelude::*;

use super::blocks::{Block, Form, SIDE, Tint};
use super::flat::FlatMaterial;
use super::kit::Kit;
use super::layout::{Station, StationKind};
use super::{front_machines, middle_machines};
use crate::playback::Playback;

/// How long a press or stamp stroke takes (down and up), seconds.
pub const STROKE: f32 = 0.7;

/// A block that strokes down, or turns (the press's wheel), when the crates arrive at its station.
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
        StationKind::Embedding => front_machines::press_blocks(depth, half_width),
        StationKind::Position => front_machines::stamp_blocks(half_width, tokens),
        StationKind::NormAttn(_) | StationKind::NormFfn(_) => {
            front_machines::gate_blocks(half_width, -0.8)
        }
        StationKind::FinalNorm => front_machines::final_gate_blocks(half_width),
        // a booth's machine is its floor across the belt and its beams: nothing beside it
        StationKind::Booth(..) => Vec::new(),
        StationKind::Merge(_) => middle_machines::merge(depth, half_width, (heads, tokens)),
        StationKind::Ffn(_) => middle_machines::ffn(half_width),
        // the shipping dock's machine is its bar chart and the winner's plaque over it
        StationKind::Shipping => Vec::new(),
    }
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
/// block that comes down or turns is a [`Plunger`] set off by that station's crates; a block's
/// tag is made by `tags`.
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
            Form::Taper => kit.taper.clone(),
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
        // (a block that turns is not tilted: `work_machines` turns it about the vertical alone)
        debug_assert!(b.spin == 0.0 || b.roll == 0.0, "a turning block is tilted");
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
    use crate::scene::blocks::CRATE_TOP;

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
