// Tiled matrix multiply: C = op(A) · op(B) (+ bias per column) (+ the old C).
// op(A) is [M, K] and op(B) is [K, N]; a transpose flag means the matrix is STORED the other way
// round ([K, M] for A, [N, K] for B), so one kernel serves a dense layer's forward pass (X·W),
// its input gradient (dY·Wᵀ) and its weight gradient (Xᵀ·dY) without copying a transpose.
//
// Each workgroup computes one (WG_Y*4) x (WG_X*4) tile of C. It walks K in steps of TILE_K,
// staging a slice of op(A) and op(B) in workgroup memory so every value read from global memory
// is reused by many threads; each thread keeps a 4x4 block of C in registers.
//
// Split-K: small outputs with a long K (a dense layer's forward pass on a batch of 64: C is only
// 64x128 but K is 12544) would leave most of a big GPU idle, so the K range can be cut into
// `splitK` chunks, one per workgroup z. Each chunk writes its raw partial sums to `partial`, and
// kernels/matmul_reduce.wgsl adds the chunks in a fixed order (deterministic) and finishes with
// bias, accumulate and ReLU.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  // bit 0: A is stored transposed ([K, M]); bit 1: B is stored transposed ([N, K]);
  // bit 2: add bias[n] to every row; bit 3: add into C instead of overwriting it;
  // bit 4: ReLU on the result; bit 5: the bias is stored in B right after the matrix
  // (B[K*N + n], so a dense layer's weights and bias live in one range);
  // bit 6: op(A) has an extra last row of ones (row M-1), so C's last row is the column sums
  // of op(B): the weight gradient Xᵀ·dY and the bias gradient in one call.
  flags: u32,
  // Chunks of K (workgroup z); 1 = no split: write C directly.
  splitK: u32,
  // K values per chunk (a multiple of TILE_K).
  kChunk: u32,
}

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
// [splitK, M, N] partial sums, only written when splitK > 1.
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;

// Threads per workgroup along N (x) and M (y); tunable per GPU. 16x16 threads with TILE_K = 16
// was the fastest of six settings tried (bench/README.md has the figures).
override WG_X: u32 = 16u;
override WG_Y: u32 = 16u;
// How many K values one staging step covers.
override TILE_K: u32 = 16u;

// Outputs per thread along M and N. These are `const`, not `override`, because they size the
// per-thread register arrays below, and WGSL only lets overrides size workgroup arrays.
const TM: u32 = 4u;
const TN: u32 = 4u;
// Staging values per thread and operand loaded together (4 with the default 16x16 threads and
// TILE_K 16; a bigger share takes a plain loop for the rest).
const STAGED: u32 = 8u;

// The staged slices, k-major: As[k * (TILE_M + 2) + m], Bs[k * (TILE_N + 2) + n]. The 2 spare
// values per row are for the stores: an operand read k-fastest from memory (A plain, or B stored
// transposed) is stored by a warp as 16 consecutive k for each of 2 values of m (or n); with rows
// 64 values apart, each 16 would hit one bank (16-way conflicts); 66 apart, all 32 land in different banks.
// That measured faster on the dense layers and on big squares, with the same sums (bench/README.md
// has the figures).
var<workgroup> As: array<f32, TILE_K * (WG_Y * TM + 2u)>;
var<workgroup> Bs: array<f32, TILE_K * (WG_X * TN + 2u)>;

fn load_a(m: u32, k: u32, k_end: u32) -> f32 {
  if (m >= params.M || k >= k_end) { return 0.0; }
  if ((params.flags & 64u) != 0u) {
    if (m == params.M - 1u) { return 1.0; }
    // The stored A has M-1 rows.
    if ((params.flags & 1u) != 0u) { return A[k * (params.M - 1u) + m]; }
    return A[m * params.K + k];
  }
  if ((params.flags & 1u) != 0u) { return A[k * params.M + m]; }
  return A[m * params.K + k];
}

fn load_b(k: u32, n: u32, k_end: u32) -> f32 {
  if (k >= k_end || n >= params.N) { return 0.0; }
  if ((params.flags & 2u) != 0u) { return B[n * params.K + k]; }
  return B[k * params.N + n];
}

