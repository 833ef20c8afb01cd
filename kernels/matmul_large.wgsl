// Tiled matrix multiply for LARGE matrices: the same C = op(A) · op(B) (+ bias) (+ old C) (ReLU)
// as kernels/matmul.wgsl, with the same flags, bindings and split-K, but built for speed when C
// has thousands of rows and columns.
//
// Why a second kernel: kernels/matmul.wgsl gives each thread a 4x4 block of C, so each value read
// from workgroup memory feeds only 4 multiply-adds and the GPU waits on workgroup memory. Here a
// workgroup of 16x16 threads computes a 128x128 tile of C and each thread keeps an 8x8 block in
// registers: per step of K it reads 4 vec4s (16 values) and does 64 multiply-adds.
//
// How it stays in registers: the 8x8 block is 16 NAMED vec4 variables (c0a .. c7b), not an
// array. Indexing an array with a loop counter can make the shader compiler put it in slow
// memory (we measured it several times slower that way); named variables cannot be.
//
// Which elements a thread owns: rows ty*4 .. ty*4+3 and 64+ty*4 .. 64+ty*4+3 of the tile, the
// same for columns with tx. Neighbouring threads then read neighbouring vec4s of workgroup
// memory (no bank conflicts) and the two halves of each row store as runs of 4.
//
// Two paths: shapes made of whole tiles (M and N multiples of 128, K of 8) take a loop whose loads
// need no bounds checks; any other shape takes the same loop with every load checked, which
// measured clearly slower (npm run bench:kernels; bench/README.md has the figures).
//
// Overlap: the tile of A and B for the next K step is fetched from global memory into registers
// while the current one is multiplied, and workgroup memory holds two buffers, so one barrier per
// K step is enough.

