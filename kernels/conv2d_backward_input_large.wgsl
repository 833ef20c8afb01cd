// 2-D convolution, backward to the input, for LARGE layers: the same dx as
// kernels/conv2d_backward_input.wgsl (gather form, fused ReLU mask, accumulate flag), with the
// same bindings and parameters, built like kernels/conv2d_forward_large.wgsl: each thread keeps an
// 8x4 block (8 input pixels by 4 input channels) in 8 NAMED vec4 registers, and the next step's
// slice of dy and of the weights is gathered into registers while the current one is multiplied
// (two buffers in workgroup memory, one barrier per step). That measured faster than the general
// kernel on pytorch-cnn's 32 -> 64-channel layer, more so with the tap-major order below
// (bench/README.md has the figures); the trainer takes it for layers fed by 24 or more channels
// with a long reduction
// (conv2dBackwardInputKernelFor in src/engine/gpu/conv.ts).
//
// As an implicit GEMM: M = batch*inH*inW input pixels, N = inC, K = outC*k*k. The tile is fixed:
// 128 pixels by 32 input channels, 16x8 threads.
// Thread (tx, ty) owns pixels tx*4 .. +3 and 64+tx*4 .. +3 of the tile and channels ty*4 .. +3.
//
// The reduction runs TAP-MAJOR: term k = (kernel row, kernel column, output channel), with the
// output channels padded to a multiple of 8 (the padding terms are 0). So each step's 8 terms
// share one tap (kh, kw): thread tid works out once per step which output (oh, ow) saw tile
// pixel tid through that tap, if any did, and its 8 gathered values of dy (0 where the forward
// ReLU clamped) are 8 channels at that output, one address plus multiples of outH*outW. Index
// arithmetic per gathered value was what bounded this kernel with the channel-major order
// (oc, kh, kw): the gather alone took most of its time; a per-step table of decoded terms helped,
// and this order helped more (same results up to float rounding, as the sums run in a different
// order). bench/README.md has the figures.
//
// The exact shape of this code matters: writing the 8 gathers out by hand instead of looping, or
// testing the stride per gathered value, measured much slower. Measure (bench/kernels.ts
// --override, and this kernel's tests on SwiftShader) before restructuring it.

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

// Reduction terms per step.
const TK: u32 = 8u;

// Two buffers of staged slices, k-major in vec4s: As[buf * 256 + k * 32 + m / 4], Bs[buf * 64 + k * 8 + n / 4].
var<workgroup> As: array<vec4<f32>, 512>;
var<workgroup> Bs: array<vec4<f32>, 128>;
// Writes 4 channels n .. n+3 of input pixel m (skipping those past the end), adding to dx with
// the accumulate flag.
fn write4(m: u32, n: u32, v4: vec4<f32>) {
  let in_hw = params.inH * params.inW;
  if (m >= params.batch * in_hw) { return; }
  let b = m / in_hw;
  let pos = m - b * in_hw;
  for (var c = 0u; c < 4u; c++) {
    let ch = n + c;
    if (ch >= params.inC) { return; }
    let idx = (b * params.inC + ch) * in_hw + pos;
    var v = v4[c];
    if ((params.flags & 2u) != 0u) { v += dx[idx]; }
    dx[idx] = v;
  }
}

