// The sky behind the hall: a gradient by the direction looked in, on a sphere around the eye.
// At the horizon it is the fog's own blue-grey (palette.rs' FOG), so the far hall fades into it
// without a seam; above, it darkens to the night's deep blue; below (past the floor's far edge)
// it is the fog a little darker. The colours come in as uniforms (linear), from palette.rs.
#import bevy_pbr::forward_io::VertexOutput
#import bevy_pbr::mesh_view_bindings::view

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> horizon: vec4<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var<uniform> zenith: vec4<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(2) var<uniform> nadir: vec4<f32>;

// palette.rs' SKY_UP_SPAN and SKY_DOWN_SPAN (a test checks them)
const UP_SPAN: f32 = 0.35;
const DOWN_SPAN: f32 = 0.5;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    let up = normalize(in.world_position.xyz - view.world_position).y;
    let above = smoothstep(0.0, UP_SPAN, up);
    let below = smoothstep(0.0, DOWN_SPAN, -up);
    let c = mix(mix(horizon.rgb, zenith.rgb, above), nadir.rgb, below);
    return vec4<f32>(c, 1.0);
}
