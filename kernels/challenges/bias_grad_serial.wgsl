// CHALLENGE: share the work of the bias gradient among the threads.
// db[c] = the sum over rows r and spatial positions s of dy[(r * channels + c) * spatial + s].
// The kernel is launched with one workgroup of WG threads per channel, but in this version only
// thread 0 does anything: it adds up the whole channel alone while the other WG - 1 threads wait.
// Goal: let every thread sum a strided share, then combine the shares in the `partial` workgroup
// array (a tree reduction with workgroupBarrier()). Keep "Test" green; "Benchmark" is the judge.

struct Params {
  rows: u32,
  channels: u32,
  spatial: u32,
  // 1: db += sum; 0: db = sum.
  accumulate: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read_write> db: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

// Must be a power of two for a tree reduction.
override WG: u32 = 256u;

// Room for one partial sum per thread (unused so far).
var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wg.x;
  if (lid.x != 0u || c >= params.channels) { return; }
  var sum = 0.0;
  for (var r = 0u; r < params.rows; r++) {
    for (var s = 0u; s < params.spatial; s++) {
      sum += dy[(r * params.channels + c) * params.spatial + s];
    }
  }
  if (params.accumulate != 0u) { sum += db[c]; }
  db[c] = sum;
}
