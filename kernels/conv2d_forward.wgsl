// 2-D convolution, forward: y = conv(x, w) + bias, then optionally ReLU (fused: one pass over y).
// NCHW tensors: x [batch, inC, inH, inW], w [outC, inC, k, k], y [batch, outC, outH, outW].
// Deep-learning convention (cross-correlation), square kernel, zero padding on every side.
//
// Computed as an "implicit GEMM": y viewed as a matrix with M = batch*outH*outW rows (output
// positions) and N = outC columns is the product of an im2col matrix A [M, K] and wᵀ [K, N],
// K = inC*k*k. A is never stored: each workgroup gathers the slice of x it needs straight into
// workgroup memory, with out-of-image taps read as zero (the padding). Each workgroup computes a
// (WG_X*4) x (WG_Y*4) tile of y; each thread keeps a 4x4 block of it in registers.

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
  // bit 0: apply ReLU to the result (y stores the post-activation; backward masks with y > 0);
  // bit 1: add into y instead of overwriting it (before the ReLU, e.g. a residual already in y);
  // bit 2: add bias[oc].
  flags: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// Threads along output positions (x: the contiguous axis of y, so stores coalesce) and along
// output channels (y). The default 64-position by 32-channel tile fits the 24/32/64-channel
// layers of the MNIST models with little waste.
override WG_X: u32 = 16u;
override WG_Y: u32 = 8u;
// How many of the K = inC*k*k reduction terms one staging step covers.
override TILE_K: u32 = 16u;

// Outputs per thread along M and N: `const` because they size per-thread register arrays.
const TM: u32 = 4u;
const TN: u32 = 4u;

// The staged slices, k-major: As[k * TILE_M + m] (gathered x), Bs[k * TILE_N + n] (weights).
var<workgroup> As: array<f32, TILE_K * WG_X * TM>;
var<workgroup> Bs: array<f32, TILE_K * WG_Y * TN>;
// Per output position of the tile, decoded once so the gather needs no divisions:
// (offset of its image in x, top input row, left input column, 1 if the position exists).
var<workgroup> positions: array<vec4<i32>, WG_X * TM>;
// Per reduction term of the current step: (ic * inH * inW, kh, kw, 1 if the term exists).
var<workgroup> taps: array<vec4<i32>, TILE_K>;

// Loads issued together before their stores: see the staging in main.
const STAGED: u32 = 8u;

// x under one tap (as in `taps`) of one output position (as in `positions`); 0 in the padding
// and past either end.
fn load_x(p: vec4<i32>, tap: vec4<i32>, in_w: i32) -> f32 {
  let ih = p.y + tap.y;
  let iw = p.z + tap.z;
  // A negative row or column wraps to a huge u32, so one comparison per axis is the bounds check.
  if (p.w * tap.w != 0 && u32(ih) < params.inH && u32(iw) < params.inW) {
    return x[u32(p.x + tap.x + ih * in_w + iw)];
  }
  return 0.0;
}

