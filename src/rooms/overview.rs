//! The layer overview: the whole model at a glance, as a tower in the yard. Each layer is one
//! storey (layer 0 at the bottom, as the stream rises through the model), each head one window of
//! it, showing that head's attention weights for the prompt on the floor (rows: the token reading,
//! columns: the tokens read, the masked future grey; the heatmap window's colours). Far away a window
//! is a small picture (each pixel a block's strongest weight); as the camera comes near, the windows
//! within reach are redrawn at full detail, a few per frame. A click on a window selects that head
//! (its heatmap window opens with the exact weights).
//!
//! Built only while the camera looks at the tower, and redrawn when the floor changes while it does,
//! so a long prompt's 144 pictures cost nothing in the hall.

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use crate::i18n::Lang;
use crate::model::heads::Role;
use crate::playback::Floor;
use crate::playback::history::History;
use crate::playback::roles::HeadRoles;
use crate::scene::attention_map::{head_pixels_at, heatmap_side};
use crate::scene::beams::ViewFocus;
use crate::scene::flat::FlatTexture;
use crate::scene::kit::{Kit, image_of};
use crate::scene::layout::role_tag;
use crate::scene::{Localized, WorldLabel};
use crate::tr;

/// Centre of the tower's face (the windows face +x, toward the hall's side of the yard).
pub const OVERVIEW_CENTRE: Vec3 = Vec3::new(-60.0, 20.0, 80.0);
/// The tower's face is at most this wide and tall: the windows of a bigger model are smaller.
pub const TOWER_SIDE: f32 = 36.0;
/// The tower is built while the camera's focus is this near its centre.
pub const NEAR: f32 = 45.0;
/// Side of a far window's picture, pixels.
pub const FAR_SIDE: usize = 32;
/// Windows nearer the camera than this are drawn at full detail.
pub const DETAIL_DISTANCE: f32 = 22.0;
/// At most this many windows are redrawn at full detail per frame.
const DETAILS_PER_FRAME: usize = 6;

/// One window of the tower: head `head` of layer `layer`.
#[derive(Component, Debug, Clone, PartialEq)]
pub struct HeadTile {
    /// Its layer.
    pub layer: usize,
    /// Its head.
    pub head: usize,
    /// The picture it shows.
    pub image: Handle<Image>,
    /// Its material (which a new picture is given to: a texture of another size needs a new image).
    pub material: Handle<FlatTexture>,
    /// Drawn at full detail (else [`FAR_SIDE`] pixels).
    pub detailed: bool,
}

/// What the tower was built for.
#[derive(Resource, Debug, Default)]
pub struct Overview {
    root: Option<Entity>,
    /// Floor version its pictures show.
    pub made_for: Option<u64>,
    shape: (usize, usize),
    /// When the head roles its role tags show were last changed.
    roles_at: Option<bevy::ecs::change_detection::Tick>,
}

/// Distance between neighbouring windows, for a model of `layers` × `heads`.
pub fn pitch(layers: usize, heads: usize) -> f32 {
    (TOWER_SIDE / layers.max(heads).max(1) as f32).min(6.0)
}

/// Centre of the window of (`layer`, `head`): heads left to right as seen from the front (+x,
/// looking −x: toward −z), layers bottom to top.
pub fn tile_centre(layers: usize, heads: usize, layer: usize, head: usize) -> Vec3 {
    let p = pitch(layers, heads);
    let (w, h) = (heads as f32 * p, layers as f32 * p);
    Vec3::new(
        OVERVIEW_CENTRE.x,
        OVERVIEW_CENTRE.y - h / 2.0 + (layer as f32 + 0.5) * p,
        OVERVIEW_CENTRE.z + w / 2.0 - (head as f32 + 0.5) * p,
    )
}

