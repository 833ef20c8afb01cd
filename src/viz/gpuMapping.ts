/**
 * Which GPU thread computes a given output cell of the matmul kernel. Sizes come from the kernel
 * table (workgroup size from `workgroupSize`, the tile a workgroup covers from `dispatch`), so a
 * changed override or tile size changes the answer. The strided ownership rule (thread x owns
 * columns x, x + WG_X, ...) is the one kernels/matmul.wgsl documents in its inner loop.
 */
import type { KernelOverrides, KernelSpec } from '../engine/kernels';
import { resolveOverrides } from '../engine/kernels';

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

/** The output extent one workgroup covers along an axis: the largest n that still needs one workgroup. */
function tileExtent(spec: KernelSpec, o: KernelOverrides, axis: 'N' | 'M'): number {
  const count = (n: number) => spec.dispatch({ M: axis === 'M' ? n : 1, N: axis === 'N' ? n : 1, K: 1, flags: 0 }, o)[axis === 'N' ? 0 : 1];
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
  const tileCols = tileExtent(spec, o, 'N');
  const tileRows = tileExtent(spec, o, 'M');
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
