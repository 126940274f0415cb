//! Building the floor: the hall, the belt, one station per computation step (signs, gate posts,
//! booths, boards, lamp walls, the dock's bars) and a crate per token, from the floor's history.

use bevy::prelude::*;

use super::flat::{FlatMaterial, FlatTexture, HighPreset};
use super::kit::{Kit, board_material, new_image};
use super::layout::{BOARD_DEPTH, Layout, SIGN_HEIGHT, Shape, StationKind, tile};
use super::palette;
use super::parts::{
    BeltSlat, Board, BoardSource, Booth, Built, Crate, CurrentLayout, FloorRoot, GAUGE_HEIGHT,
    GaugeSlot, LampWall, LensSign, Localized, PartBar, ProbBar, SurpriseGauge, Switch, WorldLabel,
};
use crate::i18n::Lang;
use crate::model::Ablation;
use crate::model::tokenizer::shown_token;
use crate::playback::{Floor, Playback, SHOWN_CANDIDATES};

/// Width of the bars' area.
const BAR_SPACING: f32 = 1.6;
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

/// Rebuilds every floor entity when the history changed, and tells the clock where the hall ends.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rebuild_floor(
    mut commands: Commands,
    floor: Res<Floor>,
    kit: Option<Res<Kit>>,
    mut built: ResMut<Built>,
    roots: Query<Entity, With<FloorRoot>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<FlatTexture>>,
    mut images: ResMut<Assets<Image>>,
    mut playback: ResMut<Playback>,
    lang: Res<Lang>,
    high: Option<Res<HighPreset>>,
) {
    let Some(kit) = kit else {
        return;
    };
    // the preset is chosen a few frames in: a floor built before is built again in its materials
    let preset_came = high.as_ref().is_some_and(|h| h.is_added());
    if (built.0 == Some(floor.version) && !preset_came) || floor.history.is_empty() {
        return;
    }
    let lit = high.is_some();
    built.0 = Some(floor.version);
    for root in &roots {
        commands.entity(root).despawn();
    }
    let h = &floor.history;
    let n = h.len();
    let layout = Layout::new(
        Shape {
            n_layer: h.layers.len(),
            n_head: h.layers.first().map_or(0, |l| l.attention.len()),
        },
        n,
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
    let width = layout.width().max(6.0);
    let length = layout.length();
    // the floor around the belt (not under it: a software renderer pays for every layer of a pixel)
    let belt_w = layout.width();
    let side = width / 2.0 + 12.0 - belt_w / 2.0;
    for (name, centre, size) in [
        (
            "near",
            Vec3::new(length / 2.0, -0.15, -(belt_w + side) / 2.0),
            Vec3::new(length + 30.0, 0.1, side),
        ),
        (
            "far",
            Vec3::new(length / 2.0, -0.15, (belt_w + side) / 2.0),
            Vec3::new(length + 30.0, 0.1, side),
        ),
        (
            "front",
            Vec3::new(-7.5, -0.15, 0.0),
            Vec3::new(15.0, 0.1, belt_w),
        ),
        (
            "back",
            Vec3::new(length + 7.5, -0.15, 0.0),
            Vec3::new(15.0, 0.1, belt_w),
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
    // what lies on the belt (booth floors, boards), so that the belt is left out beneath it
    let mut covered: Vec<(f32, f32)> = Vec::new();
    // slats across the belt, so that it visibly moves while the crates ride: one mesh (one draw
    // for a software renderer), slid along by less than one gap and back
    let slats = ((length - SLAT_GAP) / SLAT_GAP).max(0.0) as usize + 1;
    let mut e = commands.spawn((
        Name::new("Belt slats"),
        BeltSlat(slats),
        Mesh3d(meshes.add(slat_mesh(slats, layout.width()))),
        Transform::from_xyz(0.0, 0.012, 0.0),
        ChildOf(root),
    ));
    surface(&mut e, lit, &kit.floor, &kit.floor_lit);
    let board_w = layout.width();
    for (index, station) in layout.stations.iter().enumerate() {
        let kind = station.kind;
        let sign_y = SIGN_HEIGHT + 0.4;
        let station_entity = commands
            .spawn((
                Name::new(kind.title(Lang::En)),
                // a grouping node at the origin: its children are placed in hall coordinates
                Transform::default(),
                Visibility::default(),
                ChildOf(root),
            ))
            .id();
        super::machines::spawn_machine(
            &mut commands,
            &kit,
            station,
            width / 2.0,
            layout.shape.n_head,
            station_entity,
        );
        super::machines::spawn_spread_bars(
            &mut commands,
            &kit,
            (index, station),
            width / 2.0,
            h,
            station_entity,
        );
        commands.spawn((
            Name::new(format!("Sign: {}", kind.title(Lang::En))),
            Localized::new(move |l| kind.title(l)),
            Transform::from_xyz(station.x, sign_y, width / 2.0 + 0.8),
            WorldLabel {
                text: kind.title(*lang),
                size: 24.0,
                lift: 0.0,
                weight: 3.0,
            },
            ChildOf(station_entity),
        ));
        // gate frame: two posts and a lintel
        let frame_h = SIGN_HEIGHT;
        for z in [-width / 2.0 - 0.6, width / 2.0 + 0.6] {
            commands.spawn((
                Name::new("Post"),
                Mesh3d(kit.cube.clone()),
                MeshMaterial3d(kit.machine.clone()),
                Transform::from_xyz(station.x, frame_h / 2.0, z)
                    .with_scale(Vec3::new(0.3, frame_h, 0.3)),
                ChildOf(station_entity),
            ));
        }
        // a switch for the head or the FFN, at the station's near side
        let switched = match kind {
            StationKind::Booth(layer, head) => Some(Ablation::Head(layer, head)),
            StationKind::Ffn(layer) => Some(Ablation::Mlp(layer)),
            StationKind::Position => Some(Ablation::Positions),
            _ => None,
        };
        if let Some(a) = switched {
            let off = floor.ablations.contains(a);
            let h = if off { 0.2 } else { 0.6 };
            commands.spawn((
                Name::new(format!("Switch {a}")),
                Switch(a),
                Mesh3d(kit.cube.clone()),
                MeshMaterial3d(if off {
                    kit.switch_off.clone()
                } else {
                    kit.switch_on.clone()
                }),
                Transform::from_xyz(station.x + 1.3, h / 2.0, -width / 2.0 - 1.3)
                    .with_scale(Vec3::new(0.45, h, 0.45)),
                ChildOf(station_entity),
            ));
        }
        match kind {
            StationKind::Booth(layer, head) => {
                let half = (station.depth - 0.6) / 2.0;
                covered.push((station.x - half, station.x + half));
                commands.spawn((
                    Name::new(format!("Part L{layer} H{head}")),
                    PartBar { layer, head },
                    Mesh3d(kit.cube.clone()),
                    MeshMaterial3d(kit.bar.clone()),
                    Transform::from_xyz(station.x, 0.0, -width / 2.0 - 1.3)
                        .with_scale(Vec3::new(0.4, 0.001, 0.4)),
                    Visibility::Hidden,
                    WorldLabel {
                        text: String::new(),
                        size: 12.0,
                        lift: 0.5,
                        weight: 0.5,
                    },
                    ChildOf(station_entity),
                ));
                commands.spawn((
                    Name::new(format!("Booth L{layer} H{head}")),
                    Booth { layer, head },
                    Mesh3d(kit.cube.clone()),
                    MeshMaterial3d(kit.booth.clone()),
                    Transform::from_xyz(station.x, 0.06, 0.0).with_scale(Vec3::new(
                        station.depth - 0.6,
                        0.08,
                        width + 0.6,
                    )),
                    ChildOf(station_entity),
                ));
            }
            StationKind::Shipping => {
                for rank in 0..SHOWN_CANDIDATES {
                    let z = (rank as f32 - (SHOWN_CANDIDATES as f32 - 1.0) / 2.0) * BAR_SPACING;
                    commands.spawn((
                        Name::new(format!("Probability bar {rank}")),
                        ProbBar(rank),
                        Mesh3d(kit.cube.clone()),
                        MeshMaterial3d(kit.bar.clone()),
                        Transform::from_xyz(station.x + 5.5, 0.0, z)
                            .with_scale(Vec3::new(0.8, 0.001, 0.8)),
                        Visibility::Hidden,
                        WorldLabel {
                            text: String::new(),
                            size: 13.0,
                            lift: 0.6,
                            weight: 2.0,
                        },
                        ChildOf(station_entity),
                    ));
                }
            }
            _ => {}
        }
        if let Some(source) = BoardSource::for_station(kind) {
            let rows = source.rows(h);
            let c = rows.first().map_or(1, Vec::len);
            let (across, tile_rows) = tile(c, n);
            let image = images.add(new_image(n * across, tile_rows));
            let scale = palette::board_scale(rows.iter().flatten());
            let board_x = if matches!(kind, StationKind::Ffn(_)) {
                station.x + station.depth / 2.0 - BOARD_DEPTH / 2.0
            } else {
                station.x
            };
            covered.push((board_x - BOARD_DEPTH / 2.0, board_x + BOARD_DEPTH / 2.0));
            commands.spawn((
                Name::new(format!("Board: {}", source.caption(Lang::En))),
                Board {
                    station: index,
                    source,
                    image: image.clone(),
                    scale,
                    painted: usize::MAX,
                },
                Mesh3d(meshes.add(Rectangle::new(board_w, BOARD_DEPTH))),
                MeshMaterial3d(materials.add(board_material(image))),
                flat_on_floor(board_x),
                ChildOf(station_entity),
            ));
        }
        if let StationKind::Ffn(layer) = kind {
            // the logit lens at the layer's exit, above the signs on the far side of the belt
            commands.spawn((
                Name::new(format!("Logit lens, layer {layer}")),
                LensSign {
                    layer,
                    station: index,
                },
                Transform::from_xyz(
                    station.x + station.depth / 2.0,
                    SIGN_HEIGHT + 2.4,
                    width / 2.0 + 0.8,
                ),
                WorldLabel {
                    text: String::new(),
                    size: 14.0,
                    lift: 0.0,
                    weight: 2.0,
                },
                ChildOf(station_entity),
            ));
            let hidden = h.layers[layer].ffn_act.first().map_or(1, Vec::len);
            let cols = (hidden as f32).sqrt().ceil() as usize * 2;
            let rows = hidden.div_ceil(cols);
            let image = images.add(new_image(cols, rows));
            let size = Vec2::new(9.0, 9.0 * rows as f32 / cols as f32);
            let scale = palette::board_scale(h.layers[layer].ffn_act.iter().flatten());
            commands.spawn((
                Name::new(format!("FFN lamps, layer {layer}")),
                LampWall {
                    layer,
                    station: index,
                    image: image.clone(),
                    cols,
                    rows,
                    shown: None,
                    scale,
                    size,
                },
                Mesh3d(meshes.add(Rectangle::new(size.x, size.y))),
                MeshMaterial3d(materials.add(board_material(image))),
                // a wall along the far side of the belt, facing the visitor
                Transform::from_xyz(station.x, 0.6 + size.y / 2.0, width / 2.0 + 1.2)
                    .with_rotation(Quat::from_rotation_y(std::f32::consts::PI)),
                ChildOf(station_entity),
            ));
        }
    }
    // the belt: where nothing lies on it
    let mut e = commands.spawn((
        Name::new("Conveyor belt"),
        Mesh3d(meshes.add(strips_mesh(&open_stretches(length, covered), belt_w))),
        Transform::from_xyz(0.0, 0.01, 0.0),
        ChildOf(root),
    ));
    surface(&mut e, lit, &kit.belt, &kit.belt_lit);
    // crates
    for i in 0..n {
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
                text: format!("{}\n#{}", shown_token(&h.texts[i], h.ids[i]), h.ids[i]),
                size: 16.0,
                // neighbours' labels at two heights, so that seen at an angle they do not collide
                lift: if i % 2 == 0 { 0.9 } else { 2.0 },
                weight: 1.0,
            },
            ChildOf(root),
        ));
        let crate_entity = crate_entity.id();
        // the surprise gauge on the crate's back and front (seen from the dock's side and from the
        // shipping dock's): a dark slot, filled from below when known
        for side in [-1.0f32, 1.0] {
            commands.spawn((
                Name::new("Surprise slot"),
                GaugeSlot(i),
                Mesh3d(kit.cube.clone()),
                MeshMaterial3d(kit.gauge_slot.clone()),
                Transform::from_xyz(side * 0.455, 0.0, 0.0).with_scale(Vec3::new(
                    0.02,
                    GAUGE_HEIGHT,
                    0.4,
                )),
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
                Transform::from_xyz(side * 0.47, 0.0, 0.0).with_scale(Vec3::new(0.02, 0.001, 0.34)),
                Visibility::Hidden,
                Pickable::IGNORE,
                ChildOf(crate_entity),
            ));
        }
    }
    commands.insert_resource(CurrentLayout(layout));
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
