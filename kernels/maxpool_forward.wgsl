// Max pooling over size x size windows with the given stride, no padding (cpu/pool.ts maxPoolForward).
// x is NCHW [batch, channels, inH, inW]; y is [batch, channels, outH, outW]. argmax[o] is the flat
// index into x of the winner, which maxpool_backward routes the gradient to.
// Tie rule (must match the CPU): scan the window row-major and replace only on a strictly greater
// value, so the FIRST maximum wins.
//
// With `dropout` set (training, a dropout layer right after the pooling), y is that dropout's
// output instead, exactly as kernels/dropout_forward.wgsl computes it from the pooled value: kept
// with probability 1 - rate by the same hash of (seed, step, layer, position), scaled by
// 1 / (1 - rate), its 0/1 mask written for the backward pass. The trainer then runs no dropout
// kernel for that layer (one dispatch less per step).

struct Params {
  batch: u32,
  channels: u32,
  inH: u32,
  inW: u32,
  size: u32,
  stride: u32,
  outH: u32,
  outW: u32,
  // 1: apply the dropout after the pooling (see the top), with its rate, seed and layer index.
  dropout: u32,
  dropoutRate: f32,
  seed: u32,
  layerIndex: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> argmax: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read_write> mask: array<u32>;
@group(0) @binding(5) var<storage, read> train_state: array<u32>;

override WG: u32 = 256u;

// The random numbers of kernels/dropout_forward.wgsl (src/engine/rng.ts), bit for bit: the same
// four functions, copied because a kernel is one file (this kernel's check compares its mask with
// the CPU's, so the copies cannot drift apart unnoticed).
fn pcg_hash(input: u32) -> u32 {
  let state = input * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn random_u32(seed: u32, stream: u32, index: u32) -> u32 {
  return pcg_hash(pcg_hash(pcg_hash(index) ^ stream) ^ seed);
}

fn random_uniform(seed: u32, stream: u32, index: u32) -> f32 {
  return f32(random_u32(seed, stream, index) >> 8u) * (1.0 / 16777216.0);
}

fn dropout_stream(step: u32, layer: u32) -> u32 {
  return 3000000u + step * 64u + layer;
}

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
    argmax[o] = best_index;
    if (params.dropout == 0u) {
      y[o] = best;
    } else {
      let stream = dropout_stream(train_state[0], params.layerIndex);
      let scale = 1.0 / (1.0 - params.dropoutRate);
      let keep = random_uniform(params.seed, stream, o) >= params.dropoutRate;
      mask[o] = select(0u, 1u, keep);
      y[o] = select(0.0, best * scale, keep);
    }
  }
}
