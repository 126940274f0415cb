// The hall's large flat surfaces in the low render preset: one colour, no lighting, nothing else,
// so a software renderer does as little as it can per pixel.
#import bevy_pbr::forward_io::VertexOutput

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var<uniform> color: vec4<f32>;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
    return color;
}
