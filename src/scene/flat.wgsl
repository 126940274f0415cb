// The hall's large flat surfaces and the machines: one colour, a light baked into each face by the
// way it faces, nothing else, so a software renderer does as little as it can per pixel.
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

// A light baked into the faces (flat.rs' SHADE_TOWARD, SHADE_AMBIENT): a face turned up keeps its
// colour, one turned to the hall's start or the belt's far side a little less, the others (the
// near side the cameras see) less again, so a machine's shape reads in depth for one dot product.
const SHADE_TOWARD: vec3<f32> = vec3<f32>(-0.396, 0.88, 0.264);
const SHADE_AMBIENT: f32 = 0.8;

fn shade(normal: vec3<f32>) -> f32 {
    let lit = max(dot(normalize(normal), SHADE_TOWARD), 0.0);
    return (SHADE_AMBIENT + lit) / (SHADE_AMBIENT + SHADE_TOWARD.y);
}

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> color: vec4<f32>;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    let shaded = vec4<f32>(color.rgb * shade(in.world_normal), color.a);
    return fogged(shaded, in.world_position);
}