// w[n, kk], 0 past either end.
fn load_w(n: u32, kk: u32, N: u32, K: u32) -> f32 {
  if (kk < K && n < N) { return w[n * K + kk]; }
  return 0.0;
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_m = WG_X * TM;
  let tile_n = WG_Y * TN;
  let m0 = wg.x * tile_m;
  let n0 = wg.y * tile_n;
  let threads = WG_X * WG_Y;
  let tid = lid.y * WG_X + lid.x;

  let out_hw = params.outH * params.outW;
  let in_hw = params.inH * params.inW;
  let taps_per_channel = params.kernel * params.kernel;
  let M = params.batch * out_hw;
  let N = params.outC;
  let K = params.inC * taps_per_channel;
  let in_w = i32(params.inW);

  for (var i = tid; i < tile_m; i += threads) {
    let m = m0 + i;
    var p = vec4<i32>(0, 0, 0, 0);
    if (m < M) {
      let b = m / out_hw;
      let r = m - b * out_hw;
      let oh = r / params.outW;
      let ow = r - oh * params.outW;
      p = vec4<i32>(
        i32(b * params.inC * in_hw),
        i32(oh * params.stride) - i32(params.padding),
        i32(ow * params.stride) - i32(params.padding),
        1,
      );
    }
    positions[i] = p;
  }

  var acc: array<f32, TM * TN>; // zero-initialised
  var a_reg: array<f32, TM>;
  var b_reg: array<f32, TN>;

  let k_tiles = (K + TILE_K - 1u) / TILE_K;
  for (var t = 0u; t < k_tiles; t++) {
    let k0 = t * TILE_K;
    // Safe without a barrier before it: `taps` was last read in the previous step's staging,
    // which every thread finished before that step's second barrier.
    for (var i = tid; i < TILE_K; i += threads) {
      let kk = k0 + i;
      var tap = vec4<i32>(0, 0, 0, 0);
      if (kk < K) {
        let ic = kk / taps_per_channel;
        let r = kk - ic * taps_per_channel;
        let kh = r / params.kernel;
        tap = vec4<i32>(i32(ic * in_hw), i32(kh), i32(r - kh * params.kernel), 1);
      }
      taps[i] = tap;
    }
    workgroupBarrier();

    // Gather A: neighbouring threads take neighbouring output positions, i.e. neighbouring
    // input columns, so the reads of x coalesce. Weights: w[n, kk] is contiguous in kk, so walk
    // kk fastest. All of this thread's loads are issued before any store, so they wait on memory
    // together (as in kernels/matmul.wgsl); shares beyond STAGED values per thread take the
    // plain loops after these.
    var sa: array<f32, STAGED>;
    var sb: array<f32, STAGED>;
    for (var j = 0u; j < STAGED; j++) {
      let i = tid + j * threads;
      if (i < TILE_K * tile_m) { sa[j] = load_x(positions[i % tile_m], taps[i / tile_m], in_w); }
      if (i < TILE_K * tile_n) { sb[j] = load_w(n0 + i / TILE_K, k0 + i % TILE_K, N, K); }
    }
    for (var j = 0u; j < STAGED; j++) {
      let i = tid + j * threads;
      if (i < TILE_K * tile_m) { As[(i / tile_m) * tile_m + i % tile_m] = sa[j]; }
      if (i < TILE_K * tile_n) { Bs[(i % TILE_K) * tile_n + i / TILE_K] = sb[j]; }
    }
    for (var i = tid + STAGED * threads; i < TILE_K * tile_m; i += threads) {
      let ml = i % tile_m;
      let kl = i / tile_m;
      As[kl * tile_m + ml] = load_x(positions[ml], taps[kl], in_w);
    }
    for (var i = tid + STAGED * threads; i < TILE_K * tile_n; i += threads) {
      let kl = i % TILE_K;
      let nl = i / TILE_K;
      Bs[kl * tile_n + nl] = load_w(n0 + nl, k0 + kl, N, K);
    }
    workgroupBarrier();

    for (var k = 0u; k < TILE_K; k++) {
      // Thread (x, y) owns positions x, x+WG_X, ... and channels y, y+WG_Y, ...
      for (var r = 0u; r < TM; r++) { a_reg[r] = As[k * tile_m + lid.x + r * WG_X]; }
      for (var c = 0u; c < TN; c++) { b_reg[c] = Bs[k * tile_n + lid.y + c * WG_Y]; }
      for (var r = 0u; r < TM; r++) {
        for (var c = 0u; c < TN; c++) {
          acc[r * TN + c] = fma(a_reg[r], b_reg[c], acc[r * TN + c]);
        }
      }
    }
    // No barrier here: the next step writes only `taps` before its first barrier, and the
    // tiles are rewritten only after that barrier, which waits for this arithmetic to finish.
  }

  let relu = (params.flags & 1u) != 0u;
  let accumulate = (params.flags & 2u) != 0u;
  let use_bias = (params.flags & 4u) != 0u;
  for (var r = 0u; r < TM; r++) {
    let m = m0 + lid.x + r * WG_X;
    if (m >= M) { continue; }
    let b = m / out_hw;
    let pos = m - b * out_hw;
    for (var c = 0u; c < TN; c++) {
      let n = n0 + lid.y + c * WG_Y;
      if (n >= N) { continue; }
      var v = acc[r * TN + c];
      if (use_bias) { v += bias[n]; }
      let idx = (b * N + n) * out_hw + pos;
      if (accumulate) { v += y[idx]; }
      if (relu) { v = max(v, 0.0); }
      y[idx] = v;
    }
  }
}
