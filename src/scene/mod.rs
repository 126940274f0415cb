//! The factory floor: stations, token crates, vector boards, attention beams, neuron lamps and the
//! shipping dock, all built from the [`Floor`](crate::inference::Floor)'s numbers.
//!
//! The scene is a view of (history, playback clock): whenever the history changes the floor is rebuilt
//! from the [`layout`]; between rebuilds, systems only move crates and repaint what was revealed.

pub mod beams;
pub mod history;
pub mod layout;
pub mod palette;

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use crate::app::AppSet;
use crate::inference::{Engine, Floor, Pending, Request, Sampling};
use crate::model::sample::{Candidate, candidates};
use history::History;
use layout::{BOARD_DEPTH, Layout, SIGN_HEIGHT, Shape, StationKind, tile};

/// Root of everything rebuilt when the history changes.
#[derive(Component)]
pub struct FloorRoot;

/// A token crate; the index of its token.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crate(pub usize);

/// An attention booth.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booth {
    /// Layer.
    pub layer: usize,
    /// Head.
    pub head: usize,
}

/// Which vector a board shows (one column per token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardSource {
    /// Rows of wte.
    TokEmb,
    /// wte + wpe.
    Embed,
    /// ln_1 output.
    Ln1(usize),
    /// Residual stream after attention.
    ResidAttn(usize),
    /// ln_2 output.
    Ln2(usize),
    /// Residual stream after the FFN.
    ResidFfn(usize),
    /// ln_f output.
    LnF,
}

impl BoardSource {
    /// The board a station shows, if any.
    pub fn for_station(kind: StationKind) -> Option<Self> {
        Some(match kind {
            StationKind::Embedding => BoardSource::TokEmb,
            StationKind::Position => BoardSource::Embed,
            StationKind::NormAttn(l) => BoardSource::Ln1(l),
            StationKind::Merge(l) => BoardSource::ResidAttn(l),
            StationKind::NormFfn(l) => BoardSource::Ln2(l),
            StationKind::Ffn(l) => BoardSource::ResidFfn(l),
            StationKind::FinalNorm => BoardSource::LnF,
            _ => return None,
        })
    }

    /// The per-token vectors this board shows.
    pub fn rows(self, h: &History) -> &[Vec<f32>] {
        let layer = |l: usize| &h.layers[l];
        match self {
            BoardSource::TokEmb => &h.tok_emb,
            BoardSource::Embed => &h.embed,
            BoardSource::Ln1(l) => &layer(l).ln_1,
            BoardSource::ResidAttn(l) => &layer(l).resid_attn,
            BoardSource::Ln2(l) => &layer(l).ln_2,
            BoardSource::ResidFfn(l) => &layer(l).resid_ffn,
            BoardSource::LnF => &h.ln_f,
        }
    }

    /// What the board shows, in words.
    pub fn caption(self) -> &'static str {
        match self {
            BoardSource::TokEmb => "token embedding (row of wte)",
            BoardSource::Embed => "token + position embedding",
            BoardSource::Ln1(_) | BoardSource::Ln2(_) | BoardSource::LnF => "after LayerNorm",
            BoardSource::ResidAttn(_) => "residual stream after attention",
            BoardSource::ResidFfn(_) => "residual stream after the FFN",
        }
    }
}

/// A board of vectors lying on the floor of a station: in each token's lane, a tile of `n_embd`
/// cells (see [`layout::tile`]), dimension `d` at column `d % across`, row `d / across`.
#[derive(Component, Debug, Clone)]
pub struct Board {
    /// Index of its station in the layout.
    pub station: usize,
    /// What it shows.
    pub source: BoardSource,
    /// Its texture.
    pub image: Handle<Image>,
    /// Colour scale: |v| at full brightness.
    pub scale: f32,
    /// Columns painted with values so far (the others are dark).
    pub painted: usize,
}

