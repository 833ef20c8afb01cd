import { describe, expect, it } from 'vitest';
import { allocLike, expectLength, maxAbsDiff, relativeError, zerosLike } from './tensor';

describe('tensor helpers', () => {
  it('allocLike returns a zeroed array of the same element type and the requested length', () => {
    const a = allocLike(new Float32Array([1, 2]), 5);
    const b = allocLike(new Float64Array([1, 2]), 3);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a).toEqual(new Float32Array(5));
    expect(b).toBeInstanceOf(Float64Array);
    expect(b).toEqual(new Float64Array(3));
  });

  it('zerosLike keeps the type and length of its input', () => {
    const z = zerosLike(new Float64Array([3, 4, 5]));
    expect(z).toBeInstanceOf(Float64Array);
    expect(Array.from(z)).toEqual([0, 0, 0]);
  });

  it('maxAbsDiff is the largest element-wise absolute difference', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 5, 2])).toBe(3);
    expect(maxAbsDiff([1, NaN], [1, 2])).toBeNaN();
    expect(() => maxAbsDiff([1], [1, 2])).toThrow(RangeError);
  });

  it('relativeError scales the largest difference by the larger max-norm', () => {
    expect(relativeError([10, 0], [9, 0])).toBeCloseTo(0.1, 12);
    expect(relativeError([0, 0], [0, 0])).toBe(0);
    expect(relativeError([0], [1e-30])).toBe(1);
  });

  it('expectLength throws a RangeError that names the mismatch', () => {
    expect(() => expectLength('weights', [1, 2], 3)).toThrow(/weights: expected length 3, got 2/);
    expect(() => expectLength('weights', [1, 2, 3], 3)).not.toThrow();
  });
});
