//! The sky behind the hall (issue 23's "a gradient background instead of black"): a sphere around
//! the eye, drawn by its own shader (`sky.wgsl`) in a gradient by the direction looked in: the
//! fog's blue-grey at the horizon, so the far hall fades into it without a seam, the night's deep
//! blue overhead, the fog a little darker below. It moves with the camera (a child of it), casts and takes no
//! light, and no pointer ever picks it. One cheap shader per background pixel, in every preset.

use bevy::prelude::*;
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::ShaderRef;

use super::palette;

/// The sky's three colours (linear), from [`palette`].
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct SkyMaterial {
    /// At eye height: the fog's colour ([`palette::FOG`]).
    #[uniform(0)]
    pub horizon: LinearRgba,
    /// Straight up ([`palette::SKY_ZENITH`]).
    #[uniform(1)]
    pub zenith: LinearRgba,
    /// Straight down ([`palette::SKY_NADIR`]).
    #[uniform(2)]
    pub nadir: LinearRgba,
}

impl Material for SkyMaterial {
    fn fragment_shader() -> ShaderRef {
        "embedded://factory/scene/sky.wgsl".into()
    }

    fn specialize(
        _pipeline: &bevy::pbr::MaterialPipeline,
        descriptor: &mut bevy::render::render_resource::RenderPipelineDescriptor,
        _layout: &bevy::mesh::MeshVertexBufferLayoutRef,
        _key: bevy::pbr::MaterialPipelineKey<Self>,
    ) -> Result<(), bevy::render::render_resource::SpecializedMeshPipelineError> {
        // seen from inside the sphere
        descriptor.primitive.cull_mode = None;
        Ok(())
    }
}

/// The sky's radius, world units: past everything in the hall (the longest hall, GPT-2 small's
/// 171 stations, is under 500 units), inside the camera's far plane (1000).
pub const SKY_RADIUS: f32 = 900.0;

/// Drawing the sky, for builds with a renderer.
pub(crate) fn draw_plugin(app: &mut App) {
    bevy::asset::embedded_asset!(app, "sky.wgsl");
    app.add_plugins(MaterialPlugin::<SkyMaterial>::default())
        .add_systems(Startup, spawn_sky.after(crate::camera::spawn_camera));
}

/// The sky's material, from the palette.
pub fn sky_material() -> SkyMaterial {
    let linear = |[r, g, b]: [f32; 3]| Color::srgb(r, g, b).to_linear();
    SkyMaterial {
        horizon: linear(palette::FOG),
        zenith: linear(palette::SKY_ZENITH),
        nadir: linear(palette::SKY_NADIR),
    }
}

/// A sky around each 3D camera, as its child (so it moves with the eye; its shader uses world
/// directions, so the camera's turning does not turn the gradient).
fn spawn_sky(
    mut commands: Commands,
    cameras: Query<Entity, With<Camera3d>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<SkyMaterial>>,
) {
    let mesh = meshes.add(Sphere::new(SKY_RADIUS).mesh().uv(32, 16));
    let material = materials.add(sky_material());
    for camera in &cameras {
        commands.spawn((
            Name::new("Sky"),
            Mesh3d(mesh.clone()),
            MeshMaterial3d(material.clone()),
            Transform::IDENTITY,
            bevy::light::NotShadowCaster,
            bevy::light::NotShadowReceiver,
            Pickable::IGNORE,
            ChildOf(camera),
        ));
    }
}
