// Gathers one mini-batch from the dataset that lives on the GPU and normalises it.
// Images are bytes packed 4 per u32 (little-endian: byte i is bits 8*(i%4) of word i/4), so the
// whole MNIST training set fits in ~47 MB instead of ~188 MB as f32.
//   x_out[b * pixels + p] = ((byte / 255) - mean) / std     (f32, exactly cpu/batch.ts gatherBatch)
//   y_out[b]              = the image's label (u32)
// mode 0 (training): image = perm[train_state[1] * batch + b]; the step within the epoch comes
//   from a GPU buffer so many steps can be recorded in one command buffer with no CPU writes.
// mode 1 (evaluation): image = offset + b; rows at or past `count` are padding: zeros, label
//   0xffffffff (the loss/evaluate kernels skip that label).

struct Params {
  batch: u32,
  pixels: u32,
  mean: f32,
  stdDev: f32, // `std` is a reserved word in WGSL
  mode: u32,
  offset: u32,
  count: u32,
}

@group(0) @binding(0) var<storage, read> images: array<u32>;
@group(0) @binding(1) var<storage, read> labels: array<u32>;
@group(0) @binding(2) var<storage, read> perm: array<u32>;
@group(0) @binding(3) var<storage, read> train_state: array<u32>;
@group(0) @binding(4) var<storage, read_write> x_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> y_out: array<u32>;
@group(0) @binding(6) var<uniform> params: Params;

override WG: u32 = 256u;

const PADDING_LABEL: u32 = 0xffffffffu;

fn read_byte(index: u32) -> u32 {
  return (images[index >> 2u] >> ((index & 3u) * 8u)) & 0xffu;
}

fn read_label(index: u32) -> u32 {
  return (labels[index >> 2u] >> ((index & 3u) * 8u)) & 0xffu;
}

// Correctly rounded f32 division a / b, by integer long division of the mantissas.
// WGSL only promises a / b to 2.5 ulp, and real GPUs (and SwiftShader) do round differently from
// IEEE division, which would break bit-exactness with the CPU. Integer operations are exact
// everywhere, so this gives the IEEE result on every GPU. It covers normal inputs and results
// (all that normalising bytes needs); anything else falls back to the hardware division.
fn div_rn(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let sign = (ua ^ ub) & 0x80000000u;
  if ((ua & 0x7fffffffu) == 0u) { return bitcast<f32>(sign); }
  let ea = i32((ua >> 23u) & 0xffu);
  let eb = i32((ub >> 23u) & 0xffu);
  if (ea == 0 || eb == 0 || ea == 255 || eb == 255) { return a / b; }
  var ma = (ua & 0x7fffffu) | 0x800000u;
  let mb = (ub & 0x7fffffu) | 0x800000u;
  var e = ea - eb + 127;
  // Scale so 1 <= ma / mb < 2: the quotient's leading bit is then the first one produced.
  if (ma < mb) { ma = ma << 1u; e -= 1; }
  // 24 mantissa bits plus one guard bit, one bit per step; r stays below 2 * mb < 2^25.
  var q = 0u;
  var r = ma;
  for (var i = 0u; i < 25u; i++) {
    q = q << 1u;
    if (r >= mb) { r -= mb; q |= 1u; }
    r = r << 1u;
  }
  let guard = q & 1u;
  q = q >> 1u;
  // Round to nearest, ties to even: up if above half, or exactly half and q is odd.
  if (guard == 1u && (r != 0u || (q & 1u) == 1u)) { q += 1u; }
  if (q == 0x1000000u) { q = q >> 1u; e += 1; }
  if (e <= 0 || e >= 255) { return a / b; }
  return bitcast<f32>(sign | (u32(e) << 23u) | (q & 0x7fffffu));
}

// Which dataset image row b holds, or PADDING_LABEL for an evaluation row past the end.
fn image_index(b: u32) -> u32 {
  if (params.mode == 0u) {
    return perm[train_state[1] * params.batch + b];
  }
  let i = params.offset + b;
  if (i >= params.count) { return PADDING_LABEL; }
  return i;
}

// Grid-stride over batch*pixels outputs: any batch size fits in the 65535-workgroup limit.
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let total = params.batch * params.pixels;
  let stride = groups.x * WG;
  for (var i = gid.x; i < total; i += stride) {
    let b = i / params.pixels;
    let p = i - b * params.pixels;
    let image = image_index(b);
    if (image == PADDING_LABEL) {
      x_out[i] = 0.0;
      if (p == 0u) { y_out[b] = PADDING_LABEL; }
      continue;
    }
    // Three correctly rounded f32 operations, in the CPU twin's order, so results are bit-exact.
    let scaled = div_rn(f32(read_byte(image * params.pixels + p)), 255.0);
    let centred = scaled - params.mean;
    x_out[i] = div_rn(centred, params.stdDev);
    if (p == 0u) { y_out[b] = read_label(image); }
  }
}
