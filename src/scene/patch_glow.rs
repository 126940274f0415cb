//! Patching in the hall: once the A/B window's patching grid is computed and the floor runs A's
//! tokens, a violet strip lies across the lane at the entrance of each station whose activation,
//! taken from A's run into B's, moves B's metric at least a quarter of the way to A's (brighter:
//! further): the stream entering a block at its first norm gate, the attention's output at the
//! merge, the FFN's output at the FFN machine, and a head's output across its whole booth (a head
//! is patched at every position at once). The numbers stay in the window's grid.

use bevy::prelude::*;

use super::kit::Kit;
use super::layout::{LANE, StationKind};
use super::parts::{CurrentLayout, FloorRoot};
use crate::model::patch::Site;
use crate::playback::Floor;

/// The patching grid the hall lights, when one is computed and shown.
#[derive(Resource, Default, Debug, Clone, PartialEq)]
pub struct PatchLight(pub Option<PatchLit>);

/// A computed grid, for the hall.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchLit {
    /// The floor's tokens the grid is for (A's, or B's while a cell of it runs on the floor): the
    /// hall is lit only while the floor runs them.
    pub ids: Vec<u32>,
    /// Where the activations were taken.
    pub site: Site,
    /// Per layer, per position (or head): the share of the way from B's metric to A's.
    pub shares: Vec<Vec<f64>>,
}

/// Shares below this are not lit.
pub const LIT_FROM: f64 = 0.25;

/// A lit strip: its station (index in the layout), its lane (none: the whole width) and share.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct PatchGlow {
    pub station: usize,
    pub lane: Option<usize>,
    pub share: f64,
}

/// Where a grid cell stands in the hall: its station, and its lane (none for a head: every
/// position at once).
pub fn place(site: Site, layer: usize, column: usize) -> (StationKind, Option<usize>) {
    match site {
        Site::ResidPre => (StationKind::NormAttn(layer), Some(column)),
        Site::AttnOut => (StationKind::Merge(layer), Some(column)),
        Site::MlpOut => (StationKind::Ffn(layer), Some(column)),
        Site::Head => (StationKind::Booth(layer, column), None),
    }
}

/// Lays the strips down again when the grid shown or the floor's layout changed; none unless the
/// floor runs the grid's tokens.
pub(crate) fn light_patches(
    mut commands: Commands,
    light: Res<PatchLight>,
    floor: Res<Floor>,
    (layout, kit): (Option<Res<CurrentLayout>>, Option<Res<Kit>>),
    roots: Query<Entity, With<FloorRoot>>,
    glows: Query<Entity, With<PatchGlow>>,
) {
    let (Some(layout), Some(kit)) = (layout, kit) else {
        return;
    };
    if !light.is_changed() && !layout.is_changed() {
        return;
    }
    for e in &glows {
        commands.entity(e).try_despawn();
    }
    let Some(lit) = light.0.as_ref().filter(|l| l.ids == floor.history.ids) else {
        return;
    };
    let Ok(root) = roots.single() else { return };
    let l = &layout.0;
    for (layer, row) in lit.shares.iter().enumerate() {
        for (column, &share) in row.iter().enumerate() {
            // (a share that is not a number is not lit)
            if share.is_nan() || share < LIT_FROM {
                continue;
            }
            let (kind, lane) = place(lit.site, layer, column);
            let Some(station) = l.index_of(kind) else {
                continue;
            };
            let s = &l.stations[station];
            let (z, width) = match lane {
                Some(p) => (l.token_z(p), LANE * 0.9),
                None => (0.0, l.width()),
            };
            let step = ((share.min(1.0) - LIT_FROM) / (1.0 - LIT_FROM) * 3.0) as usize;
            commands.spawn((
                Name::new("Patch glow"),
                PatchGlow {
                    station,
                    lane,
                    share,
                },
                Mesh3d(kit.cube.clone()),
                MeshMaterial3d(kit.patch_glow[step.min(2)].clone()),
                Transform::from_xyz(s.x - s.depth / 2.0 + 0.35, 0.09, z)
                    .with_scale(Vec3::new(0.4, 0.12, width)),
                Pickable::IGNORE,
                ChildOf(root),
            ));
        }
    }
}
