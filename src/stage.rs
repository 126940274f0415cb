//! The render setup that the window app and the off-screen recorder share: the background, the
//! lights, egui, the camera, the overlay and the beams' drawing, on top of the factory's logic.

use bevy::prelude::*;

use crate::scene::palette;

/// Everything drawn, for any render target (a window or an image).
pub fn plugin(app: &mut App) {
    let [r, g, b] = palette::BACKGROUND;
    app.insert_resource(ClearColor(Color::srgb(r, g, b)))
        .add_plugins(bevy_egui::EguiPlugin::default())
        .add_plugins(crate::logic::core_plugin)
        .add_plugins((
            crate::camera::plugin,
            crate::ui::plugin,
            crate::scene::beams::draw_plugin,
            crate::scene::flat::draw_plugin,
        ))
        .insert_resource(GlobalAmbientLight {
            color: Color::WHITE,
            brightness: 400.0,
            ..default()
        })
        .add_systems(Startup, spawn_lights.after(crate::camera::spawn_camera));
}

/// The sun: one directional light from above the dock, looking down the hall.
fn spawn_lights(mut commands: Commands) {
    commands.spawn((
        Name::new("Sun"),
        DirectionalLight {
            illuminance: 6_000.0,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::from_xyz(-10.0, 30.0, 20.0).looking_at(Vec3::new(20.0, 0.0, 0.0), Vec3::Y),
    ));
}
