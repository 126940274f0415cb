//! Shared meshes and materials, and the textures boards and lamp walls are painted into.

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use super::palette;

/// Shared meshes and materials.
#[derive(Resource)]
pub struct Kit {
    pub(crate) crate_mesh: Handle<Mesh>,
    pub(crate) cube: Handle<Mesh>,
    pub(crate) crate_prompt: Handle<StandardMaterial>,
    pub(crate) crate_new: Handle<StandardMaterial>,
    pub(crate) crate_selected: Handle<StandardMaterial>,
    pub(crate) floor: Handle<StandardMaterial>,
    pub(crate) belt: Handle<StandardMaterial>,
    pub(crate) booth: Handle<StandardMaterial>,
    pub(crate) booth_selected: Handle<StandardMaterial>,
    pub(crate) machine: Handle<StandardMaterial>,
    pub(crate) bar: Handle<StandardMaterial>,
    pub(crate) bar_chosen: Handle<StandardMaterial>,
}

/// How much brighter the sun makes a surface facing it than its base colour (linear): a lit-less
/// surface is drawn this much brighter to look the same.
const SUNLIT: f32 = 5.9;

impl Kit {
    /// The low render preset: the hall's large flat surfaces (floor, belt, booth slabs) drawn unlit
    /// in the colour the sun gives them, so a software renderer skips most of its lighting work
    /// (the default model's home view under lavapipe: 4.1 -> 5.0 frames per second).
    pub fn flatten_large_surfaces(&self, materials: &mut Assets<StandardMaterial>) {
        for handle in [&self.floor, &self.belt, &self.booth, &self.booth_selected] {
            if let Some(mut m) = materials.get_mut(handle) {
                let c = m.base_color.to_linear();
                m.base_color = Color::linear_rgba(
                    (c.red * SUNLIT).min(1.0),
                    (c.green * SUNLIT).min(1.0),
                    (c.blue * SUNLIT).min(1.0),
                    c.alpha,
                );
                m.unlit = true;
            }
        }
    }
}

pub(crate) fn make_kit(
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

pub(crate) fn new_image(width: usize, height: usize) -> Image {
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

pub(crate) fn board_material(image: Handle<Image>) -> StandardMaterial {
    StandardMaterial {
        base_color_texture: Some(image),
        unlit: true,
        double_sided: true,
        cull_mode: None,
        ..default()
    }
}
