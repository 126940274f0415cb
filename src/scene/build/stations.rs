//! One station of the floor: its grouping node, machine, sign, gate posts and switch, and what its
//! kind adds (a booth's floor and part bar, the shipping dock's probability bars, a board of
//! vectors, a layer's logit lens and FFN lamps).

use bevy::prelude::*;

use super::{FloorAssets, flat_on_floor};
use crate::i18n::Lang;
use crate::model::Ablation;
use crate::playback::{Floor, SHOWN_CANDIDATES};
use crate::scene::dock::{BAR_FULL, BAR_WIDTH, BAR_X, PART_HEIGHT, PLAQUE_REST, bar_z};
use crate::scene::kit::{Kit, board_material, new_image};
use crate::scene::layout::{BOARD_DEPTH, SIGN_HEIGHT, Station, StationKind, tile};
use crate::scene::parts::{
    Board, BoardSource, Booth, ChartBoard, ChartLine, LampWall, LensSign, Localized, PartBar,
    ProbBar, SignGroup, StationNode, Switch, SwitchKnob, WinnerPlaque, WorldLabel,
};
use crate::scene::{machines, palette};

/// What every station is built from: the kit, the floor's numbers, the signs' language and the
/// hall's sizes.
pub(super) struct Hall<'a> {
    /// Meshes and materials.
    pub(super) kit: &'a Kit,
    /// The floor being built (its history and which parts are switched off).
    pub(super) floor: &'a Floor,
    /// The language the signs are written in first.
    pub(super) lang: Lang,
    /// Width between the stations' sides (the belt's, at least 6).
    pub(super) width: f32,
    /// Width of the belt, and of the boards lying on it.
    pub(super) belt_w: f32,
    /// Heads per layer.
    pub(super) n_head: usize,
    /// The model's head roles (from its folder's `heads.json`), for the booths' signs.
    pub(super) roles: &'a crate::playback::roles::HeadRoles,
    /// The crates' words as their labels print them (the receiving dock's tape).
    pub(super) words: &'a [String],
    /// The hall's one scale for the tokens' spreads on its boards (`spread::hall_spread_top`).
    pub(super) spread_top: f32,
}

/// The station being built: its index in the layout, where it stands, and its grouping node.
#[derive(Clone, Copy)]
struct Spot<'a> {
    index: usize,
    station: &'a Station,
    entity: Entity,
}

/// Builds station `index` of the layout under `root`: a grouping node and everything in it. What
/// lies on the belt (a booth's floor, a board) is added to `covered`.
pub(super) fn spawn_station(
    commands: &mut Commands,
    assets: &mut FloorAssets,
    hall: &Hall,
    (index, station): (usize, &Station),
    root: Entity,
    covered: &mut Vec<(f32, f32)>,
) {
    let kind = station.kind;
    let entity = commands
        .spawn((
            Name::new(kind.title(Lang::En)),
            StationNode(index),
            // a grouping node at the origin: its children are placed in hall coordinates
            Transform::default(),
            Visibility::default(),
            ChildOf(root),
        ))
        .id();
    let spot = Spot {
        index,
        station,
        entity,
    };
    let half_width = hall.width / 2.0;
    let h = &hall.floor.history;
    let mut tags = |text: &str| {
        assets.faces.get(
            text,
            &mut assets.images,
            &mut assets.std_materials,
            &mut assets.meshes,
        )
    };
    machines::spawn_machine(
        commands,
        hall.kit,
        (index, station),
        half_width,
        (hall.n_head, hall.words),
        entity,
        &mut tags,
    );
    crate::scene::spread::spawn_spread_bars(
        commands,
        (hall.kit, hall.lang),
        (index, station),
        half_width,
        h,
        (entity, &mut tags),
    );
    spawn_sign_and_gate(commands, hall, spot);
    spawn_switch(commands, hall, spot);
    match kind {
        StationKind::Booth(layer, head) => {
            spawn_booth(commands, hall, spot, (layer, head), covered);
            let at = super::cabin::CabinAt {
                x: station.x,
                depth: station.depth,
                width: hall.width,
                parent: spot.entity,
            };
            super::cabin::spawn_cabin(commands, assets, (hall.kit, hall.lang), at, (layer, head));
        }
        StationKind::Shipping => spawn_probability_bars(commands, hall, spot),
        _ => {}
    }
    if let Some(source) = BoardSource::for_station(kind) {
        spawn_board(commands, assets, hall, spot, source, covered);
    }
    if let StationKind::Ffn(layer) = kind {
        spawn_logit_lens(commands, hall, spot, layer);
        spawn_lamp_wall(commands, assets, hall, spot, layer);
    }
}

