// Matrix transpose: y = xᵀ, for a row-major x of [rows, cols] into a row-major y of [cols, rows].
//
// Why it exists: matmul_large reads A fastest when A is stored transposed ([K, M]), because its
// workgroup copy of A is then a straight copy rather than a transposing one. For a big
// multiply with A in the plain layout ([M, K]) it is quicker to transpose A once, here, and run
// the transposed-A path: the multiply saves several times what the transpose costs
// (dispatchLargePlainA in src/engine/train/gpuTrainer.ts; bench/README.md has the figures).
//
// How: each workgroup moves one 32x32 block. It reads the block's rows (neighbouring threads read
// neighbouring addresses), parks them in workgroup memory, and writes the block's columns as rows
// of y (again neighbouring addresses). Each row of the parked block is 33 wide, not 32, so the 32
// threads that read one column of it hit 32 different memory banks instead of one.

struct Params {
  rows: u32,
  cols: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

const BLOCK: u32 = 32u;
const PITCH: u32 = 33u;

var<workgroup> block: array<f32, 1056>; // BLOCK * PITCH

@compute @workgroup_size(32, 8, 1)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let row0 = wg.y * BLOCK;
  let col0 = wg.x * BLOCK;
  // Read: thread (lx, ly) takes column col0 + lx of rows row0 + ly, + ly + 8, ...
  for (var i = lid.y; i < BLOCK; i += 8u) {
    let r = row0 + i;
    let c = col0 + lid.x;
    if (r < params.rows && c < params.cols) {
      block[i * PITCH + lid.x] = x[r * params.cols + c];
    }
  }
  workgroupBarrier();
  // Write: thread (lx, ly) writes row col0 + ly (+ 8, ...) of y, at column row0 + lx.
  for (var i = lid.y; i < BLOCK; i += 8u) {
    let c = col0 + i;
    let r = row0 + lid.x;
    if (r < params.rows && c < params.cols) {
      y[c * params.rows + r] = block[lid.x * PITCH + i];
    }
  }
}
