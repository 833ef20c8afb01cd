// CHALLENGE: make this naive matrix multiply tiled.
// It computes the same C = op(A) · op(B) (+ bias) (+ the old C) as the built-in matmul and is
// launched the same way: one workgroup of WG_X x WG_Y threads per (WG_Y*4) x (WG_X*4) tile of C,
// each thread owning a 4x4 block. But every thread reads each of its A and B values straight from
// global memory, K times over, so the same numbers are fetched again and again.
// Goal: stage slices of A and B in `var<workgroup>` arrays (with workgroupBarrier()) so a value
// read once is reused by many threads. Keep "Test" green, and use "Benchmark" to see the gain.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  // bit 0: A stored transposed; bit 1: B stored transposed; bit 2: add bias; bit 3: add into C;
  // bit 4: ReLU; bit 5: bias stored in B after the matrix; bit 6: op(A) has an extra row of ones.
  flags: u32,
  // Chunks of K (workgroup z); 1 = no split. Each chunk writes raw sums to `partial`.
  splitK: u32,
  kChunk: u32,
}

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;

override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
// Unused by the naive version: a tiled one walks K in steps of TILE_K.
override TILE_K: u32 = 16u;

const TM: u32 = 4u;
const TN: u32 = 4u;

fn load_a(m: u32, k: u32) -> f32 {
  if ((params.flags & 64u) != 0u) {
    if (m == params.M - 1u) { return 1.0; }
    if ((params.flags & 1u) != 0u) { return A[k * (params.M - 1u) + m]; }
    return A[m * params.K + k];
  }
  if ((params.flags & 1u) != 0u) { return A[k * params.M + m]; }
  return A[m * params.K + k];
}

fn load_b(k: u32, n: u32) -> f32 {
  if ((params.flags & 2u) != 0u) { return B[n * params.K + k]; }
  return B[k * params.N + n];
}

fn bias_at(n: u32) -> f32 {
  if ((params.flags & 32u) != 0u) { return B[params.K * params.N + n]; }
  return bias[n];
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wg.y * WG_Y * TM;
  let col0 = wg.x * WG_X * TN;
  let split = params.splitK > 1u;
  let k_begin = select(0u, wg.z * params.kChunk, split);
  let k_end = select(params.K, min(params.K, k_begin + params.kChunk), split);
  for (var r = 0u; r < TM; r++) {
    let m = row0 + lid.y + r * WG_Y;
    if (m >= params.M) { continue; }
    for (var c = 0u; c < TN; c++) {
      let n = col0 + lid.x + c * WG_X;
      if (n >= params.N) { continue; }
      // Every thread walks the whole K range itself, reading A and B from global memory.
      var v = 0.0;
      for (var k = k_begin; k < k_end; k++) {
        v = fma(load_a(m, k), load_b(k, n), v);
      }
      let idx = m * params.N + n;
      if (split) { partial[wg.z * params.M * params.N + idx] = v; continue; }
      if ((params.flags & 4u) != 0u) { v += bias_at(n); }
      if ((params.flags & 8u) != 0u) { v += C[idx]; }
      if ((params.flags & 16u) != 0u) { v = max(v, 0.0); }
      C[idx] = v;
    }
  }
}
