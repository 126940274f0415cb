// Boards and lamp walls: their texture as it is, no lighting (see flat.rs).
#import bevy_pbr::forward_io::VertexOutput

@group(#{MATERIAL_BIND_GROUP}) @binding(0) var board: texture_2d<f32>;
@group(#{MATERIAL_BIND_GROUP}) @binding(1) var board_sampler: sampler;

@fragment
fn fragment(in: VertexOutput) -> @location(0) vec4<f32> {
#ifdef VERTEX_UVS_A
    return textureSample(board, board_sampler, in.uv);
#else
    return vec4<f32>(1.0, 0.0, 1.0, 1.0);
#endif
}
