//! The rooms beside the hall, where the factory shows what the hall cannot: the embedding room (every
//! vocabulary row as a point, [`embedding`]), the scale room (this model beside GPT-2 and GPT-3 as
//! blocks, [`scale`]), the layer overview (every head as a window of a tower, [`overview`]), and
//! the rooms that are windows (positions, the cost of context, training).
//!
//! The 3D rooms stand in the yard before the receiving dock (x < 0), so the hall's views never
//! see them; the camera goes there on [`GoToRoom`] (`camera::room_view`). Every number is the
//! loaded model's own or a published figure.

pub mod embedding;
pub mod overview;
pub mod scale;

use bevy::prelude::*;
use serde::Deserialize;

use crate::schedule::AppSet;

/// A room, as named in a tour file and by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum Room {
    /// Every row of `wte` as a point on its top three principal axes (3D, key M).
    Embedding,
    /// The learned position table and the sinusoidal one (a window, key P).
    Positions,
    /// Why long contexts cost: n² against n (a window, key C).
    Cost,
    /// This model beside GPT-2 small and GPT-3, to scale (3D, key B).
    Scale,
    /// The same prompt on the model's training snapshots, with the loss curve (a window, key L).
    Training,
    /// Every head of every layer as a window of a tower, one storey per layer (3D, key O).
    Overview,
}

impl Room {
    /// True for the rooms that are places in the 3D scene (the others are windows).
    pub fn is_place(self) -> bool {
        matches!(self, Room::Embedding | Room::Scale | Room::Overview)
    }
}

/// Asks for a room: the camera flies to a 3D room, a window room opens.
#[derive(Message, Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoToRoom(pub Room);

/// Centre of the embedding room's cloud of points (high enough that its farthest points stay over
/// the hall's floor, which reaches under the room).
pub const EMBEDDING_CENTRE: Vec3 = Vec3::new(-45.0, 12.0, 0.0);
/// Radius of the cloud: nine points in ten lie this near its middle.
pub const EMBEDDING_RADIUS: f32 = 7.0;
/// Where the scale room's blocks stand: in a row toward +x from here, front faces on z = this
/// (facing the hall's side of the yard, +z), far enough to the side that the other views never
/// see them.
pub const SCALE_FRONT: Vec3 = Vec3::new(-85.0, 0.0, -110.0);

/// The root of a room's things in the yard: hidden while the camera looks at the hall (its focus
/// at or past the receiving dock's start, x = 0), so that the hall's views looking back toward the start
/// do not show the rooms above the far floor (the embedding room's cloud in the sky read as a
/// rendering glitch).
#[derive(Component, Debug, Default, Clone, Copy)]
pub struct InYard;

/// Hides the yard's rooms while the camera's focus is in the hall, shows them once it is in the
/// yard (flying to a room, they appear as its focus leaves the hall). Without a camera (headless)
/// they stay as they are.
pub(super) fn hide_yard_from_hall(
    focus: Res<crate::scene::beams::ViewFocus>,
    mut rooms: Query<&mut Visibility, With<InYard>>,
) {
    let Some(at) = focus.0 else { return };
    let shown = if at.x >= 0.0 {
        Visibility::Hidden
    } else {
        Visibility::Inherited
    };
    for mut v in &mut rooms {
        v.set_if_neq(shown);
    }
}

/// Room logic (headless too: the tests open the rooms without a window).
pub(super) fn plugin(app: &mut App) {
    app.add_message::<GoToRoom>()
        .init_resource::<embedding::EmbeddingRoom>()
        .init_resource::<overview::Overview>()
        .add_systems(
            Update,
            (
                embedding::start_map,
                embedding::finish_map,
                embedding::follow_selection,
                embedding::mark_tokens,
                scale::build_blocks,
                overview::build_tower,
                overview::refine_tiles,
                hide_yard_from_hall,
            )
                .chain()
                .in_set(AppSet::Draw),
        );
}
