/**
 * Finite-difference tools for checking backward passes (used by the CPU tests and the GPU kernel
 * tests). Work in Float64: with central differences and eps ~1e-6 the error is ~1e-10 relative.
 */
import { SeededRandom } from '../rng';

/** Central-difference gradient of the scalar function f at x: (f(x + eps·e_i) − f(x − eps·e_i)) / 2eps. */
export function numericalGradient(f: (x: Float64Array) => number, x: Float64Array, eps = 1e-6): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i];
    x[i] = saved + eps;
    const plus = f(x);
    x[i] = saved - eps;
    const minus = f(x);
    x[i] = saved; // f sees x perturbed in place, so restore before the next element
    grad[i] = (plus - minus) / (2 * eps);
  }
  return grad;
}

/** n seeded uniform values in [lo, hi) as a Float64Array (reproducible test inputs). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const rng = new SeededRandom(seed, 0);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.next();
  return out;
}

/** sum_i y[i] · r[i]: reduces an op's output to a scalar whose gradient w.r.t. y is exactly r. */
export function weightedSum(y: ArrayLike<number>, r: ArrayLike<number>): number {
  if (y.length !== r.length) throw new RangeError(`weightedSum: lengths differ (${y.length} vs ${r.length})`);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] * r[i];
  return sum;
}
