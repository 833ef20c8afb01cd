// Mean squared error and its gradient (cpu/loss.ts meanSquaredError), plus the step's metrics:
//   dpred[i] = 2 (pred[i] - target[i]) / (batch * features)
//   metrics[slot * 2] = mean of (pred - target)^2;  metrics[slot * 2 + 1] = rows predicted right
// "Right" as in cpu/model.ts: argmax(pred) == argmax(target) (first max wins), or for a single
// output, pred and target on the same side of 0.5. slot = train_state[0] % metricSlots.
// labelTargets = 1: `targets` holds u32 class labels [batch] (bitcast, e.g. gather_batch's y_out)
// used as one-hot rows; 0: `targets` holds f32 values [batch, features].
// One workgroup loops over rows; its reduction has a fixed order (deterministic).

struct Params {
  batch: u32,
  features: u32,
  metricSlots: u32,
  labelTargets: u32,
  // 1 in training: this kernel also ends the step's use of the counters and advances them
  // (train_state[k] + 1), which saves a dispatch; everything after the loss (backward pass,
  // optimizer) reads no counter but the optimizer, which is told (its stepAdvanced uniform).
  advanceStep: u32,
}

@group(0) @binding(0) var<storage, read> pred: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read_write> dpred: array<f32>;
@group(0) @binding(3) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(4) var<storage, read_write> train_state: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;

// Must be a power of two for the tree reduction.
override WG: u32 = 256u;

var<workgroup> loss_part: array<f32, WG>;
var<workgroup> correct_part: array<u32, WG>;

fn target_at(b: u32, c: u32) -> f32 {
  if (params.labelTargets != 0u) { return select(0.0, 1.0, bitcast<u32>(targets[b]) == c); }
  return targets[b * params.features + c];
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let tid = lid.x;
  let features = params.features;
  let n = f32(params.batch * features);
  var loss_sum = 0.0;
  var correct = 0u;
  for (var b = tid; b < params.batch; b += WG) {
    let row = b * features;
    var best_pred = pred[row];
    var best_target = target_at(b, 0u);
    var pred_class = 0u;
    var target_class = 0u;
    for (var c = 0u; c < features; c++) {
      let p = pred[row + c];
      let t = target_at(b, c);
      let d = p - t;
      loss_sum += d * d;
      dpred[row + c] = (2.0 * d) / n;
      if (p > best_pred) { best_pred = p; pred_class = c; }
      if (t > best_target) { best_target = t; target_class = c; }
    }
    var right = pred_class == target_class;
    if (features == 1u) { right = (pred[row] >= 0.5) == (target_at(b, 0u) >= 0.5); }
    if (right) { correct += 1u; }
  }
  loss_part[tid] = loss_sum;
  correct_part[tid] = correct;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (tid < half) {
      loss_part[tid] += loss_part[tid + half];
      correct_part[tid] += correct_part[tid + half];
    }
    workgroupBarrier();
  }
  if (tid == 0u) {
    let slot = train_state[0] % max(params.metricSlots, 1u);
    metrics[slot * 2u] = loss_part[0] / max(n, 1.0);
    metrics[slot * 2u + 1u] = f32(correct_part[0]);
    if (params.advanceStep != 0u) {
      train_state[0] = train_state[0] + 1u;
      train_state[1] = train_state[1] + 1u;
    }
  }
}
