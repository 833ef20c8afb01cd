/**
 * The array type and small helpers shared by every CPU reference op.
 *
 * Ops are generic over Float32Array and Float64Array and return the type they were given: the GPU
 * tests compare Float32 results, while gradient checks run in Float64 so that finite differences
 * are accurate to ~1e-10. Sums are accumulated in a JS number (f64) and rounded once when stored.
 */

export type FloatArray = Float32Array | Float64Array;

/** A new zero-filled array of length `n` with the same element type as `like`. */
export function allocLike<T extends FloatArray>(like: T, n: number): T {
  return (like instanceof Float64Array ? new Float64Array(n) : new Float32Array(n)) as T;
}

/** A new zero-filled array with the same type and length as `x`. */
export function zerosLike<T extends FloatArray>(x: T): T {
  return allocLike(x, x.length);
}

/** Largest |a[i] - b[i]| (NaN anywhere gives NaN); the arrays must have equal lengths. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`maxAbsDiff: lengths differ (${a.length} vs ${b.length})`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > worst) worst = d;
  }
  return worst;
}

/** Largest |x[i]| (0 for an empty array). */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/**
 * maxAbsDiff(a, b) divided by the larger max-norm of the two (0 when both are all zero).
 * Norm-wise rather than element-wise, so an entry that is ~0 in both does not blow the ratio up.
 */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const diff = maxAbsDiff(a, b);
  const scale = Math.max(maxAbs(a), maxAbs(b));
  if (scale === 0) return diff === 0 ? 0 : Infinity;
  return diff / scale;
}

/** Throws a RangeError unless `x.length === expected` (catches shape mix-ups at the op boundary). */
export function expectLength(what: string, x: ArrayLike<number>, expected: number): void {
  if (x.length !== expected) {
    throw new RangeError(`${what}: expected length ${expected}, got ${x.length}`);
  }
}

/** Throws a RangeError unless `value` is an integer >= `min`. */
export function expectInteger(what: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${what} must be an integer >= ${min}, got ${value}`);
  }
}
