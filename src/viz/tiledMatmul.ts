/**
 * The tiled algorithm of kernels/matmul.wgsl (and of conv2d_forward, an implicit matmul) one
 * staging step at a time. Each workgroup owns a `rows` x `cols` block of C; it walks K in steps of
 * `depth` (TILE_K), and at each step copies a rows x depth slice of A and a depth x cols slice of
 * B into workgroup memory, then adds those `depth` products into every owned cell. Values past
 * the edge of A or B are staged as 0 in the kernel; here only the real ones are kept, and sums
 * run k = 0, 1, 2, ... like cpu/dense.matmul, so the final partial sums equal it exactly.
 */
import type { MatmulTileSizes } from './gpuMapping';

export interface TileStep {
  /** Step number t (0-based): it covers k = k0 .. kEnd − 1. */
  t: number;
  k0: number;
  /** One past the last real k of the step (at most k0 + depth, at most K). */
  kEnd: number;
  /** The staged slice of A that lies inside A: validRows x (kEnd − k0), row-major. */
  aTile: number[];
  /** The staged slice of B that lies inside B: (kEnd − k0) x validCols, row-major. */
  bTile: number[];
  /** Staging slots past the edge of A or B, filled with 0 by the kernel. */
  zeroSlots: number;
  /** Partial sums of the owned cells that lie inside C after this step: validRows x validCols. */
  partial: number[];
}

export interface TiledWorkgroup {
  /** workgroup_id (x along the columns of C, y along its rows). */
  x: number;
  y: number;
  /** First row and column of C the workgroup owns. */
  row0: number;
  col0: number;
  /** Owned rows and columns that lie inside C (the tile may hang over the edge). */
  rows: number;
  cols: number;
  steps: TileStep[];
}

export interface TiledMatmul {
  M: number;
  K: number;
  N: number;
  tile: MatmulTileSizes;
  /** Workgroups along x (columns of C) and y (rows of C). */
  grid: { x: number; y: number };
  /** Staging steps every workgroup takes: ceil(K / depth). */
  kTiles: number;
  /** Row-major by workgroup y, then x. */
  workgroups: TiledWorkgroup[];
}

function checkTile(tile: MatmulTileSizes): void {
  for (const [name, v] of Object.entries(tile)) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`tile ${name} must be a whole number >= 1, got ${v}`);
  }
}

/** Every workgroup's staging steps for C = A·B with A [M, K] and B [K, N] (row-major). */
export function tiledMatmulSteps(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  tile: MatmulTileSizes,
): TiledMatmul {
  checkTile(tile);
  if (a.length !== M * K || b.length !== K * N) throw new RangeError(`A must have ${M * K} values and B ${K * N}`);
  const grid = { x: Math.ceil(N / tile.cols), y: Math.ceil(M / tile.rows) };
  const kTiles = Math.ceil(K / tile.depth);
  const workgroups: TiledWorkgroup[] = [];
  for (let wy = 0; wy < grid.y; wy++) {
    for (let wx = 0; wx < grid.x; wx++) {
      const row0 = wy * tile.rows;
      const col0 = wx * tile.cols;
      const rows = Math.min(tile.rows, M - row0);
      const cols = Math.min(tile.cols, N - col0);
      const acc = new Array<number>(rows * cols).fill(0);
      const steps: TileStep[] = [];
      for (let t = 0; t < kTiles; t++) {
        const k0 = t * tile.depth;
        const kEnd = Math.min(K, k0 + tile.depth);
        const d = kEnd - k0;
        const aTile: number[] = [];
        for (let r = 0; r < rows; r++) for (let k = k0; k < kEnd; k++) aTile.push(a[(row0 + r) * K + k]);
        const bTile: number[] = [];
        for (let k = k0; k < kEnd; k++) for (let c = 0; c < cols; c++) bTile.push(b[k * N + col0 + c]);
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            let s = acc[r * cols + c];
            for (let k = 0; k < d; k++) s += aTile[r * d + k] * bTile[k * cols + c];
            acc[r * cols + c] = s;
          }
        }
        const slots = tile.rows * tile.depth + tile.depth * tile.cols;
        steps.push({ t, k0, kEnd, aTile, bTile, zeroSlots: slots - aTile.length - bTile.length, partial: acc.slice() });
      }
      workgroups.push({ x: wx, y: wy, row0, col0, rows, cols, steps });
    }
  }
  return { M, K, N, tile, grid, kTiles, workgroups };
}

/** The workgroup that owns C[row, col]. */
export function tiledOwner(t: TiledMatmul, row: number, col: number): TiledWorkgroup {
  if (!(row >= 0 && row < t.M && col >= 0 && col < t.N))
    throw new RangeError(`C[${row},${col}] is outside the ${t.M}x${t.N} result`);
  return t.workgroups[Math.floor(row / t.tile.rows) * t.grid.x + Math.floor(col / t.tile.cols)];
}

/** C assembled from every workgroup's partial sums after its last step (what the kernel stores). */
export function tiledResult(t: TiledMatmul): number[] {
  const c = new Array<number>(t.M * t.N).fill(0);
  for (const w of t.workgroups) {
    const last = w.steps[w.steps.length - 1];
    if (!last) continue;
    for (let r = 0; r < w.rows; r++)
      for (let col = 0; col < w.cols; col++) c[(w.row0 + r) * t.N + w.col0 + col] = last.partial[r * w.cols + col];
  }
  return c;
}

/**
 * The implicit matrix of a single-channel convolution (im2col): row p = (oy·outW + ox) holds the
 * k·k input values under the kernel at output position p, 0 where the window hangs over the
 * padding. Times the flattened kernel (a k·k x 1 matrix) it gives the output, one row per position.
 */
export function im2col(
  x: ArrayLike<number>,
  H: number,
  W: number,
  k: number,
  stride: number,
  pad: number,
): { rows: number; cols: number; data: number[] } {
  const OH = Math.floor((H + 2 * pad - k) / stride) + 1;
  const OW = Math.floor((W + 2 * pad - k) / stride) + 1;
  const data: number[] = [];
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          const iy = oy * stride - pad + ky;
          const ix = ox * stride - pad + kx;
          data.push(iy >= 0 && ix >= 0 && iy < H && ix < W ? x[iy * W + ix] : 0);
        }
      }
    }
  }
  return { rows: OH * OW, cols: k * k, data };
}
