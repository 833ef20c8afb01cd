// Max pooling gradient (cpu/pool.ts maxPoolBackward): every input cell gets the sum of dy over
// the windows whose argmax is that cell (0 if it won none). Every element of dx is written by
// exactly one thread, so no atomics are needed, and each sum runs in increasing output order,
// like the CPU twin. Two ways, chosen by the shape (the dispatch follows the same rule):
// - windows that tile the image (stride == size, the usual 2x2/2): a thread per OUTPUT writes its
//   window's cells, dy at the winner and 0 elsewhere, and the last row/column of windows also
//   zero the cells past them that no window covers. A quarter as many threads as cells and far
//   fewer integer divisions: measured faster on pytorch-cnn's pooling gradient (bench/train.ts
//   --layer-costs; bench/README.md has the figures).
// - overlapping or gapped windows (stride != size): GATHER, a thread per input cell visits the
//   few windows that cover it and adds dy over those it won.
// With `dropout` set, the pooled output went through a dropout layer, and dy is the gradient after
// it: each value is first passed back through that dropout exactly as kernels/dropout_backward.wgsl
// does (dy / (1 - rate) where its mask kept the value, 0 where it dropped it), which saves the
// trainer the dropout's own backward pass (one dispatch less per step).
struct Params {
  batch: u32,
  channels: u32,
  inH: u32,
  inW: u32,
  size: u32,
  stride: u32,
  outH: u32,
  outW: u32,
  // 1: dy comes from after a dropout layer with this rate and `mask` (see the top); 0: plain dy.
  dropout: u32,
  dropoutRate: f32,
}

@group(0) @binding(0) var<storage, read> dy: array<f32>;
@group(0) @binding(1) var<storage, read> argmax: array<u32>;
@group(0) @binding(2) var<storage, read_write> dx: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@group(0) @binding(4) var<storage, read> mask: array<u32>;

override WG: u32 = 256u;

// Window positions o (along one axis) whose window [o*stride, o*stride + size) covers i:
// ceil((i - size + 1) / stride) <= o <= floor(i / stride), clipped to [0, out - 1]. Returns [first, last + 1).
// The gradient at pooled output o: dy, or with `dropout` what dropout_backward makes of it.
fn grad_at(o: u32) -> f32 {
  let g = dy[o];
  if (params.dropout == 0u) { return g; }
  let scale = 1.0 / (1.0 - params.dropoutRate);
  return select(0.0, g * scale, mask[o] != 0u);
}

fn covering(i: u32, out: u32) -> vec2<u32> {
  var first = 0u;
  if (i + 1u > params.size) { first = (i + 1u - params.size + params.stride - 1u) / params.stride; }
  let last_plus_one = min(i / params.stride + 1u, out);
  return vec2<u32>(first, max(first, last_plus_one));
}

// The tiling case: thread o owns window o and, on the last row or column of windows, the
// uncovered cells past it.
fn scatter(o: u32) {
  let ox = o % params.outW;
  let t = o / params.outW;
  let s = params.stride;
  let winner = argmax[o];
  let g = grad_at(o);
  if (s == 2u && params.inH == 2u * params.outH && params.inW == 2u * params.outW) {
    // 2x2 windows that cover the image exactly (pytorch-cnn's): the window's top-left cell is
    // row 2 * t of the stacked planes, column 2 * ox; its 4 cells are written straight out, with
    // no loops and half the divisions (0.0 + g as below).
    let i = 2u * t * params.inW + 2u * ox;
    dx[i] = select(0.0, 0.0 + g, i == winner);
    dx[i + 1u] = select(0.0, 0.0 + g, i + 1u == winner);
    dx[i + params.inW] = select(0.0, 0.0 + g, i + params.inW == winner);
    dx[i + params.inW + 1u] = select(0.0, 0.0 + g, i + params.inW + 1u == winner);
    return;
  }
  let oy = t % params.outH;
  let plane = t / params.outH;
  let y_end = select(oy * s + s, params.inH, oy + 1u == params.outH);
  let x_end = select(ox * s + s, params.inW, ox + 1u == params.outW);
  for (var iy = oy * s; iy < y_end; iy++) {
    let row = (plane * params.inH + iy) * params.inW;
    for (var ix = ox * s; ix < x_end; ix++) {
      let i = row + ix;
      // 0.0 + g, as the gather sum writes it (so -0.0 becomes +0.0 the same way).
      dx[i] = select(0.0, 0.0 + g, i == winner);
    }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  if (params.stride == params.size) {
    let outputs = params.batch * params.channels * params.outH * params.outW;
    for (var o = gid.x; o < outputs; o += groups.x * WG) { scatter(o); }
    return;
  }
  let total = params.batch * params.channels * params.inH * params.inW;
  let stride = groups.x * WG;
  for (var i = gid.x; i < total; i += stride) {
    let ix = i % params.inW;
    let iy = (i / params.inW) % params.inH;
    let plane = i / (params.inW * params.inH);
    let rows = covering(iy, params.outH);
    let cols = covering(ix, params.outW);
    var sum = 0.0;
    for (var oy = rows.x; oy < rows.y; oy++) {
      for (var ox = cols.x; ox < cols.y; ox++) {
        let o = (plane * params.outH + oy) * params.outW + ox;
        if (argmax[o] == i) { sum += grad_at(o); }
      }
    }
    dx[i] = sum;
  }
}
