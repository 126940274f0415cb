//! Shared meshes and materials, and the textures boards and lamp walls are painted into.

use bevy::asset::RenderAssetUsages;
use bevy::image::ImageSampler;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};

use super::flat::{FlatMaterial, FlatTexture, sunlit};
use super::palette;

/// Shared meshes and materials.
#[derive(Resource)]
pub struct Kit {
    pub(crate) crate_mesh: Handle<Mesh>,
    pub(crate) cube: Handle<Mesh>,
    /// An upright cylinder, a flat ring about the vertical and a funnel, each filling the unit
    /// cube (a machine block's other shapes, `blocks::Form`).
    pub(crate) rod: Handle<Mesh>,
    pub(crate) ring: Handle<Mesh>,
    pub(crate) funnel: Handle<Mesh>,
    /// A block narrowing along the hall: its whole height at −x, `blocks::TAPER_NARROW` of it at
    /// +x, as deep all along (the FFN cabinet's ends, narrow in, wide, narrow out).
    pub(crate) taper: Handle<Mesh>,
    /// A unit square across the hall (the y-z plane) facing the hall's start (−x), drawn from that
    /// side only: the dock's chart board, which from behind lets its bars show through.
    pub(crate) facing_start: Handle<Mesh>,
    pub(crate) crate_prompt: Handle<StandardMaterial>,
    pub(crate) crate_new: Handle<StandardMaterial>,
    pub(crate) crate_selected: Handle<StandardMaterial>,
    pub(crate) floor: Handle<FlatMaterial>,
    pub(crate) belt: Handle<FlatMaterial>,
    /// The floor and the belt in lit materials that receive shadows (the high preset).
    pub(crate) floor_lit: Handle<StandardMaterial>,
    pub(crate) belt_lit: Handle<StandardMaterial>,
    pub(crate) booth: Handle<FlatMaterial>,
    pub(crate) booth_selected: Handle<FlatMaterial>,
    /// The other booths while a head is selected.
    pub(crate) booth_dimmed: Handle<FlatMaterial>,
    pub(crate) machine: Handle<StandardMaterial>,
    /// A booth cabin's glass panes (a faint pale blue, seen through) and the glints on them.
    pub(crate) glass: Handle<StandardMaterial>,
    pub(crate) glint: Handle<StandardMaterial>,
    pub(crate) bar: Handle<StandardMaterial>,
    pub(crate) bar_chosen: Handle<StandardMaterial>,
    /// A head's part pushing the top guess down (cyan, as negative values are).
    pub(crate) part_negative: Handle<StandardMaterial>,
    /// A switch whose part runs (green) or is switched off (red).
    pub(crate) switch_on: Handle<FlatMaterial>,
    pub(crate) switch_off: Handle<FlatMaterial>,
    /// A crate's surprise gauge (magenta: neither data sign nor a switch) and its empty slot.
    pub(crate) gauge: Handle<FlatMaterial>,
    pub(crate) gauge_slot: Handle<FlatMaterial>,
    /// A norm gate's spread bars (a light neutral: a size, not a sign).
    pub(crate) spread: Handle<FlatMaterial>,
    /// The dock's chart lines on their dark board (dim: the bars' labels cross them).
    pub(crate) chart_line: Handle<FlatMaterial>,
    /// The machines' frames (see `machines.rs`).
    pub(crate) machine_body: Handle<FlatMaterial>,
    /// The receiving dock's paper tape (behind its words' labels).
    pub(crate) paper: Handle<FlatMaterial>,
    /// Each kind of machine's own muted colour: dock, press, stamp, norm, booth, merge, FFN,
    /// shipping.
    machine_accents: [Handle<FlatMaterial>; 8],
    /// The patching strips in the hall, three steps of attention's violet (dim to bright).
    pub(crate) patch_glow: [Handle<FlatMaterial>; 3],
}

impl Kit {
    /// The colour of a station's machine.
    pub(crate) fn machine_accent(&self, kind: super::layout::StationKind) -> Handle<FlatMaterial> {
        use super::layout::StationKind as K;
        let i = match kind {
            K::Dock => 0,
            K::Embedding => 1,
            K::Position => 2,
            K::NormAttn(_) | K::NormFfn(_) | K::FinalNorm => 3,
            K::Booth(..) => 4,
            K::Merge(_) => 5,
            K::Ffn(_) => 6,
            K::Shipping => 7,
        };
        self.machine_accents[i].clone()
    }
}

/// A pane of glass, or a glint on it: a pale blue white, unlit, seen from both sides, `alpha`
/// opaque.
fn glass(materials: &mut Assets<StandardMaterial>, alpha: f32) -> Handle<StandardMaterial> {
    materials.add(StandardMaterial {
        base_color: Color::srgba(0.8, 0.88, 1.0, alpha),
        alpha_mode: AlphaMode::Blend,
        unlit: true,
        cull_mode: None,
        double_sided: true,
        ..default()
    })
}