/// The FFN's neuron lamps for one layer: `n_inner` cells, lit by the selected token's GELU outputs.
#[derive(Component, Debug, Clone)]
pub struct LampWall {
    /// Layer.
    pub layer: usize,
    /// Index of its station.
    pub station: usize,
    /// Its texture: `cols × rows` cells, neuron `i` at (i % cols, i / cols).
    pub image: Handle<Image>,
    /// Cells per row.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
    /// Token whose activations are shown now, if any.
    pub shown: Option<usize>,
    /// Colour scale.
    pub scale: f32,
    /// Size in world units (width, height).
    pub size: Vec2,
}

/// One probability bar at the shipping dock; its rank among the candidates.
#[derive(Component, Debug, Clone, Copy)]
pub struct ProbBar(pub usize);

/// Text drawn at an entity's position by the overlay.
#[derive(Component, Debug, Clone)]
pub struct WorldLabel {
    /// The text.
    pub text: String,
    /// Size at a distance of 20 units, in points.
    pub size: f32,
    /// Offset above the entity.
    pub lift: f32,
}

/// The animation clock: how far the riding crates are along the stations.
#[derive(Resource, Debug, Clone, PartialEq)]
pub struct Playback {
    /// Station index reached (fractional). Negative: a sampled crate is riding back to the dock.
    pub progress: f32,
    /// Moving or not.
    pub playing: bool,
    /// Stations per second.
    pub speed: f32,
    /// Stop when `progress` reaches this (set by "step").
    pub stop_at: Option<f32>,
    /// Tokens still to generate before pausing; `None` = keep going while playing.
    pub remaining: Option<usize>,
}

impl Default for Playback {
    fn default() -> Self {
        Self {
            progress: 0.0,
            playing: true,
            speed: 2.5,
            stop_at: None,
            remaining: Some(0),
        }
    }
}

/// How far a freshly sampled crate rides back before re-entering the dock.
pub const RETURN_RIDE: f32 = 1.5;

impl Playback {
    /// Advance one station, then stop.
    pub fn step(&mut self) {
        self.stop_at = Some(self.progress.floor() + 1.0);
        self.playing = true;
        self.remaining = Some(0);
    }

    /// Play through `n` more generated tokens, then pause.
    pub fn generate(&mut self, n: usize) {
        self.remaining = Some(n);
        self.stop_at = None;
        self.playing = true;
    }

    /// Toggle play / pause; playing runs the loop without end.
    pub fn toggle(&mut self) {
        self.playing = !self.playing;
        self.stop_at = None;
        if self.playing {
            self.remaining = None;
        }
    }
}

/// What the visitor picked.
#[derive(Resource, Debug, Default, Clone, PartialEq)]
pub struct Selection {
    /// A token: its beams are isolated and its numbers inspected.
    pub token: Option<usize>,
    /// An attention head (layer, head).
    pub head: Option<(usize, usize)>,
    /// An FFN neuron (layer, index).
    pub neuron: Option<(usize, usize)>,
    /// A board cell: (station index, dimension).
    pub dim: Option<(usize, usize)>,
}

/// The layout of the floor now standing.
#[derive(Resource, Debug, Clone)]
pub struct CurrentLayout(pub Layout);

/// The floor version the scene was built from.
#[derive(Resource, Debug, Default)]
pub(crate) struct Built(Option<u64>);

/// Shared meshes and materials.
#[derive(Resource)]
pub struct Kit {
    crate_mesh: Handle<Mesh>,
    cube: Handle<Mesh>,
    crate_prompt: Handle<StandardMaterial>,
    crate_new: Handle<StandardMaterial>,
    crate_selected: Handle<StandardMaterial>,
    floor: Handle<StandardMaterial>,
    belt: Handle<StandardMaterial>,
    booth: Handle<StandardMaterial>,
    booth_selected: Handle<StandardMaterial>,
    machine: Handle<StandardMaterial>,
    bar: Handle<StandardMaterial>,
    bar_chosen: Handle<StandardMaterial>,
}

/// Candidates shown at the shipping dock.
pub const SHOWN_CANDIDATES: usize = 10;
/// Width of the bars' area.
const BAR_SPACING: f32 = 1.6;