/// The station's sign on the far side of the belt (written again when the language changes), and
/// its gate frame.
fn spawn_sign_and_gate(commands: &mut Commands, hall: &Hall, spot: Spot) {
    let (kind, x, width) = (spot.station.kind, spot.station.x, hall.width);
    let sign_y = SIGN_HEIGHT + 0.4;
    // numbered from 1 along the hall, as a visitor counts them
    let number = spot.index + 1;
    // a booth's sign says its head's role in general, when the model folder measured it
    let role = match kind {
        StationKind::Booth(l, h) => hall.roles.of(l, h).copied(),
        _ => None,
    };
    let sign = move |lang: Lang| match role {
        Some(r) => kind.sign_with_role(lang, number, &r),
        None => kind.sign(lang, number),
    };
    let mut spawned = commands.spawn((
        Name::new(format!("Sign: {}", kind.title(Lang::En))),
        Localized::new(sign),
        Transform::from_xyz(x, sign_y, width / 2.0 + 0.8),
        WorldLabel {
            text: sign(hall.lang),
            size: 30.0,
            lift: 0.0,
            weight: WorldLabel::SIGN,
        },
        ChildOf(spot.entity),
    ));
    if let StationKind::Booth(layer, _) = kind {
        spawned.insert(SignGroup(layer));
    }
    // gate frame: two posts (a booth's cabin has its own)
    if matches!(kind, StationKind::Booth(..)) {
        return;
    }
    let frame_h = SIGN_HEIGHT;
    for z in [-width / 2.0 - 0.6, width / 2.0 + 0.6] {
        commands.spawn((
            Name::new("Post"),
            Mesh3d(hall.kit.cube.clone()),
            MeshMaterial3d(hall.kit.machine.clone()),
            Transform::from_xyz(x, frame_h / 2.0, z).with_scale(Vec3::new(0.3, frame_h, 0.3)),
            ChildOf(spot.entity),
        ));
    }
}

/// How far a switch's lever leans from upright, radians: forward (down the hall) while its part
/// runs, back while it is off.
pub const LEVER_LEAN: f32 = 0.55;

/// A switch for the head, the FFN or the positions, at the station's near side: a lever on a base
/// plate, leaning forward and green while the part runs, back and red while it is off. Other
/// stations have none.
fn spawn_switch(commands: &mut Commands, hall: &Hall, spot: Spot) {
    // a switch for the head or the FFN, at the station's near side
    let switched = match spot.station.kind {
        StationKind::Booth(layer, head) => Some(Ablation::Head(layer, head)),
        StationKind::Ffn(layer) => Some(Ablation::Mlp(layer)),
        StationKind::Position => Some(Ablation::Positions),
        _ => None,
    };
    let Some(a) = switched else {
        return;
    };
    let (kit, x, width) = (hall.kit, spot.station.x, hall.width);
    let off = hall.floor.ablations.contains(a);
    let base = Vec3::new(x + 1.3, 0.08, -width / 2.0 - 1.3);
    commands.spawn((
        Name::new(format!("Switch plate {a}")),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(kit.machine.clone()),
        Transform::from_translation(base).with_scale(Vec3::new(0.9, 0.16, 0.6)),
        ChildOf(spot.entity),
    ));
    // the lever pivots at the plate: forward (+x, down the hall) on, back off
    let lean = if off { LEVER_LEAN } else { -LEVER_LEAN };
    let (length, rotation) = (1.0, Quat::from_rotation_z(lean));
    commands.spawn((
        Name::new(format!("Switch {a}")),
        Switch(a),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(if off {
            kit.switch_off.clone()
        } else {
            kit.switch_on.clone()
        }),
        Transform::from_translation(base + rotation * Vec3::new(0.0, length / 2.0, 0.0))
            .with_rotation(rotation)
            .with_scale(Vec3::new(0.16, length, 0.16)),
        ChildOf(spot.entity),
        // a dark knob at its end, the handle a hand pulls (it leans with the lever)
        children![(
            Name::new("Switch knob"),
            SwitchKnob(a),
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(kit.machine_body.clone()),
            Transform::from_xyz(0.0, 0.5, 0.0).with_scale(Vec3::new(0.3 / 0.16, 0.22, 0.3 / 0.16)),
        )],
    ));
}

