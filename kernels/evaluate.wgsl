// Evaluation of one test batch (no gradients): for every row whose label is not the padding
// label 0xffffffff (written by gather_batch past the end of the test set),
//   confusion[label * classes + predicted] += 1   (predicted = argmax, first max wins ties)
//   loss_out[batchIndex] = sum over those rows of the cross-entropy -log softmax(logits)[label]
// and, when writeProbs is 1, probs[b, c] = softmax(logits[b])[c] (for showing predictions).
// Counts use atomicAdd: integer addition is exact in any order, so the matrix is deterministic.
// The loss sum is one workgroup's fixed-order tree reduction, so it is deterministic too.

struct Params {
  batch: u32,
  classes: u32,
  batchIndex: u32,
  writeProbs: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read_write> confusion: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> loss_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> probs: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

// Must be a power of two for the tree reduction.
override WG: u32 = 256u;

const PADDING_LABEL: u32 = 0xffffffffu;

var<workgroup> loss_part: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_id) lid: vec3<u32>) {
  let tid = lid.x;
  let classes = params.classes;
  var loss_sum = 0.0;
  for (var b = tid; b < params.batch; b += WG) {
    let label = labels[b];
    if (label == PADDING_LABEL || label >= classes) { continue; }
    let row = b * classes;
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
    if (params.writeProbs != 0u) {
      for (var c = 0u; c < classes; c++) { probs[row + c] = exp(logits[row + c] - best - log_sum); }
    }
    atomicAdd(&confusion[label * classes + best_class], 1u);
  }
  loss_part[tid] = loss_sum;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (tid < half) { loss_part[tid] += loss_part[tid + half]; }
    workgroupBarrier();
  }
  if (tid == 0u) { loss_out[params.batchIndex] = loss_part[0]; }
}
