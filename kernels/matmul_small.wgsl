// Matrix multiply for SMALL outputs: the same C = op(A) · op(B) (+ bias) (+ old C) (then ReLU),
// with the same parameters and flag bits as kernels/matmul.wgsl, and the same result to the bit.
//
// Why a third matmul: a dense layer's last, 10-unit layer makes a C of only 64x10 or 256x10.
// matmul.wgsl puts such a C in one or two 64x64 workgroups, which walk K in 16-deep steps with
// two barriers each, on one or two of a big GPU's many multiprocessors: pytorch-cnn's last layer
// took far longer than its 82 thousand multiply-adds need (bench/README.md has the figures).
// Here every output gets its own thread, which
// reads its row of op(A) and column of op(B) straight from memory (the layer's inputs are small and
// cached), 16 terms at a time so their loads wait together. With no workgroup memory and no barriers
// the threads spread over many multiprocessors.
//
// Same bits as matmul.wgsl: each output's terms are added in the same order (k = 0, 1, 2, ...
// with fma), and when matmul's caller splits K into chunks (splitK > 1, finished by
// matmul_reduce.wgsl), this kernel sums each chunk the same way and adds the chunks' sums in order
// 0, 1, 2, ... as matmul_reduce does, so one dispatch replaces the two. The trainer picks this
// kernel for small outputs with a short K (matmulKernelFor in src/engine/kernels.ts).
//
// Only here, for a dense layer's input gradient dX = dY·Wᵀ (bits 9 and 10): the backward pass of
// the layer right before this one's input is applied to C as it is written, which saves the
// trainer that layer's own backward dispatch. `gate` holds, by element of C:
//   bit 9:  a dropout's u32 0/1 mask:  C = v / (1 - gateRate) where kept, 0 where dropped
//           (kernels/dropout_backward.wgsl, the same expression);
//   bit 10: a ReLU's output, as f32 bits:  C = v where it is > 0, else 0 (activation_backward.wgsl).

struct Params {
  M: u32,
  N: u32,
  K: u32,
  // As in matmul.wgsl: bit 0 A stored transposed ([K, M]); bit 1 B stored transposed ([N, K]);
  // bit 2 add bias[n]; bit 3 add into C; bit 4 ReLU; bit 5 the bias is stored in B after the
  // matrix (B[K*N + n]); bit 6 op(A) has an extra last row of ones.
  flags: u32,
  // The chunks of K that matmul would have split into (1: none), and their length.
  splitK: u32,
  kChunk: u32,
  // The dropout's rate (bit 9).
  gateRate: f32,
}

@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;
// Bits 9 and 10 only (see the top).
@group(0) @binding(5) var<storage, read> gate: array<u32>;

override WG: u32 = 64u;

fn bias_at(n: u32) -> f32 {
  if ((params.flags & 32u) != 0u) { return B[params.K * params.N + n]; }
  return bias[n];
}

// Where one output's row of op(A) and column of op(B) lie: op(A)[m, k] is A[a0 + k * a_step], or
// 1.0 in the ones row; op(B)[k, n] is B[b0 + k * b_step]. Worked out once per output so that the
// loads below are straight-line code, which lets them all be in flight at once.
struct Walk {
  a0: u32,
  a_step: u32,
  ones: bool,
  b0: u32,
  b_step: u32,
}

fn walk_for(m: u32, n: u32) -> Walk {
  var w: Walk;
  let ones_row = (params.flags & 64u) != 0u;
  w.ones = ones_row && m == params.M - 1u;
  // With the ones row the stored A has M-1 rows.
  let rows = select(params.M, params.M - 1u, ones_row);
  if ((params.flags & 1u) != 0u) { w.a0 = m; w.a_step = rows; } else { w.a0 = m * params.K; w.a_step = 1u; }
  // The ones row reads A[0] (always there) and replaces it with 1.0.
  if (w.ones) { w.a0 = 0u; w.a_step = 0u; }
  if ((params.flags & 2u) != 0u) { w.b0 = n * params.K; w.b_step = 1u; } else { w.b0 = n; w.b_step = params.N; }
  return w;
}

// The sum of op(A)[m, k] * op(B)[k, n] over k in [k0, k1), from 0 in order with fma.
fn chunk_sum(w: Walk, k0: u32, k1: u32) -> f32 {
  var acc = 0.0;
  var k = k0;
  for (; k + 16u <= k1; k += 16u) {
    // All 32 loads first, then the 16 multiply-adds in order.
    var a: array<f32, 16>;
    var b: array<f32, 16>;
    for (var j = 0u; j < 16u; j++) {
      a[j] = select(A[w.a0 + (k + j) * w.a_step], 1.0, w.ones);
      b[j] = B[w.b0 + (k + j) * w.b_step];
    }
    for (var j = 0u; j < 16u; j++) { acc = fma(a[j], b[j], acc); }
  }
  for (; k < k1; k++) {
    acc = fma(select(A[w.a0 + k * w.a_step], 1.0, w.ones), B[w.b0 + k * w.b_step], acc);
  }
  return acc;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let count = params.M * params.N;
  // Grid-stride: a C of more than 65535 workgroups' worth of outputs is still covered.
  for (var idx = gid.x; idx < count; idx += groups.x * WG) {
    let m = idx / params.N;
    let n = idx - m * params.N;
    let w = walk_for(m, n);
    var v: f32;
    if (params.splitK > 1u) {
      // matmul's chunks, each summed on its own, then added in order as matmul_reduce adds them.
      v = 0.0;
      for (var z = 0u; z < params.splitK; z++) {
        let k0 = min(params.K, z * params.kChunk);
        v += chunk_sum(w, k0, min(params.K, k0 + params.kChunk));
      }
    } else {
      v = chunk_sum(w, 0u, params.K);
    }
    if ((params.flags & 4u) != 0u) { v += bias_at(n); }
    if ((params.flags & 8u) != 0u) { v += C[idx]; }
    if ((params.flags & 16u) != 0u) { v = max(v, 0.0); }
    if ((params.flags & 512u) != 0u) { v = select(0.0, v * (1.0 / (1.0 - params.gateRate)), gate[idx] != 0u); }
    if ((params.flags & 1024u) != 0u) { v = select(0.0, v, bitcast<f32>(gate[idx]) > 0.0); }
    C[idx] = v;
  }
}