/// The taper's mesh (see [`Kit::taper`]): filling the unit cube, its six faces flat (each its own
/// corners, its normal outward).
fn taper() -> Mesh {
    use bevy::mesh::{Indices, PrimitiveTopology};
    let n = super::blocks::TAPER_NARROW / 2.0;
    let corner = |wide: bool, up: bool, far: bool| {
        let h = if wide { 0.5 } else { n };
        Vec3::new(
            if wide { -0.5 } else { 0.5 },
            if up { h } else { -h },
            if far { 0.5 } else { -0.5 },
        )
    };
    // each face's corners in turn around it
    let c = corner;
    let faces = [
        [
            c(true, false, false),
            c(true, true, false),
            c(true, true, true),
            c(true, false, true),
        ],
        [
            c(false, false, false),
            c(false, true, false),
            c(false, true, true),
            c(false, false, true),
        ],
        [
            c(true, true, false),
            c(true, true, true),
            c(false, true, true),
            c(false, true, false),
        ],
        [
            c(true, false, false),
            c(true, false, true),
            c(false, false, true),
            c(false, false, false),
        ],
        [
            c(true, false, false),
            c(true, true, false),
            c(false, true, false),
            c(false, false, false),
        ],
        [
            c(true, false, true),
            c(true, true, true),
            c(false, true, true),
            c(false, false, true),
        ],
    ];
    let (mut positions, mut normals, mut indices) = (Vec::new(), Vec::new(), Vec::new());
    for mut f in faces {
        let centre = f.iter().copied().sum::<Vec3>() / 4.0;
        let mut normal = (f[1] - f[0]).cross(f[3] - f[0]).normalize();
        if normal.dot(centre) < 0.0 {
            // wound the other way: turned so its front is outward
            f.reverse();
            normal = -normal;
        }
        let base = positions.len() as u32;
        positions.extend(f.map(|p| p.to_array()));
        normals.extend([normal.to_array(); 4]);
        indices.extend([0, 1, 2, 0, 2, 3].map(|i| base + i));
    }
    let uvs = vec![[0.0f32, 0.0]; positions.len()];
    Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, positions)
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
    .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, uvs)
    .with_inserted_indices(Indices::U32(indices))
}

/// The hall floor's and the belt's base colours.
const FLOOR: Color = Color::srgb(0.09, 0.1, 0.12);
const BELT: Color = Color::srgb(
    palette::PENDING[0],
    palette::PENDING[1],
    palette::PENDING[2],
);

pub(crate) fn make_kit(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut flats: ResMut<Assets<FlatMaterial>>,
) {
    let mut flat = |base: Color| {
        flats.add(FlatMaterial {
            color: sunlit(base),
        })
    };
    let [bar, bar_chosen, part_negative] = dock_materials(&mut materials);
    let (pane, glint) = (glass(&mut materials, 0.1), glass(&mut materials, 0.45));
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
        rod: meshes.add(Cylinder::new(0.5, 1.0)),
        funnel: meshes.add(ConicalFrustum {
            radius_top: 0.5,
            radius_bottom: 0.14,
            height: 1.0,
        }),
        taper: meshes.add(taper()),
        facing_start: meshes.add(Plane3d::new(Vec3::NEG_X, Vec2::splat(0.5))),
        // a tube a sixth of the ring's radius, stretched to the unit cube's height (the block's
        // size gives its real thickness)
        ring: meshes.add(
            Mesh::from(Torus {
                minor_radius: 0.07,
                major_radius: 0.43,
            })
            .scaled_by(Vec3::new(1.0, 1.0 / 0.14, 1.0)),
        ),
        crate_prompt: mat(Color::srgb(0.55, 0.38, 0.2), LinearRgba::BLACK),
        crate_new: mat(
            Color::srgb(0.3, 0.75, 0.35),
            LinearRgba::rgb(0.05, 0.25, 0.05),
        ),
        crate_selected: mat(Color::srgb(1.0, 0.9, 0.3), LinearRgba::rgb(0.6, 0.5, 0.1)),
        floor: flat(FLOOR),
        belt: flat(BELT),
        floor_lit: mat(FLOOR, LinearRgba::BLACK),
        belt_lit: mat(BELT, LinearRgba::BLACK),
        booth: flat(Color::srgb(0.16, 0.2, 0.3)),
        booth_selected: flat(Color::srgb(0.3, 0.35, 0.6)),
        booth_dimmed: flat(Color::srgb(0.11, 0.12, 0.19)),
        machine: mat(Color::srgb(0.25, 0.22, 0.2), LinearRgba::BLACK),
        glass: pane,
        glint,
        // the dock's own hue: a paper white (amber is for positive values only)
        bar,
        bar_chosen,
        part_negative,
        switch_on: flat(Color::srgb(0.05, 0.26, 0.09)),
        switch_off: flat(Color::srgb(0.4, 0.05, 0.04)),
        machine_body: flat(Color::srgb(0.08, 0.08, 0.09)),
        paper: flat(Color::srgb(0.62, 0.6, 0.55)),
        spread: flat(Color::srgb(0.42, 0.42, 0.4)),
        chart_line: flat(Color::srgb(0.2, 0.2, 0.21)),
        gauge: flat(Color::srgb(0.95, 0.3, 0.7)),
        gauge_slot: flat(Color::srgb(0.04, 0.03, 0.04)),
        // muted: the data (amber, cyan) stay the brightest things in the hall
        machine_accents: MACHINE_HUES.map(|[r, g, b]| flat(Color::srgb(r * 0.4, g * 0.4, b * 0.4))),
        patch_glow: [0.45, 0.7, 1.0].map(|k| {
            let [r, g, b] = palette::ATTENTION;
            flats.add(FlatMaterial {
                color: Color::srgb(r * k, g * k, b * k).to_linear(),
            })
        }),
    };
    commands.insert_resource(kit);
}

