//! Building the floor: the hall, the belt, one station per computation step (signs, gate posts,
//! booths, boards, lamp walls, the dock's bars) and a crate per token, from the floor's history.

mod cabin;
mod stations;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::crate_face::{self, CrateFaces};
use super::flat::{FlatMaterial, FlatTexture, HighPreset};
use super::kit::Kit;
use super::layout::{Layout, Shape};
use super::parts::{
    BeltSlat, Built, Crate, CurrentLayout, FloorRoot, GAUGE_LENGTH, GaugeSlot, SurpriseGauge,
    WorldLabel,
};
use crate::i18n::Lang;
use crate::model::tokenizer::shown_token;
use crate::playback::history::History;
use crate::playback::{Floor, Playback};

/// Distance between the belt's slats.
pub const SLAT_GAP: f32 = 1.5;
/// A slat's width along the hall.
const SLAT_WIDTH: f32 = 0.18;

/// `n` slats across a belt `width` wide, one gap apart from x = 0: flat quads facing up.
fn slat_mesh(n: usize, width: f32) -> Mesh {
    let slats: Vec<(f32, f32)> = (0..n)
        .map(|i| (i as f32 * SLAT_GAP, i as f32 * SLAT_GAP + SLAT_WIDTH))
        .collect();
    strips_mesh(&slats, width)
}

/// The stretches of `0..length` that none of `covered` (intervals along the hall, overlapping or
/// not, in any order) covers, in order.
pub fn open_stretches(length: f32, mut covered: Vec<(f32, f32)>) -> Vec<(f32, f32)> {
    covered.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut open = Vec::new();
    let mut x = 0.0f32;
    for (a, b) in covered {
        if a > x {
            open.push((x, a.min(length)));
        }
        x = x.max(b);
        if x >= length {
            break;
        }
    }
    if x < length {
        open.push((x, length));
    }
    open.retain(|(a, b)| b > a);
    open
}

/// Flat quads facing up over `stretches` along the hall, `width` across it.
fn strips_mesh(stretches: &[(f32, f32)], width: f32) -> Mesh {
    use bevy::asset::RenderAssetUsages;
    use bevy::mesh::{Indices, PrimitiveTopology};
    let z = width / 2.0;
    let (mut positions, mut indices) = (Vec::new(), Vec::new());
    for &(a, b) in stretches {
        let base = positions.len() as u32;
        for (x, dz) in [(a, -z), (b, -z), (b, z), (a, z)] {
            positions.push([x, 0.0, dz]);
        }
        indices.extend([0, 2, 1, 0, 3, 2].map(|k| base + k));
    }
    let normals = vec![[0.0, 1.0, 0.0]; positions.len()];
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
    .with_inserted_indices(Indices::U32(indices))
}

/// Gives a hall surface its material: lit (receiving the sun's shadows) in the high preset, flat
/// (cheapest for a software renderer) otherwise; the same colour where the sun reaches.
fn surface(
    e: &mut EntityCommands,
    lit: bool,
    flat: &Handle<FlatMaterial>,
    standard: &Handle<StandardMaterial>,
) {
    if lit {
        e.insert(MeshMaterial3d(standard.clone()));
    } else {
        e.insert(MeshMaterial3d(flat.clone()));
    }
}

/// A quad lying on the floor at `x`, facing up (so a click from above hits its front face):
/// texture columns run across the hall (+z, one lane per token), rows along it (+x).
pub fn flat_on_floor(x: f32) -> Transform {
    let rot = Quat::from_mat3(&Mat3::from_cols(Vec3::Z, Vec3::X, Vec3::Y));
    Transform::from_xyz(x, 0.03, 0.0).with_rotation(rot)
}

/// What the floor is built from: the floor's numbers, the kit of meshes and materials, the signs'
/// language and the render preset (lit surfaces in the high one).
#[derive(SystemParam)]
pub(crate) struct FloorSource<'w> {
    floor: Res<'w, Floor>,
    kit: Option<Res<'w, Kit>>,
    lang: Res<'w, Lang>,
    high: Option<Res<'w, HighPreset>>,
    roles: Res<'w, crate::playback::roles::HeadRoles>,
}

/// The asset stores the floor's meshes, board materials and textures are added to.
#[derive(SystemParam)]
pub(crate) struct FloorAssets<'w> {
    meshes: ResMut<'w, Assets<Mesh>>,
    materials: ResMut<'w, Assets<FlatTexture>>,
    images: ResMut<'w, Assets<Image>>,
    std_materials: ResMut<'w, Assets<StandardMaterial>>,
    faces: ResMut<'w, CrateFaces>,
}

