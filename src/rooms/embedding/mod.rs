//! The embedding room: every row of the model's `wte` as a point, placed by the table's top three
//! principal components (computed off the main thread once per model), the floor's tokens marked
//! and named, and for a picked token its nearest neighbours by cosine; the result of vector
//! arithmetic (`king - man + woman`) gets a marker of its own.

mod markers;

use std::sync::Arc;

use bevy::asset::RenderAssetUsages;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use bevy::tasks::{AsyncComputeTaskPool, Task, block_on, poll_once};

use super::{EMBEDDING_CENTRE, EMBEDDING_RADIUS};
use crate::i18n::Lang;
use crate::inference::Engine;
use crate::model::embedding::{Embeddings, Neighbour};
use crate::model::pca::EmbeddingMap;
use crate::model::tokenizer::shown_token;
use crate::model::{LoadedModel, Tokenizer};
use crate::playback::{Floor, Selection};
use crate::scene::{Localized, WorldLabel};
use crate::tr;
pub(super) use markers::mark_tokens;
pub use markers::{Marker, MarkerKind};

/// How many neighbours a picked token shows.
pub const NEIGHBOURS: usize = 8;
/// At most this many of the floor's tokens are marked (the first distinct ones).
pub const MAX_MARKED: usize = 48;

/// The model's map of its vocabulary, and the rows it was made from.
#[derive(Debug)]
pub struct RoomMap {
    /// The projection.
    pub map: EmbeddingMap,
    /// The rows of `wte`.
    pub rows: Embeddings,
    /// World units per unit of the projection.
    pub scale: f32,
    /// The projected point drawn at the room's centre: the median of each coordinate (the mean
    /// sits off in the tail of rare tokens).
    pub middle: [f32; 3],
}

impl RoomMap {
    /// Where projected coordinates stand in the room: the first axis across the view, the second
    /// up, the third toward the viewer (who looks from the hall, down −x).
    pub fn world_of(&self, p: [f32; 3]) -> Vec3 {
        let m = self.middle;
        EMBEDDING_CENTRE + Vec3::new(p[2] - m[2], p[1] - m[1], m[0] - p[0]) * self.scale
    }

    /// Where token `id` stands.
    pub fn world(&self, id: u32) -> Vec3 {
        self.world_of(self.map.coords[id as usize])
    }

    /// The token whose point is nearest to `screen` (within `radius` pixels), given where each
    /// point lands on screen (`project`, None when not in view). The `marked` tokens (the floor's,
    /// drawn as blocks) win within twice the radius: they are what a visitor aims at.
    pub fn nearest_on_screen(
        &self,
        screen: Vec2,
        radius: f32,
        marked: &[u32],
        project: impl Fn(Vec3) -> Option<(Vec2, f32)>,
    ) -> Option<u32> {
        let vocab = self.map.coords.len() as u32;
        let ids: Vec<u32> = marked.iter().copied().filter(|&id| id < vocab).collect();
        if let Some(id) = self.nearest_of(&ids, screen, radius * 2.0, &project) {
            return Some(id);
        }
        let all: Vec<u32> = (0..vocab).collect();
        self.nearest_of(&all, screen, radius, &project)
    }

    fn nearest_of(
        &self,
        ids: &[u32],
        screen: Vec2,
        radius: f32,
        project: &impl Fn(Vec3) -> Option<(Vec2, f32)>,
    ) -> Option<u32> {
        let mut best: Option<(u32, f32, f32)> = None;
        for &id in ids {
            let Some((p, depth)) = project(self.world(id)) else {
                continue;
            };
            let d = p.distance(screen);
            // nearest to the pointer; of points equally near, the one nearer the eye
            if d <= radius
                && best.is_none_or(|(_, bd, bz)| d < bd - 0.5 || (d <= bd + 0.5 && depth < bz))
            {
                best = Some((id, d, depth));
            }
        }
        best.map(|b| b.0)
    }
}

/// The result of vector arithmetic, as the room shows it.
#[derive(Debug, Clone)]
pub struct Arithmetic {
    /// The expression as typed.
    pub text: String,
    /// Where the summed vector lands.
    pub at: Vec3,
    /// Its nearest tokens (operands left out).
    pub neighbours: Vec<Neighbour>,
    /// The expected answer's (id, rank, cosine).
    pub expected: Option<(u32, usize, f32)>,
    /// How many tokens were ranked (the vocabulary less the operands).
    pub ranked: usize,
}

