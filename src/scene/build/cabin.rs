//! A booth's cabin: a light frame over the belt (four corner posts, two roof rails, a lintel at the
//! far end) in attention's muted violet, glazed along both sides, so that each head's beams are
//! seen inside their own cabin, and a plate on the lintel naming the head in large letters, so
//! that the heads of one layer are told apart at a glance.

use bevy::prelude::*;

use super::FloorAssets;
use crate::i18n::Lang;
use crate::scene::blocks::CABIN_OUTSIDE;
use crate::scene::crate_face;
use crate::scene::kit::Kit;
use crate::scene::layout::{SIGN_HEIGHT, StationKind};
use crate::tr;

/// The cabin's posts' and rails' thickness.
const BAR: f32 = 0.12;
/// The head plate's size, world units, and its picture's, pixels.
const PLATE_SIZE: Vec2 = Vec2::new(2.4, 0.6);
const PLATE_PX: (usize, usize) = (320, 80);

/// What a head's plate says: "head 2" (the signs' numbering).
pub fn plate_text(lang: Lang, layer: usize, head: usize) -> String {
    tr!(lang, "booth-plate", layer = layer, head = head)
}

/// The cabin's glass: a pane between its posts on either side of the belt, from the belt up to
/// the roof rail, each with two short diagonal glints in its upper corner (the mark of glass a
/// visitor knows), so the frame reads as a cabin the beams are inside; not on the far end, where
/// looking down the hall the panes would pile up.
fn spawn_panes(
    commands: &mut Commands,
    kit: &Kit,
    (x, half_x, half_z): (f32, f32, f32),
    parent: Entity,
) {
    let (bottom, top) = (0.2, SIGN_HEIGHT - BAR / 2.0);
    for z in [-half_z, half_z] {
        commands.spawn((
            Name::new("Cabin pane"),
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(kit.glass.clone()),
            Transform::from_xyz(x, (bottom + top) / 2.0, z).with_scale(Vec3::new(
                2.0 * half_x,
                top - bottom,
                0.02,
            )),
            Pickable::IGNORE,
            ChildOf(parent),
        ));
        for (along, length) in [(0.0, 1.1), (0.45, 0.6)] {
            commands.spawn((
                Name::new("Cabin glint"),
                Mesh3d(kit.cube.clone()),
                MeshMaterial3d(kit.glint.clone()),
                Transform::from_xyz(x + half_x - 0.9 + along, top - 0.75 + along * 0.4, z)
                    .with_rotation(Quat::from_rotation_z(0.8))
                    .with_scale(Vec3::new(length, 0.09, 0.03)),
                Pickable::IGNORE,
                ChildOf(parent),
            ));
        }
    }
}

/// Where a cabin stands: its station's centre and length along the hall, the width between the
/// stations' sides, and the station's grouping node (the cabin's parent).
pub(super) struct CabinAt {
    pub(super) x: f32,
    pub(super) depth: f32,
    pub(super) width: f32,
    pub(super) parent: Entity,
}

/// Spawns the cabin of the booth (layer, head) and its plate, in `lang`.
pub(super) fn spawn_cabin(
    commands: &mut Commands,
    assets: &mut FloorAssets,
    (kit, lang): (&Kit, Lang),
    at: CabinAt,
    (layer, head): (usize, usize),
) {
    let x = at.x;
    let half_x = (at.depth - 0.6) / 2.0 - BAR;
    let half_z = at.width / 2.0 + CABIN_OUTSIDE;
    let top = SIGN_HEIGHT;
    let accent = kit.machine_accent(StationKind::Booth(layer, head));
    let parent = at.parent;
    let mut part = |name: &str, centre: Vec3, size: Vec3| {
        commands.spawn((
            Name::new(name.to_string()),
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(accent.clone()),
            Transform::from_translation(centre).with_scale(size),
            // the pointer goes through to the booth, the beams and the crates inside
            Pickable::IGNORE,
            ChildOf(parent),
        ));
    };
    for dx in [-half_x, half_x] {
        for z in [-half_z, half_z] {
            part(
                "Cabin post",
                Vec3::new(x + dx, top / 2.0, z),
                Vec3::new(BAR, top, BAR),
            );
        }
    }
    for z in [-half_z, half_z] {
        part(
            "Cabin rail",
            Vec3::new(x, top, z),
            Vec3::new(2.0 * half_x + BAR, BAR, BAR),
        );
    }
    // the lintel at the far end, its plate facing the hall's start (where every view looks from)
    let lintel = Vec3::new(x + half_x, top - PLATE_SIZE.y / 2.0 + BAR / 2.0, 0.0);
    part(
        "Cabin lintel",
        lintel,
        Vec3::new(BAR, PLATE_SIZE.y + 0.1, 2.0 * half_z + BAR),
    );
    spawn_panes(commands, kit, (x, half_x, half_z), parent);
    let (material, mesh) = crate_face::plate(
        &plate_text(lang, layer, head),
        (PLATE_PX, PLATE_SIZE),
        &mut assets.images,
        &mut assets.std_materials,
        &mut assets.meshes,
    );
    // on both faces of the lintel: seen from beyond it (the merge's view looks back over the
    // last cabin) the front plate read mirrored and upside down
    for side in [-1.0, 1.0] {
        commands.spawn((
            Name::new(format!("Head plate L{layer} H{head}")),
            Mesh3d(mesh.clone()),
            MeshMaterial3d(material.clone()),
            Transform::from_translation(lintel + side * Vec3::X * (BAR / 2.0 + 0.01))
                .with_rotation(Quat::from_rotation_y(side * std::f32::consts::FRAC_PI_2)),
            Pickable::IGNORE,
            ChildOf(at.parent),
        ));
    }
}
