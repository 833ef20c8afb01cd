/**
 * TensorBoard's smoothing of a training curve: an exponential moving average, debiased so the
 * first points are not pulled towards zero (the same formula as TensorBoard's scalar dashboard).
 */

/** The slider's range: 0 draws the raw curve, 0.99 averages over roughly the last hundred points. */
export const MAX_SMOOTHING = 0.99;

/**
 * Smooths `values` with weight `w` in [0, MAX_SMOOTHING]: last = last * w + (1 - w) * v, divided by
 * 1 - w^n after n finite values. Non-finite values pass through unchanged and do not enter the average.
 */
export function smoothCurve(values: readonly number[], weight: number): number[] {
  const w = Math.min(MAX_SMOOTHING, Math.max(0, Number.isFinite(weight) ? weight : 0));
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return w === 0 ? v : last / (1 - w ** n);
  });
}
