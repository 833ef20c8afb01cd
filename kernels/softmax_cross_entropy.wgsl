// Fused softmax + cross-entropy loss and its gradient (cpu/loss.ts softmaxCrossEntropy), plus the
// step's metrics, computed stably: subtract the row max before exp, loss = log-sum-exp - (logit - max).
//   dlogits[b, c] = (softmax(logits[b])[c] - (c == label[b])) / batch
//   metrics[slot * 2]     = mean loss over the batch
//   metrics[slot * 2 + 1] = rows whose argmax (first max wins ties) equals the label, as f32
// slot = train_state[0] % metricSlots: a ring the trainer reads back every few steps without
// stalling the GPU. One workgroup loops over rows; its reduction has a fixed order (deterministic).
// Labels must be < classes (training batches have no padding).

struct Params {
  batch: u32,
  classes: u32,
  metricSlots: u32,
  // 1 in training: this kernel also ends the step's use of the counters and advances them
  // (train_state[k] + 1), which saves a dispatch; everything after the loss (backward pass,
  // optimizer) reads no counter but the optimizer, which is told (its stepAdvanced uniform).
  advanceStep: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(3) var<storage, read_write> metrics: array<f32>;
@group(0) @binding(4) var<storage, read_write> train_state: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;

// Must be a power of two for the tree reduction.
override WG: u32 = 256u;

var<workgroup> loss_part: array<f32, WG>;
var<workgroup> correct_part: array<u32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let tid = lid.x;
  let classes = params.classes;
  let inv_batch = 1.0 / f32(params.batch);
  var loss_sum = 0.0;
  var correct = 0u;
  for (var b = tid; b < params.batch; b += WG) {
    let row = b * classes;
    let label = labels[b];
    // Row max and its first index (the prediction).
    var best = logits[row];
    var best_class = 0u;
    for (var c = 1u; c < classes; c++) {
      let v = logits[row + c];
      if (v > best) { best = v; best_class = c; }
    }
    var sum = 0.0;
    for (var c = 0u; c < classes; c++) { sum += exp(logits[row + c] - best); }
    let log_sum = log(sum);
    loss_sum += log_sum - (logits[row + label] - best);
    for (var c = 0u; c < classes; c++) {
      let p = exp(logits[row + c] - best - log_sum);
      dlogits[row + c] = (p - select(0.0, 1.0, c == label)) * inv_batch;
    }
    if (best_class == label) { correct += 1u; }
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
    metrics[slot * 2u] = loss_part[0] / f32(max(params.batch, 1u));
    metrics[slot * 2u + 1u] = f32(correct_part[0]);
    if (params.advanceStep != 0u) {
      train_state[0] = train_state[0] + 1u;
      train_state[1] = train_state[1] + 1u;
    }
  }
}