/// Puts a new picture in `tile`'s window: a new image for its material (an image changed to another
/// size in place would keep its old size on the GPU).
fn show(
    tile: &mut HeadTile,
    picture: Image,
    images: &mut Assets<Image>,
    materials: &mut Assets<FlatTexture>,
) {
    let old = std::mem::replace(&mut tile.image, images.add(picture));
    if let Some(mut m) = materials.get_mut(&tile.material) {
        m.texture = tile.image.clone();
    }
    images.remove(&old);
}

/// Head (`layer`, `head`)'s attention weights as a picture of at most `side` × `side` pixels.
fn picture(h: &History, layer: usize, head: usize, side: usize) -> Image {
    let side = side.clamp(1, h.len().max(1));
    image_of(side, side, head_pixels_at(h, layer, head, side))
}

/// What the tower is built from: the floor's attention weights, where the camera looks, the kit
/// and the signs' language.
#[derive(SystemParam)]
pub(super) struct TowerSource<'w> {
    floor: Res<'w, Floor>,
    focus: Res<'w, ViewFocus>,
    kit: Option<Res<'w, Kit>>,
    lang: Res<'w, Lang>,
    roles: Res<'w, HeadRoles>,
}

/// The asset stores the tower's window mesh, pictures and their materials are added to.
#[derive(SystemParam)]
pub(super) struct TowerAssets<'w> {
    meshes: ResMut<'w, Assets<Mesh>>,
    images: ResMut<'w, Assets<Image>>,
    materials: ResMut<'w, Assets<FlatTexture>>,
}

/// What the tower's parts are built from: the kit, the history, the signs' language, the node
/// they hang under, and the model's shape with the windows' pitch.
struct Tower<'a> {
    kit: &'a Kit,
    h: &'a History,
    lang: Lang,
    root: Entity,
    layers: usize,
    heads: usize,
    /// Distance between neighbouring windows ([`pitch`]).
    p: f32,
    /// What each head does in general (a clear role is written under its window).
    roles: &'a HeadRoles,
}

/// Builds (or redraws) the tower while the camera looks at it and the floor changed.
pub(super) fn build_tower(
    mut commands: Commands,
    source: TowerSource,
    mut state: ResMut<Overview>,
    mut tiles: Query<&mut HeadTile>,
    mut assets: TowerAssets,
) {
    let Some(kit) = source.kit.as_deref() else {
        return;
    };
    let l = *source.lang;
    let near = source
        .focus
        .0
        .is_some_and(|f| f.distance(OVERVIEW_CENTRE) < NEAR);
    let floor: &Floor = &source.floor;
    let h = &floor.history;
    let roles_changed = state.root.is_some() && state.roles_at != Some(source.roles.last_changed());
    if !near || h.is_empty() || (state.made_for == Some(floor.version) && !roles_changed) {
        return;
    }
    state.made_for = Some(floor.version);
    state.roles_at = Some(source.roles.last_changed());
    let layers = h.layers.len();
    let heads = h.layers.first().map_or(0, |l| l.attention.len());
    if state.root.is_some() && state.shape == (layers, heads) && !roles_changed {
        // the same model: new pictures in the windows standing
        for mut tile in &mut tiles {
            let far = picture(h, tile.layer, tile.head, FAR_SIDE);
            show(&mut tile, far, &mut assets.images, &mut assets.materials);
            tile.detailed = false;
        }
        return;
    }
    if let Some(root) = state.root.take() {
        commands.entity(root).despawn();
    }
    state.shape = (layers, heads);
    let p = pitch(layers, heads);
    let root = commands
        .spawn((
            Name::new("Layer overview"),
            Transform::IDENTITY,
            Visibility::default(),
            crate::rooms::InYard,
        ))
        .id();
    state.root = Some(root);
    let window = assets.meshes.add(Rectangle::new(p * 0.86, p * 0.86));
    let tower = Tower {
        kit,
        h,
        lang: l,
        root,
        layers,
        heads,
        p,
        roles: &source.roles,
    };
    spawn_tower_sign(&mut commands, &tower);
    for layer in 0..layers {
        spawn_storey(&mut commands, &tower, layer);
        spawn_windows(&mut commands, &mut assets, &tower, &window, layer);
    }
    spawn_head_labels(&mut commands, &tower);
}

