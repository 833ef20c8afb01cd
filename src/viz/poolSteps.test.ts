import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  avgPoolBackward,
  avgPoolForward,
  maxPoolBackward,
  maxPoolForward,
  pool2dGeometry,
} from '../engine/ops/pool/cpu';
import type { PoolInput } from './parse';
import { poolBackwardSteps, poolForwardSteps } from './poolSteps';
import { valuesAt } from './trace';
import { cellValue, matrixOf } from './testing';

/** Random valid pool problems up to 12x12, with ties made likely by drawing from few values. */
const problem = (op: 'max' | 'avg'): fc.Arbitrary<PoolInput> =>
  fc
    .record({
      H: fc.integer({ min: 1, max: 12 }),
      W: fc.integer({ min: 1, max: 12 }),
      size: fc.integer({ min: 1, max: 4 }),
      stride: fc.integer({ min: 1, max: 4 }),
      few: fc.boolean(),
    })
    .filter(({ H, W, size }) => size <= H && size <= W)
    .chain(({ H, W, size, stride, few }) => {
      const g = pool2dGeometry(1, [1, H, W], size, stride);
      const x = few
        ? fc
            .array(fc.integer({ min: 0, max: 2 }), { minLength: H * W, maxLength: H * W })
            .map((data) => ({ rows: H, cols: W, data }))
        : matrixOf(H, W);
      return fc
        .record({
          x,
          grad: fc.array(cellValue, { minLength: g.outHeight * g.outWidth, maxLength: g.outHeight * g.outWidth }),
        })
        .map(({ x, grad }): PoolInput => ({
          x,
          size,
          stride,
          op,
          mode: 'backward',
          grad: { rows: g.outHeight, cols: g.outWidth, data: grad },
        }));
    });

function geometry(p: PoolInput) {
  return pool2dGeometry(1, [1, p.x.rows, p.x.cols], p.size, p.stride);
}

describe('max pool steps', () => {
  it('end with the CPU reference output, one step per window, ties going to the first maximum', () => {
    fc.assert(
      fc.property(problem('max'), (p) => {
        const g = geometry(p);
        const ref = maxPoolForward(Float64Array.from(p.x.data), g);
        const trace = poolForwardSteps(p);
        expect(trace.steps).toHaveLength(g.outHeight * g.outWidth);
        expect(valuesAt(trace, Infinity).out).toEqual(Array.from(ref.y));
        trace.steps.forEach((step, o) =>
          expect(step.marks).toContainEqual({ grid: 'x', kind: 'chosen', cells: [ref.argmax[o]] }),
        );
      }),
    );
  });

  it('route every gradient to the window winner, summing to the CPU reference', () => {
    fc.assert(
      fc.property(problem('max'), (p) => {
        const g = geometry(p);
        const { argmax } = maxPoolForward(Float64Array.from(p.x.data), g);
        const ref = maxPoolBackward(Float64Array.from(p.grad!.data), argmax, g, p.x.data.length);
        expect(valuesAt(poolBackwardSteps(p), Infinity).dx).toEqual(Array.from(ref));
      }),
    );
  });

  it('explain the choice with the window values', () => {
    const p: PoolInput = {
      x: { rows: 2, cols: 2, data: [1, 7, 7, 3] },
      size: 2,
      stride: 2,
      op: 'max',
      mode: 'forward',
      grad: null,
    };
    const step = poolForwardSteps(p).steps[0];
    expect(step.formula).toBe('out[0,0] = max(1, 7, 7, 3) = 7');
    expect(step.marks).toContainEqual({ grid: 'x', kind: 'chosen', cells: [1] });
  });
});

describe('average pool steps', () => {
  it('end with the CPU reference output', () => {
    fc.assert(
      fc.property(problem('avg'), (p) => {
        const ref = avgPoolForward(Float64Array.from(p.x.data), geometry(p));
        expect(valuesAt(poolForwardSteps(p), Infinity).out).toEqual(Array.from(ref));
      }),
    );
  });

  it('split every gradient evenly over its window, summing to the CPU reference', () => {
    fc.assert(
      fc.property(problem('avg'), (p) => {
        const ref = avgPoolBackward(Float64Array.from(p.grad!.data), geometry(p));
        expect(valuesAt(poolBackwardSteps(p), Infinity).dx).toEqual(Array.from(ref));
      }),
    );
  });

  it('give overlapping cells the sum of their shares and uncovered cells 0', () => {
    // 3x3 input, window 2, stride 1: the centre is in all 4 windows.
    const p: PoolInput = {
      x: { rows: 3, cols: 3, data: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
      size: 2,
      stride: 1,
      op: 'avg',
      mode: 'backward',
      grad: null,
    };
    expect(valuesAt(poolBackwardSteps(p), Infinity).dx).toEqual([0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]);
    // Stride 2: one window; the last row and column are never covered.
    expect(valuesAt(poolBackwardSteps({ ...p, stride: 2 }), Infinity).dx).toEqual([
      0.25, 0.25, 0, 0.25, 0.25, 0, 0, 0, 0,
    ]);
  });
});
