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

/// Colour of the hall's background where nothing is drawn (the sky, `sky.rs`, covers it): the
/// fog's.
pub const BACKGROUND: [f32; 3] = FOG;

/// The sky straight overhead (`sky.rs`): the night's deep blue. At the horizon the sky is
/// [`FOG`], so the far hall fades into it without a seam.
pub const SKY_ZENITH: [f32; 3] = [0.025, 0.035, 0.075];
/// The sky straight down (seen past the floor's far edge, in the fog): the fog a little darker.
pub const SKY_NADIR: [f32; 3] = [0.08, 0.096, 0.128];
/// How far up (the sine of the angle over the horizon) the sky reaches [`SKY_ZENITH`]...
pub const SKY_UP_SPAN: f32 = 0.35;
/// ...and how far down it reaches [`SKY_NADIR`] (`sky.wgsl` writes both as constants; a test
/// checks them).
pub const SKY_DOWN_SPAN: f32 = 0.5;

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
/// A cell the crates have not reached yet: the belt's own grey, so a board is seen only once it
/// holds numbers (a zero is [`ZERO`], near-black: a value, not a gap).
pub const PENDING: [f32; 3] = [0.18, 0.19, 0.22];
/// A far board's bar per token (a size, not a sign: a light neutral, as the norm gates' spread
/// bars), on [`PENDING`] (`flat_texture.wgsl`'s summary).
pub const SUMMARY_BAR: [f32; 3] = [0.86, 0.86, 0.82];

/// RGBA8 (sRGB) of a cell not computed yet ([`PENDING`]); its alpha 0 is a spread share of none
/// (a far board draws no bar in that lane: `flat_texture.wgsl`; a near one ignores the alpha).
pub fn pending_rgba() -> [u8; 4] {
    let [r, g, b] = srgb8(PENDING);
    [r, g, b, 0]
}

/// RGBA8 (sRGB) of value `v` on a scale where `scale` is full brightness.
pub fn value_rgba(v: f32, scale: f32) -> [u8; 4] {
    ramp(v, scale, ZERO, [POSITIVE, NEGATIVE])
}

