import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numericalGradient, randomArray, weightedSum } from '../../cpu/gradcheck';
import {
  type Pool2dGeometry,
  avgPoolBackward,
  avgPoolForward,
  maxPoolBackward,
  maxPoolForward,
  pool2dGeometry,
  pool2dSizes,
} from './cpu';
import { maxAbsDiff, relativeError } from '../../cpu/tensor';

/** The flat input indices of every window, in row-major window order, one list per output. */
function windows(g: Pool2dGeometry): number[][] {
  const out: number[][] = [];
  for (let n = 0; n < g.batch; n++) {
    for (let c = 0; c < g.channels; c++) {
      for (let oy = 0; oy < g.outHeight; oy++) {
        for (let ox = 0; ox < g.outWidth; ox++) {
          const idx: number[] = [];
          for (let ky = 0; ky < g.size; ky++) {
            for (let kx = 0; kx < g.size; kx++) {
              idx.push(((n * g.channels + c) * g.inHeight + oy * g.stride + ky) * g.inWidth + ox * g.stride + kx);
            }
          }
          out.push(idx);
        }
      }
    }
  }
  return out;
}

/** Naive max pool: Math.max over the window, and indexOf for the first position holding it. */
function naiveMaxPool(x: Float64Array, g: Pool2dGeometry): { y: number[]; argmax: number[] } {
  const y: number[] = [];
  const argmax: number[] = [];
  for (const idx of windows(g)) {
    const values = idx.map((i) => x[i]);
    const max = Math.max(...values);
    y.push(max);
    argmax.push(idx[values.indexOf(max)]);
  }
  return { y, argmax };
}

function naiveAvgPool(x: Float64Array, g: Pool2dGeometry): number[] {
  return windows(g).map((idx) => idx.reduce((s, i) => s + x[i], 0) / idx.length);
}

const poolProblem = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    channels: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 8 }),
    w: fc.integer({ min: 1, max: 8 }),
    size: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 4 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .filter((p) => p.size <= p.h && p.size <= p.w);

describe('pool2dGeometry', () => {
  it('computes floor((in − size) / stride) + 1 for each axis', () => {
    const a = pool2dGeometry(4, [6, 28, 28], 2, 2);
    expect([a.outHeight, a.outWidth]).toEqual([14, 14]);
    const b = pool2dGeometry(1, [1, 5, 6], 3, 2);
    expect([b.outHeight, b.outWidth]).toEqual([2, 2]);
  });

  it('throws a RangeError when the window is larger than the input', () => {
    expect(() => pool2dGeometry(1, [1, 2, 5], 3, 1)).toThrow(RangeError);
    expect(() => pool2dGeometry(1, [1, 5, 5], 2, 0)).toThrow(RangeError);
  });
});

describe('maxPoolForward', () => {
  it('takes the maximum of each 2x2 window and records its flat input index', () => {
    // 4x4 image, windows: TL {1,5,2,0}, TR {3,1,4,8}, BL {7,6,9,2}, BR {0,3,1,2}
    const x = new Float64Array([1, 5, 3, 1, 2, 0, 4, 8, 7, 6, 0, 3, 9, 2, 1, 2]);
    const { y, argmax } = maxPoolForward(x, pool2dGeometry(1, [1, 4, 4], 2, 2));
    expect(Array.from(y)).toEqual([5, 8, 9, 3]);
    expect(Array.from(argmax)).toEqual([1, 7, 12, 11]);
  });

  it('breaks ties in favour of the first maximum in row-major window order', () => {
    const g = pool2dGeometry(1, [1, 2, 2], 2, 2);
    expect(Array.from(maxPoolForward(new Float32Array([4, 4, 4, 4]), g).argmax)).toEqual([0]);
    expect(Array.from(maxPoolForward(new Float32Array([1, 5, 5, 0]), g).argmax)).toEqual([1]);
    expect(Array.from(maxPoolForward(new Float32Array([-1, -3, 2, 2]), g).argmax)).toEqual([2]);
  });

  it('includes the batch and channel offsets in argmax', () => {
    const x = new Float64Array([0, 1, 2, 3, 9, 8, 7, 6]); // batch 2, 1 channel, 2x2 each
    expect(Array.from(maxPoolForward(x, pool2dGeometry(2, [1, 2, 2], 2, 2)).argmax)).toEqual([3, 4]);
  });

  it('agrees with a naive max over each window on random shapes, including ties', () => {
    fc.assert(
      fc.property(poolProblem, fc.boolean(), (p, fewValues) => {
        const g = pool2dGeometry(p.batch, [p.channels, p.h, p.w], p.size, p.stride);
        let x = randomArray(pool2dSizes(g).input, p.seed);
        // With only three distinct values most windows contain ties.
        if (fewValues) x = x.map((v) => Math.floor((v + 1) * 1.5));
        const { y, argmax } = maxPoolForward(x, g);
        const naive = naiveMaxPool(x, g);
        expect(Array.from(y)).toEqual(naive.y);
        expect(Array.from(argmax)).toEqual(naive.argmax);
      }),
      { numRuns: 300 },
    );
  });
});

