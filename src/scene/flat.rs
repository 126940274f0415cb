//! The hall's large surfaces (floor, belt, slats, booth floors) and the machines in one flat colour
//! each, and the boards and lamp walls as their textures, no lights: the cheapest thing a renderer
//! can do per pixel.
//! A software renderer (lavapipe) shades every pixel on the CPU, and Bevy's standard material costs
//! it several times more per pixel even unlit: the default model's home view went from 3.8-4.0 to
//! 14-17 frames per second, a 1000-token prompt on GPT-2 small's shape from 1.2-1.4 to 6.1-6.7
//! (measured back to back on this project's 2-core machine; the README has the table).
//!
//! A flat horizontal surface under one far light and an even ambient light is one colour anyway, so
//! the colour given is the one the sun gives it ([`sunlit`]) and every preset looks the same; a
//! face turned another way (a machine's side) keeps less of it ([`shade`]: one dot product), so
//! the machines read in depth.

use bevy::prelude::*;
use bevy::render::render_resource::AsBindGroup;
use bevy::shader::ShaderRef;

/// One colour, unlit but for a light baked into each face by the way it faces ([`shade`]).
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct FlatMaterial {
    /// The colour a face turned up gets (linear; other faces less, [`shade`]).
    #[uniform(0)]
    pub color: LinearRgba,
}

impl Material for FlatMaterial {
    fn fragment_shader() -> ShaderRef {
        "embedded://factory/scene/flat.wgsl".into()
    }
}

/// A texture as it is, unlit, seen from both sides: the boards and lamp walls, whose colours are
/// numbers (so the legend's swatches are exactly what is drawn).
#[derive(Asset, TypePath, AsBindGroup, Debug, Clone)]
pub struct FlatTexture {
    /// The painted cells.
    #[texture(0)]
    #[sampler(1)]
    pub texture: Handle<Image>,
    /// x = 1: the cells are signed values (amber +, cyan −) and each negative cell gets a dark
    /// dot when it is large enough on screen, so the sign does not rest on hue alone. y: where
    /// along the hall the camera looks, z = 1: dim the board with its distance from there (see
    /// [`dim_away_from_focus`]), z = 2: also draw it as one bar per token ([`summarised`]). w: the
    /// tokens side by side on a board (a dark gutter between their tiles, so each crate's tile
    /// reads as its own), 0 for none.
    #[uniform(2)]
    pub options: Vec4,
}

impl FlatTexture {
    /// Cells of signed values: negative ones are dotted (see `options`).
    pub fn signed(texture: Handle<Image>) -> Self {
        Self {
            texture,
            options: Vec4::new(1.0, 0.0, 0.0, 0.0),
        }
    }

    /// A picture as it is (no marks).
    pub fn plain(texture: Handle<Image>) -> Self {
        Self {
            texture,
            options: Vec4::ZERO,
        }
    }
}

impl Material for FlatTexture {
    fn fragment_shader() -> ShaderRef {
        "embedded://factory/scene/flat_texture.wgsl".into()
    }

    fn specialize(
        _pipeline: &bevy::pbr::MaterialPipeline,
        descriptor: &mut bevy::render::render_resource::RenderPipelineDescriptor,
        _layout: &bevy::mesh::MeshVertexBufferLayoutRef,
        _key: bevy::pbr::MaterialPipelineKey<Self>,
    ) -> Result<(), bevy::render::render_resource::SpecializedMeshPipelineError> {
        descriptor.primitive.cull_mode = None;
        Ok(())
    }
}

/// The high render preset is on (a real GPU, or a recording): the sun casts shadows, so the hall's
/// floor and belt are drawn in lit materials that receive them instead of the flat ones (the same
/// colour where the sun reaches).
#[derive(Resource, Debug, Default, Clone, Copy)]
pub struct HighPreset;

/// How much brighter the sun and the ambient light make a surface facing up than its base colour
/// (linear; measured off a rendered lit floor): a flat surface is given this much more.
const SUNLIT: f32 = 5.9;

/// The direction of the light the flat shader bakes into each face (`flat.wgsl`'s `shade`): up,
/// a little toward the hall's start and toward the belt's far side (+z, the signs' side; unit
/// length). The stations' cameras stand on the near side (−z), so of a machine's faces they see
/// the top brightest, the face toward the hall's start less, the near face least: three steps.
pub const SHADE_TOWARD: [f32; 3] = [-0.396, 0.88, 0.264];
/// The share of a face's colour it keeps facing away from [`SHADE_TOWARD`] (before scaling, so
/// that a face turned up keeps its whole colour).
pub const SHADE_AMBIENT: f32 = 0.8;

/// How much of its colour a flat surface facing `normal` keeps (`flat.wgsl`'s `shade`): all of
/// it facing up, about half facing away from the light.
pub fn shade(normal: Vec3) -> f32 {
    let lit = normal.normalize().dot(Vec3::from(SHADE_TOWARD)).max(0.0);
    (SHADE_AMBIENT + lit) / (SHADE_AMBIENT + SHADE_TOWARD[1])
}

