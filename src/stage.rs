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
            crate::scene::pulses::draw_plugin,
            crate::scene::routes::draw_plugin,
            crate::scene::flat::draw_plugin,
            crate::scene::sky::draw_plugin,
        ))
        .insert_resource(GlobalAmbientLight {
            color: Color::WHITE,
            brightness: 400.0,
            ..default()
        })
        .add_systems(Startup, spawn_lights.after(crate::camera::spawn_camera))
        .add_systems(Update, sun_shadows);
    if std::env::var_os(FORCE_RENDER_ERROR).is_some()
        && let Some(render) = app.get_sub_app_mut(bevy::render::RenderApp)
    {
        render.add_systems(bevy::render::Render, force_render_error);
    }
}

/// A test switch (an environment variable): when set, the renderer makes one invalid buffer a few
/// frames in, which wgpu reports as a validation error, so a test can check what an exhibit does
/// on a render error (Bevy's handler quits; the app exits with a failure status).
pub const FORCE_RENDER_ERROR: &str = "FACTORY_TEST_RENDER_ERROR";

/// Makes the invalid buffer on the third frame the renderer draws.
fn force_render_error(device: Res<bevy::render::renderer::RenderDevice>, mut frames: Local<u32>) {
    use bevy::render::render_resource::{BufferDescriptor, BufferUsages};
    *frames += 1;
    if *frames == 3 {
        warn!("{FORCE_RENDER_ERROR} is set: forcing a render error");
        // a buffer with no usage at all: not allowed
        device.create_buffer(&BufferDescriptor {
            label: Some("forced render error"),
            size: 16,
            usage: BufferUsages::empty(),
            mapped_at_creation: false,
        });
    }
}

/// Puts `camera` in the high preset (a real GPU, or a recording, where time does not matter): an
/// HDR camera with bloom, beams drawn brighter than white so the strong ones glow, and the sun's
/// shadows on the floor (see [`crate::scene::flat::HighPreset`]).
pub fn use_high_preset(commands: &mut Commands, camera: Entity) {
    commands
        .entity(camera)
        .insert(bevy::post_process::bloom::Bloom::NATURAL);
    commands.insert_resource(crate::scene::beams::BeamGlow(
        crate::scene::beams::HIGH_GLOW,
    ));
    commands.insert_resource(crate::scene::flat::HighPreset);
}

/// In the high preset the sun casts shadows.
fn sun_shadows(
    high: Option<Res<crate::scene::flat::HighPreset>>,
    mut suns: Query<(&Name, &mut DirectionalLight)>,
) {
    if high.is_some_and(|h| h.is_added()) {
        for (_, mut sun) in suns.iter_mut().filter(|(n, _)| n.as_str() == SUN) {
            sun.shadow_maps_enabled = true;
        }
    }
}

/// The key light's name (the one light that casts shadows in the high preset).
const SUN: &str = "Sun";
/// The warm key light's colour (late afternoon through a high window).
const KEY_COLOUR: Color = Color::srgb(1.0, 0.96, 0.89);
/// The cool fill's colour (the night sky's blue through the far windows).
const FILL_COLOUR: Color = Color::srgb(0.62, 0.74, 1.0);
/// The rim light's colour: cool white, so edges read against the belt.
const RIM_COLOUR: Color = Color::srgb(0.85, 0.9, 1.0);

/// The lights, "a machine hall on the night shift": a warm key (the sun: from above the dock,
/// looking down the hall; the one that casts shadows in the high preset), a cool fill from the
/// other side at a third of its strength so the shadowed faces are blue-grey rather than black,
/// and a rim from the far end of the hall, low, toward the dock, which outlines the crates and the
/// machines against the belt as seen from the stations' cameras. The unlit data (boards, beams,
/// lamps, bars) is untouched by all three.
fn spawn_lights(mut commands: Commands) {
    commands.spawn((
        Name::new(SUN),
        DirectionalLight {
            illuminance: 6_000.0,
            color: KEY_COLOUR,
            shadow_maps_enabled: false,
            ..default()
        },
        Transform::from_xyz(-10.0, 30.0, 20.0).looking_at(Vec3::new(20.0, 0.0, 0.0), Vec3::Y),
    ));
    for (name, colour, lux, from) in [
        ("Fill", FILL_COLOUR, 2_000.0, Vec3::new(10.0, 12.0, -25.0)),
        ("Rim", RIM_COLOUR, 3_000.0, Vec3::new(60.0, 8.0, 0.0)),
    ] {
        commands.spawn((
            Name::new(name),
            DirectionalLight {
                illuminance: lux,
                color: colour,
                shadow_maps_enabled: false,
                ..default()
            },
            Transform::from_translation(from).looking_at(Vec3::ZERO, Vec3::Y),
        ));
    }
}