@compute @workgroup_size(16, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * 16u + tx;
  let m0 = wg.x * 128u;
  let n0 = wg.y * 32u;

  let out_hw = params.outH * params.outW;
  let in_hw = params.inH * params.inW;
  let kk_per_oc = params.kernel * params.kernel;
  let M = params.batch * in_hw;
  let N = params.inC;
  let stride = i32(params.stride);
  let masked = (params.flags & 1u) != 0u;

  // The input pixel this thread gathers for (tile row tid), decoded once: its image's offset in
  // dy and its row and column plus the padding (= oh*stride + kh when tap (kh, kw) of output
  // (oh, ow) covers it).
  let gm = m0 + tid;
  let g_ok = gm < M;
  let g_b = select(0u, gm / in_hw, g_ok);
  let g_r = gm - g_b * in_hw;
  let g_ih = g_r / params.inW;
  let g_iw = g_r - g_ih * params.inW;
  let g_base = g_b * params.outC * out_hw;
  let g_row = i32(g_ih + params.padding);
  let g_col = i32(g_iw + params.padding);
  // The tap and first output channel of the step being gathered (see the top): 8 channels per step.
  let oc_pad = (params.outC + TK - 1u) / TK * TK;
  let K = oc_pad * kk_per_oc;
  var s_kh = 0u;
  var s_kw = 0u;
  var s_oc = 0u;

  // The weights this thread stages: input channel tid / 4 at the step's output channels
  // (tid % 4) * 2 .. +1.
  let w_n = n0 + tid / 4u;
  let w_k = (tid % 4u) * 2u;

  var c0 = vec4<f32>();
  var c1 = vec4<f32>();
  var c2 = vec4<f32>();
  var c3 = vec4<f32>();
  var c4 = vec4<f32>();
  var c5 = vec4<f32>();
  var c6 = vec4<f32>();
  var c7 = vec4<f32>();
  var ga: vec4<f32>;
  var gb: vec4<f32>;
  var nw: vec2<f32>;

  let k_tiles = (K + TK - 1u) / TK;
  for (var t = 0u; t <= k_tiles; t++) {
    if (t < k_tiles) {
      // The output that saw this pixel through tap (kh, kw), if one did.
      let dh = g_row - i32(s_kh);
      let dw = g_col - i32(s_kw);
      let oh = dh / stride;
      let ow = dw / stride;
      let hit = g_ok && dh >= 0 && dw >= 0 && oh * stride == dh && ow * stride == dw &&
        u32(oh) < params.outH && u32(ow) < params.outW;
      let at = g_base + s_oc * out_hw + u32(oh) * params.outW + u32(ow);
      for (var j = 0u; j < TK; j++) {
        let okj = hit && s_oc + j < params.outC;
        let idx = select(0u, at + j * out_hw, okj);
        var v = select(0.0, dy[idx], okj);
        // The ReLU derivative is 0 where the forward output was clamped (y == 0).
        if (masked && !(y[idx] > 0.0)) { v = 0.0; }
        if (j < 4u) { ga[j] = v; } else { gb[j - 4u] = v; }
      }
      // Weights w[oc, n, kh, kw] at the step's tap for output channels s_oc + w_k .. +1.
      let tap = s_kh * params.kernel + s_kw;
      for (var j = 0u; j < 2u; j++) {
        let oc = s_oc + w_k + j;
        let ok = w_n < N && oc < params.outC;
        nw[j] = select(0.0, w[select(0u, (oc * N + w_n) * kk_per_oc + tap, ok)], ok);
      }
      s_oc += TK;
      if (s_oc == oc_pad) { s_oc = 0u; s_kw += 1u; if (s_kw == params.kernel) { s_kw = 0u; s_kh += 1u; } }
    }
    if (t > 0u) {
      let ab = ((t - 1u) % 2u) * 256u;
      let bb = ((t - 1u) % 2u) * 64u;
      for (var k = 0u; k < TK; k++) {
        let a0 = As[ab + k * 32u + tx];
        let a1 = As[ab + k * 32u + 16u + tx];
        let b = Bs[bb + k * 8u + ty];
        c0 = fma(vec4<f32>(a0.x), b, c0);
        c1 = fma(vec4<f32>(a0.y), b, c1);
        c2 = fma(vec4<f32>(a0.z), b, c2);
        c3 = fma(vec4<f32>(a0.w), b, c3);
        c4 = fma(vec4<f32>(a1.x), b, c4);
        c5 = fma(vec4<f32>(a1.y), b, c5);
        c6 = fma(vec4<f32>(a1.z), b, c6);
        c7 = fma(vec4<f32>(a1.w), b, c7);
      }
    }
    if (t < k_tiles) {
      let ab = (t % 2u) * 256u;
      // Gathered values: this thread's pixel (tile row tid) at the step's 8 k.
      let q = ab + tid / 4u;
      let c = tid % 4u;
      As[q][c] = ga.x; As[q + 32u][c] = ga.y; As[q + 64u][c] = ga.z; As[q + 96u][c] = ga.w;
      As[q + 128u][c] = gb.x; As[q + 160u][c] = gb.y; As[q + 192u][c] = gb.z; As[q + 224u][c] = gb.w;
      // Weights: input channel tid / 4 at 2 neighbouring k.
      let bb = (t % 2u) * 64u;
      let wq = bb + w_k * 8u + (tid / 4u) / 4u;
      let wc = (tid / 4u) % 4u;
      Bs[wq][wc] = nw.x; Bs[wq + 8u][wc] = nw.y;
    }
    workgroupBarrier();
  }

  let ma = m0 + tx * 4u;
  let mb = m0 + 64u + tx * 4u;
  let n = n0 + ty * 4u;
  write4(ma, n, c0);
  write4(ma + 1u, n, c1);
  write4(ma + 2u, n, c2);
  write4(ma + 3u, n, c3);
  write4(mb, n, c4);
  write4(mb + 1u, n, c5);
  write4(mb + 2u, n, c6);
  write4(mb + 3u, n, c7);
}
