// Inverted dropout, training mode, exactly cpu/dropout.ts dropoutForward:
//   keep element i  iff  random_uniform(seed, dropout_stream(step, layerIndex), i) >= rate
//   y[i] = kept ? x[i] / (1 - rate) : 0;   mask[i] = kept ? 1u : 0u (read by dropout_backward)
// The step is read from train_state[0] (not a uniform), so every step of a recorded batch of
// steps draws a fresh mask. The RNG is src/engine/rng.ts, bit for bit: the mask is the CPU's mask.
//
// Bit 0 of flags folds in the ReLU of the dense layer before (x is its output): the mask also
// drops where x <= 0, so dropout_backward's result is already the gradient before that ReLU and
// the trainer skips the ReLU's backward pass (one dispatch less per step). y is the same.

struct Params {
  count: u32,
  rate: f32,
  seed: u32,
  layerIndex: u32,
  // bit 0: also clear the mask where x <= 0 (see the top).
  flags: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> mask: array<u32>;
@group(0) @binding(3) var<storage, read> train_state: array<u32>;
@group(0) @binding(4) var<uniform> params: Params;

override WG: u32 = 256u;

// PCG hash (Jarzynski & Olano 2020); u32 arithmetic wraps exactly like Math.imul in rng.ts.
fn pcg_hash(input: u32) -> u32 {
  let state = input * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn random_u32(seed: u32, stream: u32, index: u32) -> u32 {
  return pcg_hash(pcg_hash(pcg_hash(index) ^ stream) ^ seed);
}

// 24 random bits scaled by 2^-24: exact in f32 (a multiply by a power of two never rounds).
fn random_uniform(seed: u32, stream: u32, index: u32) -> f32 {
  return f32(random_u32(seed, stream, index) >> 8u) * (1.0 / 16777216.0);
}

// RandomStream.dropout * 1_000_000 + step * MAX_DROPOUT_LAYERS + layer, wrapping like u32.
fn dropout_stream(step: u32, layer: u32) -> u32 {
  return 3000000u + step * 64u + layer;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stream = dropout_stream(train_state[0], params.layerIndex);
  let scale = 1.0 / (1.0 - params.rate);
  let stride = groups.x * WG;
  for (var i = gid.x; i < params.count; i += stride) {
    let keep = random_uniform(params.seed, stream, i) >= params.rate;
    let v = x[i];
    mask[i] = select(0u, 1u, keep && ((params.flags & 1u) == 0u || v > 0.0));
    y[i] = select(0.0, v * scale, keep);
  }
}