/// The room's state: the map (once made), what is pointed at and picked, the arithmetic shown.
#[derive(Resource, Default)]
pub struct EmbeddingRoom {
    made_for: Option<Arc<LoadedModel>>,
    task: Option<Task<Result<RoomMap, String>>>,
    /// The map of the loaded model, once computed.
    pub map: Option<Arc<RoomMap>>,
    /// Why the map could not be made.
    pub error: Option<String>,
    /// The token under the pointer.
    pub hovered: Option<u32>,
    /// The token whose neighbours are shown.
    pub picked: Option<u32>,
    /// The last vector arithmetic, shown as its own marker.
    pub arithmetic: Option<Arithmetic>,
    /// Bumped when `picked` or `arithmetic` change, so the markers are rebuilt.
    pub version: u64,
    marked: Option<(u64, u64, usize)>,
    cloud: Option<Entity>,
    markers: Option<Entity>,
    /// The picked token's neighbours, for (token, map): computed once per pick, not every frame
    /// (a cosine with every row of the vocabulary, 38 million products for GPT-2).
    neighbours: std::sync::Mutex<Option<(u32, usize, Vec<Neighbour>)>>,
}

impl EmbeddingRoom {
    /// True once the map of the loaded model is made (or failed): nothing is still computing.
    pub fn finished(&self) -> bool {
        self.task.is_none() && (self.map.is_some() || self.error.is_some())
    }

    /// Picks a token (its neighbours get markers), or none.
    pub fn pick(&mut self, id: Option<u32>) {
        if self.picked != id {
            self.picked = id;
            self.version += 1;
        }
    }

    /// Shows (or clears) a result of vector arithmetic.
    pub fn show_arithmetic(&mut self, a: Option<Arithmetic>) {
        self.arithmetic = a;
        self.version += 1;
    }

    /// The picked token's nearest neighbours by cosine (itself left out).
    pub fn neighbours_of_picked(&self) -> Vec<Neighbour> {
        let (Some(m), Some(id)) = (&self.map, self.picked) else {
            return Vec::new();
        };
        if id as usize >= m.rows.len() {
            return Vec::new();
        }
        let key = (id, Arc::as_ptr(m) as usize);
        let mut cache = self.neighbours.lock().unwrap_or_else(|e| e.into_inner());
        match cache.as_ref() {
            Some((i, map, list)) if (*i, *map) == key => list.clone(),
            _ => {
                let list = m.rows.nearest(m.rows.row(id), &[id], NEIGHBOURS);
                *cache = Some((key.0, key.1, list.clone()));
                list
            }
        }
    }
}

/// Starts making the map when a model is loaded (or replaced); the old map, its markers and what was
/// picked go at once (the new model's token ids mean other rows).
pub(super) fn start_map(
    mut commands: Commands,
    engine: Option<Res<Engine>>,
    mut room: ResMut<EmbeddingRoom>,
) {
    let Some(engine) = engine else { return };
    if room
        .made_for
        .as_ref()
        .is_some_and(|m| Arc::ptr_eq(m, &engine.0))
    {
        return;
    }
    let model = engine.0.clone();
    room.made_for = Some(model.clone());
    for e in [room.cloud.take(), room.markers.take()]
        .into_iter()
        .flatten()
    {
        commands.entity(e).despawn();
    }
    room.map = None;
    room.error = None;
    room.hovered = None;
    room.picked = None;
    room.arithmetic = None;
    room.marked = None;
    *room.neighbours.get_mut().unwrap_or_else(|e| e.into_inner()) = None;
    room.version += 1;
    room.task = Some(AsyncComputeTaskPool::get().spawn(async move {
        let rows = model.gpt.token_embeddings().map_err(|e| e.to_string())?;
        let map = EmbeddingMap::new(&rows).map_err(|e| e.to_string())?;
        let (middle, reach) = middle_and_reach(&map.coords);
        Ok(RoomMap {
            map,
            rows,
            scale: EMBEDDING_RADIUS / reach.max(1e-6),
            middle,
        })
    }));
}

/// The median of each coordinate, and how far from it nine points in ten lie: the cloud's dense
/// middle fills the room, the rarest tokens' long tail reaches beyond it.
pub fn middle_and_reach(coords: &[[f32; 3]]) -> ([f32; 3], f32) {
    if coords.is_empty() {
        return ([0.0; 3], 1.0);
    }
    let mut middle = [0.0; 3];
    for (k, m) in middle.iter_mut().enumerate() {
        let mut v: Vec<f32> = coords.iter().map(|c| c[k]).collect();
        let half = v.len() / 2;
        *m = *v.select_nth_unstable_by(half, f32::total_cmp).1;
    }
    let mut d: Vec<f32> = coords
        .iter()
        .map(|c| {
            let dx = [c[0] - middle[0], c[1] - middle[1], c[2] - middle[2]];
            (dx[0] * dx[0] + dx[1] * dx[1] + dx[2] * dx[2]).sqrt()
        })
        .collect();
    let i = (d.len() * 9 / 10).min(d.len() - 1);
    let reach = *d.select_nth_unstable_by(i, f32::total_cmp).1;
    (middle, reach)
}

