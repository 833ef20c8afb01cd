// Second half of a split convolution weight gradient (see kernels/conv2d_backward_weight.wgsl):
// adds up the splitK partial sums in `partial`, [splitK, outC, inC*k*k + 1], into
// dw [outC, inC, k, k] and, when asked, db [outC] (the last column of each row).
// Each value is summed by WG_Y threads ("lanes"): lane l adds chunks l, l + WG_Y, l + 2*WG_Y, ...
// into four interleaved running sums (so several loads are in flight), then lane 0 adds the
// lanes' totals in order 0, 1, 2, ... The order is fixed: deterministic, no atomics.

struct Params {
  batch: u32,
  inC: u32,
  inH: u32,
  inW: u32,
  outC: u32,
  outH: u32,
  outW: u32,
  kernel: u32,
  stride: u32,
  padding: u32,
  // bit 1: add into dw (and db) instead of overwriting; bit 2: also write db. (Bit 0, the ReLU
  // mask, was already applied when the partial sums were made.)
  flags: u32,
  splitK: u32,
}

@group(0) @binding(0) var<storage, read> partial: array<f32>;
@group(0) @binding(1) var<storage, read_write> dw: array<f32>;
@group(0) @binding(2) var<storage, read_write> db: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;

// Values per workgroup (x: neighbouring values are contiguous in `partial`) and lanes per value (y).
override WG_X: u32 = 32u;
override WG_Y: u32 = 8u;

var<workgroup> lane_sums: array<f32, WG_X * WG_Y>;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let weights_per_oc = params.inC * params.kernel * params.kernel;
  let row = weights_per_oc + 1u;
  let total = params.outC * row;
  let i = wg.x * WG_X + lid.x;
  let valid = i < total;

  var s0 = 0.0;
  var s1 = 0.0;
  var s2 = 0.0;
  var s3 = 0.0;
  if (valid) {
    var z = lid.y;
    // Two rounds' loads are issued before their adds (in the same order as one round at a time):
    // fewer waits on memory, the same sums bit for bit.
    for (; z + 7u * WG_Y < params.splitK; z += 8u * WG_Y) {
      let a0 = partial[z * total + i];
      let a1 = partial[(z + WG_Y) * total + i];
      let a2 = partial[(z + 2u * WG_Y) * total + i];
      let a3 = partial[(z + 3u * WG_Y) * total + i];
      let a4 = partial[(z + 4u * WG_Y) * total + i];
      let a5 = partial[(z + 5u * WG_Y) * total + i];
      let a6 = partial[(z + 6u * WG_Y) * total + i];
      let a7 = partial[(z + 7u * WG_Y) * total + i];
      s0 += a0; s1 += a1; s2 += a2; s3 += a3;
      s0 += a4; s1 += a5; s2 += a6; s3 += a7;
    }
    for (; z + 3u * WG_Y < params.splitK; z += 4u * WG_Y) {
      s0 += partial[z * total + i];
      s1 += partial[(z + WG_Y) * total + i];
      s2 += partial[(z + 2u * WG_Y) * total + i];
      s3 += partial[(z + 3u * WG_Y) * total + i];
    }
    for (; z < params.splitK; z += WG_Y) {
      s0 += partial[z * total + i];
    }
  }
  lane_sums[lid.y * WG_X + lid.x] = (s0 + s1) + (s2 + s3);
  workgroupBarrier();
  if (lid.y != 0u || !valid) { return; }

  let oc = i / row;
  let col = i - oc * row;
  let with_bias = (params.flags & 4u) != 0u;
  if (col == weights_per_oc && !with_bias) { return; }
  var sum = 0.0;
  for (var l = 0u; l < WG_Y; l++) {
    sum += lane_sums[l * WG_X + lid.x];
  }
  let accumulate = (params.flags & 2u) != 0u;
  if (col < weights_per_oc) {
    let idx = oc * weights_per_oc + col;
    if (accumulate) { sum += dw[idx]; }
    dw[idx] = sum;
  } else {
    if (accumulate) { sum += db[oc]; }
    db[oc] = sum;
  }
}
