import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmul } from '../engine/ops/matmul/cpu';
import { conv2dForward, conv2dGeometry } from '../engine/ops/conv2d/cpu';
import { matmulTileSizes } from './gpuMapping';
import { im2col, tiledMatmulSteps, tiledOwner, tiledResult } from './tiledMatmul';
import { matrixOf } from './testing';
import { MATMUL } from '../engine/ops/matmul/specs';

const dims = fc.record({
  M: fc.integer({ min: 1, max: 9 }),
  K: fc.integer({ min: 1, max: 11 }),
  N: fc.integer({ min: 1, max: 9 }),
});
const tiles = fc.record({
  rows: fc.integer({ min: 1, max: 5 }),
  cols: fc.integer({ min: 1, max: 5 }),
  depth: fc.integer({ min: 1, max: 5 }),
});
const problem = fc
  .tuple(dims, tiles)
  .chain(([d, tile]) => fc.tuple(fc.constant(d), fc.constant(tile), matrixOf(d.M, d.K), matrixOf(d.K, d.N)));

describe('tiledMatmulSteps', () => {
  it('ends with exactly the CPU matmul, for random shapes and tiles (K often not a multiple of TILE_K)', () => {
    fc.assert(
      fc.property(problem, ([{ M, K, N }, tile, a, b]) => {
        const t = tiledMatmulSteps(a.data, b.data, M, K, N, tile);
        expect(t.kTiles).toBe(Math.ceil(K / tile.depth));
        expect(t.workgroups).toHaveLength(Math.ceil(M / tile.rows) * Math.ceil(N / tile.cols));
        expect(tiledResult(t)).toEqual(
          Array.from(matmul(Float64Array.from(a.data), Float64Array.from(b.data), M, K, N)),
        );
      }),
    );
  });

  it('stages a rows x TILE_K slice of A and a TILE_K x cols slice of B per step, and the partial sums grow by exactly those terms', () => {
    fc.assert(
      fc.property(problem, ([{ M, K, N }, tile, a, b]) => {
        const t = tiledMatmulSteps(a.data, b.data, M, K, N, tile);
        for (const w of t.workgroups) {
          expect(w.steps).toHaveLength(t.kTiles);
          w.steps.forEach((s, i) => {
            expect(s.k0).toBe(i * tile.depth);
            expect(s.kEnd).toBe(Math.min(K, (i + 1) * tile.depth));
            const d = s.kEnd - s.k0;
            expect(s.aTile).toEqual(
              Array.from({ length: w.rows * d }, (_, j) => a.data[(w.row0 + Math.floor(j / d)) * K + s.k0 + (j % d)]),
            );
            expect(s.bTile).toEqual(
              Array.from(
                { length: d * w.cols },
                (_, j) => b.data[(s.k0 + Math.floor(j / w.cols)) * N + w.col0 + (j % w.cols)],
              ),
            );
            expect(s.zeroSlots).toBe(tile.rows * tile.depth + tile.depth * tile.cols - s.aTile.length - s.bTile.length);
            // After step i, cell (r, c) holds the sum of its first kEnd products.
            for (let r = 0; r < w.rows; r++) {
              for (let c = 0; c < w.cols; c++) {
                let sum = 0;
                for (let k = 0; k < s.kEnd; k++) sum += a.data[(w.row0 + r) * K + k] * b.data[k * N + w.col0 + c];
                expect(s.partial[r * w.cols + c]).toBe(sum);
              }
            }
          });
        }
      }),
      { numRuns: 50 },
    );
  });

  it('finds the owner of a cell, and with the real 64x64 tile one workgroup owns a whole 8x8 product', () => {
    const a = Array.from({ length: 15 }, (_, i) => i);
    const b = Array.from({ length: 20 }, (_, i) => i - 3);
    const small = tiledMatmulSteps(a, b, 3, 5, 4, { rows: 2, cols: 2, depth: 2 });
    expect(small.grid).toEqual({ x: 2, y: 2 });
    expect(tiledOwner(small, 2, 3)).toMatchObject({ x: 1, y: 1, row0: 2, col0: 2, rows: 1, cols: 2 });
    // K = 5 in steps of 2: 2 + 2 + 1 real terms. Of the 2x2 + 2x2 staging slots, A's missing row 3
    // leaves 2 zeros per step, and the last step's missing k = 5 one more of A and two of B.
    expect(tiledOwner(small, 2, 3).steps.map((s) => [s.k0, s.kEnd, s.zeroSlots])).toEqual([
      [0, 2, 2],
      [2, 4, 2],
      [4, 5, 5],
    ]);
    expect(() => tiledOwner(small, 3, 0)).toThrow(RangeError);
    const real = matmulTileSizes(MATMUL);
    const big = tiledMatmulSteps(new Array(64).fill(1), new Array(64).fill(2), 8, 8, 8, real);
    expect(big.workgroups).toHaveLength(1);
    expect(big.kTiles).toBe(1);
  });

  it('rejects a tile of size 0 and matrices of the wrong length', () => {
    expect(() => tiledMatmulSteps([1], [1], 1, 1, 1, { rows: 0, cols: 1, depth: 1 })).toThrow(RangeError);
    expect(() => tiledMatmulSteps([1, 2], [1], 1, 1, 1, { rows: 1, cols: 1, depth: 1 })).toThrow(RangeError);
  });
});

describe('im2col', () => {
  it('times the flattened kernel gives the CPU convolution, with padding and stride', () => {
    const shapes = fc
      .record({
        H: fc.integer({ min: 1, max: 7 }),
        W: fc.integer({ min: 1, max: 7 }),
        k: fc.integer({ min: 1, max: 3 }),
        stride: fc.integer({ min: 1, max: 3 }),
        pad: fc.integer({ min: 0, max: 2 }),
      })
      .filter(({ H, W, k, pad }) => k <= H + 2 * pad && k <= W + 2 * pad);
    fc.assert(
      fc.property(
        shapes.chain((s) => fc.tuple(fc.constant(s), matrixOf(s.H, s.W), matrixOf(s.k, s.k))),
        ([s, x, w]) => {
          const cols = im2col(x.data, s.H, s.W, s.k, s.stride, s.pad);
          const g = conv2dGeometry(1, [1, s.H, s.W], 1, s.k, s.stride, s.pad);
          expect(cols.rows).toBe(g.outHeight * g.outWidth);
          const t = tiledMatmulSteps(cols.data, w.data, cols.rows, cols.cols, 1, { rows: 2, cols: 1, depth: 2 });
          const ref = conv2dForward(Float64Array.from(x.data), Float64Array.from(w.data), new Float64Array(1), g);
          const got = tiledResult(t);
          ref.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 9));
        },
      ),
    );
  });
});
