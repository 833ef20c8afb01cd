// Second half of a split convolution weight gradient (see kernels/conv2d_backward_weight.wgsl):
// adds up the splitK partial sums in `partial`, [splitK, outC, inC*k*k + 1], into
// dw [outC, inC, k, k] and, when asked, db [outC] (the last column of each row).
// One thread per weight, summing the chunks in order 0, 1, 2, ...: deterministic, no atomics.

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

// Threads per workgroup; each handles one value of dw or db.
override WG_X: u32 = 64u;

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let weights_per_oc = params.inC * params.kernel * params.kernel;
  let row = weights_per_oc + 1u;
  let total = params.outC * row;
  let i = gid.x;
  if (i >= total) { return; }
  let oc = i / row;
  let col = i - oc * row;
  let with_bias = (params.flags & 4u) != 0u;
  if (col == weights_per_oc && !with_bias) { return; }

  var sum = 0.0;
  for (var z = 0u; z < params.splitK; z++) {
    sum += partial[z * total + i];
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
