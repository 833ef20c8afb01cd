// 2-D convolution, backward to the input: dx = the gradient of the loss with respect to x.
// NCHW tensors: dy [batch, outC, outH, outW], w [outC, inC, k, k], dx [batch, inC, inH, inW].
//
// Gather form, so no two threads ever write the same value and no atomics are needed: each
// input pixel (b, ic, ih, iw) sums dy[b, oc, oh, ow] * w[oc, ic, kh, kw] over every (oc, kh, kw)
// whose output (oh, ow) saw it, i.e. oh*stride - padding + kh == ih (same for columns).
// As an implicit GEMM: M = batch*inH*inW input pixels, N = inC, K = outC*k*k, where the A
// operand (dy, gathered per tap) is never stored. With stride > 1 most taps miss (they read 0):
// correct, but a stride-s layer does about s*s times the useful work.
//
// Fused ReLU backward: when the forward pass applied ReLU, dy is first masked by y > 0
// (y = the stored post-ReLU output), so conv+ReLU needs no separate activation-gradient pass.

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
  // bit 0: use dy * (y > 0) in place of dy (the forward pass was fused with ReLU);
  // bit 1: add into dx instead of overwriting it (e.g. x also feeds a skip connection).
  flags: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dx: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

// Threads along input pixels (x: the contiguous axis of dx) and along input channels (y).
override WG_X: u32 = 16u;
override WG_Y: u32 = 8u;
// How many of the K = outC*k*k reduction terms one staging step covers.
override TILE_K: u32 = 16u;

// Outputs per thread along M and N: `const` because they size per-thread register arrays.
const TM: u32 = 4u;
const TN: u32 = 4u;

// The staged slices, k-major: As[k * TILE_M + m] (gathered dy), Bs[k * TILE_N + n] (weights).
var<workgroup> As: array<f32, TILE_K * WG_X * TM>;
var<workgroup> Bs: array<f32, TILE_K * WG_Y * TN>;
// Per input pixel of the tile: (offset of its image in dy, ih + padding, iw + padding, exists).
var<workgroup> pixels: array<vec4<i32>, WG_X * TM>;
// Per reduction term of the current step: (oc, kh, kw, 1 if the term exists).
var<workgroup> taps: array<vec4<i32>, TILE_K>;

// Loads issued together before their stores: see the staging in main.
const STAGED: u32 = 8u;

// dy at the output that saw pixel p (as in `pixels`) through tap (as in `taps`), if one did;
// masked by y > 0 when the forward pass applied ReLU (its derivative is 0 where y == 0).
fn load_dy(p: vec4<i32>, tap: vec4<i32>, stride: i32, out_hw: u32, masked: bool) -> f32 {
  var ty = p.y - tap.y; // = oh * stride when this tap hit the pixel
  var tx = p.z - tap.z;
  var hit = p.w * tap.w != 0 && ty >= 0 && tx >= 0;
  if (stride != 1) {
    hit = hit && ty % stride == 0 && tx % stride == 0;
    ty = ty / stride;
    tx = tx / stride;
  }
  if (!(hit && u32(ty) < params.outH && u32(tx) < params.outW)) { return 0.0; }
  let idx = u32(p.x) + u32(tap.x) * out_hw + u32(ty) * params.outW + u32(tx);
  if (masked && !(y[idx] > 0.0)) { return 0.0; }
  return dy[idx];
}

