// Inverted dropout gradient, cpu/dropout.ts dropoutBackward: dx[i] = mask[i] != 0 ? dy[i] / (1 - rate) : 0,
// with the u32 0/1 mask that dropout_forward wrote for this step.

struct Params {
  count: u32,
  rate: f32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> mask: array<u32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 256u;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let scale = 1.0 / (1.0 - params.rate);
  let stride = groups.x * WG;
  for (var i = gid.x; i < params.count; i += stride) {
    dx[i] = select(0.0, dy[i] * scale, mask[i] != 0u);
  }
}
