// Boards and lamp walls: their texture as it is, no lighting (see flat.rs). Signed boards mark
// each negative (cyan) cell with a dark dot once the cell is at least 7 pixels wide on screen, so
// the sign has a second cue besides hue (colour-blind visitors, grey print).
#import bevy_pbr::forward_io::VertexOutput
#import bevy_pbr::mesh_view_bindings::view

// The far hall fades into the night shift's blue-grey air (palette.rs' FOG, in sRGB; the camera's
// distance fog does the same to the lit materials; a test checks these numbers against Rust's).
const FOG_START: f32 = 40.0;
const FOG_END: f32 = 200.0;
const FOG_MAX: f32 = 0.85;
const FOG: vec3<f32> = vec3<f32>(0.1, 0.12, 0.16);

// the exact sRGB curve, as Bevy converts the clear colour and the lit materials' fog colour
fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    return select(pow((c + 0.055) / 1.055, vec3<f32>(2.4)), c / 12.92, c <= vec3<f32>(0.04045));
}

fn fogged(colour: vec4<f32>, world: vec4<f32>) -> vec4<f32> {
    let d = distance(world.xyz, view.world_position);
    let share = clamp((d - FOG_START) / (FOG_END - FOG_START), 0.0, 1.0) * FOG_MAX;
    return vec4<f32>(mix(colour.rgb, srgb_to_linear(FOG), share), colour.a);
}

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var board: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var board_sampler: sampler;
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var<uniform> options: vec4<f32>;

// A board far along the hall from where the camera looks steps back (flat.rs' DIM_NEAR, DIM_FAR,
// DIM_FLOOR; options.y is the look's x, options.z = 1 turns it on).
const DIM_NEAR: f32 = 8.0;
const DIM_FAR: f32 = 16.0;
const DIM_FLOOR: f32 = 0.4;

fn dimmed(colour: vec4<f32>, world: vec4<f32>) -> vec4<f32> {
    if options.z < 0.5 {
        return colour;
    }
    let d = abs(world.x - options.y);
    let keep = mix(1.0, DIM_FLOOR, smoothstep(DIM_NEAR, DIM_FAR, d));
    return vec4<f32>(colour.rgb * keep, colour.a);
}

// A board of options.w tokens side by side: a thin line of the belt's grey (palette.rs' PENDING,
// sRGB) on each boundary between neighbouring tokens' tiles, GUTTER of a cell on either side, so
// each crate's tile reads as its own, not one carpet; every cell keeps most of its width (and a
// point in the line picks the cell under it, as before).
const GUTTER: f32 = 0.15;
const GUTTER_COLOUR: vec3<f32> = vec3<f32>(0.18, 0.19, 0.22);

fn in_gutter(uv: vec2<f32>, cells_across: f32) -> bool {
    if options.w < 1.5 {
        return false;
    }
    let lane = uv.x * options.w;
    // the distance to the nearest inner boundary, in cells
    let edge = min(fract(lane), 1.0 - fract(lane)) * cells_across;
    let boundary = round(lane);
    return edge < GUTTER && boundary > 0.0 && boundary < options.w;
}

// A board far from where the camera looks (its centre DIM_FAR or more along the hall: flat.rs sets
// options.z to 2, once per board) draws each revealed token as one bar instead of its cells: a light
// bar down the middle of its lane, as long as the token's spread on the hall's one scale
// (spread.rs; the share is in the cells' alpha, 0 for a cell not reached yet; 255 means "cells":
// the backward view's inks keep theirs), on the belt's grey (the gutters' colour, not dimmed: the
// board steps back into the belt, only its bars dimmed as far boards are).
// The far hall is quiet, and still shows where the vectors grow.
const BAR_COLOUR: vec3<f32> = vec3<f32>(0.86, 0.86, 0.82);
const BAR_WIDTH: f32 = 0.5;

fn far_board() -> bool {
    return options.z > 1.5 && options.w > 0.5;
}

fn summary(texel: vec4<f32>, uv: vec2<f32>, world: vec4<f32>) -> vec4<f32> {
    let share = texel.a * 255.0 / 254.0;
    let across = abs(fract(uv.x * options.w) - 0.5) * 2.0;
    if across < BAR_WIDTH && 1.0 - uv.y < share {
        return dimmed(vec4<f32>(srgb_to_linear(BAR_COLOUR), 1.0), world);
    }
    return vec4<f32>(srgb_to_linear(GUTTER_COLOUR), 1.0);
}

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
#ifdef VERTEX_UVS_A
    let size = vec2<f32>(textureDimensions(board));
    let texel = textureSample(board, board_sampler, in.uv);
    if far_board() && texel.a < 254.5 / 255.0 {
        return fogged(summary(texel, in.uv, in.world_position), in.world_position);
    }
    if in_gutter(in.uv, size.x / max(options.w, 1.0)) {
        let line = dimmed(vec4<f32>(srgb_to_linear(GUTTER_COLOUR), 1.0), in.world_position);
        return fogged(line, in.world_position);
    }
    let colour = dimmed(vec4<f32>(texel.rgb, 1.0), in.world_position);
    let p = in.uv * size;
    // pixels on screen per cell
    let cell_px = 1.0 / max(max(fwidth(p.x), fwidth(p.y)), 1e-6);
    if options.x < 0.5 || colour.b <= colour.r + 0.02 || cell_px < 7.0 {
        return fogged(colour, in.world_position);
    }
    // a dot of a third of the cell, its edge one pixel soft
    let d = length(fract(p) - vec2<f32>(0.5, 0.5));
    let edge = 0.5 / cell_px;
    let dot = 1.0 - smoothstep(0.17 - edge, 0.17 + edge, d);
    return fogged(vec4<f32>(mix(colour.rgb, colour.rgb * 0.25, dot), colour.a), in.world_position);
#else
    return vec4<f32>(1.0, 0.0, 1.0, 1.0);
#endif
}
