// Average pooling (cpu/pool.ts avgPoolForward): y = (sum of the size x size window, row-major) / size^2.
// x is NCHW [batch, channels, inH, inW]; y is [batch, channels, outH, outW]; no padding.

struct Params {
  batch: u32,
  channels: u32,
  inH: u32,
  inW: u32,
  size: u32,
  stride: u32,
  outH: u32,
  outW: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 256u;

// One thread per output, grid-stride so any tensor fits in the 65535-workgroup limit.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let total = params.batch * params.channels * params.outH * params.outW;
  let area = f32(params.size * params.size);
  let stride = groups.x * WG;
  for (var o = gid.x; o < total; o += stride) {
    let ox = o % params.outW;
    let oy = (o / params.outW) % params.outH;
    let plane = o / (params.outW * params.outH);
    let top = (plane * params.inH + oy * params.stride) * params.inW + ox * params.stride;
    var sum = 0.0;
    for (var ky = 0u; ky < params.size; ky++) {
      for (var kx = 0u; kx < params.size; kx++) {
        sum += x[top + ky * params.inW + kx];
      }
    }
    y[o] = sum / area;
  }
}
