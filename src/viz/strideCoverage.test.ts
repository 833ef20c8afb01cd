import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convSteps } from './convSteps';
import { poolSteps } from './poolSteps';
import { slideOutSize, type Matrix } from './parse';
import { uncoveredCells, type VizTrace } from './trace';

const ones = (rows: number, cols: number): Matrix => ({ rows, cols, data: new Array<number>(rows * cols).fill(1) });

/** The input cells that no step's window (its 'area' mark on x) ever covers, by brute force. */
function neverInAWindow(trace: VizTrace): number[] {
  const x = trace.grids.find((g) => g.id === 'x')!;
  const seen = new Set<number>();
  for (const s of trace.steps)
    for (const m of s.marks) if (m.grid === 'x' && m.kind === 'area') m.cells.forEach((i) => seen.add(i));
  return Array.from({ length: x.rows * x.cols }, (_, i) => i).filter((i) => !seen.has(i));
}

describe('cells a stride leaves unused', () => {
  it('are the last row and column of a 5x5 input under 2x2 windows with stride 2', () => {
    expect(uncoveredCells(5, 5, 2, 2, 2, 2)).toEqual([4, 9, 14, 19, 20, 21, 22, 23, 24]);
  });

  it('are the gaps between 1x1 windows with stride 3 on a 4x4 input', () => {
    // Windows at rows and columns 0 and 3: rows 1 and 2 and columns 1 and 2 are skipped.
    const unused = uncoveredCells(4, 4, 1, 3, 2, 2);
    expect(unused).not.toContain(0);
    expect(unused).not.toContain(15);
    expect(unused).toContain(5);
    expect(unused).toHaveLength(12);
  });

  it('are none when windows tile the input', () => {
    expect(uncoveredCells(4, 4, 2, 2, 2, 2)).toEqual([]);
  });

  it('match the windows the pooling steps actually use, for every size and stride', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        (H, W, size, stride) => {
          fc.pre(size <= Math.min(H, W));
          const trace = poolSteps({ x: ones(H, W), size, stride, op: 'max', mode: 'forward', grad: null });
          expect(trace.grids[0].unused).toEqual(neverInAWindow(trace));
        },
      ),
    );
  });

  it('match the windows the convolution steps actually use, padding included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 4 }),
        (H, K, pad, stride) => {
          fc.pre(K <= H + 2 * pad && slideOutSize(H, K, stride, pad) >= 1);
          const trace = convSteps({ x: ones(H, H), k: ones(K, K), pad, stride, mode: 'forward', grad: null });
          expect(trace.grids[0].unused).toEqual(neverInAWindow(trace));
        },
      ),
    );
  });
});