/// A head's booth: its part bar at the near side (hidden until known) and the booth's floor, where
/// its beams run; the floor covers the belt.
fn spawn_booth(
    commands: &mut Commands,
    hall: &Hall,
    spot: Spot,
    (layer, head): (usize, usize),
    covered: &mut Vec<(f32, f32)>,
) {
    let (kit, station, width) = (hall.kit, spot.station, hall.width);
    let half = (station.depth - 0.6) / 2.0;
    covered.push((station.x - half, station.x + half));
    // the gauge's dark face behind the bar, turned toward the hall's start (where the station's
    // camera stands): as tall as the largest part of any head, with light ticks at each quarter
    // wider than the bar, so it reads as a meter filled to a level (a taupe panel read as "a post")
    let gauge_z = -width / 2.0 - 1.7;
    commands.spawn((
        Name::new(format!("Part gauge L{layer} H{head}")),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(kit.gauge_slot.clone()),
        Transform::from_xyz(station.x + 0.3, PART_HEIGHT / 2.0, gauge_z).with_scale(Vec3::new(
            0.08,
            PART_HEIGHT,
            0.7,
        )),
        ChildOf(spot.entity),
    ));
    for k in 1..=4 {
        let y = PART_HEIGHT * k as f32 / 4.0 - 0.02;
        commands.spawn((
            Name::new("Part gauge tick"),
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(kit.paper.clone()),
            Transform::from_xyz(station.x + 0.24, y, gauge_z)
                .with_scale(Vec3::new(0.04, 0.04, 0.7)),
            ChildOf(spot.entity),
        ));
    }
    commands.spawn((
        Name::new(format!("Part L{layer} H{head}")),
        PartBar { layer, head },
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(kit.bar.clone()),
        Transform::from_xyz(station.x, 0.0, gauge_z).with_scale(Vec3::new(0.4, 0.001, 0.4)),
        Visibility::Hidden,
        WorldLabel {
            text: String::new(),
            size: 12.0,
            lift: 0.5,
            weight: 0.5,
        },
        ChildOf(spot.entity),
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
        ChildOf(spot.entity),
    ));
}

/// The shipping dock's probability bars, one per shown candidate across the hall, hidden until
/// the candidates are known, before the lines of their scale.
fn spawn_probability_bars(commands: &mut Commands, hall: &Hall, spot: Spot) {
    let kit = hall.kit;
    let x = spot.station.x + BAR_X;
    // the winner's plaque, moved over the bar it names (a sign: dark backing, large type)
    commands.spawn((
        Name::new("Winner plaque"),
        WinnerPlaque,
        Transform::from_xyz(x, PLAQUE_REST, bar_z(0)),
        Visibility::default(),
        WorldLabel {
            text: String::new(),
            size: 32.0,
            lift: 0.0,
            weight: WorldLabel::SIGN,
        },
        ChildOf(spot.entity),
    ));
    for rank in 0..SHOWN_CANDIDATES {
        commands.spawn((
            Name::new(format!("Probability bar {rank}")),
            ProbBar(rank),
            Mesh3d(kit.cube.clone()),
            MeshMaterial3d(kit.bar.clone()),
            Transform::from_xyz(x, 0.0, bar_z(rank))
                .with_scale(Vec3::new(BAR_WIDTH, 0.001, BAR_WIDTH)),
            Visibility::Hidden,
            WorldLabel {
                text: String::new(),
                size: 15.0,
                lift: 0.6,
                weight: 2.0,
            },
            ChildOf(spot.entity),
        ));
    }
    spawn_chart_scale(commands, kit, x, spot.entity);
}

/// The chart's scale behind the dock's bars (at `x` along the hall) under `parent`: a thin grey
/// line across the bars' row at every 10 %, just behind them, its figure at the end past the last
/// bar, on a dark board (both sized by `dock::update_bars`).
fn spawn_chart_scale(commands: &mut Commands, kit: &Kit, x: f32, parent: Entity) {
    let (start, end) = (bar_z(0) - BAR_WIDTH, bar_z(SHOWN_CANDIDATES - 1) + 0.9);
    commands.spawn((
        Name::new("Chart board"),
        ChartBoard,
        // one-sided, toward the bars' front: seen from behind the dock the bars show through
        Mesh3d(kit.facing_start.clone()),
        MeshMaterial3d(kit.machine_body.clone()),
        Transform::from_xyz(x + BAR_WIDTH + 0.08, 0.5, (start + end) / 2.0).with_scale(Vec3::new(
            0.05,
            1.0,
            end - start + 0.4,
        )),
        Visibility::Hidden,
        ChildOf(parent),
    ));
    for k in 1..=10 {
        let y = BAR_FULL * k as f32 / 10.0;
        let line = commands
            .spawn((
                Name::new(format!("Chart line {} %", k * 10)),
                ChartLine(k),
                Transform::from_xyz(x + BAR_WIDTH, y, end),
                Visibility::Hidden,
                WorldLabel {
                    text: format!("{} %", k * 10),
                    size: 12.0,
                    lift: 0.0,
                    weight: 0.4,
                },
                ChildOf(parent),
            ))
            .id();
        commands.spawn((
            Mesh3d(kit.cube.clone()),
            // dim grey on the board's near-black (light lines struck through the bars' labels)
            MeshMaterial3d(kit.chart_line.clone()),
            Transform::from_xyz(0.0, 0.0, (start - end) / 2.0).with_scale(Vec3::new(
                0.03,
                0.03,
                end - start,
            )),
            Pickable::IGNORE,
            ChildOf(line),
        ));
    }
}

