// 2-D convolution, forward, for LARGE layers: the same y = conv(x, w) + bias (then ReLU) with the
// same bindings, parameters and flags as kernels/conv2d_forward.wgsl, built for layers with many
// output channels (64 and more) and a long reduction (inC*k*k of 128 and more).
//
// Why a second kernel: conv2d_forward gives each thread a 4x4 block and stages with two barriers
// per step. Here, as in kernels/matmul_large.wgsl, each thread keeps an 8x8 block (8 output
// positions by 8 channels) in 16 NAMED vec4 registers, and the next step's slice of the patches
// and weights is gathered into registers while the current one is multiplied (two buffers in
// workgroup memory, one barrier per step). That measured faster on the 64-channel layer of
// pytorch-cnn (batch 64, 32 -> 64 channels, 28x28, 3x3), more so with the tap-major order below;
// on layers with fewer channels or a short reduction the 4x4 kernel is faster, so the trainer
// picks per layer (conv2dForwardKernelFor in src/engine/gpu/conv.ts). bench/README.md has the
// figures.
//
// The tile is fixed: 128 output positions by 64 channels, 16x8 threads. Thread (tx, ty) owns
// positions tx*4 .. +3 and 64+tx*4 .. +3 of the tile and channels ty*4 .. +3 and 32+ty*4 .. +3.
//
// The reduction runs TAP-MAJOR: term k = (kernel row, kernel column, input channel), with the
// input channels padded to a multiple of 8 (the padding terms are 0). So each step's 8 terms
// share one tap (kh, kw): thread tid checks once per step whether tile position tid sees the
// image through that tap, and its 8 gathered values are 8 channels at one address plus multiples
// of inH*inW. Walking the terms channel-major instead (ic, kh, kw) made the index arithmetic of
// every single gathered value the bound; this order measured faster (same results up to float
// rounding, as the sums run in a different order). Out-of-image taps read index 0 and become 0
// (the padding).
//
// POOL (flag bit 3): a 2x2 max pooling with stride 2 right after this layer (after its ReLU) is
// done here too, so the full-size output is never written and the trainer runs no pooling
// kernel. The GEMM rows then run window by window: rows 4w .. 4w+3 are pooling window w's four
// positions, row-major inside the window, so the 4 rows a thread owns at tx*4 are ONE window
// (a last odd row or column that no window covers is not computed at all). The thread takes the
// max of its 4 values per channel as kernels/maxpool_forward.wgsl does (the FIRST maximum wins)
// and writes the pooled value to y [batch, outC, outH/2, outW/2] and the winner's flat index in
// the full-size output to argmax, which kernels/maxpool_backward.wgsl routes the gradient to.
// With ReLU, a window whose max is not above 0 gets argmax = NO_WINNER: ReLU passes no gradient
// there, so the backward pass needs no mask from y (which was never written).
// DROPOUT (bit 4, with POOL, in training): a dropout layer right after the pooling is done here
// too, exactly as kernels/maxpool_forward.wgsl does it (same hash, same mask, same scale).
// pytorch-cnn's layer with its pooling and dropout takes no longer than the convolution alone,
// and the separate maxpool_forward it replaces is saved (bench/README.md has the figures).

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
  // bit 0: apply ReLU to the result (y stores the post-activation; backward masks with y > 0, or
  //        with POOL the winners carry the ReLU instead);
  // bit 1: add into y instead of overwriting it (before the ReLU, e.g. a residual already in y);
  // bit 2: add bias[oc];
  // bit 3: POOL, 2x2 max pooling with stride 2 after the (ReLU'd) result, see the top;
  // bit 4: DROPOUT after that pooling, with dropoutRate, seed and layerIndex.
  flags: u32,
  dropoutRate: f32,
  seed: u32,
  layerIndex: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
// POOL only: [batch, outC, outH/2, outW/2] winners (flat indices into the full-size output).
@group(0) @binding(5) var<storage, read_write> argmax: array<u32>;
// DROPOUT only: the dropout's 0/1 mask, and the step counter its random numbers depend on.
@group(0) @binding(6) var<storage, read_write> mask: array<u32>;
@group(0) @binding(7) var<storage, read> train_state: array<u32>;

const POOL: u32 = 8u;
const DROPOUT: u32 = 16u;
// argmax of a window ReLU zeroed whole: no position gets its gradient.
const NO_WINNER: u32 = 0xffffffffu;

// Reduction terms per step.
const TK: u32 = 8u;

// Two buffers of staged slices, k-major in vec4s: As[buf * 256 + k * 32 + m / 4], Bs[buf * 128 + k * 16 + n / 4].
var<workgroup> As: array<vec4<f32>, 512>;
var<workgroup> Bs: array<vec4<f32>, 256>;

