// Finishes a split-K matrix multiply (see kernels/matmul.wgsl): for every output element,
//   C[i] = partial[0][i] + partial[1][i] + ... (chunks added in order 0, 1, 2, ... so the result
//          is the same on every run) + bias[biasOffset + n] (+ the old C) then ReLU if asked.
// One thread per element of C, grid-stride so any size fits the dispatch limits.
//
// With bit 7 (training, a dropout layer right after this dense layer and its ReLU), C is that
// dropout's output instead, exactly as kernels/dropout_forward.wgsl computes it from the value
// (same hash, same mask, same scale), and bit 8 folds the ReLU into the mask as that kernel's
// flag does (the mask also drops where the value is 0). The trainer then runs no dropout kernel
// forward for that layer (one dispatch less per step).

struct Params {
  M: u32,
  N: u32,
  K: u32,
  // Same bits as matmul: 4 bias, 8 accumulate, 16 ReLU; 32 means the bias sits in `bias` at
  // biasOffset (a dense layer's weights and bias stored as one range); 128 the dropout after
  // (see the top) and 256 its mask also dropping where the value is 0.
  flags: u32,
  splitK: u32,
  kChunk: u32,
  dropoutRate: f32,
  seed: u32,
  layerIndex: u32,
}

@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read> bias: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
// Bit 7 only: the dropout's 0/1 mask, and the step counter its random numbers depend on.
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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let count = params.M * params.N;
  let stride = groups.x * WG;
  // With bit 5 the bias vector starts after the K x N weight matrix in the same buffer.
  let bias_offset = select(0u, params.K * params.N, (params.flags & 32u) != 0u);
  for (var i = gid.x; i < count; i += stride) {
    // The chunks are added strictly in order 0, 1, 2, ..., but loaded 8 at a time first: a plain
    // loop waits out one memory latency per chunk (measured on pytorch-cnn's 64 chunks; figures in
    // bench/README.md).
    var v = 0.0;
    var z = 0u;
    for (; z + 8u <= params.splitK; z += 8u) {
      let p = z * count + i;
      let p0 = partial[p];
      let p1 = partial[p + count];
      let p2 = partial[p + 2u * count];
      let p3 = partial[p + 3u * count];
      let p4 = partial[p + 4u * count];
      let p5 = partial[p + 5u * count];
      let p6 = partial[p + 6u * count];
      let p7 = partial[p + 7u * count];
      v += p0; v += p1; v += p2; v += p3; v += p4; v += p5; v += p6; v += p7;
    }
    for (; z < params.splitK; z++) {
      v += partial[z * count + i];
    }
    if ((params.flags & 4u) != 0u) { v += bias[bias_offset + i % params.N]; }
    if ((params.flags & 8u) != 0u) { v += C[i]; }
    if ((params.flags & 16u) != 0u) { v = max(v, 0.0); }
    if ((params.flags & 128u) != 0u) {
      let keep = random_uniform(params.seed, dropout_stream(train_state[0], params.layerIndex), i) >= params.dropoutRate;
      mask[i] = select(0u, 1u, keep && ((params.flags & 256u) == 0u || v > 0.0));
      v = select(0.0, v * (1.0 / (1.0 - params.dropoutRate)), keep);
    }
    C[i] = v;
  }
}