/// Each kind of machine's hue before it is muted: dock (its scissors), press, stamp, norm, booth, merge, FFN
/// (steel: amber is the values'), shipping.
const MACHINE_HUES: [[f32; 3]; 8] = [
    // the receiving dock's scissors: bright steel
    [0.9, 0.92, 0.95],
    [0.3, 0.38, 0.5],
    [0.55, 0.25, 0.2],
    palette::NORM_TEAL,
    [0.35, 0.33, 0.5],
    [0.45, 0.3, 0.45],
    palette::FFN_STEEL,
    [0.3, 0.45, 0.3],
];

/// The shipping dock's bars (paper white), the chosen word's (green) and a head's part against the
/// top guess (cyan, as negative values are): data, so unlit (the lights' warm and cool tints gave
/// the bars a cream cast and shaded sides).
fn dock_materials(materials: &mut Assets<StandardMaterial>) -> [Handle<StandardMaterial>; 3] {
    [
        Color::srgb(palette::DOCK[0], palette::DOCK[1], palette::DOCK[2]),
        Color::srgb(0.35, 0.9, 0.4),
        Color::srgb(0.2, 0.65, 0.9),
    ]
    .map(|base| {
        materials.add(StandardMaterial {
            base_color: base,
            unlit: true,
            ..default()
        })
    })
}

/// A `width` × `height` picture of data cells, filled with the colour of a cell not computed yet.
pub(crate) fn new_image(width: usize, height: usize) -> Image {
    let (width, height) = (width.max(1), height.max(1));
    image_of(
        width,
        height,
        palette::pending_rgba().repeat(width * height),
    )
}

/// A `width` × `height` picture of data cells from RGBA8 sRGB `pixels`, drawn as crisp cells
/// (nearest sampling): the boards, the lamp walls, the overview's windows.
pub(crate) fn image_of(width: usize, height: usize, pixels: Vec<u8>) -> Image {
    let mut img = Image::new(
        Extent3d {
            width: width as u32,
            height: height as u32,
            depth_or_array_layers: 1,
        },
        TextureDimension::D2,
        pixels,
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    );
    img.sampler = ImageSampler::nearest();
    img
}

/// A board's or lamp wall's material: signed cells; a board of `lanes` tokens side by side gets a
/// dark gutter between neighbouring tokens' tiles (0: none, a lamp wall).
pub(crate) fn board_material(image: Handle<Image>, lanes: usize) -> FlatTexture {
    let mut m = FlatTexture::signed(image);
    m.options.w = lanes as f32;
    m
}

#[cfg(test)]
mod tests {
    use bevy::mesh::VertexAttributeValues;

    use super::*;

    #[test]
    fn the_taper_fills_the_unit_cube_and_narrows_toward_plus_x() {
        let mesh = taper();
        let Some(VertexAttributeValues::Float32x3(at)) = mesh.attribute(Mesh::ATTRIBUTE_POSITION)
        else {
            panic!("positions");
        };
        let Some(VertexAttributeValues::Float32x3(normals)) =
            mesh.attribute(Mesh::ATTRIBUTE_NORMAL)
        else {
            panic!("normals");
        };
        let at: Vec<Vec3> = at.iter().map(|p| Vec3::from(*p)).collect();
        let height = |x: f32| {
            let ys = at.iter().filter(|p| (p.x - x).abs() < 1e-6).map(|p| p.y);
            ys.clone().fold(f32::MIN, f32::max) - ys.fold(f32::MAX, f32::min)
        };
        assert!((height(-0.5) - 1.0).abs() < 1e-6);
        assert!((height(0.5) - super::super::blocks::TAPER_NARROW).abs() < 1e-6);
        assert!(at.iter().all(|p| p.abs().max_element() <= 0.5 + 1e-6));
        // each triangle wound with its front outward, as its normal says (culled from inside)
        let Some(bevy::mesh::Indices::U32(tri)) = mesh.indices() else {
            panic!("indices");
        };
        for t in tri.chunks(3) {
            let [a, b, c] = [0, 1, 2].map(|k| at[t[k] as usize]);
            let n = Vec3::from(normals[t[0] as usize]);
            assert!((b - a).cross(c - a).normalize().dot(n) > 0.99);
            assert!(n.dot((a + b + c) / 3.0) > 0.0, "outward");
        }
    }
}
