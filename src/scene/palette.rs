//! The one colour scale used for every vector: hue = sign, brightness = magnitude.
//!
//! Positive values glow amber, negative values glow cyan, zero is dark. Brightness is |v| / scale,
//! clamped to 1; each board picks its scale from its own numbers (see [`board_scale`]).

/// The night shift's blue-grey air (sRGB 0–1): the far hall fades into it, and it is the
/// background behind the hall, so what is far is quiet and what is near stands out.
pub const FOG: [f32; 3] = [0.1, 0.12, 0.16];
/// Where the fade starts, world units from the eye (a station view stays clear).
pub const FOG_START: f32 = 40.0;
/// Where it is strongest.
pub const FOG_END: f32 = 200.0;
/// How much of a far thing's colour gives way to the fog at most.
pub const FOG_MAX: f32 = 0.85;

/// Colour of the hall's background: the fog's.
pub const BACKGROUND: [f32; 3] = FOG;

/// How much of a colour at `distance` from the eye gives way to the fog (the flat shaders and
/// Bevy's linear distance fog on the lit materials use the same ramp).
pub fn fog_share(distance: f32) -> f32 {
    ((distance - FOG_START) / (FOG_END - FOG_START)).clamp(0.0, 1.0) * FOG_MAX
}

/// Amber for positive values (sRGB 0–1).
pub const POSITIVE: [f32; 3] = [1.0, 0.62, 0.12];
/// Cyan for negative values.
pub const NEGATIVE: [f32; 3] = [0.15, 0.72, 1.0];
/// Colour of a zero / unlit cell.
pub const ZERO: [f32; 3] = [0.07, 0.075, 0.09];

/// RGBA8 (sRGB) of value `v` on a scale where `scale` is full brightness.
pub fn value_rgba(v: f32, scale: f32) -> [u8; 4] {
    let m = if scale > 0.0 && v.is_finite() {
        (v.abs() / scale).clamp(0.0, 1.0)
    } else {
        0.0
    };
    // perceptual-ish ramp: small values stay visible
    let t = m.sqrt();
    let hue = if v >= 0.0 { POSITIVE } else { NEGATIVE };
    let c = |i: usize| ((ZERO[i] + (hue[i] - ZERO[i]) * t) * 255.0).round() as u8;
    [c(0), c(1), c(2), 255]
}

/// The scale for a board: the 98th percentile of |v| (so a few outliers do not darken the rest).
pub fn board_scale<'a>(values: impl Iterator<Item = &'a f32>) -> f32 {
    let mut mags: Vec<f32> = values.filter(|v| v.is_finite()).map(|v| v.abs()).collect();
    if mags.is_empty() {
        return 1.0;
    }
    let k = ((mags.len() - 1) as f32 * 0.98).round() as usize;
    let (_, kth, _) = mags.select_nth_unstable_by(k, f32::total_cmp);
    if *kth > 0.0 { *kth } else { 1.0 }
}

/// Attention's own hue (the beams): violet, never a value's amber or cyan. Under the three
/// simulated colour blindnesses (Machado et al. 2009) it stays at least 38 ΔE (CIELAB) from both.
pub const ATTENTION: [f32; 3] = [0.62, 0.25, 1.0];

/// The pulses that travel along the beams, from the token read to the token reading: a pale
/// violet-white (at least 40 ΔE from amber and cyan in all four views).
pub const ATTENTION_PULSE: [f32; 3] = [0.95, 0.95, 1.0];

/// Beam colour for an attention weight: attention's violet, more opaque as the weight grows
/// (its width grows too, by weight class).
pub fn beam_rgba(weight: f32) -> [f32; 4] {
    let w = weight.clamp(0.0, 1.0);
    let [r, g, b] = ATTENTION;
    [r, g, b, 0.2 + 0.8 * w]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The flat shaders fade with the same numbers as the camera's fog (they cannot read them
    /// from Rust: each writes them as constants, checked here).
    #[test]
    fn the_flat_shaders_fade_like_the_fog() {
        let want = [
            format!("const FOG_START: f32 = {:?};", FOG_START),
            format!("const FOG_END: f32 = {:?};", FOG_END),
            format!("const FOG_MAX: f32 = {:?};", FOG_MAX),
            format!(
                "const FOG: vec3<f32> = vec3<f32>({:?}, {:?}, {:?});",
                FOG[0], FOG[1], FOG[2]
            ),
        ];
        for shader in [include_str!("flat.wgsl"), include_str!("flat_texture.wgsl")] {
            for line in &want {
                assert!(shader.contains(line.as_str()), "missing {line}");
            }
        }
        assert_eq!(fog_share(0.0), 0.0);
        assert_eq!(fog_share(FOG_END * 2.0), FOG_MAX);
        assert!(fog_share((FOG_START + FOG_END) / 2.0) > 0.0);
    }

    #[test]
    fn sign_is_hue_and_size_is_brightness() {
        let pos = value_rgba(1.0, 1.0);
        let neg = value_rgba(-1.0, 1.0);
        assert!(pos[0] > pos[2] && neg[2] > neg[0]);
        let dim = value_rgba(0.1, 1.0);
        assert!(dim[0] < pos[0]);
        assert_eq!(value_rgba(0.0, 1.0), value_rgba(-0.0, 1.0));
        assert_eq!(value_rgba(5.0, 1.0), pos, "clamped at full scale");
        assert_eq!(
            value_rgba(f32::NAN, 1.0)[0],
            (ZERO[0] * 255.0).round() as u8
        );
    }

    #[test]
    fn scale_ignores_rare_outliers() {
        let mut v = vec![1.0f32; 1000];
        v[0] = 500.0;
        assert_eq!(board_scale(v.iter()), 1.0);
        assert_eq!(board_scale([].iter()), 1.0);
    }
}
