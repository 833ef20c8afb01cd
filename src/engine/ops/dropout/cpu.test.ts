import { describe, expect, it } from 'vitest';
import { randomUniform } from '../../rng';
import { dropoutBackward, dropoutForward, dropoutStream } from './cpu';
import { numericalGradient, randomArray, weightedSum } from '../../cpu/gradcheck';
import { relativeError } from '../../cpu/tensor';

describe('dropoutStream', () => {
  it('is dropout·1_000_000 + step·64 + layerIndex', () => {
    expect(dropoutStream(0, 0)).toBe(3_000_000);
    expect(dropoutStream(2, 5)).toBe(3_000_133);
  });

  it('wraps modulo 2^32 the way WGSL u32 arithmetic does', () => {
    expect(dropoutStream(2 ** 26, 1)).toBe(3_000_001); // 2^26 · 64 = 2^32 wraps to 0
  });

  it('rejects layer indices that would collide with the next step', () => {
    expect(() => dropoutStream(0, 64)).toThrow(RangeError);
    expect(() => dropoutStream(-1, 0)).toThrow(RangeError);
  });
});

describe('dropoutForward', () => {
  it('keeps element i iff randomUniform(seed, stream, i) >= rate and scales it by 1 / (1 − rate)', () => {
    const x = randomArray(200, 81, 0.5, 1.5);
    const rate = 0.3;
    const { y, mask } = dropoutForward(x, rate, 1234, 7, 2);
    for (let i = 0; i < x.length; i++) {
      const kept = randomUniform(1234, 3_000_000 + 7 * 64 + 2, i) >= rate;
      expect(mask[i]).toBe(kept ? 1 : 0);
      if (kept) expect(y[i]).toBeCloseTo(x[i] / 0.7, 14);
      else expect(y[i]).toBe(0);
    }
  });

  it('drops about `rate` of the elements', () => {
    const { mask } = dropoutForward(new Float32Array(20_000).fill(1), 0.25, 99, 0, 0);
    const keptFraction = mask.reduce((s, m) => s + m, 0) / mask.length;
    expect(keptFraction).toBeGreaterThan(0.73);
    expect(keptFraction).toBeLessThan(0.77);
  });

  it('draws different masks for different steps and layers but the same mask for the same ones', () => {
    const x = new Float64Array(256).fill(1);
    const base = dropoutForward(x, 0.5, 5, 3, 1).mask;
    expect(dropoutForward(x, 0.5, 5, 3, 1).mask).toEqual(base);
    expect(dropoutForward(x, 0.5, 5, 4, 1).mask).not.toEqual(base);
    expect(dropoutForward(x, 0.5, 5, 3, 2).mask).not.toEqual(base);
    expect(dropoutForward(x, 0.5, 6, 3, 1).mask).not.toEqual(base);
  });

  it('passes everything through unchanged at rate 0 and rejects rate 1', () => {
    const x = randomArray(50, 82);
    expect(dropoutForward(x, 0, 1, 0, 0).y).toEqual(x);
    expect(() => dropoutForward(x, 1, 1, 0, 0)).toThrow(RangeError);
  });
});

describe('dropoutBackward', () => {
  it('matches central finite differences (the mask is fixed by seed, step and layer)', () => {
    const x = randomArray(64, 83);
    const r = randomArray(64, 84);
    const rate = 0.4;
    const { mask } = dropoutForward(x, rate, 42, 1, 3);
    const dx = dropoutBackward(r, mask, rate);
    const numeric = numericalGradient((v) => weightedSum(dropoutForward(v, rate, 42, 1, 3).y, r), x);
    expect(relativeError(dx, numeric)).toBeLessThan(1e-6);
    expect(mask.includes(0) && mask.includes(1)).toBe(true);
  });
});