struct Params {
  M: u32,
  N: u32,
  K: u32,
  // Same bits as matmul.wgsl: 1 A transposed, 2 B transposed, 4 bias, 8 accumulate, 16 ReLU,
  // 32 bias stored after B's matrix, 64 op(A) has an extra last row of ones.
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
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;

// The tile shape is fixed: the thread layout and the 16 named accumulators depend on it.
const TILE: u32 = 128u;
// K values per step. 256 threads stage 8 x 128 values of A and of B: 4 of each per thread.
const TILE_K: u32 = 8u;
// vec4s per K row of a staged tile.
const ROW4: u32 = TILE / 4u;
// vec4s per staged tile (one buffer).
const STAGE4: u32 = TILE_K * ROW4;

// Two buffers of the staged slices, k-major in vec4s: As[buf * STAGE4 + k * ROW4 + m / 4].
var<workgroup> As: array<vec4<f32>, 2u * STAGE4>;
var<workgroup> Bs: array<vec4<f32>, 2u * STAGE4>;

fn load_a(m: u32, k: u32, k_end: u32) -> f32 {
  if (m >= params.M || k >= k_end) { return 0.0; }
  if ((params.flags & 64u) != 0u) {
    if (m == params.M - 1u) { return 1.0; }
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

// Writes one value of C (or of this chunk's partial sums), with the epilogue.
fn store(m: u32, n: u32, value: f32, part0: u32) {
  if (m >= params.M || n >= params.N) { return; }
  let idx = m * params.N + n;
  if (params.splitK > 1u) { partial[part0 + idx] = value; return; }
  var v = value;
  if ((params.flags & 4u) != 0u) { v += bias_at(n); }
  if ((params.flags & 8u) != 0u) { v += C[idx]; }
  if ((params.flags & 16u) != 0u) { v = max(v, 0.0); }
  C[idx] = v;
}

// One row of a thread's block: columns n, n+1, n+2, n+3 from lo and n+64 .. n+67 from hi.
fn store_row(m: u32, n: u32, lo: vec4<f32>, hi: vec4<f32>, part0: u32) {
  for (var i = 0u; i < 4u; i++) {
    store(m, n + i, lo[i], part0);
    store(m, n + 64u + i, hi[i], part0);
  }
}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * 16u + tx;
  let row0 = wg.y * TILE;
  let col0 = wg.x * TILE;
  let trans_a = (params.flags & 1u) != 0u;
  let trans_b = (params.flags & 2u) != 0u;

  let split = params.splitK > 1u;
  let k_begin = select(0u, wg.z * params.kChunk, split);
  let k_end = select(params.K, min(params.K, k_begin + params.kChunk), split);
  let k_tiles = (k_end - min(k_begin, k_end) + TILE_K - 1u) / TILE_K;

  // FAST PATH: when every tile is whole (M and N multiples of 128, K a multiple of 8) and there
  // is no ones row, no load can fall outside A or B, so none is checked. This is a complete copy
  // of the loop below without the checks, not a branch inside it: the per-value checks and flag
  // tests cost a large share of the time, and mixing both into one loop was as slow as the checked
  // loop alone (bench/README.md has the figures).
  let exact = (params.flags & 64u) == 0u && params.M % TILE == 0u && params.N % TILE == 0u && params.K % TILE_K == 0u;
  if (exact) {
    var c0a = vec4<f32>(); var c0b = vec4<f32>();
    var c1a = vec4<f32>(); var c1b = vec4<f32>();
    var c2a = vec4<f32>(); var c2b = vec4<f32>();
    var c3a = vec4<f32>(); var c3b = vec4<f32>();
    var c4a = vec4<f32>(); var c4b = vec4<f32>();
    var c5a = vec4<f32>(); var c5b = vec4<f32>();
    var c6a = vec4<f32>(); var c6b = vec4<f32>();
    var c7a = vec4<f32>(); var c7b = vec4<f32>();
    var na: vec4<f32>;
    var nb: vec4<f32>;

    for (var t = 0u; t <= k_tiles; t++) {
      if (t < k_tiles) {
        let k0 = k_begin + t * TILE_K;
        // Each thread reads 4 neighbouring addresses of A and of B, as in the general path.
        var ia: u32;
        if (trans_a) { ia = (k0 + tid / 32u) * params.M + row0 + (tid % 32u) * 4u; }
        else { ia = (row0 + tid / 2u) * params.K + k0 + (tid % 2u) * 4u; }
        na = vec4<f32>(A[ia], A[ia + 1u], A[ia + 2u], A[ia + 3u]);
        var ib: u32;
        if (trans_b) { ib = (col0 + tid / 2u) * params.K + k0 + (tid % 2u) * 4u; }
        else { ib = (k0 + tid / 32u) * params.N + col0 + (tid % 32u) * 4u; }
        nb = vec4<f32>(B[ib], B[ib + 1u], B[ib + 2u], B[ib + 3u]);
      }
      if (t > 0u) {
        let base = ((t - 1u) % 2u) * STAGE4;
        for (var k = 0u; k < TILE_K; k++) {
          let row = base + k * ROW4;
          let a0 = As[row + ty];
          let a1 = As[row + 16u + ty];
          let b0 = Bs[row + tx];
          let b1 = Bs[row + 16u + tx];
          c0a = fma(vec4<f32>(a0.x), b0, c0a); c0b = fma(vec4<f32>(a0.x), b1, c0b);
          c1a = fma(vec4<f32>(a0.y), b0, c1a); c1b = fma(vec4<f32>(a0.y), b1, c1b);
          c2a = fma(vec4<f32>(a0.z), b0, c2a); c2b = fma(vec4<f32>(a0.z), b1, c2b);
          c3a = fma(vec4<f32>(a0.w), b0, c3a); c3b = fma(vec4<f32>(a0.w), b1, c3b);
          c4a = fma(vec4<f32>(a1.x), b0, c4a); c4b = fma(vec4<f32>(a1.x), b1, c4b);
          c5a = fma(vec4<f32>(a1.y), b0, c5a); c5b = fma(vec4<f32>(a1.y), b1, c5b);
          c6a = fma(vec4<f32>(a1.z), b0, c6a); c6b = fma(vec4<f32>(a1.z), b1, c6b);
          c7a = fma(vec4<f32>(a1.w), b0, c7a); c7b = fma(vec4<f32>(a1.w), b1, c7b);
        }
      }
      if (t < k_tiles) {
        let base = (t % 2u) * STAGE4;
        // k-major in workgroup memory: values read along k go to 4 k rows of one column, values
        // read along the rows go to one vec4.
        if (trans_a) {
          As[base + tid] = na;
        } else {
          let q = base + (tid % 2u) * 4u * ROW4 + tid / 8u;
          let c = (tid / 2u) % 4u;
          As[q][c] = na.x; As[q + ROW4][c] = na.y; As[q + 2u * ROW4][c] = na.z; As[q + 3u * ROW4][c] = na.w;
        }
        if (trans_b) {
          let q = base + (tid % 2u) * 4u * ROW4 + tid / 8u;
          let c = (tid / 2u) % 4u;
          Bs[q][c] = nb.x; Bs[q + ROW4][c] = nb.y; Bs[q + 2u * ROW4][c] = nb.z; Bs[q + 3u * ROW4][c] = nb.w;
        } else {
          Bs[base + tid] = nb;
        }
      }
      workgroupBarrier();
    }

    let part0 = wg.z * params.M * params.N;
    let m0 = row0 + ty * 4u;
    let m1 = row0 + 64u + ty * 4u;
    let n = col0 + tx * 4u;
    store_row(m0, n, c0a, c0b, part0);
    store_row(m0 + 1u, n, c1a, c1b, part0);
    store_row(m0 + 2u, n, c2a, c2b, part0);
    store_row(m0 + 3u, n, c3a, c3b, part0);
    store_row(m1, n, c4a, c4b, part0);
    store_row(m1 + 1u, n, c5a, c5b, part0);
    store_row(m1 + 2u, n, c6a, c6b, part0);
    store_row(m1 + 3u, n, c7a, c7b, part0);
    return;
  }

  // GENERAL PATH: any shape, the ones row; every load checked.
  // What this thread stages. Reading along the contiguous axis of the stored matrix:
  //   stored [K, rows] (A transposed, B plain): k = tid / 32, 4 neighbouring rows from (tid % 32) * 4;
  //   stored [rows, K] (A plain, B transposed): row = tid / 2, 4 neighbouring k from (tid % 2) * 4.
  let wide_k = tid / 32u;
  let wide_r = (tid % 32u) * 4u;
  let long_r = tid / 2u;
  let long_k = (tid % 2u) * 4u;

  var next_a: vec4<f32>;
  var next_b: vec4<f32>;

  // 8x8 accumulators: cRa holds row R (0..7) for columns tx*4..+3, cRb for columns 64+tx*4..+3.
  var c0a = vec4<f32>(); var c0b = vec4<f32>();
  var c1a = vec4<f32>(); var c1b = vec4<f32>();
  var c2a = vec4<f32>(); var c2b = vec4<f32>();
  var c3a = vec4<f32>(); var c3b = vec4<f32>();
  var c4a = vec4<f32>(); var c4b = vec4<f32>();
  var c5a = vec4<f32>(); var c5b = vec4<f32>();
  var c6a = vec4<f32>(); var c6b = vec4<f32>();
  var c7a = vec4<f32>(); var c7b = vec4<f32>();

  for (var t = 0u; t <= k_tiles; t++) {
    // 1. Fetch step t from global memory into registers (the multiply below overlaps it).
    if (t < k_tiles) {
      let k0 = k_begin + t * TILE_K;
      if (trans_a) {
        let m = row0 + wide_r;
        let k = k0 + wide_k;
        next_a = vec4<f32>(load_a(m, k, k_end), load_a(m + 1u, k, k_end), load_a(m + 2u, k, k_end), load_a(m + 3u, k, k_end));
      } else {
        let m = row0 + long_r;
        let k = k0 + long_k;
        next_a = vec4<f32>(load_a(m, k, k_end), load_a(m, k + 1u, k_end), load_a(m, k + 2u, k_end), load_a(m, k + 3u, k_end));
      }
      if (trans_b) {
        let n = col0 + long_r;
        let k = k0 + long_k;
        next_b = vec4<f32>(load_b(k, n, k_end), load_b(k + 1u, n, k_end), load_b(k + 2u, n, k_end), load_b(k + 3u, n, k_end));
      } else {
        let n = col0 + wide_r;
        let k = k0 + wide_k;
        next_b = vec4<f32>(load_b(k, n, k_end), load_b(k, n + 1u, k_end), load_b(k, n + 2u, k_end), load_b(k, n + 3u, k_end));
      }
    }

    // 2. Multiply step t-1, staged in buffer (t-1) % 2 by the previous iteration.
    if (t > 0u) {
      let base = ((t - 1u) % 2u) * STAGE4;
      for (var k = 0u; k < TILE_K; k++) {
        let row = base + k * ROW4;
        let a0 = As[row + ty];
        let a1 = As[row + 16u + ty];
        let b0 = Bs[row + tx];
        let b1 = Bs[row + 16u + tx];
        c0a = fma(vec4<f32>(a0.x), b0, c0a); c0b = fma(vec4<f32>(a0.x), b1, c0b);
        c1a = fma(vec4<f32>(a0.y), b0, c1a); c1b = fma(vec4<f32>(a0.y), b1, c1b);
        c2a = fma(vec4<f32>(a0.z), b0, c2a); c2b = fma(vec4<f32>(a0.z), b1, c2b);
        c3a = fma(vec4<f32>(a0.w), b0, c3a); c3b = fma(vec4<f32>(a0.w), b1, c3b);
        c4a = fma(vec4<f32>(a1.x), b0, c4a); c4b = fma(vec4<f32>(a1.x), b1, c4b);
        c5a = fma(vec4<f32>(a1.y), b0, c5a); c5b = fma(vec4<f32>(a1.y), b1, c5b);
        c6a = fma(vec4<f32>(a1.z), b0, c6a); c6b = fma(vec4<f32>(a1.z), b1, c6b);
        c7a = fma(vec4<f32>(a1.w), b0, c7a); c7b = fma(vec4<f32>(a1.w), b1, c7b);
      }
    }

    // 3. Stage step t into buffer t % 2. Nobody reads that buffer now: it was last read while
    // multiplying step t-2, which every thread finished before the previous barrier.
    if (t < k_tiles) {
      let base = (t % 2u) * STAGE4;
      if (trans_a) {
        As[base + wide_k * ROW4 + wide_r / 4u] = next_a;
      } else {
        let q = base + long_k * ROW4 + long_r / 4u;
        let c = long_r % 4u;
        As[q][c] = next_a.x;
        As[q + ROW4][c] = next_a.y;
        As[q + 2u * ROW4][c] = next_a.z;
        As[q + 3u * ROW4][c] = next_a.w;
      }
      if (trans_b) {
        let q = base + long_k * ROW4 + long_r / 4u;
        let c = long_r % 4u;
        Bs[q][c] = next_b.x;
        Bs[q + ROW4][c] = next_b.y;
        Bs[q + 2u * ROW4][c] = next_b.z;
        Bs[q + 3u * ROW4][c] = next_b.w;
      } else {
        Bs[base + wide_k * ROW4 + wide_r / 4u] = next_b;
      }
    }
    workgroupBarrier();
  }

  let part0 = wg.z * params.M * params.N;
  let m0 = row0 + ty * 4u;
  let m1 = row0 + 64u + ty * 4u;
  let n = col0 + tx * 4u;
  store_row(m0, n, c0a, c0b, part0);
  store_row(m0 + 1u, n, c1a, c1b, part0);
  store_row(m0 + 2u, n, c2a, c2b, part0);
  store_row(m0 + 3u, n, c3a, c3b, part0);
  store_row(m1, n, c4a, c4b, part0);
  store_row(m1 + 1u, n, c5a, c5b, part0);
  store_row(m1 + 2u, n, c6a, c6b, part0);
  store_row(m1 + 3u, n, c7a, c7b, part0);
}