/// Rebuilds every floor entity when the history changed, and tells the clock where the hall ends.
pub(crate) fn rebuild_floor(
    mut commands: Commands,
    source: FloorSource,
    mut assets: FloorAssets,
    mut built: ResMut<Built>,
    roots: Query<Entity, With<FloorRoot>>,
    mut playback: ResMut<Playback>,
    mut built_lang: Local<Option<Lang>>,
) {
    let Some(kit) = source.kit.as_deref() else {
        return;
    };
    let floor: &Floor = &source.floor;
    // the preset is chosen a few frames in: a floor built before is built again in its materials
    let preset_came = source.high.as_ref().is_some_and(|h| h.is_added());
    // the heads' plates are pictures of words: a new language builds the floor again
    let lang_came = built_lang.is_some_and(|l| l != *source.lang);
    if (built.0 == Some(floor.version) && !preset_came && !lang_came) || floor.history.is_empty() {
        return;
    }
    let lit = source.high.is_some();
    built.0 = Some(floor.version);
    *built_lang = Some(*source.lang);
    for root in &roots {
        commands.entity(root).despawn();
    }
    let h = &floor.history;
    let layout = Layout::new(
        Shape {
            n_layer: h.layers.len(),
            n_head: h.layers.first().map_or(0, |l| l.attention.len()),
        },
        h.len(),
    );
    playback.last_station = Some(layout.stations.len() - 1);

    let root = commands
        .spawn((
            Name::new("Factory floor"),
            FloorRoot,
            Transform::default(),
            Visibility::default(),
        ))
        .id();
    spawn_hall_floor(&mut commands, kit, &layout, root, lit);
    // what lies on the belt (booth floors, boards), so that the belt is left out beneath it
    let mut covered: Vec<(f32, f32)> = Vec::new();
    spawn_belt_slats(&mut commands, &mut assets.meshes, kit, &layout, root, lit);
    let words = crate_words(h);
    let hall = stations::Hall {
        kit,
        floor,
        lang: *source.lang,
        width: layout.width().max(6.0),
        belt_w: layout.width(),
        n_head: layout.shape.n_head,
        roles: &source.roles,
        words: &words,
        spread_top: crate::scene::spread::hall_spread_top(h, &layout.stations),
    };
    for (index, station) in layout.stations.iter().enumerate() {
        stations::spawn_station(
            &mut commands,
            &mut assets,
            &hall,
            (index, station),
            root,
            &mut covered,
        );
    }
    let meshes = &mut assets.meshes;
    spawn_belt(&mut commands, meshes, kit, &layout, root, lit, covered);
    spawn_crates(&mut commands, &mut assets, kit, (&layout, h, &words), root);
    commands.insert_resource(CurrentLayout(layout));
}

/// Each crate's word as its labels print it.
fn crate_words(h: &crate::playback::history::History) -> Vec<String> {
    let pairs = h.texts.iter().zip(&h.ids);
    pairs.map(|(t, &id)| crate_text(t, id)).collect()
}

/// The hall's floor around the belt, in four pieces (not under it: a software renderer pays for
/// every layer of a pixel).
fn spawn_hall_floor(commands: &mut Commands, kit: &Kit, layout: &Layout, root: Entity, lit: bool) {
    let length = layout.length();
    let belt_w = layout.width();
    // far past the hall on every side, so its edges are lost in the fog (a floor 12 units wide
    // ended in a dark void beside the hall in every wide view)
    let side = FLOOR_MARGIN;
    for (name, centre, size) in [
        (
            "near",
            Vec3::new(length / 2.0, -0.15, -(belt_w + side) / 2.0),
            Vec3::new(length + 2.0 * FLOOR_MARGIN, 0.1, side),
        ),
        (
            "far",
            Vec3::new(length / 2.0, -0.15, (belt_w + side) / 2.0),
            Vec3::new(length + 2.0 * FLOOR_MARGIN, 0.1, side),
        ),
        (
            "front",
            Vec3::new(-FLOOR_MARGIN / 2.0, -0.15, 0.0),
            Vec3::new(FLOOR_MARGIN, 0.1, belt_w),
        ),
        (
            "back",
            Vec3::new(length + FLOOR_MARGIN / 2.0, -0.15, 0.0),
            Vec3::new(FLOOR_MARGIN, 0.1, belt_w),
        ),
    ] {
        let mut e = commands.spawn((
            Name::new(format!("Hall floor ({name})")),
            Mesh3d(kit.cube.clone()),
            Transform::from_translation(centre).with_scale(size),
            ChildOf(root),
        ));
        surface(&mut e, lit, &kit.floor, &kit.floor_lit);
    }
}

/// How far the hall's floor reaches past the belt and its ends (world units): well into the fog
/// ([`crate::scene::palette::FOG_END`] is 200 from the eye).
pub const FLOOR_MARGIN: f32 = 160.0;

/// Slats across the belt, so that it visibly moves while the crates ride: one mesh (one draw for a
/// software renderer), slid along by less than one gap and back.
fn spawn_belt_slats(
    commands: &mut Commands,
    meshes: &mut Assets<Mesh>,
    kit: &Kit,
    layout: &Layout,
    root: Entity,
    lit: bool,
) {
    let slats = ((layout.length() - SLAT_GAP) / SLAT_GAP).max(0.0) as usize + 1;
    let mut e = commands.spawn((
        Name::new("Belt slats"),
        BeltSlat(slats),
        Mesh3d(meshes.add(slat_mesh(slats, layout.width()))),
        Transform::from_xyz(0.0, 0.012, 0.0),
        ChildOf(root),
    ));
    surface(&mut e, lit, &kit.floor, &kit.floor_lit);
}