/// Scene logic; works headless (no rendering needed) for tests.
pub(super) fn plugin(app: &mut App) {
    app.init_resource::<Playback>()
        .init_resource::<Selection>()
        .init_resource::<Built>()
        .init_resource::<beams::BeamSettings>()
        .init_resource::<beams::Beams>()
        .add_systems(Startup, make_kit)
        .add_systems(Update, advance_playback.in_set(AppSet::Playback))
        .add_systems(
            Update,
            (
                rebuild_floor,
                move_crates,
                highlight_booths,
                paint_boards,
                paint_lamps,
                update_bars,
                beams::compute_beams,
            )
                .chain()
                .in_set(AppSet::Scene),
        );
}

fn make_kit(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let mut mat = |base: Color, emissive: LinearRgba| {
        materials.add(StandardMaterial {
            base_color: base,
            emissive,
            perceptual_roughness: 0.8,
            ..default()
        })
    };
    let kit = Kit {
        crate_mesh: meshes.add(Cuboid::new(0.9, 0.9, 0.9)),
        cube: meshes.add(Cuboid::new(1.0, 1.0, 1.0)),
        crate_prompt: mat(Color::srgb(0.55, 0.38, 0.2), LinearRgba::BLACK),
        crate_new: mat(
            Color::srgb(0.3, 0.75, 0.35),
            LinearRgba::rgb(0.05, 0.25, 0.05),
        ),
        crate_selected: mat(Color::srgb(1.0, 0.9, 0.3), LinearRgba::rgb(0.6, 0.5, 0.1)),
        floor: mat(Color::srgb(0.09, 0.1, 0.12), LinearRgba::BLACK),
        belt: mat(Color::srgb(0.18, 0.19, 0.22), LinearRgba::BLACK),
        booth: mat(Color::srgb(0.16, 0.2, 0.3), LinearRgba::BLACK),
        booth_selected: mat(
            Color::srgb(0.3, 0.35, 0.6),
            LinearRgba::rgb(0.05, 0.05, 0.2),
        ),
        machine: mat(Color::srgb(0.25, 0.22, 0.2), LinearRgba::BLACK),
        bar: mat(
            Color::srgb(0.85, 0.55, 0.15),
            LinearRgba::rgb(0.3, 0.15, 0.0),
        ),
        bar_chosen: mat(Color::srgb(0.35, 0.9, 0.4), LinearRgba::rgb(0.1, 0.5, 0.1)),
    };
    commands.insert_resource(kit);
}

