/**
 * Comparing a float32 GPU matmul with the exact product. A fixed tolerance fails on inputs whose
 * terms cancel (1e6·1 + 0.001·1 − 1e6·1): float32 keeps about 7 digits of the largest partial
 * sum, so a correct kernel can be off by far more than the answer's own size. The bound here
 * follows the standard error analysis of a K-term dot product: |error| ≤ (K + 2)·ε·Σ|a·b|, with
 * ε = 2⁻²³ (float32's spacing at 1), covering the rounding of the inputs, of each product and of
 * each addition, with a factor of 2 to spare. Numbers below float32's smallest normal (about
 * 1.2e-38) may become 0 on a GPU, so each term may also lose up to UNDERFLOW_PER_TERM: a flushed
 * input times the largest value the parser accepts (1e6), rounded up.
 */
import type { Matrix } from './parse';

export const FLOAT32_EPSILON = 2 ** -23;
export const UNDERFLOW_PER_TERM = 1e-30;

export interface MatmulComparison {
  pass: boolean;
  /** Largest |GPU − exact| over all cells. */
  maxAbsError: number;
  /** The cell with the largest error relative to its own allowance (or the first bad one). */
  worst: { row: number; col: number; error: number; tolerance: number; absSum: number };
  K: number;
}

/** Per cell: the exact (float64) C[m,n], Σ_k |A[m,k]·B[k,n]| and its float32 allowance. */
export function matmulAllowance(
  a: Matrix,
  b: Matrix,
  m: number,
  n: number,
): { exact: number; absSum: number; tolerance: number } {
  const K = a.cols;
  let exact = 0;
  let absSum = 0;
  for (let k = 0; k < K; k++) {
    const t = a.data[m * K + k] * b.data[k * b.cols + n];
    exact += t;
    absSum += Math.abs(t);
  }
  return { exact, absSum, tolerance: (K + 2) * FLOAT32_EPSILON * absSum + K * UNDERFLOW_PER_TERM };
}

/** Checks every cell of the GPU's C against its own allowance; NaN or a wrong length fails. */
export function compareMatmul(a: Matrix, b: Matrix, gpu: ArrayLike<number>): MatmulComparison {
  const M = a.rows;
  const N = b.cols;
  let pass = gpu.length === M * N;
  let maxAbsError = 0;
  let worst = { row: 0, col: 0, error: 0, tolerance: 0, absSum: 0 };
  let worstRatio = -1;
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const { exact, absSum, tolerance } = matmulAllowance(a, b, m, n);
      const raw = Math.abs(gpu[m * N + n] - exact);
      const error = Number.isNaN(raw) ? Infinity : raw;
      if (!(error <= tolerance)) pass = false;
      if (error > maxAbsError) maxAbsError = error;
      const ratio = error === 0 ? 0 : tolerance === 0 ? Infinity : error / tolerance;
      if (ratio > worstRatio) {
        worstRatio = ratio;
        worst = { row: m, col: n, error, tolerance, absSum };
      }
    }
  }
  return { pass, maxAbsError, worst, K: a.cols };
}

/** Numbers in the verdict: 0, or two significant digits. */
function short(v: number): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return 'not a number';
  return v.toExponential(1).replace('e+', 'e');
}

/** One or two sentences for the student: the verdict, the largest difference and the allowance, and why. */
export function matmulVerdict(c: MatmulComparison): string {
  const w = c.worst;
  const allowance =
    `C[${w.row},${w.col}] may differ by up to ${short(w.tolerance)}: float32 keeps about 7 digits, so the allowance is ` +
    `(K + 2) × 2⁻²³ × the sum of |A·B| terms = ${c.K + 2} × 2⁻²³ × ${short(w.absSum)}, which grows when large terms cancel.`;
  return c.pass
    ? `The GPU result matches the CPU (largest difference ${short(c.maxAbsError)}). ${allowance}`
    : `The GPU result does NOT match the CPU: C[${w.row},${w.col}] is off by ${short(w.error)}. ${allowance}`;
}