/// The sign over the tower: what it shows, in the signs' language (and again when it changes).
fn spawn_tower_sign(commands: &mut Commands, tower: &Tower) {
    let tall = tower.layers as f32 * tower.p;
    let roles = tower.roles.roles.iter().any(|r| r.role != Role::Mixed);
    let sign = Localized::new(move |l| {
        let mut text = format!(
            "{}\n{}",
            tr!(l, "overview-title"),
            tr!(l, "overview-title-windows")
        );
        if roles {
            text = format!("{text}\n{}", tr!(l, "overview-title-roles"));
        }
        text
    });
    commands.spawn((
        Name::new("Layer overview sign"),
        Transform::from_translation(OVERVIEW_CENTRE + Vec3::new(1.0, tall / 2.0 + 2.5, 0.0)),
        Visibility::default(),
        WorldLabel {
            text: sign.text(tower.lang),
            size: 60.0,
            lift: 0.0,
            weight: 3.0,
        },
        sign,
        ChildOf(tower.root),
    ));
}

/// Storey `layer` of the tower: the ledge under its windows and the layer's label beside them.
fn spawn_storey(commands: &mut Commands, tower: &Tower, layer: usize) {
    let (p, kit) = (tower.p, tower.kit);
    let (w, tall) = (tower.heads as f32 * p, tower.layers as f32 * p);
    let y = OVERVIEW_CENTRE.y - tall / 2.0 + layer as f32 * p;
    // the storey's floor: a ledge under its windows
    commands.spawn((
        Name::new(format!("Overview storey {layer}")),
        Mesh3d(kit.cube.clone()),
        MeshMaterial3d(kit.booth.clone()),
        Transform::from_xyz(OVERVIEW_CENTRE.x + p * 0.2, y, OVERVIEW_CENTRE.z)
            .with_scale(Vec3::new(p * 0.5, 0.12, w + 1.0)),
        ChildOf(tower.root),
    ));
    commands.spawn((
        Name::new(format!("Overview layer {layer}")),
        Transform::from_xyz(
            OVERVIEW_CENTRE.x + 0.5,
            y + p / 2.0,
            OVERVIEW_CENTRE.z + w / 2.0 + 4.0,
        ),
        Visibility::default(),
        WorldLabel {
            text: tr!(tower.lang, "overview-layer", layer = layer),
            size: 44.0,
            lift: 0.0,
            weight: 2.0,
        },
        Localized::new(move |l| tr!(l, "overview-layer", layer = layer)),
        ChildOf(tower.root),
    ));
}

/// The windows of storey `layer`, one per head, each showing its head's far picture.
fn spawn_windows(
    commands: &mut Commands,
    assets: &mut TowerAssets,
    tower: &Tower,
    window: &Handle<Mesh>,
    layer: usize,
) {
    let (layers, heads) = (tower.layers, tower.heads);
    let face = Quat::from_rotation_y(std::f32::consts::FRAC_PI_2);
    for head in 0..heads {
        let image = assets.images.add(picture(tower.h, layer, head, FAR_SIDE));
        let material = assets.materials.add(FlatTexture::plain(image.clone()));
        commands.spawn((
            Name::new(format!("Overview L{layer} H{head}")),
            HeadTile {
                layer,
                head,
                image,
                material: material.clone(),
                detailed: false,
            },
            Mesh3d(window.clone()),
            MeshMaterial3d(material),
            Transform::from_translation(tile_centre(layers, heads, layer, head))
                .with_rotation(face),
            ChildOf(tower.root),
        ));
        spawn_role_tag(commands, tower, layer, head);
    }
}

