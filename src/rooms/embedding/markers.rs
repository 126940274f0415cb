//! The embedding room's markers: the floor's tokens, the picked token and its nearest neighbours,
//! and where vector arithmetic lands, each a small block with its label among the cloud's points.

use bevy::prelude::*;

use super::{EmbeddingRoom, MAX_MARKED, RoomMap, piece};
use crate::inference::Engine;
use crate::model::Tokenizer;
use crate::playback::Floor;
use crate::scene::WorldLabel;
use crate::scene::kit::Kit;

/// A marker in the room: a small block at a token's point with its piece as a label.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct Marker {
    /// The token (None for an arithmetic result).
    pub id: Option<u32>,
    /// What it marks.
    pub kind: MarkerKind,
}

/// Why a point is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    /// A token on the floor (in the prompt or generated).
    Floor,
    /// The picked token.
    Picked,
    /// One of the picked token's nearest neighbours.
    Neighbour,
    /// Where vector arithmetic lands.
    Result,
}

/// One point to mark: its token (none for the arithmetic's result), why, where, and its label.
type Mark = (Option<u32>, MarkerKind, Vec3, String);

/// Marks the floor's tokens, the picked token and its neighbours, and the arithmetic's result;
/// rebuilt only when one of them changes.
pub(crate) fn mark_tokens(
    mut commands: Commands,
    mut room: ResMut<EmbeddingRoom>,
    floor: Res<Floor>,
    engine: Option<Res<Engine>>,
    kit: Option<Res<Kit>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut own: Local<Option<[Handle<StandardMaterial>; 2]>>,
) {
    let (Some(map), Some(engine), Some(kit)) = (room.map.clone(), engine, kit) else {
        return;
    };
    let own_materials = marker_materials(&mut own, &mut materials);
    let key = (floor.version, room.version, map.map.coords.len());
    if room.marked == Some(key) {
        return;
    }
    room.marked = Some(key);
    if let Some(e) = room.markers.take() {
        commands.entity(e).despawn();
    }
    let marks = what_to_mark(&room, &map, &floor.history.ids, &engine.0.tokenizer);
    let root = spawn_markers(&mut commands, &kit, marks, own_materials);
    room.markers = Some(root);
}

/// The markers' own materials, made the first time: the floor's tokens lit amber like the crates'
/// numbers, the arithmetic's result white.
fn marker_materials(
    own: &mut Option<[Handle<StandardMaterial>; 2]>,
    materials: &mut ResMut<Assets<StandardMaterial>>,
) -> [Handle<StandardMaterial>; 2] {
    // (`materials` stays a `ResMut`: it is marked changed only when they are made, once)
    own.get_or_insert_with(|| {
        [
            materials.add(StandardMaterial {
                base_color: Color::srgb(1.0, 0.62, 0.2),
                emissive: LinearRgba::rgb(1.2, 0.55, 0.1),
                ..default()
            }),
            materials.add(StandardMaterial {
                base_color: Color::WHITE,
                emissive: LinearRgba::rgb(1.5, 1.5, 1.5),
                ..default()
            }),
        ]
    })
    .clone()
}

/// What to mark: the floor's first distinct tokens (`ids`, at most [`MAX_MARKED`]), the picked
/// token and its neighbours (with their cosines), and the arithmetic's result.
fn what_to_mark(room: &EmbeddingRoom, map: &RoomMap, ids: &[u32], tok: &Tokenizer) -> Vec<Mark> {
    let vocab = map.map.coords.len() as u32;
    let mut marks: Vec<Mark> = Vec::new();
    let mut seen = Vec::new();
    for &id in ids {
        if id < vocab && !seen.contains(&id) && seen.len() < MAX_MARKED {
            seen.push(id);
            marks.push((Some(id), MarkerKind::Floor, map.world(id), piece(tok, id)));
        }
    }
    if let Some(id) = room.picked.filter(|&id| id < vocab) {
        marks.retain(|m| m.0 != Some(id));
        marks.push((Some(id), MarkerKind::Picked, map.world(id), piece(tok, id)));
        for n in room.neighbours_of_picked() {
            if !marks.iter().any(|m| m.0 == Some(n.id)) {
                let text = format!("{} {:.2}", piece(tok, n.id), n.cosine);
                marks.push((Some(n.id), MarkerKind::Neighbour, map.world(n.id), text));
            }
        }
    }
    if let Some(a) = &room.arithmetic {
        marks.push((None, MarkerKind::Result, a.at, format!("= {}", a.text)));
    }
    marks
}

/// Spawns a block per mark, sized and coloured by its kind, under a new root; returns the root.
fn spawn_markers(
    commands: &mut Commands,
    kit: &Kit,
    marks: Vec<Mark>,
    [floor_mat, result_mat]: [Handle<StandardMaterial>; 2],
) -> Entity {
    let root = commands
        .spawn((
            Name::new("Embedding room markers"),
            Transform::IDENTITY,
            Visibility::default(),
            crate::rooms::InYard,
        ))
        .id();
    for (id, kind, at, text) in marks {
        let (material, size, weight) = match kind {
            MarkerKind::Floor => (floor_mat.clone(), 0.35, 2.0),
            MarkerKind::Picked => (kit.crate_selected.clone(), 0.45, 3.0),
            MarkerKind::Neighbour => (kit.crate_new.clone(), 0.3, 1.5),
            MarkerKind::Result => (result_mat.clone(), 0.45, 3.0),
        };
        commands.spawn((
            Marker { id, kind },
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(material),
            Transform::from_translation(at).with_scale(Vec3::splat(size)),
            Visibility::default(),
            WorldLabel {
                text,
                size: 22.0,
                lift: 0.4,
                weight,
            },
            ChildOf(root),
        ));
    }
    root
}