// w[oc, n, kh, kw] for one tap (oc, kh, kw), 0 past either end.
fn load_w(tap: vec4<i32>, n: u32, N: u32) -> f32 {
  if (tap.w == 0 || n >= N) { return 0.0; }
  return w[((u32(tap.x) * N + n) * params.kernel + u32(tap.y)) * params.kernel + u32(tap.z)];
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
  let M = params.batch * in_hw;
  let N = params.inC;
  let K = params.outC * taps_per_channel;
  let stride = i32(params.stride);
  let masked = (params.flags & 1u) != 0u;

  for (var i = tid; i < tile_m; i += threads) {
    let m = m0 + i;
    var p = vec4<i32>(0, 0, 0, 0);
    if (m < M) {
      let b = m / in_hw;
      let r = m - b * in_hw;
      let ih = r / params.inW;
      let iw = r - ih * params.inW;
      p = vec4<i32>(i32(b * params.outC * out_hw), i32(ih + params.padding), i32(iw + params.padding), 1);
    }
    pixels[i] = p;
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
        let oc = kk / taps_per_channel;
        let r = kk - oc * taps_per_channel;
        let kh = r / params.kernel;
        tap = vec4<i32>(i32(oc), i32(kh), i32(r - kh * params.kernel), 1);
      }
      taps[i] = tap;
    }
    workgroupBarrier();

    // Gather A: the output (oh, ow) that saw this pixel through tap (kh, kw), if there is one.
    // Weights w[oc, n, kh, kw]: walk the taps fastest, which are contiguous for one oc.
    // All of this thread's loads are issued before any store, so they wait on memory together
    // (as in kernels/matmul.wgsl); shares beyond STAGED values per thread take the plain loops
    // after these.
    var sa: array<f32, STAGED>;
    var sb: array<f32, STAGED>;
    for (var j = 0u; j < STAGED; j++) {
      let i = tid + j * threads;
      if (i < TILE_K * tile_m) { sa[j] = load_dy(pixels[i % tile_m], taps[i / tile_m], stride, out_hw, masked); }
      if (i < TILE_K * tile_n) { sb[j] = load_w(taps[i % TILE_K], n0 + i / TILE_K, N); }
    }
    for (var j = 0u; j < STAGED; j++) {
      let i = tid + j * threads;
      if (i < TILE_K * tile_m) { As[(i / tile_m) * tile_m + i % tile_m] = sa[j]; }
      if (i < TILE_K * tile_n) { Bs[(i % TILE_K) * tile_n + i / TILE_K] = sb[j]; }
    }
    for (var i = tid + STAGED * threads; i < TILE_K * tile_m; i += threads) {
      let ml = i % tile_m;
      let kl = i / tile_m;
      As[kl * tile_m + ml] = load_dy(pixels[ml], taps[kl], stride, out_hw, masked);
    }
    for (var i = tid + STAGED * threads; i < TILE_K * tile_n; i += threads) {
      let kl = i % TILE_K;
      let nl = i / TILE_K;
      Bs[kl * tile_n + nl] = load_w(taps[kl], n0 + nl, N);
    }
    workgroupBarrier();

    for (var k = 0u; k < TILE_K; k++) {
      for (var r = 0u; r < TM; r++) { a_reg[r] = As[k * tile_m + lid.x + r * WG_X]; }
      for (var c = 0u; c < TN; c++) { b_reg[c] = Bs[k * tile_n + lid.y + c * WG_Y]; }
      for (var r = 0u; r < TM; r++) {
        for (var c = 0u; c < TN; c++) {
          acc[r * TN + c] = fma(a_reg[r], b_reg[c], acc[r * TN + c]);
        }
      }
    }
    // No barrier here: see kernels/conv2d_forward.wgsl (only `taps` is written before the next barrier).
  }

  let accumulate = (params.flags & 2u) != 0u;
  for (var r = 0u; r < TM; r++) {
    let m = m0 + lid.x + r * WG_X;
    if (m >= M) { continue; }
    let b = m / in_hw;
    let pos = m - b * in_hw;
    for (var c = 0u; c < TN; c++) {
      let n = n0 + lid.y + c * WG_Y;
      if (n >= N) { continue; }
      let idx = (b * N + n) * in_hw + pos;
      var v = acc[r * TN + c];
      if (accumulate) { v += dx[idx]; }
      dx[idx] = v;
    }
  }
}