/// Takes the finished map and draws the cloud: one mesh, a small diamond per vocabulary row.
pub(super) fn finish_map(
    mut commands: Commands,
    mut room: ResMut<EmbeddingRoom>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    lang: Res<Lang>,
) {
    let Some(task) = room.task.as_mut() else {
        return;
    };
    let Some(result) = block_on(poll_once(task)) else {
        return;
    };
    room.task = None;
    let map = match result {
        Ok(m) => Arc::new(m),
        Err(e) => {
            room.map = None;
            room.error = Some(e);
            return;
        }
    };
    room.error = None;
    let mesh = meshes.add(cloud_mesh(&map));
    let material = materials.add(StandardMaterial {
        base_color: Color::WHITE,
        unlit: true,
        ..default()
    });
    let tokens = map.map.coords.len();
    let sign = Localized::new(move |l| tr!(l, "room-embedding-title", tokens = tokens));
    let cloud = commands
        .spawn((
            Name::new("Embedding room"),
            Mesh3d(mesh),
            MeshMaterial3d(material),
            Transform::IDENTITY,
            Visibility::default(),
            crate::rooms::InYard,
        ))
        .with_children(|c| {
            c.spawn((
                Name::new("Embedding room sign"),
                Transform::from_translation(
                    EMBEDDING_CENTRE + Vec3::new(0.0, EMBEDDING_RADIUS + 2.5, 0.0),
                ),
                Visibility::default(),
                WorldLabel {
                    text: sign.text(*lang),
                    size: 26.0,
                    lift: 0.0,
                    weight: 3.0,
                },
                sign,
            ));
        })
        .id();
    room.cloud = Some(cloud);
    room.map = Some(map);
}

/// The cloud as one mesh: a small diamond (octahedron) per row, brighter the nearer it stands to
/// the viewer along the third axis (a depth cue; the other two axes are where it stands).
pub fn cloud_mesh(map: &RoomMap) -> Mesh {
    let n = map.map.coords.len();
    let r = if n > 10_000 { 0.05 } else { 0.08 };
    let spread3 = map.map.variance[2].sqrt().max(1e-6) as f32;
    let corners = [
        Vec3::X,
        Vec3::NEG_X,
        Vec3::Y,
        Vec3::NEG_Y,
        Vec3::Z,
        Vec3::NEG_Z,
    ];
    let faces: [[u32; 3]; 8] = [
        [0, 2, 4],
        [2, 1, 4],
        [1, 3, 4],
        [3, 0, 4],
        [2, 0, 5],
        [1, 2, 5],
        [3, 1, 5],
        [0, 3, 5],
    ];
    let mut positions = Vec::with_capacity(n * 6);
    let mut colours = Vec::with_capacity(n * 6);
    let mut indices = Vec::with_capacity(n * 24);
    for (i, p) in map.map.coords.iter().enumerate() {
        let c = map.world_of(*p);
        let near = ((p[2] - map.middle[2]) / spread3).tanh() * 0.5 + 0.5;
        let b = 0.35 + 0.5 * near;
        let colour = [0.55 * b, 0.75 * b, 1.0 * b, 1.0];
        let base = (i * 6) as u32;
        for k in corners {
            positions.push((c + k * r).to_array());
            colours.push(colour);
        }
        for f in faces {
            indices.extend(f.iter().map(|v| base + v));
        }
    }
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_COLOR, colours)
    .with_inserted_indices(Indices::U32(indices))
}

/// A token as the rooms and windows name it: «piece», its id when it has no text.
pub fn piece(tok: &Tokenizer, id: u32) -> String {
    format!("\u{ab}{}\u{bb}", shown_token(&tok.token_text(id), id))
}

/// A crate selected in the hall is picked in the room too, so its neighbours are waiting there.
pub(super) fn follow_selection(
    selection: Res<Selection>,
    floor: Res<Floor>,
    mut room: ResMut<EmbeddingRoom>,
) {
    if !selection.is_changed() {
        return;
    }
    if let Some(&id) = selection.token.and_then(|i| floor.history.ids.get(i)) {
        room.pick(Some(id));
    }
}
