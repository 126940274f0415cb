//! The sky behind the hall (issue 23's "a gradient background instead of black"): a sphere around
//! the eye, drawn by its own shader (`sky.wgsl`) in a gradient by the direction looked in: the
//! fog's blue-grey at the horizon, so the far hall fades into it without a seam, the night's deep
//! blue overhead, the fog a little darker below. It moves with the camera (a child of it), casts
//! and takes no light, no pointer ever picks it, and it is drawn only while the view reaches near
//! the horizon (not in the views that look steeply down). One cheap shader per sky pixel.

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

/// The sky's radius, world units: just inside the camera's far plane (1000), so it hides nothing
/// the far plane would not clip anyway (the camera may zoom out to 1500 units).
pub const SKY_RADIUS: f32 = 995.0;

/// Drawing the sky, for builds with a renderer.
pub(crate) fn draw_plugin(app: &mut App) {
    bevy::asset::embedded_asset!(app, "sky.wgsl");
    app.add_plugins(MaterialPlugin::<SkyMaterial>::default())
        .add_systems(Startup, spawn_sky.after(crate::camera::spawn_camera))
        .add_systems(
            PostUpdate,
            draw_sky_only_when_seen
                .before(bevy::camera::visibility::VisibilitySystems::VisibilityPropagate),
        );
}

/// The sky around a camera (see [`spawn_sky`]).
#[derive(Component, Debug, Clone, Copy)]
pub struct Sky;

/// Whether any of a camera's view, looking along `forward` with `up` and a vertical field of view
/// `fov` (radians, no roll), reaches near the horizon: its frustum's top edge points up, or less
/// than about 9° down (below that the sky would be the fog's colour within 4 %, which the
/// clear colour is). With the 45° lens that is a pitch under about 0.54 rad: the views looking
/// steeply down (the boards' and the dock's) skip it, the booths' and the FFN's still draw it.
pub fn sees_the_sky(forward: Vec3, up: Vec3, fov: f32) -> bool {
    let top = forward * (fov / 2.0).cos() + up * (fov / 2.0).sin();
    top.y > -0.15
}

/// Where a camera looks, its lens and its children (its sky among them).
type CameraPose = (&'static Transform, &'static Projection, &'static Children);

/// A 3D camera that moved or changed its lens.
type CameraMoved = (
    With<Camera3d>,
    Or<(Changed<Transform>, Changed<Projection>)>,
);

/// The sky is drawn only while the view reaches near the horizon: looking steeply down, the hall's
/// floor and the clear colour (the fog's) cover the picture, and a software renderer would still
/// test every pixel against a sphere behind them.
fn draw_sky_only_when_seen(
    cameras: Query<CameraPose, CameraMoved>,
    mut skies: Query<&mut Visibility, With<Sky>>,
) {
    for (t, projection, children) in &cameras {
        let Projection::Perspective(p) = projection else {
            continue;
        };
        let seen = sees_the_sky(*t.forward(), *t.up(), p.fov);
        let want = if seen {
            Visibility::Inherited
        } else {
            Visibility::Hidden
        };
        for child in children {
            if let Ok(mut v) = skies.get_mut(*child) {
                v.set_if_neq(want);
            }
        }
    }
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
            Sky,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sky_is_drawn_only_when_the_view_reaches_above_the_horizon() {
        let fov = std::f32::consts::FRAC_PI_4;
        let looking = |pitch: f32| {
            let t =
                Transform::IDENTITY.looking_to(Vec3::new(pitch.cos(), pitch.sin(), 0.0), Vec3::Y);
            sees_the_sky(*t.forward(), *t.up(), fov)
        };
        assert!(looking(0.0), "level: half the view is sky");
        assert!(looking(-0.3), "a little down: the top edge still above");
        assert!(
            !looking(-0.6),
            "steeper than about 0.54 rad down: floor only"
        );
        assert!(!looking(-1.2));
    }
}
