import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Matrix } from './parse';
import { LIMITS } from './parse';
import { compareMatmul, matmulAllowance, matmulVerdict } from './gpuTolerance';

const f = Math.fround;

/** C = A·B as a float32 GPU computes it: inputs, products and every partial sum rounded to float32. */
function float32Matmul(a: Matrix, b: Matrix): Float32Array {
  const out = new Float32Array(a.rows * b.cols);
  for (let m = 0; m < a.rows; m++)
    for (let n = 0; n < b.cols; n++) {
      let acc = 0;
      for (let k = 0; k < a.cols; k++) acc = f(acc + f(f(a.data[m * a.cols + k]) * f(b.data[k * b.cols + n])));
      out[m * b.cols + n] = acc;
    }
  return out;
}

const row = (...data: number[]): Matrix => ({ rows: 1, cols: data.length, data });
const col = (...data: number[]): Matrix => ({ rows: data.length, cols: 1, data });

describe('compareMatmul', () => {
  it('accepts a float32 result whose large terms cancel, and says what the allowance was and why', () => {
    // 1e6 + 0.001 − 1e6: float32 loses the 0.001 next to 1e6, so the GPU answers 0 for 0.001.
    const a = row(1_000_000, 0.001, -1_000_000);
    const b = col(1, 1, 1);
    const gpu = float32Matmul(a, b);
    expect(gpu[0]).toBe(0);
    const c = compareMatmul(a, b, gpu);
    expect(c.pass).toBe(true);
    expect(c.maxAbsError).toBeCloseTo(0.001, 9);
    expect(c.worst.absSum).toBeCloseTo(2_000_000.001, 3);
    const words = matmulVerdict(c);
    expect(words).toContain('matches the CPU');
    expect(words).toContain('largest difference 1.0e-3');
    expect(words).toContain('5 × 2⁻²³ × 2.0e6');
    expect(words).toContain('large terms cancel');
  });

  it('refuses an error above the allowance even where the answer is small', () => {
    const a = row(1, 2);
    const b = col(3, 4);
    const c = compareMatmul(a, b, Float32Array.of(11.01));
    expect(c.pass).toBe(false);
    expect(matmulVerdict(c)).toMatch(/does NOT match the CPU: C\[0,0\] is off by 1\.0e-2/);
  });

  it('refuses NaN, any error where every term is 0, and an output of the wrong length', () => {
    expect(compareMatmul(row(1), col(1), Float32Array.of(NaN)).pass).toBe(false);
    expect(compareMatmul(row(0, 0), col(5, 5), Float32Array.of(1e-20)).pass).toBe(false);
    expect(compareMatmul(row(1), col(1), Float32Array.of(1, 1)).pass).toBe(false);
  });

  it('accepts every float32 product of in-range inputs, and refuses it moved just past the allowance', () => {
    const value = fc.oneof(
      fc.integer({ min: -LIMITS.maxAbsValue, max: LIMITS.maxAbsValue }),
      fc.double({ min: -LIMITS.maxAbsValue, max: LIMITS.maxAbsValue, noNaN: true }),
      fc.double({ min: -1, max: 1, noNaN: true }),
    );
    const shape = fc.record({
      M: fc.integer({ min: 1, max: LIMITS.matmul }),
      K: fc.integer({ min: 1, max: LIMITS.matmul }),
      N: fc.integer({ min: 1, max: LIMITS.matmul }),
    });
    const inputs = shape.chain(({ M, K, N }) =>
      fc.record({
        a: fc.array(value, { minLength: M * K, maxLength: M * K }).map((data) => ({ rows: M, cols: K, data })),
        b: fc.array(value, { minLength: K * N, maxLength: K * N }).map((data) => ({ rows: K, cols: N, data })),
      }),
    );
    fc.assert(
      fc.property(inputs, ({ a, b }) => {
        const gpu = float32Matmul(a, b);
        expect(compareMatmul(a, b, gpu).pass).toBe(true);
        const { exact, tolerance } = matmulAllowance(a, b, 0, 0);
        if (tolerance === 0) return;
        const wrong = Float64Array.from(gpu);
        wrong[0] = exact + 1.5 * tolerance;
        expect(compareMatmul(a, b, wrong).pass).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
