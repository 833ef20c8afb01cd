// Max pooling over size x size windows with the given stride, no padding (cpu/pool.ts maxPoolForward).
// x is NCHW [batch, channels, inH, inW]; y is [batch, channels, outH, outW]. argmax[o] is the flat
// index into x of the winner, which maxpool_backward routes the gradient to.
// Tie rule (must match the CPU): scan the window row-major and replace only on a strictly greater
// value, so the FIRST maximum wins.

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
@group(0) @binding(2) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 256u;

// One thread per output, grid-stride so any tensor fits in the 65535-workgroup limit.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let total = params.batch * params.channels * params.outH * params.outW;
  let stride = groups.x * WG;
  for (var o = gid.x; o < total; o += stride) {
    let ox = o % params.outW;
    let oy = (o / params.outW) % params.outH;
    let plane = o / (params.outW * params.outH);
    let top = (plane * params.inH + oy * params.stride) * params.inW + ox * params.stride;
    var best_index = top;
    var best = x[top];
    for (var ky = 0u; ky < params.size; ky++) {
      for (var kx = 0u; kx < params.size; kx++) {
        let i = top + ky * params.inW + kx;
        let v = x[i];
        if (v > best) {
          best = v;
          best_index = i;
        }
      }
    }
    y[o] = best;
    argmax[o] = best_index;
  }
}
