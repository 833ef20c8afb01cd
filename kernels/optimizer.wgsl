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
  // State slots per parameter in use (optimizers.ts optimizerStateSlots): SGD 1 with momentum,
  // else 0; Adam 2 (m, v); RMSprop 1, 2 with momentum.
  stateSlots: u32,
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

// One parameter's values: its gradient, its value and its (up to) two optimizer-state slots,
// state[i] and state[count + i]. The update functions take them and return the new value and slots.
struct Slot {
  g: f32,
  p: f32,
  s0: f32,
  s1: f32,
}

fn sgd(x: Slot, neg_lr: f32) -> Slot {
  var y = x;
  var g = x.g;
  if (u.weightDecay != 0.0) { g = g + rounded(u.weightDecay * x.p); }
  if (u.momentum != 0.0) {
    let b = rounded(u.momentum * x.s0) + g;
    y.s0 = b;
    g = select(b, g + rounded(u.momentum * b), u.nesterov != 0u);
  }
  y.p = x.p + rounded(neg_lr * g);
  return y;
}

fn adam(x: Slot, neg_step_size: f32, bias_correction2_sqrt: f32) -> Slot {
  var y = x;
  var g = x.g;
  if (u.weightDecay != 0.0) { g = g + rounded(u.weightDecay * x.p); }
  let m0 = x.s0;
  let diff = g - m0;
  // torch.lerp(m, g, w) picks its formula by |w| < 0.5 for accuracy near both ends.
  let w = u.oneMinusBeta1;
  var m: f32;
  if (abs(w) < 0.5) { m = m0 + rounded(w * diff); } else { m = g - rounded(diff * rounded(1.0 - w)); }
  let v = rounded(u.beta2 * x.s1) + rounded(rounded(u.oneMinusBeta2 * g) * g);
  y.s0 = m;
  y.s1 = v;
  let denom = div_rn(sqrt_rn(v), bias_correction2_sqrt) + u.epsilon;
  y.p = x.p + rounded(neg_step_size * div_rn(m, denom));
  return y;
}

fn rmsprop(x: Slot, neg_lr: f32) -> Slot {
  var y = x;
  let g = x.g;
  let v = rounded(u.alpha * x.s0) + rounded(rounded(u.oneMinusAlpha * g) * g);
  y.s0 = v;
  let avg = sqrt_rn(v) + u.epsilon;
  if (u.momentum != 0.0) {
    let b = rounded(u.momentum * x.s1) + div_rn(g, avg);
    y.s1 = b;
    y.p = x.p + rounded(neg_lr * b);
  } else {
    y.p = x.p + rounded(neg_lr * div_rn(g, avg));
  }
  return y;
}

// Parameters per thread. A thread's PER_THREAD parameters lie `threads` apart (so each load is
// contiguous across a warp), and all their loads are issued before any store: one parameter at a
// time, the GPU could not start the next one's loads before the last one's stores (the buffers
// might overlap, as far as it knows) and waited on memory for each. Measured faster on whole
// training steps, with the same results (bench/README.md has the figures).
const PER_THREAD: u32 = 4u;

// Grid-stride loop: models with many millions of parameters fit the 65535-workgroup limit.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let step = train_state[0] - u.stepAdvanced;
  let n = u.count;
  let threads = groups.x * WG;
  let slots = u.stateSlots;
  // The per-step numbers: the learning rate, or Adam's step size and bias correction.
  var neg_lr = 0.0;
  var bias_correction2_sqrt = 0.0;
  if (u.kind == 1u) {
    neg_lr = adam_table[2u * step];
    bias_correction2_sqrt = adam_table[2u * step + 1u];
  } else {
    neg_lr = -lr_table[step];
  }
  for (var i = gid.x; i < n; i += PER_THREAD * threads) {
    var x: array<Slot, PER_THREAD>;
    for (var j = 0u; j < PER_THREAD; j++) {
      let e = min(i + j * threads, n - 1u);
      x[j] = Slot(grads[e], params[e], 0.0, 0.0);
      if (slots > 0u) { x[j].s0 = state[e]; }
      if (slots > 1u) { x[j].s1 = state[n + e]; }
    }
    for (var j = 0u; j < PER_THREAD; j++) {
      let e = i + j * threads;
      if (e >= n) { break; }
      var y: Slot;
      switch (u.kind) {
        case 1u: { y = adam(x[j], neg_lr, bias_correction2_sqrt); }
        case 2u: { y = rmsprop(x[j], neg_lr); }
        default: { y = sgd(x[j], neg_lr); }
      }
      params[e] = y.p;
      if (slots > 0u) { state[e] = y.s0; }
      if (slots > 1u) { state[n + e] = y.s1; }
    }
  }
}
