// Max pooling gradient in GATHER form (cpu/pool.ts maxPoolBackward): each input cell visits the
// few windows that cover it and sums dy over those whose argmax is this cell. Every output is
// written by exactly one thread, so no atomics are needed even when windows overlap (stride < size),
// and the sum runs in increasing output order, like the CPU twin.

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
@group(0) @binding(1) var<storage, read> argmax: array<u32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 256u;

// Window positions o (along one axis) whose window [o*stride, o*stride + size) covers i:
// ceil((i - size + 1) / stride) <= o <= floor(i / stride), clipped to [0, out - 1]. Returns [first, last + 1).
fn covering(i: u32, out: u32) -> vec2<u32> {
  var first = 0u;
  if (i + 1u > params.size) { first = (i + 1u - params.size + params.stride - 1u) / params.stride; }
  let last_plus_one = min(i / params.stride + 1u, out);
  return vec2<u32>(first, max(first, last_plus_one));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let total = params.batch * params.channels * params.inH * params.inW;
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
        let o = (plane * params.outH + oy) * params.outW + ox;
        if (argmax[o] == i) { sum += dy[o]; }
      }
    }
    dx[i] = sum;
  }
}
