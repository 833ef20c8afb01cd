// One optimizer step for EVERY parameter of the model in one dispatch: the executor keeps all
// weights and biases in one flat `params` buffer, with matching flat `grads` and `state`
// (slot k of element i at state[k * count + i], as src/engine/optimizers.ts lays it out).
// The formulas are optimizers.ts line by line, each f32 operation in the same order:
//   kind 0 SGD (momentum, nesterov, L2 weight decay), 1 Adam (L2 weight decay), 2 RMSprop (momentum).
// Per-step numbers come from GPU buffers, indexed by the global step train_state[0], so many steps
// can be recorded without CPU writes:
//   lr_table[step]           the scheduled learning rate (SGD, RMSprop)
//   adam_table[2 * step]     -lr / (1 - beta1^t), t = step + 1    (Adam)
//   adam_table[2 * step + 1] sqrt(1 - beta2^t)                   (Adam)
// Adam's bias corrections are precomputed on the CPU in float64 (gpu/optimizer.ts adamStepTable),
// exactly as optimizerScalars does, rather than with pow() in f32 here, which would drift by
// several ulps as beta^t is rounded and differ between GPUs.

struct Params {
  kind: u32,
  count: u32,
  momentum: f32,
  nesterov: u32,
  weightDecay: f32,
  beta1: f32,
  beta2: f32,
  oneMinusBeta1: f32,
  oneMinusBeta2: f32,
  epsilon: f32,
  alpha: f32,
  oneMinusAlpha: f32,
  // Always 0. See `rounded` below.
  zero: u32,
}

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<storage, read> train_state: array<u32>;
@group(0) @binding(4) var<storage, read> lr_table: array<f32>;
@group(0) @binding(5) var<storage, read> adam_table: array<f32>;
@group(0) @binding(6) var<uniform> u: Params;

override WG: u32 = 256u;

// Rounds a product to f32 before it is added to anything. GPU compilers may fuse `a * b + c` into
// one fma, which skips that rounding and makes results differ from the CPU (by hundreds of ulps
// after cancellation). XOR-ing the bits with a uniform that is 0 changes nothing, but the compiler
// cannot know that, so it must round the product first: every line then matches optimizers.ts.
fn rounded(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) ^ u.zero);
}

fn sgd(i: u32, neg_lr: f32) {
  var g = grads[i];
  if (u.weightDecay != 0.0) { g = g + rounded(u.weightDecay * params[i]); }
  if (u.momentum != 0.0) {
    let b = rounded(u.momentum * state[i]) + g;
    state[i] = b;
    g = select(b, g + rounded(u.momentum * b), u.nesterov != 0u);
  }
  params[i] = params[i] + rounded(neg_lr * g);
}

fn adam(i: u32, neg_step_size: f32, bias_correction2_sqrt: f32) {
  let n = u.count;
  var g = grads[i];
  if (u.weightDecay != 0.0) { g = g + rounded(u.weightDecay * params[i]); }
  let m0 = state[i];
  let diff = g - m0;
  // torch.lerp(m, g, w) picks its formula by |w| < 0.5 for accuracy near both ends.
  let w = u.oneMinusBeta1;
  var m: f32;
  if (abs(w) < 0.5) { m = m0 + rounded(w * diff); } else { m = g - rounded(diff * (1.0 - w)); }
  let v = rounded(u.beta2 * state[n + i]) + rounded((u.oneMinusBeta2 * g) * g);
  state[i] = m;
  state[n + i] = v;
  let denom = rounded(sqrt(v) / bias_correction2_sqrt) + u.epsilon;
  params[i] = params[i] + rounded(neg_step_size * (m / denom));
}

fn rmsprop(i: u32, neg_lr: f32) {
  let n = u.count;
  let g = grads[i];
  let v = rounded(u.alpha * state[i]) + rounded((u.oneMinusAlpha * g) * g);
  state[i] = v;
  let avg = sqrt(v) + u.epsilon;
  if (u.momentum != 0.0) {
    let b = rounded(u.momentum * state[n + i]) + rounded(g / avg);
    state[n + i] = b;
    params[i] = params[i] + rounded(neg_lr * b);
  } else {
    params[i] = params[i] + rounded(neg_lr * (g / avg));
  }
}

// Grid-stride loop: models with many millions of parameters fit the 65535-workgroup limit.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let step = train_state[0];
  let stride = groups.x * WG;
  if (u.kind == 1u) {
    let neg_step_size = adam_table[2u * step];
    let bias_correction2_sqrt = adam_table[2u * step + 1u];
    for (var i = gid.x; i < u.count; i += stride) { adam(i, neg_step_size, bias_correction2_sqrt); }
  } else {
    let neg_lr = -lr_table[step];
    for (var i = gid.x; i < u.count; i += stride) {
      if (u.kind == 0u) { sgd(i, neg_lr); } else { rmsprop(i, neg_lr); }
    }
  }
}
