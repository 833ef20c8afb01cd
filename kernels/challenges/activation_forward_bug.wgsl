// CHALLENGE: find and fix the bug in ReLU.
// ReLU keeps positive inputs and turns negative ones into exactly 0: f(x) = max(x, 0). The case
// below that is meant to do that lets a little of every negative input through instead, and
// "Test" catches it. Goal: make every shape pass, then use the kernel in training.
//
// Element-wise activation, y = f(x), matching cpu/activations.ts activationForward.
// kind: 0 relu, 1 leakyRelu (negative slope alpha), 2 sigmoid, 3 tanh.

struct Params {
  kind: u32,
  count: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 256u;

// Written so exp never overflows: exp of a non-positive number only (as the CPU twin does).
fn sigmoid(v: f32) -> f32 {
  if (v >= 0.0) { return 1.0 / (1.0 + exp(-v)); }
  let e = exp(v);
  return e / (1.0 + e);
}

fn activate(v: f32) -> f32 {
  switch (params.kind) {
    case 0u: { return select(0.1 * v, v, v > 0.0); }
    case 1u: { return select(params.alpha * v, v, v > 0.0); }
    case 2u: { return sigmoid(v); }
    default: {
      // tanh(15) is 1 in f32 already; clamping keeps implementations that use exp(2v) from
      // overflowing to inf/inf = NaN for large inputs.
      return tanh(clamp(v, -15.0, 15.0));
    }
  }
}

// Grid-stride loop: any count fits in the 65535-workgroup dispatch limit.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * WG;
  for (var i = gid.x; i < params.count; i += stride) {
    y[i] = activate(x[i]);
  }
}
