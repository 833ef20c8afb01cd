// Bias gradient: db[c] = sum over rows r and spatial positions s of dy[(r * channels + c) * spatial + s].
// dy is [rows, channels, spatial]: spatial = 1 for a dense layer ([batch, units]) and H*W for a
// conv layer (NCHW). One workgroup per channel; each thread sums a strided share, then a tree
// reduction in workgroup memory combines them in a fixed order, so results are deterministic
// (no atomics, same bits every run).

struct Params {
  rows: u32,
  channels: u32,
  spatial: u32,
  // 1: db += sum (e.g. a bias shared by several uses); 0: db = sum.
  accumulate: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> db: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

// Must be a power of two for the tree reduction.
override WG: u32 = 256u;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wg.x;
  let tid = lid.x;
  var sum = 0.0;
  if (params.spatial == 1u) {
    // Dense layer: one value per row; threads take rows in turn.
    for (var r = tid; r < params.rows; r += WG) { sum += dy[r * params.channels + c]; }
  } else {
    // Conv layer: each row's H*W plane is contiguous, so neighbouring threads read neighbouring
    // addresses (coalesced) and no per-element division is needed.
    for (var r = 0u; r < params.rows; r++) {
      let base = (r * params.channels + c) * params.spatial;
      for (var s = tid; s < params.spatial; s += WG) { sum += dy[base + s]; }
    }
  }
  partial[tid] = sum;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (tid < half) { partial[tid] += partial[tid + half]; }
    workgroupBarrier();
  }
  if (tid == 0u && c < params.channels) {
    var total = partial[0];
    if (params.accumulate != 0u) { total += db[c]; }
    db[c] = total;
  }
}
