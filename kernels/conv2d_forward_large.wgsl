// 2-D convolution, forward, for LARGE layers: the same y = conv(x, w) + bias (then ReLU) with the
// same bindings, parameters and flags as kernels/conv2d_forward.wgsl, built for layers with many
// output channels (64 and more) and a long reduction (inC*k*k of 128 and more).
//
// Why a second kernel: conv2d_forward gives each thread a 4x4 block and stages with two barriers
// per step. Here, as in kernels/matmul_large.wgsl, each thread keeps an 8x8 block (8 output
// positions by 8 channels) in 16 NAMED vec4 registers, and the next step's slice of the patches
// and weights is gathered into registers while the current one is multiplied (two buffers in
// workgroup memory, one barrier per step). On an H200 this takes the 64-channel layer of
// pytorch-cnn (batch 64, 32 -> 64 channels, 28x28, 3x3) from 0.143 to 0.104 ms (0.089 with the
// tap-major order below); on layers with
// fewer channels or a short reduction the 4x4 kernel is faster, so the trainer picks per layer
// (conv2dForwardKernelFor in src/engine/gpu/conv.ts).
//
// The tile is fixed: 128 output positions by 64 channels, 16x8 threads. Thread (tx, ty) owns
// positions tx*4 .. +3 and 64+tx*4 .. +3 of the tile and channels ty*4 .. +3 and 32+ty*4 .. +3.
//
// The reduction runs TAP-MAJOR: term k = (kernel row, kernel column, input channel), with the
// input channels padded to a multiple of 8 (the padding terms are 0). So each step's 8 terms
// share one tap (kh, kw): thread tid checks once per step whether tile position tid sees the
// image through that tap, and its 8 gathered values are 8 channels at one address plus multiples
// of inH*inW. Walking the terms channel-major instead (ic, kh, kw) made the index arithmetic of
// every single gathered value the bound: on an H200 pytorch-cnn's 64-channel layer went from
// 0.106 to 0.089 ms with this order (same results up to float rounding, as the sums run in a
// different order). Out-of-image taps read index 0 and become 0 (the padding).

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

// Reduction terms per step.
const TK: u32 = 8u;

// Two buffers of staged slices, k-major in vec4s: As[buf * 256 + k * 32 + m / 4], Bs[buf * 128 + k * 16 + n / 4].
var<workgroup> As: array<vec4<f32>, 512>;
var<workgroup> Bs: array<vec4<f32>, 256>;

// Writes 4 channels n .. n+3 of output position m (skipping those past the end), with the epilogue.
fn write4(m: u32, n: u32, v4: vec4<f32>) {
  let out_hw = params.outH * params.outW;
  if (m >= params.batch * out_hw) { return; }
  let b = m / out_hw;
  let pos = m - b * out_hw;
  for (var c = 0u; c < 4u; c++) {
    let ch = n + c;
    if (ch >= params.outC) { return; }
    var v = v4[c];
    if ((params.flags & 4u) != 0u) { v += bias[ch]; }
    let idx = (b * params.outC + ch) * out_hw + pos;
    if ((params.flags & 2u) != 0u) { v += y[idx]; }
    if ((params.flags & 1u) != 0u) { v = max(v, 0.0); }
    y[idx] = v;
  }
}

