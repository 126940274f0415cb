//! The paper label on each token crate's faces (front and back): the token's text in plain words,
//! rasterised into a small picture (Bevy 0.19 has no text in the world), so a visitor reads a
//! crate where it stands, at every station, without a floating caption; and the booths' head
//! plates, made the same way.

use std::collections::HashMap;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use bevy::prelude::*;

use super::kit::image_of;

/// The label's picture, pixels across and down (the label is LABEL_SIZE world units).
pub const FACE_PX: (usize, usize) = (256, 128);
/// The label's size on a crate face, world units (the crate is 0.9 on a side).
pub const LABEL_SIZE: (f32, f32) = (0.84, 0.42);
/// A label's colours (sRGB): its ground and its ink.
pub type Colours = ([u8; 3], [u8; 3]);
/// A crate's paper label: dark ink on paper.
pub const PAPER: Colours = ([236, 230, 214], [22, 20, 18]);
/// A booth's head plate: the signs' warm white on near-black (the signs' type, in the world).
pub const PLATE: Colours = ([14, 13, 16], [240, 236, 224]);
/// The margin kept free around the text, pixels.
const MARGIN: f32 = 8.0;
/// The largest type, pixels (short words are not blown up past it).
const MAX_PX: f32 = 96.0;

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// `text` in `colours`' ink on a label of `w` × `h` pixels (RGBA8, sRGB, rows top down): one
/// line, centred, as large as fits inside the margin (at most MAX_PX); characters the font lacks
/// are skipped; an empty text gives the bare ground.
pub fn label_pixels(text: &str, w: usize, h: usize, (ground, ink): Colours) -> Vec<u8> {
    let mut px: Vec<u8> = [ground[0], ground[1], ground[2], 255].repeat(w * h);
    // parsed once for every label
    static PARSED: std::sync::OnceLock<Option<FontRef<'static>>> = std::sync::OnceLock::new();
    let Some(font) = PARSED.get_or_init(|| FontRef::try_from_slice(FONT).ok()) else {
        return px;
    };
    let ids: Vec<_> = text
        .chars()
        .map(|c| font.glyph_id(c))
        .filter(|g| g.0 != 0)
        .collect();
    if ids.is_empty() {
        return px;
    }
    // the width at 1 px, then the size that fits both ways
    let unit = font.as_scaled(PxScale::from(1.0));
    let width1: f32 = ids
        .iter()
        .map(|&g| unit.h_advance(g))
        .sum::<f32>()
        .max(1e-3);
    let height1 = unit.ascent() - unit.descent();
    let size = ((w as f32 - 2.0 * MARGIN) / width1)
        .min((h as f32 - 2.0 * MARGIN) / height1)
        .min(MAX_PX);
    let scaled = font.as_scaled(PxScale::from(size));
    let left = (w as f32 - width1 * size) / 2.0;
    let baseline = (h as f32 + (scaled.ascent() + scaled.descent())) / 2.0;
    let mut x = left;
    for g in ids {
        let glyph = g.with_scale_and_position(size, point(x, baseline));
        x += scaled.h_advance(g);
        let Some(outline) = font.outline_glyph(glyph) else {
            continue;
        };
        let b = outline.px_bounds();
        outline.draw(|gx, gy, cover| {
            let (cx, cy) = (b.min.x as i64 + gx as i64, b.min.y as i64 + gy as i64);
            if cx < 0 || cy < 0 || cx >= w as i64 || cy >= h as i64 {
                return;
            }
            let at = (cy as usize * w + cx as usize) * 4;
            let c = cover.clamp(0.0, 1.0);
            for k in 0..3 {
                let paper = f32::from(px[at + k]);
                px[at + k] = (paper + (f32::from(ink[k]) - paper) * c).round() as u8;
            }
        });
    }
    px
}

/// The labels' materials by text, shared by every crate that carries the same text (a new
/// history spawns its crates again; the same words reuse their pictures).
#[derive(Resource, Default)]
pub struct CrateFaces {
    materials: HashMap<String, Handle<StandardMaterial>>,
    mesh: Option<Handle<Mesh>>,
}

/// How many labels are kept before the cache starts afresh (a long session of many prompts).
const KEPT: usize = 1024;

impl CrateFaces {
    /// The label material for `text` and the labels' quad, made on first use.
    pub fn get(
        &mut self,
        text: &str,
        images: &mut Assets<Image>,
        materials: &mut Assets<StandardMaterial>,
        meshes: &mut Assets<Mesh>,
    ) -> (Handle<StandardMaterial>, Handle<Mesh>) {
        let mesh = self
            .mesh
            .get_or_insert_with(|| meshes.add(Rectangle::new(LABEL_SIZE.0, LABEL_SIZE.1)))
            .clone();
        if self.materials.len() >= KEPT && !self.materials.contains_key(text) {
            self.materials.clear();
        }
        let material = self
            .materials
            .entry(text.to_string())
            .or_insert_with(|| text_material(text, (FACE_PX, PAPER), false, images, materials))
            .clone();
        (material, mesh)
    }
}

