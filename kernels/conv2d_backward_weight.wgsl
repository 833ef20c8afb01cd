// 2-D convolution, backward to the weights and the bias:
//   dw[oc, ic, kh, kw] = sum over (b, oh, ow) of dy[b, oc, oh, ow] * x[b, ic, oh*s - p + kh, ow*s - p + kw]
//   db[oc]             = sum over (b, oh, ow) of dy[b, oc, oh, ow]
// As a GEMM: rows = outC, columns = inC*k*k (+1: db is the column whose "x" is always 1, so it
// costs one extra column instead of a separate pass), and a long reduction over
// R = batch*outH*outW output positions; x and dy are read in place (implicit im2col).
//
// The output is small and the reduction long (R is 50,176 for a batch of 64 MNIST images), so
// the reduction is split into `splitK` contiguous chunks, one per workgroup layer along z, to
// keep a big GPU busy. With splitK = 1 the result goes straight to dw and db; otherwise each
// chunk writes its partial sums to `partial`, [splitK, outC, inC*k*k + 1], and
// kernels/conv2d_weight_reduce.wgsl adds them up. Every sum runs in a fixed order: the result
// is deterministic and no atomics are needed.
//
// Fused ReLU backward: with bit 0 of flags, dy is masked by y > 0 (y = the post-ReLU output).

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
  // bit 0: use dy * (y > 0) in place of dy; bit 1: add into dw (and db) instead of overwriting;
  // bit 2: also compute db.
  flags: u32,
  // How many chunks the reduction over (b, oh, ow) is split into (workgroups along z).
  splitK: u32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> y: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;
@group(0) @binding(4) var<storage, read_write> db: array<f32>;
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

// Threads along weight columns (x: (ic, kh, kw), the contiguous axis of dw) and along output
// channels (y). Default tile: 64 columns by 32 output channels.
override WG_X: u32 = 16u;
override WG_Y: u32 = 8u;
// Output positions per staging step; both operands are read contiguously along this axis.
override TILE_K: u32 = 16u;

// Outputs per thread along rows (TM) and columns (TN): `const`, they size register arrays.
// Multiples of 4: each thread owns TM/4 runs of 4 neighbouring output channels and TN/4 runs of
// 4 neighbouring columns, read from workgroup memory as vec4s. (8x8 measured several times slower
// than 4x4 through Dawn/Vulkan: the larger register arrays appear to spill.)
const TM: u32 = 4u;
const TN: u32 = 4u;
const VM: u32 = TM / 4u;
const VN: u32 = TN / 4u;

// The staged slices, k-major, in vec4s: As[k * (WG_Y*VM + 1) + q] holds output channels
// 4q..4q+3 of step k (dy), Bs[k * (WG_X*VN + 1) + q] columns 4q..4q+3 (gathered x). Both are
// written k-fastest; one vec4 of padding per row spreads those stores over the banks.
var<workgroup> As: array<vec4<f32>, TILE_K * (WG_Y * VM + 1u)>;
var<workgroup> Bs: array<vec4<f32>, TILE_K * (WG_X * VN + 1u)>;
// Per column of the tile, decoded once: (ic * inH * inW + kh * inW + kw, kh, kw, kind), kind
// 1 = a weight, 2 = the bias column (x is 1), 0 = past the end.
var<workgroup> columns: array<vec4<i32>, WG_X * TN>;
// Per output position of the current step: (offset in dy of (b, 0, oh, ow) or -1 when past the
// chunk, offset in x of (image b, channel 0, top input row, left input column), top input row,
// left input column).
var<workgroup> rows: array<vec4<i32>, TILE_K>;

// Loads issued together before their stores: see the staging in main.
const STAGED: u32 = 8u;