@compute @workgroup_size(16, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tx = lid.x;
  let ty = lid.y;
  let tid = ty * 16u + tx;
  let m0 = wg.x * 128u;
  let n0 = wg.y * 64u;

  let out_hw = params.outH * params.outW;
  let in_hw = params.inH * params.inW;
  let kk_per_ic = params.kernel * params.kernel;
  let M = params.batch * out_hw;
  let N = params.outC;
  let in_w = i32(params.inW);

  // The output position this thread gathers for (tile row tid), decoded once.
  let gm = m0 + tid;
  let g_ok = gm < M;
  let g_b = select(0u, gm / out_hw, g_ok);
  let g_r = gm - g_b * out_hw;
  let g_oh = g_r / params.outW;
  let g_ow = g_r - g_oh * params.outW;
  let g_base = i32(g_b * params.inC * in_hw);
  let g_top = i32(g_oh * params.stride) - i32(params.padding);
  let g_left = i32(g_ow * params.stride) - i32(params.padding);
  // The tap and first input channel of the step being gathered (see the top): 8 channels per step.
  let ic_pad = (params.inC + TK - 1u) / TK * TK;
  let K = ic_pad * kk_per_ic;
  var s_kh = 0u;
  var s_kw = 0u;
  var s_ic = 0u;

  // The weights this thread stages: output channel tid / 2 at the step's input channels
  // (tid % 2) * 4 .. +3.
  let w_n = n0 + tid / 2u;
  let w_k = (tid % 2u) * 4u;

  var c0a = vec4<f32>(); var c0b = vec4<f32>();
  var c1a = vec4<f32>(); var c1b = vec4<f32>();
  var c2a = vec4<f32>(); var c2b = vec4<f32>();
  var c3a = vec4<f32>(); var c3b = vec4<f32>();
  var c4a = vec4<f32>(); var c4b = vec4<f32>();
  var c5a = vec4<f32>(); var c5b = vec4<f32>();
  var c6a = vec4<f32>(); var c6b = vec4<f32>();
  var c7a = vec4<f32>(); var c7b = vec4<f32>();
  var ga: vec4<f32>;
  var gb: vec4<f32>;
  var nw: vec4<f32>;

  let k_tiles = (K + TK - 1u) / TK;
  for (var t = 0u; t <= k_tiles; t++) {
    if (t < k_tiles) {
      let ih = g_top + i32(s_kh);
      let iw = g_left + i32(s_kw);
      let ok = g_ok && u32(ih) < params.inH && u32(iw) < params.inW;
      let at = g_base + i32(s_ic * in_hw) + ih * in_w + iw;
      for (var j = 0u; j < TK; j++) {
        let okj = ok && s_ic + j < params.inC;
        let v = select(0.0, x[u32(select(0, at + i32(j * in_hw), okj))], okj);
        if (j < 4u) { ga[j] = v; } else { gb[j - 4u] = v; }
      }
      // Weights w[oc, ic, kh, kw] at the step's tap for input channels s_ic + w_k .. +3.
      let w_ic = vec4<u32>(s_ic + w_k) + vec4<u32>(0u, 1u, 2u, 3u);
      let w_ok = vec4<bool>(w_n < N) & (w_ic < vec4<u32>(params.inC));
      let tap = s_kh * params.kernel + s_kw;
      let wi = select(vec4<u32>(0u), (vec4<u32>(w_n * params.inC) + w_ic) * kk_per_ic + vec4<u32>(tap), w_ok);
      nw = select(vec4<f32>(0.0), vec4<f32>(w[wi.x], w[wi.y], w[wi.z], w[wi.w]), w_ok);
      s_ic += TK;
      if (s_ic == ic_pad) { s_ic = 0u; s_kw += 1u; if (s_kw == params.kernel) { s_kw = 0u; s_kh += 1u; } }
    }
    if (t > 0u) {
      let ab = ((t - 1u) % 2u) * 256u;
      let bb = ((t - 1u) % 2u) * 128u;
      for (var k = 0u; k < TK; k++) {
        let a0 = As[ab + k * 32u + tx];
        let a1 = As[ab + k * 32u + 16u + tx];
        let b0 = Bs[bb + k * 16u + ty];
        let b1 = Bs[bb + k * 16u + 8u + ty];
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
      let ab = (t % 2u) * 256u;
      let bb = (t % 2u) * 128u;
      // Gathered values: this thread's position (tile row tid) at the step's 8 k.
      let q = ab + tid / 4u;
      let c = tid % 4u;
      As[q][c] = ga.x; As[q + 32u][c] = ga.y; As[q + 64u][c] = ga.z; As[q + 96u][c] = ga.w;
      As[q + 128u][c] = gb.x; As[q + 160u][c] = gb.y; As[q + 192u][c] = gb.z; As[q + 224u][c] = gb.w;
      // Weights: channel tid / 2 at 4 neighbouring k.
      let wq = bb + w_k * 16u + (tid / 2u) / 4u;
      let wc = (tid / 2u) % 4u;
      Bs[wq][wc] = nw.x; Bs[wq + 16u][wc] = nw.y; Bs[wq + 32u][wc] = nw.z; Bs[wq + 48u][wc] = nw.w;
    }
    workgroupBarrier();
  }

  let ma = m0 + tx * 4u;
  let mb = m0 + 64u + tx * 4u;
  let na = n0 + ty * 4u;
  let nb = n0 + 32u + ty * 4u;
  write4(ma, na, c0a); write4(ma, nb, c0b);
  write4(ma + 1u, na, c1a); write4(ma + 1u, nb, c1b);
  write4(ma + 2u, na, c2a); write4(ma + 2u, nb, c2b);
  write4(ma + 3u, na, c3a); write4(ma + 3u, nb, c3b);
  write4(mb, na, c4a); write4(mb, nb, c4b);
  write4(mb + 1u, na, c5a); write4(mb + 1u, nb, c5b);
  write4(mb + 2u, na, c6a); write4(mb + 2u, nb, c6b);
  write4(mb + 3u, na, c7a); write4(mb + 3u, nb, c7b);
}
