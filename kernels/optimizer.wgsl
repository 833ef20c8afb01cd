// One optimizer step for EVERY parameter of the model in one dispatch: the executor keeps all
// weights and biases in one flat `params` buffer, with matching flat `grads` and `state`
// (slot k of element i at state[k * count + i], as src/engine/optimizers.ts lays it out).
// The formulas are optimizers.ts line by line, each f32 operation in the same order:
//   kind 0 SGD (momentum, nesterov, L2 weight decay), 1 Adam (L2 weight decay), 2 RMSprop (momentum).
// Per-step numbers come from GPU buffers, indexed by the global step train_state[0], so many steps
// can be recorded without CPU writes (in training the loss kernel has already advanced the counter
// for the next step, so this step's index is train_state[0] - 1: stepAdvanced = 1):
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
  // 1 when train_state[0] was already advanced past this step (by the loss kernel), else 0.
  stepAdvanced: u32,
}

@group(0) @binding(0) var<storage, read_write> params: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> state: array<f32>;
@group(0) @binding(3) var<storage, read> train_state: array<u32>;
@group(0) @binding(4) var<storage, read> lr_table: array<f32>;
@group(0) @binding(5) var<storage, read> adam_table: array<f32>;
@group(0) @binding(6) var<uniform> u: Params;

override WG: u32 = 256u;

// Pins down an intermediate result as one rounded f32. GPU compilers may fuse `a * b + c` into one
// fma (skipping the product's rounding) or reassociate `(a * g) * g` as `a * (g * g)`; either makes
// results differ from the CPU (by hundreds of ulps after cancellation; seen on NVIDIA). XOR-ing the
// bits with a uniform that is 0 changes nothing, but the compiler cannot know that, so it must
// compute exactly this value first: every line then rounds as in optimizers.ts.
fn rounded(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) ^ u.zero);
}

// Correctly rounded division and square root, by integer arithmetic on the mantissas. WGSL only
// promises a / b to 2.5 ulp and sqrt to about as much, and GPUs do differ from IEEE there; errors of
// a few ulps in a step of size lr grow to hundreds of ulps of a parameter near 0 after 10 steps.
// Integer operations are exact everywhere, so these give the CPU's IEEE results on every GPU.
// They cover normal inputs and results; anything else (never seen here) uses the hardware op.
fn div_rn(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let sign = (ua ^ ub) & 0x80000000u;
  if ((ua & 0x7fffffffu) == 0u) { return bitcast<f32>(sign); }
  let ea = i32((ua >> 23u) & 0xffu);
  let eb = i32((ub >> 23u) & 0xffu);
  if (ea == 0 || eb == 0 || ea == 255 || eb == 255) { return a / b; }
  var ma = (ua & 0x7fffffu) | 0x800000u;
  let mb = (ub & 0x7fffffu) | 0x800000u;
  var e = ea - eb + 127;
  // Scale so 1 <= ma / mb < 2: the quotient's leading bit is then the first one produced.
  if (ma < mb) { ma = ma << 1u; e -= 1; }
  // 24 mantissa bits plus one guard bit, one bit per step; r stays below 2 * mb < 2^25.
  var q = 0u;
  var r = ma;
  for (var i = 0u; i < 25u; i++) {
    q = q << 1u;
    if (r >= mb) { r -= mb; q |= 1u; }
    r = r << 1u;
  }
  let guard = q & 1u;
  q = q >> 1u;
  // Round to nearest, ties to even: up if above half, or exactly half and q is odd.
  if (guard == 1u && (r != 0u || (q & 1u) == 1u)) { q += 1u; }
  if (q == 0x1000000u) { q = q >> 1u; e += 1; }
  if (e <= 0 || e >= 255) { return a / b; }
  return bitcast<f32>(sign | (u32(e) << 23u) | (q & 0x7fffffu));
}

fn sqrt_rn(x: f32) -> f32 {
  let bits = bitcast<u32>(x);
  if ((bits & 0x7fffffffu) == 0u) { return x; }
  let e = i32((bits >> 23u) & 0xffu);
  if (e == 0 || e == 255 || (bits >> 31u) != 0u) { return sqrt(x); }
  var m = (bits & 0x7fffffu) | 0x800000u;
  var ex = e - 127;
  // Make the exponent even so it halves exactly; the mantissa becomes [1, 4).
  if ((ex & 1) != 0) { m = m << 1u; ex -= 1; }
  // Digit-by-digit square root of N = m * 2^25, two bits of N per step, 25 root bits
  // (24 mantissa bits and a guard bit); the remainder stays below 2^28.
  var root = 0u;
  var rem = 0u;
  for (var i = 0; i < 25; i++) {
    let s = 23 - 2 * i;
    var pair = 0u;
    if (s >= 0) { pair = (m >> u32(s)) & 3u; } else if (s == -1) { pair = (m & 1u) << 1u; }
    rem = (rem << 2u) | pair;
    let trial = (root << 2u) | 1u;
    if (rem >= trial) { rem -= trial; root = (root << 1u) | 1u; } else { root = root << 1u; }
  }
  // A square root is never exactly halfway between two floats, so round up iff the guard bit is set.
  let guard = root & 1u;
  root = (root >> 1u) + guard;
  var eo = ex / 2 + 127;
  if (root == 0x1000000u) { root = root >> 1u; eo += 1; }
  return bitcast<f32>((u32(eo) << 23u) | (root & 0x7fffffu));
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
  if (abs(w) < 0.5) { m = m0 + rounded(w * diff); } else { m = g - rounded(diff * rounded(1.0 - w)); }
  let v = rounded(u.beta2 * state[n + i]) + rounded(rounded(u.oneMinusBeta2 * g) * g);
  state[i] = m;
  state[n + i] = v;
  let denom = div_rn(sqrt_rn(v), bias_correction2_sqrt) + u.epsilon;
  params[i] = params[i] + rounded(neg_step_size * div_rn(m, denom));
}

fn rmsprop(i: u32, neg_lr: f32) {
  let n = u.count;
  let g = grads[i];
  let v = rounded(u.alpha * state[i]) + rounded(rounded(u.oneMinusAlpha * g) * g);
  state[i] = v;
  let avg = sqrt_rn(v) + u.epsilon;
  if (u.momentum != 0.0) {
    let b = rounded(u.momentum * state[n + i]) + div_rn(g, avg);
    state[n + i] = b;
    params[i] = params[i] + rounded(neg_lr * b);
  } else {
    params[i] = params[i] + rounded(neg_lr * div_rn(g, avg));
  }
}

// Grid-stride loop: models with many millions of parameters fit the 65535-workgroup limit.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let step = train_state[0] - u.stepAdvanced;
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