/// A clear role's word on the bottom edge of its head's window (none for a mixed head).
fn spawn_role_tag(commands: &mut Commands, tower: &Tower, layer: usize, head: usize) {
    let Some(role) = tower.roles.of(layer, head).map(|r| r.role) else {
        return;
    };
    let Some(text) = role_tag(tower.lang, role) else {
        return;
    };
    let c = tile_centre(tower.layers, tower.heads, layer, head);
    commands.spawn((
        Name::new(format!("Overview role L{layer} H{head}")),
        Transform::from_xyz(c.x + 0.3, c.y - tower.p * 0.36, c.z),
        Visibility::default(),
        WorldLabel {
            text,
            size: 40.0,
            lift: 0.0,
            weight: 1.0,
        },
        Localized::new(move |l| role_tag(l, role).unwrap_or_default()),
        ChildOf(tower.root),
    ));
}

/// The heads' labels, under the bottom storey's windows.
fn spawn_head_labels(commands: &mut Commands, tower: &Tower) {
    let (layers, heads, p) = (tower.layers, tower.heads, tower.p);
    for head in 0..heads {
        let c = tile_centre(layers, heads, 0, head);
        commands.spawn((
            Name::new(format!("Overview head {head}")),
            Transform::from_xyz(c.x + 0.5, c.y - p * 0.75, c.z),
            Visibility::default(),
            WorldLabel {
                text: tr!(tower.lang, "overview-head", head = head),
                size: 36.0,
                lift: 0.0,
                weight: 1.5,
            },
            Localized::new(move |l| tr!(l, "overview-head", head = head)),
            ChildOf(tower.root),
        ));
    }
}

/// Redraws the windows near the camera at full detail, the nearest first, a few per frame.
pub(super) fn refine_tiles(
    cameras: Query<&GlobalTransform, With<Camera3d>>,
    mut tiles: Query<(&mut HeadTile, &GlobalTransform)>,
    floor: Res<Floor>,
    mut images: ResMut<Assets<Image>>,
    mut materials: ResMut<Assets<FlatTexture>>,
) {
    let Ok(eye) = cameras.single().map(|c| c.translation()) else {
        return;
    };
    let h = &floor.history;
    let full = heatmap_side(h.len());
    if h.is_empty() || full <= FAR_SIDE {
        return;
    }
    let mut near: Vec<(f32, Mut<HeadTile>)> = tiles
        .iter_mut()
        .filter(|(t, _)| !t.detailed)
        .map(|(t, gt)| (gt.translation().distance(eye), t))
        .filter(|(d, _)| *d < DETAIL_DISTANCE)
        .collect();
    near.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (_, mut tile) in near.into_iter().take(DETAILS_PER_FRAME) {
        let detail = picture(h, tile.layer, tile.head, full);
        show(&mut tile, detail, &mut images, &mut materials);
        tile.detailed = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_stand_in_a_grid_that_fits_the_face() {
        for (layers, heads) in [(4, 4), (6, 4), (12, 12), (2, 12)] {
            let p = pitch(layers, heads);
            assert!(
                heads as f32 * p <= TOWER_SIDE + 1e-3 && layers as f32 * p <= TOWER_SIDE + 1e-3
            );
            // head 0 at the left as seen from the front (+z), layer 0 at the bottom
            let a = tile_centre(layers, heads, 0, 0);
            let right = tile_centre(layers, heads, 0, heads - 1);
            let up = tile_centre(layers, heads, layers - 1, 0);
            assert!(a.z > right.z || heads == 1);
            assert!(up.y > a.y || layers == 1);
            assert!((a.x - OVERVIEW_CENTRE.x).abs() < 1e-6);
            // every window within the face, centred
            let mid = (a + tile_centre(layers, heads, layers - 1, heads - 1)) / 2.0;
            assert!(mid.distance(OVERVIEW_CENTRE) < 1e-3, "{mid}");
        }
    }
}
