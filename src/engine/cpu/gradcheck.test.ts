import { describe, expect, it } from 'vitest';
import { numericalGradient, randomArray, weightedSum } from './gradcheck';
import { relativeError } from './tensor';

describe('numericalGradient', () => {
  it('matches the analytic gradient of sum(x^3) to within 1e-8', () => {
    const x = randomArray(6, 1);
    const numeric = numericalGradient((v) => v.reduce((s, t) => s + t * t * t, 0), x);
    const analytic = x.map((t) => 3 * t * t);
    expect(relativeError(numeric, analytic)).toBeLessThan(1e-8);
  });

  it('leaves x unchanged after probing it', () => {
    const x = randomArray(4, 2);
    const copy = Float64Array.from(x);
    numericalGradient((v) => weightedSum(v, v), x);
    expect(x).toEqual(copy);
  });

  it('exposes a wrong gradient (missing factor of two) with a large relative error', () => {
    const x = randomArray(5, 3);
    const numeric = numericalGradient((v) => weightedSum(v, v), x);
    expect(relativeError(numeric, x)).toBeGreaterThan(0.4);
  });
});

describe('randomArray', () => {
  it('is reproducible from its seed and stays inside [lo, hi)', () => {
    const a = randomArray(50, 7, -2, 3);
    expect(a).toEqual(randomArray(50, 7, -2, 3));
    expect(a).not.toEqual(randomArray(50, 8, -2, 3));
    for (const v of a) {
      expect(v).toBeGreaterThanOrEqual(-2);
      expect(v).toBeLessThan(3);
    }
  });
});
