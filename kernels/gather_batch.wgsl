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
  std: f32,
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
    // Three separately rounded f32 operations, in the CPU twin's order, so results are bit-exact.
    let scaled = f32(read_byte(image * params.pixels + p)) / 255.0;
    let centred = scaled - params.mean;
    x_out[i] = centred / params.std;
    if (p == 0u) { y_out[b] = read_label(image); }
  }
}
