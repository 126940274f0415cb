//! The route's edge under the pointer (`scene/routes.rs`): found like a beam, from the window's
//! cursor and the camera, on the lines as drawn; none while the pointer is on a panel.

use bevy::prelude::*;

use crate::camera::Orbit;
use crate::playback::Floor;
use crate::scene::CurrentLayout;
use crate::scene::beams::PICK_PIXELS;
use crate::scene::routes::{RouteHover, RouteLight, nearest_edge};

/// Finds the route's edge under the pointer, when a route is drawn.
pub(super) fn hover_routes(
    windows: Query<&Window>,
    cameras: Query<(&Camera, &GlobalTransform), With<Orbit>>,
    layout: Option<Res<CurrentLayout>>,
    (light, floor): (Res<RouteLight>, Res<Floor>),
    (egui_input, ignored): (
        Res<bevy_egui::input::EguiWantsInput>,
        Option<Res<super::PointerIgnored>>,
    ),
    mut hover: ResMut<RouteHover>,
) {
    let under = || {
        let edges = light.edges_for(&floor)?;
        if egui_input.wants_any_pointer_input() || ignored.is_some() {
            return None;
        }
        let pointer = windows.single().ok()?.cursor_position()?;
        let (camera, at) = cameras.single().ok()?;
        let project = |p: Vec3| camera.world_to_viewport(at, p).ok();
        nearest_edge(&layout.as_ref()?.0, edges, project, pointer, PICK_PIXELS)
    };
    let found = under();
    if hover.0 != found {
        hover.0 = found;
    }
}