/// `zero` moved toward `signs[0]` (v ≥ 0) or `signs[1]` by √(|v| / scale) (perceptual-ish: small
/// values stay visible), as RGBA8 (sRGB); a value that is not finite is `zero`.
fn ramp(v: f32, scale: f32, zero: [f32; 3], signs: [[f32; 3]; 2]) -> [u8; 4] {
    let m = if scale > 0.0 && v.is_finite() {
        (v.abs() / scale).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let t = m.sqrt();
    let hue = if v >= 0.0 { signs[0] } else { signs[1] };
    let c = |i: usize| ((zero[i] + (hue[i] - zero[i]) * t) * 255.0).round() as u8;
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
/// simulated colour blindnesses (Machado et al. 2009) it stays at least 37 ΔE (CIELAB) from both.
pub const ATTENTION: [f32; 3] = [0.6, 0.2, 1.0];

/// The pulses that travel along the beams, from the token read to the token reading: a pale
/// violet-white (at least 39 ΔE from amber and cyan in all four views).
pub const ATTENTION_PULSE: [f32; 3] = [0.95, 0.95, 1.0];

/// RGBA8 (sRGB) of an attention weight in 0..=1 (the heatmaps, the all-heads thumbnails, the
/// overview's windows): attention's violet, brightness = √weight, like the beams, never a value's
/// amber.
pub fn weight_rgba(weight: f32) -> [u8; 4] {
    let t = if weight.is_finite() {
        weight.clamp(0.0, 1.0).sqrt()
    } else {
        0.0
    };
    let c = |i: usize| ((ZERO[i] + (ATTENTION[i] - ZERO[i]) * t) * 255.0).round() as u8;
    [c(0), c(1), c(2), 255]
}

/// A colour of this palette as 8-bit sRGB (for the overlay's swatches and pictures).
pub fn srgb8(c: [f32; 3]) -> [u8; 3] {
    c.map(|v| (v * 255.0).round() as u8)
}

/// The routes' own hue (`routes.rs`): a pale lime, at least 28 ΔE (CIELAB) from the values' amber
/// and cyan and 29 from attention's violet and the dock's white, as seen and under the three
/// simulated colour blindnesses (no brighter hue keeps further from all four).
pub const ROUTE: [f32; 3] = [0.7, 1.0, 0.55];

/// The backward pass's look (`backward.rs`): a gradient is ink on paper, where a value is light
/// in the dark, so the two are never taken for each other. Zero is the paper.
pub const GRAD_PAPER: [f32; 3] = [0.86, 0.85, 0.82];
/// A positive gradient (raising that number would raise the loss): crimson ink, at least 44 ΔE
/// from the values' amber and cyan in all four views.
pub const GRAD_POSITIVE: [f32; 3] = [0.7, 0.0, 0.15];
/// A negative gradient (raising that number would lower the loss): navy ink, at least 48 ΔE
/// from amber and cyan, 77 from the crimson, in all four views.
pub const GRAD_NEGATIVE: [f32; 3] = [0.1, 0.15, 0.6];

/// A beam's positive gradient in the backward view: the crimson ink made bright enough to read as
/// a line over the dark hall (at least 33 ΔE from amber and cyan in all four views).
pub const GRAD_BEAM_POSITIVE: [f32; 3] = [0.95, 0.1, 0.25];
/// A beam's negative gradient: the navy ink made bright (at least 31 ΔE from amber and cyan, 98
/// from the crimson beam, in all four views). Attention's violet is not drawn meanwhile: the
/// backward view hides a beam until its gradient arrives.
pub const GRAD_BEAM_NEGATIVE: [f32; 3] = [0.25, 0.35, 1.0];

/// RGBA8 (sRGB) of a gradient `g` on a scale where `scale` is full ink: the paper darkened toward
/// crimson (positive) or navy (negative), ink = √(|g| / scale).
pub fn grad_rgba(g: f32, scale: f32) -> [u8; 4] {
    ramp(g, scale, GRAD_PAPER, [GRAD_POSITIVE, GRAD_NEGATIVE])
}

/// The shipping dock's own hue: a paper white for the probability bars.
pub const DOCK: [f32; 3] = [0.9, 0.88, 0.82];

/// The FFN machines' own hue: steel (their lamp walls carry the values' colours; amber here
/// was read as a value). At least 33 ΔE from amber and cyan in all four views.
pub const FFN_STEEL: [f32; 3] = [0.6, 0.6, 0.66];
/// The press's and the stamp's hue on the hall map: a taupe, not the values' amber (at least 37
/// ΔE from amber and cyan in all four views).
pub const PRESS_TAUPE: [f32; 3] = [0.65, 0.57, 0.49];

/// The norm gates' teal: their arches' pillars, and their blocks on the hall map (grey there, they
/// were told from the merges' grey by lightness alone: "two nearly identical greys").
pub const NORM_TEAL: [f32; 3] = [0.25, 0.45, 0.45];

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

    /// sRGB (0-1) to linear.
    fn linear(c: f64) -> f64 {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    /// A colour as a viewer sees it: as it is, or under one of Machado, Oliveira and Fernandes'
    /// (2009) full-severity simulations (linear RGB), then in CIELAB (D65).
    fn seen(c: [f32; 3], m: &[[f64; 3]; 3]) -> [f64; 3] {
        let l = c.map(|v| linear(v as f64));
        let s: Vec<f64> = (0..3)
            .map(|i| (0..3).map(|j| m[i][j] * l[j]).sum::<f64>().clamp(0.0, 1.0))
            .collect();
        let xyz = [
            (0.4124 * s[0] + 0.3576 * s[1] + 0.1805 * s[2]) / 0.95047,
            0.2126 * s[0] + 0.7152 * s[1] + 0.0722 * s[2],
            (0.0193 * s[0] + 0.1192 * s[1] + 0.9505 * s[2]) / 1.08883,
        ];
        let f = xyz.map(|t| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        });
        [
            116.0 * f[1] - 16.0,
            500.0 * (f[0] - f[1]),
            200.0 * (f[1] - f[2]),
        ]
    }

    /// As seen, and under Machado, Oliveira and Fernandes' (2009) full-severity protanopia,
    /// deuteranopia and tritanopia (linear RGB).
    const VIEWS: [[[f64; 3]; 3]; 4] = [
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ],
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ],
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ],
    ];

    /// Each role's own hue stays apart from the values' amber and cyan as seen and under
    /// protanopia, deuteranopia and tritanopia (the README's check, computed here).
    #[test]
    fn the_roles_hues_stay_apart_from_the_values_under_colour_blindness() {
        for (name, hue, at_least) in [
            ("attention", ATTENTION, 37.0),
            ("pulse", ATTENTION_PULSE, 39.0),
            ("dock", DOCK, 47.0),
            ("ffn steel", FFN_STEEL, 33.0),
            ("press taupe", PRESS_TAUPE, 37.0),
            ("norm teal", NORM_TEAL, 33.0),
            ("hall map's booths", ATTENTION.map(|v| v * 0.75), 34.0),
            ("route", ROUTE, 28.0),
            ("gradient +", GRAD_POSITIVE, 44.0),
            ("gradient −", GRAD_NEGATIVE, 48.0),
            ("gradient beam +", GRAD_BEAM_POSITIVE, 33.0),
            ("gradient beam −", GRAD_BEAM_NEGATIVE, 31.0),
        ] {
            for m in &VIEWS {
                for value in [POSITIVE, NEGATIVE] {
                    let (a, b) = (seen(hue, m), seen(value, m));
                    let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2))
                        .sqrt();
                    assert!(d >= at_least, "{name} {hue:?} vs {value:?}: ΔE {d:.1}");
                }
            }
        }
    }

    /// A gradient's two inks stay apart from each other and from their paper in all four views.
    #[test]
    fn the_gradients_inks_are_told_apart() {
        let de = |a: [f64; 3], b: [f64; 3]| {
            ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
        };
        for m in &VIEWS {
            let (p, n, paper) = (
                seen(GRAD_POSITIVE, m),
                seen(GRAD_NEGATIVE, m),
                seen(GRAD_PAPER, m),
            );
            assert!(de(p, n) >= 77.0, "inks ΔE {:.1}", de(p, n));
            let (bp, bn) = (seen(GRAD_BEAM_POSITIVE, m), seen(GRAD_BEAM_NEGATIVE, m));
            assert!(de(bp, bn) >= 98.0, "beam inks ΔE {:.1}", de(bp, bn));
            assert!(de(p, paper) >= 56.0 && de(n, paper) >= 56.0);
        }
        assert_eq!(grad_rgba(0.0, 1.0)[..3], srgb8(GRAD_PAPER));
        assert_eq!(grad_rgba(-2.0, 1.0)[..3], srgb8(GRAD_NEGATIVE));
        assert!(grad_rgba(0.5, 1.0)[0] < grad_rgba(0.0, 1.0)[0] || grad_rgba(0.5, 1.0)[2] < 200);
    }

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
        // and the boards' dimming away from the focus, flat.rs' numbers
        let board = include_str!("flat_texture.wgsl");
        for (name, v) in [
            ("DIM_NEAR", super::super::flat::DIM_NEAR),
            ("DIM_FAR", super::super::flat::DIM_FAR),
            ("DIM_FLOOR", super::super::flat::DIM_FLOOR),
        ] {
            let line = format!("const {name}: f32 = {v:?};");
            assert!(board.contains(&line), "missing {line}");
        }
        // the gutters between a board's tiles are the belt's grey, a cell not computed yet
        let gutter = format!(
            "const GUTTER_COLOUR: vec3<f32> = vec3<f32>({:?}, {:?}, {:?});",
            PENDING[0], PENDING[1], PENDING[2]
        );
        assert!(board.contains(&gutter), "missing {gutter}");
        // a far board's bars; a share's full alpha is spread.rs'
        let bar = format!(
            "const BAR_COLOUR: vec3<f32> = vec3<f32>({:?}, {:?}, {:?});",
            SUMMARY_BAR[0], SUMMARY_BAR[1], SUMMARY_BAR[2]
        );
        assert!(board.contains(&bar), "missing {bar}");
        let full = super::super::spread::SHARE_FULL;
        assert!(board.contains(&format!("texel.a < {full}.5 / 255.0")));
        assert_eq!(pending_rgba()[3], 0, "a cell not reached: no bar");
        assert!(board.contains(&format!("texel.a * 255.0 / {full}.0")));
        // the sky's spans
        let sky = include_str!("sky.wgsl");
        for (name, v) in [("UP_SPAN", SKY_UP_SPAN), ("DOWN_SPAN", SKY_DOWN_SPAN)] {
            let line = format!("const {name}: f32 = {v:?};");
            assert!(sky.contains(&line), "missing {line}");
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