/// The conveyor belt: strips along the hall where nothing lies on it (`covered`: booth floors,
/// boards).
fn spawn_belt(
    commands: &mut Commands,
    meshes: &mut Assets<Mesh>,
    kit: &Kit,
    layout: &Layout,
    root: Entity,
    lit: bool,
    covered: Vec<(f32, f32)>,
) {
    let open = open_stretches(layout.length(), covered);
    let mut e = commands.spawn((
        Name::new("Conveyor belt"),
        Mesh3d(meshes.add(strips_mesh(&open, layout.width()))),
        Transform::from_xyz(0.0, 0.01, 0.0),
        ChildOf(root),
    ));
    surface(&mut e, lit, &kit.belt, &kit.belt_lit);
}

/// A crate per token at the start of the hall, labelled with its word (`words`, one per token,
/// as [`crate_text`] writes it), each with its surprise gauges.
fn spawn_crates(
    commands: &mut Commands,
    assets: &mut FloorAssets,
    kit: &Kit,
    (layout, h, words): (&Layout, &History, &[String]),
    root: Entity,
) {
    for (i, word) in words.iter().enumerate() {
        let material = if i >= h.n_prompt {
            kit.crate_new.clone()
        } else {
            kit.crate_prompt.clone()
        };
        let crate_entity = commands.spawn((
            Name::new(format!("Token {i}: {:?}", h.texts[i])),
            Crate(i),
            Mesh3d(kit.crate_mesh.clone()),
            MeshMaterial3d(material),
            Transform::from_translation(layout.crate_position(i, 0.0)),
            WorldLabel {
                // plain words: the piece without its space mark (its id is in the tooltip,
                // and on the label with the drawer's "ids" switch)
                text: word.clone(),
                size: 16.0,
                // neighbours' labels at two heights, so that seen at an angle they do not collide
                lift: if i % 2 == 0 { 0.9 } else { 2.0 },
                weight: 1.0,
            },
            ChildOf(root),
        ));
        let crate_entity = crate_entity.id();
        // the word on a paper label on the front and back faces (the floating label above is
        // drawn only where that label is not readable, for the selected crate, or with "ids")
        let (label, quad) = assets.faces.get(
            word,
            &mut assets.images,
            &mut assets.std_materials,
            &mut assets.meshes,
        );
        for place in crate_face::label_places() {
            commands.spawn((
                Name::new("Crate label"),
                Mesh3d(quad.clone()),
                MeshMaterial3d(label.clone()),
                place,
                // the pointer goes through to the crate (its tooltip tells the token)
                Pickable::IGNORE,
                ChildOf(crate_entity),
            ));
        }
        spawn_surprise_gauges(commands, kit, i, crate_entity);
    }
}

/// The text on token `id`'s crate: its piece as a visitor reads it (no leading-space mark; a
/// line break as ¶, a tab as a gap; a piece of spaces only as "_"; an empty piece by its id).
/// Only characters the overlay's font has.
pub fn crate_text(text: &str, id: u32) -> String {
    let t = text.trim_start_matches(' ');
    if text.is_empty() {
        shown_token(text, id)
    } else if t.is_empty() {
        "_".into()
    } else {
        t.replace('\n', "\u{b6}").replace('\t', "  ")
    }
}

/// The surprise gauge on token `i`'s crate: a bar across its top (seen from every station view),
/// a dark slot filled from one end when the surprise is known.
fn spawn_surprise_gauges(commands: &mut Commands, kit: &Kit, i: usize, crate_entity: Entity) {
    commands.spawn((
        Name::new("Surprise slot"),
        GaugeSlot(i),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(kit.gauge_slot.clone()),
        Transform::from_xyz(0.0, 0.455, 0.0).with_scale(Vec3::new(0.26, 0.02, GAUGE_LENGTH + 0.04)),
        Visibility::Hidden,
        // the pointer goes through to the crate (its tooltip tells the surprise)
        Pickable::IGNORE,
        ChildOf(crate_entity),
    ));
    commands.spawn((
        Name::new("Surprise gauge"),
        SurpriseGauge(i),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(kit.gauge.clone()),
        Transform::from_xyz(0.0, 0.47, 0.0).with_scale(Vec3::new(0.2, 0.02, 0.001)),
        Visibility::Hidden,
        Pickable::IGNORE,
        ChildOf(crate_entity),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_belt_runs_where_nothing_lies_on_it() {
        // overlapping, unordered, one past the end
        let open = open_stretches(
            20.0,
            vec![(8.0, 10.0), (2.0, 4.0), (3.0, 5.0), (18.0, 25.0)],
        );
        assert_eq!(open, vec![(0.0, 2.0), (5.0, 8.0), (10.0, 18.0)]);
        assert_eq!(open_stretches(5.0, vec![]), vec![(0.0, 5.0)]);
        assert_eq!(open_stretches(5.0, vec![(-1.0, 6.0)]), vec![]);
    }
}
