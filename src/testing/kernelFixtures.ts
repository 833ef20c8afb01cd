/** WGSL sources shared by tests: kernels that compile against a spec but compute the wrong thing. */

/** A kernel with matmul's bindings that ignores its inputs and writes zeros (its check must fail). */
export const ZEROS_MATMUL_SOURCE = `
struct Params { M: u32, N: u32, K: u32, flags: u32 }
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
override TILE_K: u32 = 16u;
@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  for (var r = 0u; r < 4u; r++) {
    for (var c = 0u; c < 4u; c++) {
      let m = wg.y * WG_Y * 4u + lid.y + r * WG_Y;
      let n = wg.x * WG_X * 4u + lid.x + c * WG_X;
      if (m < params.M && n < params.N) { C[m * params.N + n] = 0.0; }
    }
  }
}
`;

/** The same for matmul_small's interface (one thread per output, WG threads per workgroup). */
export const ZEROS_MATMUL_SMALL_SOURCE = `
struct Params { M: u32, N: u32, K: u32, flags: u32 }
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
override WG: u32 = 64u;
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < params.M * params.N) { C[gid.x] = 0.0; }
}
`;