/// The colour a surface of `base` colour has in the hall's light when it faces up.
pub fn sunlit(base: Color) -> LinearRgba {
    let c = base.to_linear();
    LinearRgba::new(
        (c.red * SUNLIT).min(1.0),
        (c.green * SUNLIT).min(1.0),
        (c.blue * SUNLIT).min(1.0),
        c.alpha,
    )
}

/// Drawing flat surfaces, for builds with a renderer (headless builds only keep the assets).
pub(crate) fn draw_plugin(app: &mut App) {
    bevy::asset::embedded_asset!(app, "flat.wgsl");
    bevy::asset::embedded_asset!(app, "flat_texture.wgsl");
    app.add_plugins((
        MaterialPlugin::<FlatMaterial>::default(),
        MaterialPlugin::<FlatTexture>::default(),
    ))
    .add_systems(Update, dim_away_from_focus);
}

/// Boards and lamp walls keep full colour within this many units (along the hall) of where the
/// camera looks...
pub const DIM_NEAR: f32 = 8.0;
/// ...and fade to [`DIM_FLOOR`] of it by this far: the station in view leads, the rest of the hall
/// steps back (the flat shader applies it; the numbers are checked against the shader's by a test).
pub const DIM_FAR: f32 = 16.0;
/// The brightness a far board keeps.
pub const DIM_FLOOR: f32 = 0.4;

/// Whether a board centred at `board_x` along the hall is far enough from where the camera looks
/// (`at`) to draw each token as one bar (`flat_texture.wgsl`'s summary): decided once per board,
/// so a board is never half cells and half cut-off bars.
pub fn summarised(board_x: f32, at: f32) -> bool {
    (board_x - at).abs() >= DIM_FAR
}

/// Tells the boards and lamp walls where along the hall the camera looks (when it moved half a unit
/// or more), so that the ones far from there are drawn dimmer, and the boards far from there
/// ([`summarised`]) as one bar per token (`options.z` 2 instead of 1).
fn dim_away_from_focus(
    focus: Res<super::beams::ViewFocus>,
    mut materials: ResMut<Assets<FlatTexture>>,
    mut added: MessageReader<AssetEvent<FlatTexture>>,
    boards: Query<(&Transform, &MeshMaterial3d<FlatTexture>), With<super::parts::Board>>,
    mut last: Local<Option<f32>>,
) {
    let new_boards = added.read().any(|e| matches!(e, AssetEvent::Added { .. }));
    let Some(at) = focus.0.map(|f| f.x) else {
        return;
    };
    let moved = focus.is_changed() && last.is_none_or(|x| (x - at).abs() >= 0.5);
    if !moved && !new_boards {
        return;
    }
    *last = Some(at);
    let signed: Vec<_> = materials
        .iter()
        .filter(|(_, m)| m.options.x > 0.5)
        .map(|(id, _)| id)
        .collect();
    for id in signed {
        if let Some(mut m) = materials.get_mut(id) {
            m.options.y = at;
            m.options.z = 1.0;
        }
    }
    // (a board lies in its station's node, which stands at the hall's origin: its x is the hall's)
    for (t, material) in &boards {
        if summarised(t.translation.x, at)
            && let Some(mut m) = materials.get_mut(&material.0)
        {
            m.options.z = 2.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_face_turned_up_keeps_its_colour_and_the_shader_bakes_the_same_light() {
        assert!((Vec3::from(SHADE_TOWARD).length() - 1.0).abs() < 2e-3);
        assert!((shade(Vec3::Y) - 1.0).abs() < 1e-6);
        // the faces a station's camera sees (up, toward the hall's start, the near side, −z)
        // stay apart, so a box reads as a box; none goes black
        let (start, near) = (shade(-Vec3::X), shade(-Vec3::Z));
        assert!(
            start < 0.9 && near < start - 0.15 && near > 0.4,
            "{start} {near}"
        );
        let shader = include_str!("flat.wgsl");
        let [x, y, z] = SHADE_TOWARD;
        for line in [
            format!("const SHADE_TOWARD: vec3<f32> = vec3<f32>({x:?}, {y:?}, {z:?});"),
            format!("const SHADE_AMBIENT: f32 = {SHADE_AMBIENT:?};"),
        ] {
            assert!(shader.contains(&line), "missing {line}");
        }
    }

    #[test]
    fn sunlit_colours_brighten_and_stay_in_range() {
        let c = sunlit(Color::srgb(0.09, 0.1, 0.12));
        let base = Color::srgb(0.09, 0.1, 0.12).to_linear();
        assert!((c.red - base.red * SUNLIT).abs() < 1e-6);
        assert!(c.blue > c.red);
        let white = sunlit(Color::WHITE);
        assert_eq!((white.red, white.green, white.blue), (1.0, 1.0, 1.0));
    }
}
