import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Conv2dGeometry, conv2dBackward, conv2dForward, conv2dGeometry, conv2dSizes } from './cpu';
import { matmul } from '../matmul/cpu';
import { numericalGradient, randomArray, weightedSum } from '../../cpu/gradcheck';
import { maxAbsDiff, relativeError } from '../../cpu/tensor';

/**
 * An independent formulation: unfold every receptive field into a row of an im2col matrix
 * [outH·outW, inC·k·k] (zeros where it hangs over the padding), then y_n = W · colsᵀ + bias.
 */
function conv2dByIm2col(x: Float64Array, w: Float64Array, bias: Float64Array, g: Conv2dGeometry): Float64Array {
  const { inChannels: C, inHeight: H, inWidth: W, kernel: K, outHeight: OH, outWidth: OW } = g;
  const patch = C * K * K;
  const y = new Float64Array(conv2dSizes(g).output);
  for (let n = 0; n < g.batch; n++) {
    const colsT = new Float64Array(patch * OH * OW); // [patch, OH·OW], already transposed for the matmul
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        for (let c = 0; c < C; c++) {
          for (let ky = 0; ky < K; ky++) {
            for (let kx = 0; kx < K; kx++) {
              const iy = oy * g.stride + ky - g.padding;
              const ix = ox * g.stride + kx - g.padding;
              const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
              const row = (c * K + ky) * K + kx;
              colsT[row * OH * OW + oy * OW + ox] = inside ? x[((n * C + c) * H + iy) * W + ix] : 0;
            }
          }
        }
      }
    }
    const out = matmul(w, colsT, g.outChannels, patch, OH * OW); // w is already [outC, patch]
    for (let oc = 0; oc < g.outChannels; oc++) {
      for (let p = 0; p < OH * OW; p++) y[(n * g.outChannels + oc) * OH * OW + p] = out[oc * OH * OW + p] + bias[oc];
    }
  }
  return y;
}