// The random numbers of kernels/dropout_forward.wgsl (src/engine/rng.ts), bit for bit: the same
// four functions, copied because a kernel is one file (this kernel's check compares its mask with
// the CPU's, so the copies cannot drift apart unnoticed).
fn pcg_hash(input: u32) -> u32 {
  let state = input * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn random_u32(seed: u32, stream: u32, index: u32) -> u32 {
  return pcg_hash(pcg_hash(pcg_hash(index) ^ stream) ^ seed);
}

fn random_uniform(seed: u32, stream: u32, index: u32) -> f32 {
  return f32(random_u32(seed, stream, index) >> 8u) * (1.0 / 16777216.0);
}

fn dropout_stream(step: u32, layer: u32) -> u32 {
  return 3000000u + step * 64u + layer;
}

// GEMM rows: one per output position, or with POOL four per pooling window (see the top).
fn row_count() -> u32 {
  if ((params.flags & POOL) != 0u) { return params.batch * (params.outH / 2u) * (params.outW / 2u) * 4u; }
  return params.batch * params.outH * params.outW;
}

// The output position (image, row, column) of GEMM row m.
fn position_of(m: u32) -> vec3<u32> {
  if ((params.flags & POOL) != 0u) {
    let pooled_w = params.outW / 2u;
    let pooled_hw = (params.outH / 2u) * pooled_w;
    let window = m / 4u;
    let j = m % 4u;
    let b = window / pooled_hw;
    let r = window - b * pooled_hw;
    let ph = r / pooled_w;
    let pw = r - ph * pooled_w;
    return vec3<u32>(b, ph * 2u + j / 2u, pw * 2u + j % 2u);
  }
  let out_hw = params.outH * params.outW;
  let b = m / out_hw;
  let r = m - b * out_hw;
  let oh = r / params.outW;
  return vec3<u32>(b, oh, r - oh * params.outW);
}

// Bias and ReLU, as the flags say, for channel ch.
fn finish(v: f32, ch: u32) -> f32 {
  var out = v;
  if ((params.flags & 4u) != 0u) { out += bias[ch]; }
  if ((params.flags & 1u) != 0u) { out = max(out, 0.0); }
  return out;
}

// POOL: pools window m / 4 (rows m .. m+3, in v0 .. v3) for channels n .. n+3 and writes y and
// argmax (and the dropout's mask), as kernels/maxpool_forward.wgsl would from the full output.
fn write_pooled(m: u32, n: u32, v0: vec4<f32>, v1: vec4<f32>, v2: vec4<f32>, v3: vec4<f32>) {
  if (m >= row_count()) { return; }
  let p = position_of(m);
  let out_hw = params.outH * params.outW;
  let pooled_w = params.outW / 2u;
  let pooled_hw = (params.outH / 2u) * pooled_w;
  let pooled_at = (p.y / 2u) * pooled_w + p.z / 2u;
  let top_left = p.y * params.outW + p.z;
  for (var c = 0u; c < 4u; c++) {
    let ch = n + c;
    if (ch >= params.outC) { return; }
    // The window row-major, replacing only on a strictly greater value: the first maximum wins.
    var best = finish(v0[c], ch);
    var winner = top_left;
    let right = finish(v1[c], ch);
    if (right > best) { best = right; winner = top_left + 1u; }
    let below = finish(v2[c], ch);
    if (below > best) { best = below; winner = top_left + params.outW; }
    let below_right = finish(v3[c], ch);
    if (below_right > best) { best = below_right; winner = top_left + params.outW + 1u; }
    let o = (p.x * params.outC + ch) * pooled_hw + pooled_at;
    let relu_zeroed = (params.flags & 1u) != 0u && !(best > 0.0);
    argmax[o] = select((p.x * params.outC + ch) * out_hw + winner, NO_WINNER, relu_zeroed);
    if ((params.flags & DROPOUT) == 0u) {
      y[o] = best;
    } else {
      let scale = 1.0 / (1.0 - params.dropoutRate);
      let keep = random_uniform(params.seed, dropout_stream(train_state[0], params.layerIndex), o) >= params.dropoutRate;
      mask[o] = select(0u, 1u, keep);
      y[o] = select(0.0, best * scale, keep);
    }
  }
}

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

  let in_hw = params.inH * params.inW;
  let kk_per_ic = params.kernel * params.kernel;
  let M = row_count();
  let N = params.outC;
  let in_w = i32(params.inW);

  // The output position this thread gathers for (tile row tid), decoded once.
  let gm = m0 + tid;
  let g_ok = gm < M;
  let g_pos = position_of(select(0u, gm, g_ok));
  let g_base = i32(g_pos.x * params.inC * in_hw);
  let g_top = i32(g_pos.y * params.stride) - i32(params.padding);
  let g_left = i32(g_pos.z * params.stride) - i32(params.padding);
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
  if ((params.flags & POOL) != 0u) {
    // The four (window, channel half) blocks in a loop over a parked copy: written out four
    // times, this epilogue made the WHOLE kernel much slower, plain mode included, as the driver
    // compiled the main loop differently (bench/README.md has the figures).
    var parked = array<vec4<f32>, 16>(c0a, c1a, c2a, c3a, c0b, c1b, c2b, c3b, c4a, c5a, c6a, c7a, c4b, c5b, c6b, c7b);
    for (var i = 0u; i < 4u; i++) {
      write_pooled(select(ma, mb, i >= 2u), select(na, nb, (i & 1u) != 0u), parked[i * 4u], parked[i * 4u + 1u], parked[i * 4u + 2u], parked[i * 4u + 3u]);
    }
    return;
  }
  write4(ma, na, c0a); write4(ma, nb, c0b);
  write4(ma + 1u, na, c1a); write4(ma + 1u, nb, c1b);
  write4(ma + 2u, na, c2a); write4(ma + 2u, nb, c2b);
  write4(ma + 3u, na, c3a); write4(ma + 3u, nb, c3b);
  write4(mb, na, c4a); write4(mb, nb, c4b);
  write4(mb + 1u, na, c5a); write4(mb + 1u, nb, c5b);
  write4(mb + 2u, na, c6a); write4(mb + 2u, nb, c6b);
  write4(mb + 3u, na, c7a); write4(mb + 3u, nb, c7b);
}