fn new_image(width: usize, height: usize) -> Image {
    let mut img = Image::new_fill(
        Extent3d {
            width: width.max(1) as u32,
            height: height.max(1) as u32,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        &[
            (palette::ZERO[0] * 255.0) as u8,
            (palette::ZERO[1] * 255.0) as u8,
            (palette::ZERO[2] * 255.0) as u8,
            255,
        ],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    );
    img.sampler = ImageSampler::nearest();
    img
}

fn board_material(image: Handle<Image>) -> StandardMaterial {
    StandardMaterial {
        base_color_texture: Some(image),
        unlit: true,
        double_sided: true,
        cull_mode: None,
        ..default()
    }
}

/// A quad lying on the floor at `x`: texture columns run across the hall (+z), rows along it (+x).
fn flat_on_floor(x: f32) -> Transform {
    let rot = Quat::from_mat3(&Mat3::from_cols(Vec3::Z, Vec3::NEG_X, Vec3::NEG_Y));
    Transform::from_xyz(x, 0.03, 0.0).with_rotation(rot)
}

/// Rebuilds every floor entity when the history changed.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rebuild_floor(
    mut commands: Commands,
    floor: Res<Floor>,
    engine: Option<Res<Engine>>,
    kit: Option<Res<Kit>>,
    mut built: ResMut<Built>,
    roots: Query<Entity, With<FloorRoot>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut images: ResMut<Assets<Image>>,
    mut playback: ResMut<Playback>,
    mut selection: ResMut<Selection>,
) {
    let (Some(engine), Some(kit)) = (engine, kit) else {
        return;
    };
    if built.0 == Some(floor.version) || floor.history.is_empty() {
        return;
    }
    built.0 = Some(floor.version);
    for root in &roots {
        commands.entity(root).despawn();
    }
    let cfg = &engine.0.config;
    let h = &floor.history;
    let n = h.len();
    let layout = Layout::new(
        Shape {
            n_layer: cfg.n_layer,
            n_head: cfg.n_head,
        },
        n,
    );
    // a new prompt rides from the dock; an appended token first rides back from the shipping dock
    playback.progress = if floor.flow_start == 0 {
        0.0
    } else {
        -RETURN_RIDE
    };
    if floor.fresh_prompt {
        // a new prompt rides from the dock to the shipping dock, then waits
        playback.stop_at = None;
        playback.playing = true;
        playback.remaining = Some(0);
        *selection = Selection::default();
    }
    selection.token = selection.token.filter(|&t| t < n);

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
    // floor and belt
    commands.spawn((
        Name::new("Hall floor"),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(kit.floor.clone()),
        Transform::from_xyz(length / 2.0, -0.15, 0.0).with_scale(Vec3::new(
            length + 30.0,
            0.1,
            width + 24.0,
        )),
        ChildOf(root),
    ));
    commands.spawn((
        Name::new("Conveyor belt"),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(kit.belt.clone()),
        Transform::from_xyz(length / 2.0, -0.02, 0.0).with_scale(Vec3::new(
            length,
            0.06,
            layout.width(),
        )),
        ChildOf(root),
    ));
    let board_w = layout.width();
    for (index, station) in layout.stations.iter().enumerate() {
        let kind = station.kind;
        let sign_y = SIGN_HEIGHT + 0.4;
        let station_entity = commands
            .spawn((
                Name::new(kind.title()),
                // a grouping node at the origin: its children are placed in hall coordinates
                Transform::default(),
                Visibility::default(),
                ChildOf(root),
            ))
            .id();
        commands.spawn((
            Name::new(format!("Sign: {}", kind.title())),
            Transform::from_xyz(station.x, sign_y, width / 2.0 + 0.8),
            WorldLabel {
                text: kind.title(),
                size: 24.0,
                lift: 0.0,
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
        match kind {
            StationKind::Booth(layer, head) => {
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
            let (across, tile_rows) = tile(c);
            let image = images.add(new_image(n * across, tile_rows));
            let scale = palette::board_scale(rows.iter().flatten());
            let board_x = if matches!(kind, StationKind::Ffn(_)) {
                station.x + station.depth / 2.0 - BOARD_DEPTH / 2.0
            } else {
                station.x
            };
            commands.spawn((
                Name::new(format!("Board: {}", source.caption())),
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
    // crates
    for i in 0..n {
        let material = if i >= h.n_prompt {
            kit.crate_new.clone()
        } else {
            kit.crate_prompt.clone()
        };
        commands.spawn((
            Name::new(format!("Token {i}: {:?}", h.texts[i])),
            Crate(i),
            Mesh3d(kit.crate_mesh.clone()),
            MeshMaterial3d(material),
            Transform::from_translation(layout.crate_position(i, 0.0)),
            WorldLabel {
                text: format!("{}\n#{}", shown_piece(&h.texts[i]), h.ids[i]),
                size: 16.0,
                lift: 0.9,
            },
            ChildOf(root),
        ));
    }
    commands.insert_resource(CurrentLayout(layout));
}

/// A token's text with spaces and newlines made visible.
pub fn shown_piece(text: &str) -> String {
    text.replace(' ', "·")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
}

/// Moves the clock; at the shipping dock, samples the next token when the loop should go on.
#[allow(clippy::too_many_arguments)]
fn advance_playback(
    time: Res<Time>,
    mut playback: ResMut<Playback>,
    layout: Option<Res<CurrentLayout>>,
    mut floor: ResMut<Floor>,
    pending: Res<Pending>,
    mut sampling: ResMut<Sampling>,
    mut requests: MessageWriter<Request>,
    built: Res<Built>,
) {
    let Some(layout) = layout else { return };
    let last = (layout.0.stations.len() - 1) as f32;
    // a floor that arrived this frame is not built yet: its clock starts after the rebuild
    if !playback.playing
        || pending.busy()
        || floor.history.is_empty()
        || built.0 != Some(floor.version)
    {
        return;
    }
    let mut send_round = false;
    match playback.stop_at {
        // "step" pressed at the shipping dock: the sampled token rides back to the dock, then stops
        Some(stop) if stop > last => {
            send_round = true;
            playback.stop_at = Some(0.0);
        }
        _ => {
            let mut p = playback.progress + playback.speed * time.delta_secs();
            if let Some(stop) = playback.stop_at
                && p >= stop
            {
                p = stop;
                playback.playing = false;
                playback.stop_at = None;
            }
            playback.progress = p.min(last);
            if playback.progress >= last && playback.playing && playback.stop_at.is_none() {
                match playback.remaining.as_mut() {
                    None => send_round = true,
                    Some(0) => playback.playing = false,
                    Some(k) => {
                        *k -= 1;
                        send_round = true;
                    }
                }
            }
        }
    }
    if send_round && !floor.history.logits.is_empty() {
        let (id, cands) = sampling.sample(&floor.history.logits);
        floor.last_sample = Some((id, cands));
        requests.write(Request::Append(id));
    }
}

/// Puts every crate where the clock says: riding crates at the progress point, cached ones parked
/// before the shipping dock, a freshly sampled one on its ride back overhead.
pub(crate) fn move_crates(
    playback: Res<Playback>,
    floor: Res<Floor>,
    layout: Option<Res<CurrentLayout>>,
    selection: Res<Selection>,
    kit: Option<Res<Kit>>,
    mut crates: Query<(
        &Crate,
        &mut Transform,
        &mut MeshMaterial3d<StandardMaterial>,
    )>,
) {
    let (Some(layout), Some(kit)) = (layout, kit) else {
        return;
    };
    let l = &layout.0;
    let last = (l.stations.len() - 1) as f32;
    for (c, mut t, mut mat) in &mut crates {
        let i = c.0;
        t.translation = if i < floor.flow_start {
            l.crate_position(i, last - 0.5)
        } else if playback.progress < 0.0 {
            // riding back from the shipping dock, overhead
            let f = (-playback.progress / RETURN_RIDE).clamp(0.0, 1.0);
            let x = l.stations[0].x + (l.stations[l.stations.len() - 1].x - l.stations[0].x) * f;
            Vec3::new(x, 0.5 + 3.0 * (1.0 - (2.0 * f - 1.0).powi(2)), l.token_z(i))
        } else {
            l.crate_position(i, playback.progress)
        };
        let want = if selection.token == Some(i) {
            &kit.crate_selected
        } else if i >= floor.history.n_prompt {
            &kit.crate_new
        } else {
            &kit.crate_prompt
        };
        if &mat.0 != want {
            mat.0 = want.clone();
        }
    }
}

/// Lights the selected head's booth.
fn highlight_booths(
    selection: Res<Selection>,
    kit: Option<Res<Kit>>,
    mut booths: Query<(&Booth, &mut MeshMaterial3d<StandardMaterial>)>,
) {
    let Some(kit) = kit else { return };
    for (b, mut mat) in &mut booths {
        let want = if selection.head == Some((b.layer, b.head)) {
            &kit.booth_selected
        } else {
            &kit.booth
        };
        if &mat.0 != want {
            mat.0 = want.clone();
        }
    }
}

/// How many token columns a station has revealed: cached tokens always, riding ones once reached.
pub fn revealed_columns(floor: &Floor, playback: &Playback, station: usize) -> usize {
    if playback.progress >= station as f32 {
        floor.history.len()
    } else {
        floor.flow_start
    }
}

/// Paints each board's revealed columns with the real vectors.
fn paint_boards(
    floor: Res<Floor>,
    playback: Res<Playback>,
    mut boards: Query<&mut Board>,
    mut images: ResMut<Assets<Image>>,
) {
    let h = &floor.history;
    for mut board in &mut boards {
        let cols = revealed_columns(&floor, &playback, board.station);
        if board.painted == cols {
            continue;
        }
        board.painted = cols;
        let Some(mut image) = images.get_mut(&board.image) else {
            continue;
        };
        let rows = board.source.rows(h);
        let n = h.len();
        let c = rows.first().map_or(0, Vec::len);
        let (across, _) = tile(c);
        let Some(data) = image.data.as_mut() else {
            continue;
        };
        let width = n * across;
        for (t, row) in rows.iter().enumerate().take(n) {
            for (d, &v) in row.iter().enumerate() {
                let px = if t < cols {
                    palette::value_rgba(v, board.scale)
                } else {
                    palette::value_rgba(0.0, 1.0)
                };
                let (x, y) = (t * across + d % across, d / across);
                let o = (y * width + x) * 4;
                data[o..o + 4].copy_from_slice(&px);
            }
        }
    }
}

/// The token whose neurons the lamps show: the selected one, else the last token.
pub fn lamp_token(floor: &Floor, selection: &Selection) -> Option<usize> {
    let n = floor.history.len();
    selection
        .token
        .filter(|&t| t < n)
        .or_else(|| n.checked_sub(1))
}

/// Lights each FFN lamp wall with the shown token's post-GELU activations, once the token reached it.
fn paint_lamps(
    floor: Res<Floor>,
    playback: Res<Playback>,
    selection: Res<Selection>,
    mut walls: Query<&mut LampWall>,
    mut images: ResMut<Assets<Image>>,
) {
    let h = &floor.history;
    for mut wall in &mut walls {
        let token = lamp_token(&floor, &selection)
            .filter(|&t| t < revealed_columns(&floor, &playback, wall.station));
        if wall.shown == token {
            continue;
        }
        wall.shown = token;
        let Some(mut image) = images.get_mut(&wall.image) else {
            continue;
        };
        let Some(data) = image.data.as_mut() else {
            continue;
        };
        let acts = token.and_then(|t| h.layers.get(wall.layer)?.ffn_act.get(t));
        for cell in 0..wall.cols * wall.rows {
            let v = acts.and_then(|a| a.get(cell)).copied().unwrap_or(0.0);
            let px = palette::value_rgba(v, wall.scale);
            data[cell * 4..cell * 4 + 4].copy_from_slice(&px);
        }
    }
}

/// The candidates the shipping dock shows for the current settings.
pub fn dock_candidates(history: &History, sampling: &Sampling) -> Vec<Candidate> {
    if history.logits.is_empty() {
        return Vec::new();
    }
    let mut c = candidates(&history.logits, &sampling.params());
    c.truncate(SHOWN_CANDIDATES);
    c
}

/// Sizes the probability bars and labels them; shown once the crates reach the dock.
#[allow(clippy::type_complexity)]
fn update_bars(
    floor: Res<Floor>,
    playback: Res<Playback>,
    sampling: Res<Sampling>,
    layout: Option<Res<CurrentLayout>>,
    engine: Option<Res<Engine>>,
    kit: Option<Res<Kit>>,
    mut bars: Query<(
        &ProbBar,
        &mut Transform,
        &mut Visibility,
        &mut WorldLabel,
        &mut MeshMaterial3d<StandardMaterial>,
    )>,
) {
    let (Some(layout), Some(engine), Some(kit)) = (layout, engine, kit) else {
        return;
    };
    let last = (layout.0.stations.len() - 1) as f32;
    let reached = playback.progress >= last;
    let cands = dock_candidates(&floor.history, &sampling);
    let chosen = floor.last_sample.as_ref().map(|s| s.0);
    for (bar, mut t, mut vis, mut label, mut mat) in &mut bars {
        match cands.get(bar.0).filter(|_| reached) {
            Some(c) => {
                let height = 0.05 + 8.0 * c.prob;
                t.scale.y = height;
                t.translation.y = height / 2.0;
                *vis = Visibility::Inherited;
                label.text = format!(
                    "{}\n{:.1}%",
                    shown_piece(&engine.0.tokenizer.token_text(c.id)),
                    c.prob * 100.0
                );
                label.lift = height / 2.0 + 0.8;
                let want = if Some(c.id) == chosen && playback.progress < 0.0 {
                    &kit.bar_chosen
                } else {
                    &kit.bar
                };
                if &mat.0 != want {
                    mat.0 = want.clone();
                }
            }
            None => {
                *vis = Visibility::Hidden;
                label.text.clear();
            }
        }
    }
}