/** Random small conv problems where the kernel always fits the padded input. */
const convProblem = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    inC: fc.integer({ min: 1, max: 3 }),
    h: fc.integer({ min: 1, max: 7 }),
    w: fc.integer({ min: 1, max: 7 }),
    outC: fc.integer({ min: 1, max: 3 }),
    kernel: fc.integer({ min: 1, max: 4 }),
    stride: fc.integer({ min: 1, max: 3 }),
    padding: fc.integer({ min: 0, max: 2 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .filter((p) => p.kernel <= p.h + 2 * p.padding && p.kernel <= p.w + 2 * p.padding);

describe('conv2dGeometry', () => {
  it('computes floor((in + 2p − k) / s) + 1 for each spatial axis', () => {
    const a = conv2dGeometry(8, [1, 28, 28], 6, 5, 1, 0);
    expect([a.outHeight, a.outWidth]).toEqual([24, 24]);
    const b = conv2dGeometry(1, [3, 7, 6], 4, 3, 2, 1);
    expect([b.outHeight, b.outWidth]).toEqual([4, 3]);
    expect(b).toMatchObject({ batch: 1, inChannels: 3, outChannels: 4, kernel: 3, stride: 2, padding: 1 });
  });

  it('throws a RangeError when the kernel is larger than the padded input', () => {
    expect(() => conv2dGeometry(1, [1, 3, 3], 1, 5, 1, 0)).toThrow(RangeError);
    expect(() => conv2dGeometry(1, [1, 3, 8], 1, 5, 1, 0)).toThrow(RangeError);
    expect(conv2dGeometry(1, [1, 3, 3], 1, 5, 1, 1).outHeight).toBe(1);
  });

  it('rejects zero stride and negative padding', () => {
    expect(() => conv2dGeometry(1, [1, 5, 5], 1, 3, 0, 0)).toThrow(RangeError);
    expect(() => conv2dGeometry(1, [1, 5, 5], 1, 3, 1, -1)).toThrow(RangeError);
  });
});

describe('conv2dForward', () => {
  it('sums each 2x2 window of a 3x3 image under an all-ones kernel, then adds the bias', () => {
    const x = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const g = conv2dGeometry(1, [1, 3, 3], 1, 2, 1, 0);
    const y = conv2dForward(x, new Float64Array([1, 1, 1, 1]), new Float64Array([0.5]), g);
    expect(Array.from(y)).toEqual([12.5, 16.5, 24.5, 28.5]);
  });

  it('treats padding as zeros (a 3x3 ones kernel on a padded 2x2 image sums the whole image)', () => {
    const g = conv2dGeometry(1, [1, 2, 2], 1, 3, 1, 1);
    const y = conv2dForward(new Float32Array([1, 2, 3, 4]), new Float32Array(9).fill(1), new Float32Array(1), g);
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(y)).toEqual([10, 10, 10, 10]);
  });

  it('cross-correlates (does not flip the kernel)', () => {
    const g = conv2dGeometry(1, [1, 1, 2], 1, 1, 1, 0);
    const g2 = conv2dGeometry(1, [1, 2, 2], 1, 2, 1, 0);
    expect(
      Array.from(conv2dForward(new Float64Array([3, 4]), new Float64Array([2]), new Float64Array([0]), g)),
    ).toEqual([6, 8]);
    // kernel [[1, 0], [0, 0]] picks the top-left pixel; a flipped kernel would pick the bottom-right
    const y = conv2dForward(new Float64Array([1, 2, 3, 4]), new Float64Array([1, 0, 0, 0]), new Float64Array([0]), g2);
    expect(Array.from(y)).toEqual([1]);
  });

  it('agrees with im2col + matmul on random small shapes, strides and paddings', () => {
    fc.assert(
      fc.property(convProblem, (p) => {
        const g = conv2dGeometry(p.batch, [p.inC, p.h, p.w], p.outC, p.kernel, p.stride, p.padding);
        const sizes = conv2dSizes(g);
        const x = randomArray(sizes.input, p.seed);
        const w = randomArray(sizes.weight, p.seed + 1);
        const bias = randomArray(p.outC, p.seed + 2);
        expect(maxAbsDiff(conv2dForward(x, w, bias, g), conv2dByIm2col(x, w, bias, g))).toBeLessThan(1e-12);
      }),
      { numRuns: 200 },
    );
  });
});

describe('conv2dBackward', () => {
  const cases: [string, number[], number, number, number, number][] = [
    // name, [c, h, w], outC, kernel, stride, padding
    ['3x3 kernel, stride 1, same padding', [2, 5, 5], 3, 3, 1, 1],
    ['3x3 kernel, stride 2, no padding, odd non-square input', [2, 7, 6], 3, 3, 2, 0],
    ['2x2 kernel, stride 2, padding 1', [1, 5, 4], 2, 2, 2, 1],
    ['4x4 kernel, stride 3, padding 2 (stride does not divide the input)', [2, 6, 7], 2, 4, 3, 2],
    ['1x1 kernel', [3, 3, 4], 2, 1, 1, 0],
  ];

  it.each(cases)('matches central finite differences for dx, dw and db: %s', (_name, shape, outC, k, s, p) => {
    const g = conv2dGeometry(2, shape, outC, k, s, p);
    const sizes = conv2dSizes(g);
    const x = randomArray(sizes.input, 31);
    const w = randomArray(sizes.weight, 32);
    const bias = randomArray(outC, 33);
    const r = randomArray(sizes.output, 34);
    const { dx, dw, db } = conv2dBackward(x, w, r, g);
    expect(
      relativeError(
        dx,
        numericalGradient((v) => weightedSum(conv2dForward(v, w, bias, g), r), x),
      ),
    ).toBeLessThan(1e-6);
    expect(
      relativeError(
        dw,
        numericalGradient((v) => weightedSum(conv2dForward(x, v, bias, g), r), w),
      ),
    ).toBeLessThan(1e-6);
    expect(
      relativeError(
        db,
        numericalGradient((v) => weightedSum(conv2dForward(x, w, v, g), r), bias),
      ),
    ).toBeLessThan(1e-6);
  });

  it('is the adjoint of the bias-free forward on random shapes: <conv(x), dy> = <x, dx> = <w, dw>', () => {
    fc.assert(
      fc.property(convProblem, (p) => {
        const g = conv2dGeometry(p.batch, [p.inC, p.h, p.w], p.outC, p.kernel, p.stride, p.padding);
        const sizes = conv2dSizes(g);
        const x = randomArray(sizes.input, p.seed);
        const w = randomArray(sizes.weight, p.seed + 1);
        const dy = randomArray(sizes.output, p.seed + 2);
        const lhs = weightedSum(conv2dForward(x, w, new Float64Array(p.outC), g), dy);
        const { dx, dw, db } = conv2dBackward(x, w, dy, g);
        expect(weightedSum(x, dx)).toBeCloseTo(lhs, 10);
        expect(weightedSum(w, dw)).toBeCloseTo(lhs, 10);
        expect(db.reduce((a, b) => a + b, 0)).toBeCloseTo(
          dy.reduce((a, b) => a + b, 0),
          10,
        );
      }),
      { numRuns: 200 },
    );
  });
});
