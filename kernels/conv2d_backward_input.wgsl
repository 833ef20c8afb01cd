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
// Default tile: 128 pixels by 32 channels; src/engine/gpu/conv.ts picks tiles per layer.
override WG_X: u32 = 16u;
override WG_Y: u32 = 4u;
// How many of the K = outC*k*k reduction terms one staging step covers.
override TILE_K: u32 = 16u;

// Outputs per thread along M and N: `const` because they size per-thread register arrays.
// Multiples of 4: each thread owns TM/4 runs of 4 neighbouring pixels and TN/4 runs of 4
// neighbouring channels, read from workgroup memory as vec4s.
const TM: u32 = 8u;
const TN: u32 = 8u;
const VM: u32 = TM / 4u;
const VN: u32 = TN / 4u;

// The staged slices, k-major, in vec4s: As[k * WG_X*VM + q] holds pixels 4q..4q+3 of step k
// (gathered dy), Bs[k * (WG_Y*VN + 1) + q] channels 4q..4q+3 (weights; one vec4 of padding per
// row spreads the k-fastest stores over the banks).
var<workgroup> As: array<vec4<f32>, TILE_K * WG_X * VM>;
var<workgroup> Bs: array<vec4<f32>, TILE_K * (WG_Y * VN + 1u)>;
// Per input pixel of the tile: (offset of its image in dy, ih + padding, iw + padding, exists).
var<workgroup> pixels: array<vec4<i32>, WG_X * TM>;
// Per reduction term of the current step: (oc, kh, kw, 1 if the term exists).
var<workgroup> taps: array<vec4<i32>, TILE_K>;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_m = WG_X * TM;
  let tile_n = WG_Y * TN;
  let a_row = WG_X * VM; // vec4s per step in As
  let b_row = WG_Y * VN + 1u; // ... and in Bs
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

  // acc[r * VN + c]: pixel r of this thread's TM, channels 4c..4c+3 of its TN.
  var acc: array<vec4<f32>, TM * VN>; // zero-initialised
  var a_reg: array<vec4<f32>, VM>;
  var b_reg: array<vec4<f32>, VN>;

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
    for (var i = tid; i < TILE_K * tile_m; i += threads) {
      let ml = i % tile_m;
      let kl = i / tile_m;
      let p = pixels[ml];
      let tap = taps[kl];
      var ty = p.y - tap.y; // = oh * stride when this tap hit the pixel
      var tx = p.z - tap.z;
      var v = 0.0;
      var hit = p.w * tap.w != 0 && ty >= 0 && tx >= 0;
      if (stride != 1) {
        hit = hit && ty % stride == 0 && tx % stride == 0;
        ty = ty / stride;
        tx = tx / stride;
      }
      if (hit && u32(ty) < params.outH && u32(tx) < params.outW) {
        let idx = u32(p.x) + u32(tap.x) * out_hw + u32(ty) * params.outW + u32(tx);
        v = dy[idx];
        // The ReLU derivative is 0 where the output was clamped (y == 0).
        if (masked && !(y[idx] > 0.0)) { v = 0.0; }
      }
      As[kl * a_row + ml / 4u][ml % 4u] = v;
    }
    // Weights w[oc, n, kh, kw]: walk the taps fastest, which are contiguous for one oc.
    for (var i = tid; i < TILE_K * tile_n; i += threads) {
      let kl = i % TILE_K;
      let nl = i / TILE_K;
      let tap = taps[kl];
      let n = n0 + nl;
      var v = 0.0;
      if (tap.w != 0 && n < N) {
        v = w[((u32(tap.x) * N + n) * params.kernel + u32(tap.y)) * params.kernel + u32(tap.z)];
      }
      Bs[kl * b_row + nl / 4u][nl % 4u] = v;
    }
    workgroupBarrier();

    for (var k = 0u; k < TILE_K; k++) {
      // Thread (x, y) owns pixels 4(x + h*WG_X) + 0..3 and channels 4(y + c*WG_Y) + 0..3.
      for (var h = 0u; h < VM; h++) { a_reg[h] = As[k * a_row + lid.x + h * WG_X]; }
      for (var c = 0u; c < VN; c++) { b_reg[c] = Bs[k * b_row + lid.y + c * WG_Y]; }
      for (var h = 0u; h < VM; h++) {
        for (var j = 0u; j < 4u; j++) {
          let a = vec4<f32>(a_reg[h][j]);
          for (var c = 0u; c < VN; c++) {
            acc[(h * 4u + j) * VN + c] = fma(a, b_reg[c], acc[(h * 4u + j) * VN + c]);
          }
        }
      }
    }
    // No barrier here: see kernels/conv2d_forward.wgsl (only `taps` is written before the next barrier).
  }

  let accumulate = (params.flags & 2u) != 0u;
  for (var r = 0u; r < TM; r++) {
    let m = m0 + (lid.x + (r / 4u) * WG_X) * 4u + r % 4u;
    if (m >= M) { continue; }
    let b = m / in_hw;
    let pos = m - b * in_hw;
    for (var c = 0u; c < TN; c++) {
      let n = n0 + (lid.y + (c / 4u) * WG_Y) * 4u + c % 4u;
      if (n >= N) { continue; }
      let idx = (b * N + n) * in_hw + pos;
      var v = acc[r * VN + c / 4u][c % 4u];
      if (accumulate) { v += dx[idx]; }
      dx[idx] = v;
    }
  }
}