// dy at output channel oc of one output position (row, as in `rows`); 0 past the chunk or the
// channels, and 0 where the fused ReLU clamped the output (y == 0: its derivative is 0).
// Both helpers load unconditionally (from index 0 when the value is not wanted) and choose with
// `select`, rather than returning early around the loads: straight-line loads can all be in
// flight at once. Same values, same sums, and measured faster on the presets' weight gradients
// (bench/README.md has the figures).
fn load_dy(row: vec4<i32>, oc: u32, M: u32, out_hw: u32, masked: bool) -> f32 {
  let ok = row.x >= 0 && oc < M;
  let idx = select(0u, u32(row.x) + oc * out_hw, ok);
  let v = dy[idx];
  let yv = y[select(0u, idx, masked)];
  return select(0.0, v, ok && (!masked || yv > 0.0));
}

// x at one column's tap (col, as in `columns`) for one output position; 1 for the bias column,
// 0 in the padding, past the chunk or past the columns. A negative row or column wraps to a huge
// u32, so one comparison per axis is the bounds check.
fn load_x(row: vec4<i32>, col: vec4<i32>) -> f32 {
  let ih = row.z + col.y;
  let iw = row.w + col.z;
  let tap = row.x >= 0 && col.w == 1 && u32(ih) < params.inH && u32(iw) < params.inW;
  let v = x[select(0u, u32(row.y + col.x), tap)];
  return select(select(0.0, 1.0, row.x >= 0 && col.w == 2), v, tap);
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let tile_m = WG_Y * TM;
  let tile_n = WG_X * TN;
  let a_row = WG_Y * VM + 1u; // vec4s per step in As
  let b_row = WG_X * VN + 1u; // ... and in Bs
  let m0 = wg.y * tile_m;
  let n0 = wg.x * tile_n;
  let threads = WG_X * WG_Y;
  let tid = lid.y * WG_X + lid.x;

  let out_hw = params.outH * params.outW;
  let in_hw = params.inH * params.inW;
  let taps_per_channel = params.kernel * params.kernel;
  let with_bias = (params.flags & 4u) != 0u;
  let M = params.outC;
  let weights_per_oc = params.inC * taps_per_channel;
  let N = weights_per_oc + select(0u, 1u, with_bias);
  let R = params.batch * out_hw;
  let masked = (params.flags & 1u) != 0u;
  let in_w = i32(params.inW);

  // This workgroup's chunk of the reduction, a whole number of staging steps long.
  let per_split = (R + params.splitK - 1u) / params.splitK;
  let chunk = (per_split + TILE_K - 1u) / TILE_K * TILE_K;
  let r_begin = min(R, wg.z * chunk);
  let r_end = min(R, r_begin + chunk);

  for (var i = tid; i < tile_n; i += threads) {
    let n = n0 + i;
    var col = vec4<i32>(0, 0, 0, 0);
    if (n < weights_per_oc) {
      let ic = n / taps_per_channel;
      let r = n - ic * taps_per_channel;
      let kh = r / params.kernel;
      let kw = r - kh * params.kernel;
      col = vec4<i32>(i32(ic * in_hw + kh * params.inW + kw), i32(kh), i32(kw), 1);
    } else if (n < N) {
      col = vec4<i32>(0, 0, 0, 2);
    }
    columns[i] = col;
  }

  // acc[r * VN + c]: output channel r of this thread's TM, columns 4c..4c+3 of its TN.
  var acc: array<vec4<f32>, TM * VN>; // zero-initialised
  var a_reg: array<vec4<f32>, VM>;
  var b_reg: array<vec4<f32>, VN>;

  for (var k0 = r_begin; k0 < r_end; k0 += TILE_K) {
    // Safe without a barrier before it: `rows` was last read in the previous step's staging,
    // which every thread finished before that step's second barrier.
    for (var i = tid; i < TILE_K; i += threads) {
      let r = k0 + i;
      var row = vec4<i32>(-1, 0, 0, 0);
      if (r < r_end) {
        let b = r / out_hw;
        let pos = r - b * out_hw;
        let oh = pos / params.outW;
        let ow = pos - oh * params.outW;
        let top = i32(oh * params.stride) - i32(params.padding);
        let left = i32(ow * params.stride) - i32(params.padding);
        row = vec4<i32>(i32(b * params.outC * out_hw + pos), i32(b * params.inC * in_hw) + top * in_w + left, top, left);
      }
      rows[i] = row;
    }
    workgroupBarrier();

    // dy[b, oc, oh, ow] for As and x at each column's tap for Bs. Neighbouring threads take
    // neighbouring positions: contiguous in dy, and neighbouring input columns in x (stride 1).
    // All of this thread's loads are issued before any store, so they wait on memory together
    // (as in kernels/matmul.wgsl): each weight gradient measured faster with the same sums
    // (bench/README.md has the figures). Shares beyond STAGED values per thread take the plain
    // loops after these.
    var sa: array<f32, STAGED>;
    var sb: array<f32, STAGED>;
    for (var j = 0u; j < STAGED; j++) {
      let i = tid + j * threads;
      if (i < TILE_K * tile_m) {
        sa[j] = load_dy(rows[i % TILE_K], m0 + i / TILE_K, M, out_hw, masked);
      }
      if (i < TILE_K * tile_n) {
        sb[j] = load_x(rows[i % TILE_K], columns[i / TILE_K]);
      }
    }
    for (var j = 0u; j < STAGED; j++) {
      let i = tid + j * threads;
      let kl = i % TILE_K;
      if (i < TILE_K * tile_m) {
        let ml = i / TILE_K;
        As[kl * a_row + ml / 4u][ml % 4u] = sa[j];
      }
      if (i < TILE_K * tile_n) {
        let nl = i / TILE_K;
        Bs[kl * b_row + nl / 4u][nl % 4u] = sb[j];
      }
    }
    for (var i = tid + STAGED * threads; i < TILE_K * tile_m; i += threads) {
      let kl = i % TILE_K;
      let ml = i / TILE_K;
      As[kl * a_row + ml / 4u][ml % 4u] = load_dy(rows[kl], m0 + ml, M, out_hw, masked);
    }
    for (var i = tid + STAGED * threads; i < TILE_K * tile_n; i += threads) {
      let kl = i % TILE_K;
      let nl = i / TILE_K;
      Bs[kl * b_row + nl / 4u][nl % 4u] = load_x(rows[kl], columns[nl]);
    }
    workgroupBarrier();

    for (var k = 0u; k < TILE_K; k++) {
      // Thread (x, y) owns output channels 4(y + h*WG_Y) + 0..3 and columns 4(x + c*WG_X) + 0..3.
      for (var h = 0u; h < VM; h++) { a_reg[h] = As[k * a_row + lid.y + h * WG_Y]; }
      for (var c = 0u; c < VN; c++) { b_reg[c] = Bs[k * b_row + lid.x + c * WG_X]; }
      for (var h = 0u; h < VM; h++) {
        for (var j = 0u; j < 4u; j++) {
          let a = vec4<f32>(a_reg[h][j]);
          for (var c = 0u; c < VN; c++) {
            acc[(h * 4u + j) * VN + c] = fma(a, b_reg[c], acc[(h * 4u + j) * VN + c]);
          }
        }
      }
    }
    // No barrier here: the next step writes only `rows` before its first barrier.
  }

  let accumulate = (params.flags & 2u) != 0u;
  // Partial sums keep room for the bias column whether or not it is computed: a fixed layout.
  let partial_row = weights_per_oc + 1u;
  for (var r = 0u; r < TM; r++) {
    let m = m0 + (lid.y + (r / 4u) * WG_Y) * 4u + r % 4u;
    if (m >= M) { continue; }
    for (var c = 0u; c < TN; c++) {
      let n = n0 + (lid.x + (c / 4u) * WG_X) * 4u + c % 4u;
      if (n >= N) { continue; }
      let v = acc[r * VN + c / 4u][c % 4u];
      if (params.splitK > 1u) {
        partial[(wg.z * M + m) * partial_row + n] = v;
      } else if (n < weights_per_oc) {
        let idx = m * weights_per_oc + n;
        dw[idx] = select(v, v + dw[idx], accumulate);
      } else {
        db[m] = select(v, v + db[m], accumulate);
      }
    }
  }
}