/// The board of vectors lying on the belt at the station (at an FFN machine's exit end): a tile
/// per token, dark until painted; it covers the belt.
fn spawn_board(
    commands: &mut Commands,
    assets: &mut FloorAssets,
    hall: &Hall,
    spot: Spot,
    source: BoardSource,
    covered: &mut Vec<(f32, f32)>,
) {
    let (h, station) = (&hall.floor.history, spot.station);
    let n = h.len();
    let rows = source.rows(h);
    let c = rows.first().map_or(1, Vec::len);
    let (across, tile_rows) = tile(c, n);
    let image = assets.images.add(new_image(n * across, tile_rows));
    // a set of rows' colour scale and each token's spread on the hall's scale (the far bars)
    let look = |rows: &[Vec<f32>]| {
        let shares = crate::scene::spread::spread_shares(rows, hall.spread_top);
        (palette::board_scale(rows.iter().flatten()), shares)
    };
    let (scale, shares) = look(rows);
    let board_x = if matches!(station.kind, StationKind::Ffn(_)) {
        station.x + station.depth / 2.0 - BOARD_DEPTH / 2.0
    } else {
        station.x
    };
    covered.push((board_x - BOARD_DEPTH / 2.0, board_x + BOARD_DEPTH / 2.0));
    commands.spawn((
        Name::new(format!("Board: {}", source.caption(Lang::En))),
        Board {
            station: spot.index,
            source,
            image: image.clone(),
            scale,
            painted: usize::MAX,
            backward: None,
            shares,
            added: source.added(h).map(look),
            added_shown: false,
        },
        Mesh3d(assets.meshes.add(Rectangle::new(hall.belt_w, BOARD_DEPTH))),
        MeshMaterial3d(assets.materials.add(board_material(image, h.len()))),
        flat_on_floor(board_x),
        ChildOf(spot.entity),
    ));
}

/// The logit lens at the layer's exit (its FFN station), above the signs on the far side of the
/// belt: what the model would guess if it stopped there.
fn spawn_logit_lens(commands: &mut Commands, hall: &Hall, spot: Spot, layer: usize) {
    let station = spot.station;
    commands.spawn((
        Name::new(format!("Logit lens, layer {layer}")),
        LensSign {
            layer,
            station: spot.index,
        },
        Transform::from_xyz(
            station.x + station.depth / 2.0,
            SIGN_HEIGHT + 2.4,
            hall.width / 2.0 + 0.8,
        ),
        WorldLabel {
            text: String::new(),
            size: 14.0,
            lift: 0.0,
            weight: 2.0,
        },
        ChildOf(spot.entity),
    ));
}

/// The wall of the layer's FFN neuron lamps, a cell per neuron, on the far side of the belt.
fn spawn_lamp_wall(
    commands: &mut Commands,
    assets: &mut FloorAssets,
    hall: &Hall,
    spot: Spot,
    layer: usize,
) {
    let ffn_act = &hall.floor.history.layers[layer].ffn_act;
    let hidden = ffn_act.first().map_or(1, Vec::len);
    let cols = (hidden as f32).sqrt().ceil() as usize * 2;
    let rows = hidden.div_ceil(cols);
    let image = assets.images.add(new_image(cols, rows));
    let width = crate::scene::middle_machines::LAMP_WALL_WIDTH;
    let size = Vec2::new(width, width * rows as f32 / cols as f32);
    let scale = palette::board_scale(ffn_act.iter().flatten());
    commands.spawn((
        Name::new(format!("FFN lamps, layer {layer}")),
        LampWall {
            layer,
            station: spot.index,
            image: image.clone(),
            cols,
            rows,
            shown: None,
            scale,
            size,
            backward: None,
        },
        Mesh3d(assets.meshes.add(Rectangle::new(size.x, size.y))),
        MeshMaterial3d(assets.materials.add(board_material(image, 0))),
        // a wall along the far side of the belt, facing the visitor
        Transform::from_xyz(spot.station.x, 0.6 + size.y / 2.0, hall.width / 2.0 + 1.2)
            .with_rotation(Quat::from_rotation_y(std::f32::consts::PI)),
        ChildOf(spot.entity),
    ));
}
