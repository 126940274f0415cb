//! What the machines are built from (`machines.rs`, `dock_machine.rs`): blocks in a machine's own
//! frame (x along the hall from the station's centre, y up from the floor, z across from the
//! machine line beside the belt), their colours, and the heights they keep to.

use bevy::prelude::*;

/// Distance of the machines' centre line from the belt's edge (beyond the signs' posts).
pub(crate) const SIDE: f32 = 2.4;

/// How far a booth's cabin's sides stand outside the belt's edge (its panes; the merge's pipes
/// come out of them).
pub(crate) const CABIN_OUTSIDE: f32 = 0.6;

/// One block of a machine: centre (along the hall, up, across from the machine line), size.
pub(crate) struct Block {
    pub(crate) at: Vec3,
    pub(crate) size: Vec3,
    pub(crate) tint: Tint,
    /// Turned about the vertical axis, radians.
    pub(crate) turn: f32,
    /// Then tilted about the hall's axis, radians (a scissors' blade).
    pub(crate) roll: f32,
    /// How far it comes down in a stroke when crates arrive (0: it stays at its height; with
    /// no `spin` either it stands still).
    pub(crate) drop: f32,
    /// A word on a paper tag on its face toward the hall's start (a stamp's die: its position;
    /// a piece of the receiving dock's tape: its word), and the tag's width (half as tall).
    pub(crate) tag: Option<(String, f32)>,
    /// Its shape, filling the box `size` (a box, an upright rod, a flat ring, a funnel, a taper).
    pub(crate) form: Form,
    /// How far more it turns about the vertical at the bottom of its stroke, radians, back as
    /// the stroke ends (the press's hand wheel, which does not come down; 0: it does not turn).
    pub(crate) spin: f32,
}

/// A block's shape: each fills its box (`Block::size`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    Box,
    /// An upright cylinder (a screw's spindle, its threads).
    Rod,
    /// A flat ring about the vertical (a hand wheel's rim).
    Ring,
    /// An upright funnel: wide at the top, narrow at the bottom.
    Funnel,
    /// Its whole height at its −x end, [`TAPER_NARROW`] of it at its +x end, as deep all along
    /// (the FFN cabinet's ends: turned half round, the narrow end is at −x).
    Taper,
}

/// How tall a [`Form::Taper`]'s narrow end is, a share of its wide end.
pub(crate) const TAPER_NARROW: f32 = 0.26;

/// Which of the kit's machine colours a block has: its body's, its station's accent, the
/// booths' violet (the merge's pipes, coming from the heads' cabins) or paper (the receiving
/// dock's tape).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tint {
    Body,
    Accent,
    Heads,
    Paper,
}

/// A block, not turned.
pub(crate) fn block(at: [f32; 3], size: [f32; 3], tint: Tint) -> Block {
    Block {
        at: Vec3::from(at),
        size: Vec3::from(size),
        tint,
        turn: 0.0,
        roll: 0.0,
        drop: 0.0,
        tag: None,
        form: Form::Box,
        spin: 0.0,
    }
}

/// Height of the crossbeams over the belt (their centre; under the signs).
pub(crate) const BEAM_Y: f32 = 3.15;
/// Top of a crate on the belt (a press or die comes down to just above it).
pub(crate) const CRATE_TOP: f32 = 0.95;

/// A block that comes down by `drop` in a stroke.
pub(crate) fn moving(at: [f32; 3], size: [f32; 3], tint: Tint, drop: f32) -> Block {
    Block {
        drop,
        ..block(at, size, tint)
    }
}
