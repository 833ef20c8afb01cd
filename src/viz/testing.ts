/** Shared fast-check generators for the step generators' tests (not shipped in the app). */
import fc from 'fast-check';
import type { Matrix } from './parse';

/** Small integers and awkward decimals, so both exact and rounded sums are exercised. */
export const cellValue = fc.oneof(
  fc.integer({ min: -9, max: 9 }),
  fc.double({ min: -10, max: 10, noNaN: true, noDefaultInfinity: true }).map((v) => (v === 0 ? 0 : v)),
);

/** A matrix of exactly rows x cols random values. */
export function matrixOf(rows: number, cols: number): fc.Arbitrary<Matrix> {
  return fc.array(cellValue, { minLength: rows * cols, maxLength: rows * cols }).map((data) => ({ rows, cols, data }));
}

/** Largest |a[i] − b[i]| divided by max(1, largest |b[i]|); null cells count as NaN. */
export function relDiff(a: ArrayLike<number | null>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) {
    const v = a[i];
    const d = v === null ? NaN : Math.abs(v - b[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
  }
  return worst / scale;
}