/// Where a crate carries its label, in the crate's own frame: on the face toward the hall's start
/// (the side the station views look from) and on the face toward its end (the side the home view
/// looks from), each reading left to right from its side and a hair off the face.
pub fn label_places() -> [Transform; 2] {
    use std::f32::consts::FRAC_PI_2;
    let half = 0.45 + 0.004;
    [
        // facing −x; the text runs toward +z, left to right as seen from the start
        Transform::from_xyz(-half, 0.0, 0.0).with_rotation(Quat::from_rotation_y(-FRAC_PI_2)),
        // facing +x; the text runs toward −z, left to right as seen from the end
        Transform::from_xyz(half, 0.0, 0.0).with_rotation(Quat::from_rotation_y(FRAC_PI_2)),
    ]
}

/// A plate of `text` in light letters on near-black, `px` pixels, unlit (it reads in any light),
/// on a quad `size` world units.
pub fn plate(
    text: &str,
    (px, size): ((usize, usize), Vec2),
    images: &mut Assets<Image>,
    materials: &mut Assets<StandardMaterial>,
    meshes: &mut Assets<Mesh>,
) -> (Handle<StandardMaterial>, Handle<Mesh>) {
    let material = text_material(text, (px, PLATE), true, images, materials);
    (material, meshes.add(Rectangle::new(size.x, size.y)))
}

/// A material showing `text` as [`label_pixels`] draws it, `px` pixels in `colours`, lit like the
/// crates or `unlit`; its picture smooth (letters, not cells) and kept on the GPU only (nothing
/// reads it back).
fn text_material(
    text: &str,
    (px, colours): ((usize, usize), Colours),
    unlit: bool,
    images: &mut Assets<Image>,
    materials: &mut Assets<StandardMaterial>,
) -> Handle<StandardMaterial> {
    let mut image = image_of(px.0, px.1, label_pixels(text, px.0, px.1, colours));
    image.sampler = bevy::image::ImageSampler::linear();
    image.asset_usage = bevy::asset::RenderAssetUsages::RENDER_WORLD;
    materials.add(StandardMaterial {
        base_color_texture: Some(images.add(image)),
        perceptual_roughness: 0.9,
        unlit,
        ..default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dark pixels' bounding box: (min x, min y, max x, max y), or None.
    fn ink_box(px: &[u8], w: usize) -> Option<(usize, usize, usize, usize)> {
        let mut b: Option<(usize, usize, usize, usize)> = None;
        for (i, p) in px.chunks(4).enumerate() {
            if p[0] < 128 {
                let (x, y) = (i % w, i / w);
                b = Some(match b {
                    None => (x, y, x, y),
                    Some((a, c, d, e)) => (a.min(x), c.min(y), d.max(x), e.max(y)),
                });
            }
        }
        b
    }

    #[test]
    fn a_word_is_inked_centred_inside_the_margin() {
        let (w, h) = FACE_PX;
        let px = label_pixels("dog", w, h, PAPER);
        let (x0, y0, x1, y1) = ink_box(&px, w).expect("the word leaves ink");
        assert!(x0 as f32 >= MARGIN - 1.0 && (x1 as f32) < w as f32 - MARGIN + 1.0);
        assert!(y0 as f32 >= MARGIN - 1.0 && (y1 as f32) < h as f32 - MARGIN + 1.0);
        // centred across, within a few pixels
        let (left, right) = (x0 as i64, (w - 1 - x1) as i64);
        assert!((left - right).abs() <= 6, "left {left} right {right}");
        // a short word is written large: at least a third of the label's height in ink
        assert!(y1 - y0 >= h / 3, "{y0}..{y1}");
    }

    #[test]
    fn a_long_word_shrinks_to_fit_and_nothing_is_cut() {
        let (w, h) = FACE_PX;
        let px = label_pixels("internationalisation", w, h, PAPER);
        let (x0, _, x1, _) = ink_box(&px, w).expect("ink");
        assert!(x0 >= 8 && x1 < w - 8, "{x0}..{x1}");
    }

    #[test]
    fn empty_and_unknown_text_leave_bare_paper() {
        let (w, h) = (64, 32);
        for text in ["", "\u{e000}\u{e001}"] {
            let px = label_pixels(text, w, h, PAPER);
            assert!(ink_box(&px, w).is_none(), "{text:?}");
            assert_eq!(&px[..3], &PAPER.0);
        }
    }
}
