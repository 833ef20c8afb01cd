// Element-wise activation gradient, dx = f'(x) * dy, matching cpu/activations.ts activationBackward:
// relu'(0) = 0 and leakyRelu'(0) = alpha (the x > 0 test is strict, like PyTorch); sigmoid and tanh
// differentiate from the saved output y: y(1 - y) and 1 - y^2.
// kind: 0 relu, 1 leakyRelu, 2 sigmoid, 3 tanh.

struct Params {
  kind: u32,
  count: u32,
  alpha: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> dy: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

override WG: u32 = 256u;

fn gradient(i: u32) -> f32 {
  let g = dy[i];
  switch (params.kind) {
    case 0u: { return select(0.0, g, x[i] > 0.0); }
    case 1u: { return select(params.alpha * g, g, x[i] > 0.0); }
    case 2u: { let s = y[i]; return g * s * (1.0 - s); }
    default: { let t = y[i]; return g * (1.0 - t * t); }
  }
}

// Grid-stride loop: any count fits in the 65535-workgroup dispatch limit.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * WG;
  for (var i = gid.x; i < params.count; i += stride) {
    dx[i] = gradient(i);
  }
}
