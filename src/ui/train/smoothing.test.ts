import { describe, expect, it } from 'vitest';
import { MAX_SMOOTHING, smoothCurve } from './smoothing';

describe('smoothing the loss curve as TensorBoard does', () => {
  it('leaves the curve as it is at 0', () => {
    expect(smoothCurve([3, 1, 2], 0)).toEqual([3, 1, 2]);
  });

  it('is an exponential moving average divided by 1 - w^n (debiased)', () => {
    const [a, b, c] = smoothCurve([2, 4, 0], 0.5);
    // n=1: last = 0.5*0 + 0.5*2 = 1, debiased 1/(1-0.5) = 2: the first point is the first value.
    expect(a).toBeCloseTo(2, 12);
    // n=2: last = 0.5*1 + 0.5*4 = 2.5, / (1-0.25) = 3.3333
    expect(b).toBeCloseTo(10 / 3, 12);
    // n=3: last = 0.5*2.5 + 0 = 1.25, / (1-0.125) = 1.428571
    expect(c).toBeCloseTo(1.25 / 0.875, 12);
  });

  it('keeps a constant curve constant at any weight (no pull towards zero at the start)', () => {
    for (const w of [0.3, 0.6, 0.9, MAX_SMOOTHING]) {
      for (const v of smoothCurve([5, 5, 5, 5, 5], w)) expect(v).toBeCloseTo(5, 10);
    }
  });

  it('flattens noise: a zig-zag varies far less after smoothing', () => {
    const zigzag = Array.from({ length: 200 }, (_, i) => (i % 2 ? 1 : 0));
    const s = smoothCurve(zigzag, 0.9).slice(100);
    expect(Math.max(...s) - Math.min(...s)).toBeLessThan(0.2);
  });

  it('clamps the weight to 0..0.99 and lets non-finite points through without spoiling the rest', () => {
    expect(smoothCurve([1, 2], -1)).toEqual([1, 2]);
    expect(smoothCurve([4, 4, 4], 5)).toEqual(smoothCurve([4, 4, 4], MAX_SMOOTHING));
    const out = smoothCurve([1, Number.NaN, 1], 0.5);
    expect(out[1]).toBeNaN();
    expect(out[2]).toBeCloseTo(1, 12);
  });
});
