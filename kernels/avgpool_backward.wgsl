// Average pooling gradient in GATHER form (cpu/pool.ts avgPoolBackward): each input cell sums
// dy / size^2 over the windows that cover it (overlapping windows add; uncovered cells get 0).
// One thread per input cell writes it once, so no atomics are needed.

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

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> dx: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 256u;

// Window positions along one axis that cover input i, as [first, last + 1) (see maxpool_backward).
fn covering(i: u32, out: u32) -> vec2<u32> {
  var first = 0u;
  if (i + 1u > params.size) { first = (i + 1u - params.size + params.stride - 1u) / params.stride; }
  let last_plus_one = min(i / params.stride + 1u, out);
  return vec2<u32>(first, max(first, last_plus_one));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let total = params.batch * params.channels * params.inH * params.inW;
  let area = f32(params.size * params.size);
  let stride = groups.x * WG;
  for (var i = gid.x; i < total; i += stride) {
    let ix = i % params.inW;
    let iy = (i / params.inW) % params.inH;
    let plane = i / (params.inW * params.inH);
    let rows = covering(iy, params.outH);
    let cols = covering(ix, params.outW);
    var sum = 0.0;
    for (var oy = rows.x; oy < rows.y; oy++) {
      for (var ox = cols.x; ox < cols.y; ox++) {
        sum += dy[(plane * params.outH + oy) * params.outW + ox] / area;
      }
    }
    dx[i] = sum;
  }
}