fn bias_at(n: u32) -> f32 {
  if ((params.flags & 32u) != 0u) { return B[params.K * params.N + n]; }
  return bias[n];
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_m = WG_Y * TM;
  let tile_n = WG_X * TN;
  let row0 = wg.y * tile_m;
  let col0 = wg.x * tile_n;
  let threads = WG_X * WG_Y;
  let tid = lid.y * WG_X + lid.x;
  let a_stride = tile_m + 2u;
  let b_stride = tile_n + 2u;
  let trans_a = (params.flags & 1u) != 0u;
  let trans_b = (params.flags & 2u) != 0u;

  var acc: array<f32, 16>; // TM * TN, zero-initialised
  var a_reg: array<f32, 4>; // TM
  var b_reg: array<f32, 4>; // TN

  let split = params.splitK > 1u;
  let k_begin = select(0u, wg.z * params.kChunk, split);
  let k_end = select(params.K, min(params.K, k_begin + params.kChunk), split);
  let k_tiles = (k_end - min(k_begin, k_end) + TILE_K - 1u) / TILE_K;
  for (var t = 0u; t < k_tiles; t++) {
    let k0 = k_begin + t * TILE_K;
    // Stage op(A)[row0.., k0..]: walk along whichever index is contiguous in memory so that
    // neighbouring threads read neighbouring addresses.
    // All of this thread's loads are issued before any store, so they wait on memory together:
    // one loop of load-then-store waited once per value, which bounds small layers (a few
    // workgroups on a big GPU); this measured faster on the small dense layers (bench/kernels.ts
    // --only dense; bench/README.md has the figures), with the same sums. Shares beyond STAGED
    // values per thread take the plain loops after these.
    var sa: array<f32, STAGED>;
    var sb: array<f32, STAGED>;
    for (var j = 0u; j < STAGED; j++) {
      let i = tid + j * threads;
      if (i < TILE_K * tile_m) {
        var m: u32;
        var k: u32;
        if (trans_a) { m = i % tile_m; k = i / tile_m; } else { k = i % TILE_K; m = i / TILE_K; }
        sa[j] = load_a(row0 + m, k0 + k, k_end);
      }
      if (i < TILE_K * tile_n) {
        var n: u32;
        var k: u32;
        if (trans_b) { k = i % TILE_K; n = i / TILE_K; } else { n = i % tile_n; k = i / tile_n; }
        sb[j] = load_b(k0 + k, col0 + n, k_end);
      }
    }
    for (var j = 0u; j < STAGED; j++) {
      let i = tid + j * threads;
      if (i < TILE_K * tile_m) {
        var m: u32;
        var k: u32;
        if (trans_a) { m = i % tile_m; k = i / tile_m; } else { k = i % TILE_K; m = i / TILE_K; }
        As[k * a_stride + m] = sa[j];
      }
      if (i < TILE_K * tile_n) {
        var n: u32;
        var k: u32;
        if (trans_b) { k = i % TILE_K; n = i / TILE_K; } else { n = i % tile_n; k = i / tile_n; }
        Bs[k * b_stride + n] = sb[j];
      }
    }
    for (var i = tid + STAGED * threads; i < TILE_K * tile_m; i += threads) {
      var m: u32;
      var k: u32;
      if (trans_a) { m = i % tile_m; k = i / tile_m; } else { k = i % TILE_K; m = i / TILE_K; }
      As[k * a_stride + m] = load_a(row0 + m, k0 + k, k_end);
    }
    for (var i = tid + STAGED * threads; i < TILE_K * tile_n; i += threads) {
      var n: u32;
      var k: u32;
      if (trans_b) { k = i % TILE_K; n = i / TILE_K; } else { n = i % tile_n; k = i / tile_n; }
      Bs[k * b_stride + n] = load_b(k0 + k, col0 + n, k_end);
    }
    workgroupBarrier();

    for (var k = 0u; k < TILE_K; k++) {
      // Thread (x, y) owns rows y, y+WG_Y, ... and columns x, x+WG_X, ...: strided ownership
      // keeps neighbouring threads on neighbouring columns for the final store.
      for (var r = 0u; r < TM; r++) { a_reg[r] = As[k * a_stride + lid.y + r * WG_Y]; }
      for (var c = 0u; c < TN; c++) { b_reg[c] = Bs[k * b_stride + lid.x + c * WG_X]; }
      for (var r = 0u; r < TM; r++) {
        for (var c = 0u; c < TN; c++) {
          acc[r * TN + c] = fma(a_reg[r], b_reg[c], acc[r * TN + c]);
        }
      }
    }
    workgroupBarrier();
  }

  let use_bias = (params.flags & 4u) != 0u;
  let accumulate = (params.flags & 8u) != 0u;
  let relu = (params.flags & 16u) != 0u;
  let part0 = wg.z * params.M * params.N;
  for (var r = 0u; r < TM; r++) {
    let m = row0 + lid.y + r * WG_Y;
    if (m >= params.M) { continue; }
    for (var c = 0u; c < TN; c++) {
      let n = col0 + lid.x + c * WG_X;
      if (n >= params.N) { continue; }
      var v = acc[r * TN + c];
      let idx = m * params.N + n;
      // With split-K the epilogue runs in matmul_reduce once all chunks are summed.
      if (split) { partial[part0 + idx] = v; continue; }
      if (use_bias) { v += bias_at(n); }
      if (accumulate) { v += C[idx]; }
      if (relu) { v = max(v, 0.0); }
      C[idx] = v;
    }
  }
}
