import { type KernelOverrides, type KernelSpec, type UniformValues, resolveOverrides } from '../engine/kernel/spec';
/**
 * Which GPU thread computes a given output cell of the matmul kernel (and of conv2d_forward). Sizes come from the kernel
 * table (workgroup size from `workgroupSize`, the tile a workgroup covers from `dispatch`), so a
 * changed override or tile size changes the answer. The strided ownership rule (thread x owns
 * columns x, x + WG_X, ...) is the one kernels/matmul.wgsl documents in its inner loop.
 */

export interface MatmulThread {
  /** Threads per workgroup [x, y, z]. */
  workgroupSize: [number, number, number];
  /** Workgroups dispatched for this M x N output [x, y, z]. */
  workgroups: [number, number, number];
  /** Output rows x columns one workgroup covers. */
  tile: { rows: number; cols: number };
  /** Outputs each thread keeps in registers, rows x columns. */
  perThread: { rows: number; cols: number };
  /** @builtin(workgroup_id) of the workgroup that writes the cell. */
  workgroup: { x: number; y: number };
  /** @builtin(local_invocation_id) of the thread inside it. */
  local: { x: number; y: number };
  /** Which of the thread's register outputs it is: acc[r * perThread.cols + c]. */
  register: { r: number; c: number };
}

/** The largest n for which `count(n)` (workgroups along one axis) is still 1: one workgroup's extent. */
function tileExtent(count: (n: number) => number): number {
  let hi = 1;
  while (count(hi) === 1 && hi < 1 << 20) hi *= 2;
  let lo = hi / 2; // count(lo) === 1, count(hi) > 1
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (count(mid) === 1) lo = mid;
    else hi = mid;
  }
  return lo;
}

function matmulExtent(spec: KernelSpec, o: KernelOverrides, axis: 'N' | 'M'): number {
  return tileExtent(
    (n) => spec.dispatch({ M: axis === 'M' ? n : 1, N: axis === 'N' ? n : 1, K: 1, flags: 0 }, o)[axis === 'N' ? 0 : 1],
  );
}

/** The block of C one workgroup of the matmul kernel computes, and how deep one staging step is (TILE_K). */
export interface MatmulTileSizes {
  rows: number;
  cols: number;
  depth: number;
}

/** The real kernel's tile: rows x cols of C per workgroup (from `dispatch`), TILE_K terms per staging step. */
export function matmulTileSizes(spec: KernelSpec, overrides?: KernelOverrides): MatmulTileSizes {
  const o = resolveOverrides(spec, overrides);
  return { rows: matmulExtent(spec, o, 'M'), cols: matmulExtent(spec, o, 'N'), depth: o.TILE_K };
}

/** The workgroup, thread and register that compute C[row, col] of an M x N product. */
export function matmulThreadFor(
  spec: KernelSpec,
  M: number,
  K: number,
  N: number,
  row: number,
  col: number,
  overrides?: KernelOverrides,
): MatmulThread {
  const o = resolveOverrides(spec, overrides);
  const [wgX, wgY, wgZ] = spec.workgroupSize(o);
  const tileCols = matmulExtent(spec, o, 'N');
  const tileRows = matmulExtent(spec, o, 'M');
  const inCol = col % tileCols;
  const inRow = row % tileRows;
  return {
    workgroupSize: [wgX, wgY, wgZ],
    workgroups: spec.dispatch({ M, N, K, flags: 0 }, o),
    tile: { rows: tileRows, cols: tileCols },
    perThread: { rows: tileRows / wgY, cols: tileCols / wgX },
    workgroup: { x: Math.floor(col / tileCols), y: Math.floor(row / tileRows) },
    local: { x: inCol % wgX, y: inRow % wgY },
    register: { r: Math.floor(inRow / wgY), c: Math.floor(inCol / wgX) },
  };
}

/** The output shape of a conv2d_forward call, as its uniforms name it. */
export interface ConvOutputShape {
  batch: number;
  outC: number;
  outH: number;
  outW: number;
}

/** Which GPU thread of conv2d_forward computes y[b, oc, oy, ox]. */
export interface ConvThread {
  /** Threads per workgroup [x, y, z]. */
  workgroupSize: [number, number, number];
  /** Workgroups dispatched for this output [x, y, z]. */
  workgroups: [number, number, number];
  /** The implicit matrix: M = batch·outH·outW output positions (rows), N = outC filters (columns). */
  matrix: { M: number; N: number };
  /** p = (b·outH + oy)·outW + ox: the output position's row of the implicit matrix. */
  position: number;
  /** Output positions (along x) and filters (along y) one workgroup covers. */
  tile: { positions: number; channels: number };
  /** Positions and filters each thread keeps in registers. */
  perThread: { positions: number; channels: number };
  /** @builtin(workgroup_id) of the workgroup that writes the value. */
  workgroup: { x: number; y: number };
  /** @builtin(local_invocation_id) of the thread inside it. */
  local: { x: number; y: number };
  /** The register: acc[r * perThread.channels + c], r along positions and c along filters. */
  register: { r: number; c: number; index: number };
}

/**
 * The workgroup, thread and register of conv2d_forward (an implicit GEMM) that compute one output
 * value. Tile sizes come from the spec's `dispatch` and `workgroupSize`, with `uniforms` as the
 * call would pass them (e.g. conv2dUniforms(geometry)); the strided ownership rule (thread x owns
 * positions x, x + WG_X, ...; thread y owns filters y, y + WG_Y, ...) is the one
 * kernels/conv2d_forward.wgsl documents in its inner loop.
 */
export function convThreadFor(
  spec: KernelSpec,
  uniforms: UniformValues,
  out: { b: number; oc: number; oy: number; ox: number },
  overrides?: KernelOverrides,
): ConvThread {
  const o = resolveOverrides(spec, overrides);
  const [wgX, wgY, wgZ] = spec.workgroupSize(o);
  const one = { ...uniforms, batch: 1, outH: 1, outW: 1, outC: 1 };
  const tilePositions = tileExtent((n) => spec.dispatch({ ...one, outW: n }, o)[0]);
  const tileChannels = tileExtent((n) => spec.dispatch({ ...one, outC: n }, o)[1]);
  const perThread = { positions: tilePositions / wgX, channels: tileChannels / wgY };
  const p = (out.b * uniforms.outH + out.oy) * uniforms.outW + out.ox;
  const inP = p % tilePositions;
  const inC = out.oc % tileChannels;
  const r = Math.floor(inP / wgX);
  const c = Math.floor(inC / wgY);
  return {
    workgroupSize: [wgX, wgY, wgZ],
    workgroups: spec.dispatch(uniforms, o),
    matrix: { M: uniforms.batch * uniforms.outH * uniforms.outW, N: uniforms.outC },
    position: p,
    tile: { positions: tilePositions, channels: tileChannels },
    perThread,
    workgroup: { x: Math.floor(p / tilePositions), y: Math.floor(out.oc / tileChannels) },
    local: { x: inP % wgX, y: inC % wgY },
    register: { r, c, index: r * perThread.channels + c },
  };
}

/** The real conv kernel's tile as a matmul tile: positions are rows, filters columns, TILE_K terms per step. */
export function convTileSizes(spec: KernelSpec, uniforms: UniformValues, overrides?: KernelOverrides): MatmulTileSizes {
  const t = convThreadFor(spec, uniforms, { b: 0, oc: 0, oy: 0, ox: 0 }, overrides);
  return { rows: t.tile.positions, cols: t.tile.channels, depth: resolveOverrides(spec, overrides).TILE_K };
}