describe('maxPoolBackward', () => {
  it('adds the gradients of overlapping windows that share a winner', () => {
    // 2x3 input, 2x2 windows with stride 1: both windows are won by the 9 at index 1
    const g = pool2dGeometry(1, [1, 2, 3], 2, 1);
    const { argmax } = maxPoolForward(new Float64Array([0, 9, 0, 0, 0, 0]), g);
    const dx = maxPoolBackward(new Float64Array([1.5, 2]), argmax, g, 6);
    expect(Array.from(dx)).toEqual([0, 3.5, 0, 0, 0, 0]);
  });

  it.each([
    ['2x2 windows, stride 2', [2, 4, 6], 2, 2],
    ['3x3 overlapping windows, stride 2, uncovered border', [2, 6, 6], 3, 2],
    ['2x2 windows, stride 1', [1, 5, 4], 2, 1],
  ] as [string, number[], number, number][])('matches central finite differences: %s', (_name, shape, size, stride) => {
    const g = pool2dGeometry(2, shape, size, stride);
    const sizes = pool2dSizes(g);
    const x = randomArray(sizes.input, 41);
    const r = randomArray(sizes.output, 42);
    const { argmax } = maxPoolForward(x, g);
    const dx = maxPoolBackward(r, argmax, g, sizes.input);
    const numeric = numericalGradient((v) => weightedSum(maxPoolForward(v, g).y, r), x);
    expect(relativeError(dx, numeric)).toBeLessThan(1e-6);
  });
});

describe('avgPoolForward', () => {
  it('averages each window, dividing by size·size', () => {
    const x = new Float64Array([1, 5, 3, 1, 2, 0, 4, 8, 7, 6, 0, 3, 9, 2, 1, 2]);
    const y = avgPoolForward(x, pool2dGeometry(1, [1, 4, 4], 2, 2));
    expect(Array.from(y)).toEqual([2, 4, 6, 1.5]);
  });

  it('agrees with a naive window mean on random shapes', () => {
    fc.assert(
      fc.property(poolProblem, (p) => {
        const g = pool2dGeometry(p.batch, [p.channels, p.h, p.w], p.size, p.stride);
        const x = randomArray(pool2dSizes(g).input, p.seed);
        expect(maxAbsDiff(avgPoolForward(x, g), naiveAvgPool(x, g))).toBeLessThan(1e-14);
      }),
      { numRuns: 300 },
    );
  });
});

describe('avgPoolBackward', () => {
  it('spreads dy / (size·size) over every window and gives uncovered inputs zero', () => {
    // 2x3 input, one 2x2 window (stride 2): column 2 is covered by no window
    const dx = avgPoolBackward(new Float64Array([8]), pool2dGeometry(1, [1, 2, 3], 2, 2));
    expect(Array.from(dx)).toEqual([2, 2, 0, 2, 2, 0]);
  });

  it.each([
    ['2x2 windows, stride 2', [2, 4, 6], 2, 2],
    ['3x3 overlapping windows, stride 2, uncovered border', [2, 6, 6], 3, 2],
    ['2x2 windows, stride 1', [1, 5, 4], 2, 1],
  ] as [string, number[], number, number][])('matches central finite differences: %s', (_name, shape, size, stride) => {
    const g = pool2dGeometry(2, shape, size, stride);
    const sizes = pool2dSizes(g);
    const x = randomArray(sizes.input, 51);
    const r = randomArray(sizes.output, 52);
    const numeric = numericalGradient((v) => weightedSum(avgPoolForward(v, g), r), x);
    expect(relativeError(avgPoolBackward(r, g), numeric)).toBeLessThan(1e-6);
  });
});
