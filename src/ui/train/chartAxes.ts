/** Axis ranges for the training charts (pure, so the rules are tested). */

/**
 * The accuracy axis in percent: it ends at exactly 100% and starts at the round step below the
 * lowest value (0 before there is any), with evenly spaced ticks of 5, 10 or 20 points.
 */
export function accuracyAxis(percentages: readonly number[]): { domain: [number, number]; ticks: number[] } {
  const finite = percentages.filter((v) => Number.isFinite(v));
  const lowest = Math.min(100, Math.max(0, finite.length ? Math.min(...finite) : 0));
  const span = 100 - lowest;
  const step = span <= 20 ? 5 : span <= 50 ? 10 : 20;
  const low = Math.min(100 - step, Math.floor(lowest / step) * step);
  const ticks: number[] = [];
  for (let t = low; t <= 100; t += step) ticks.push(t);
  return { domain: [low, 100], ticks };
}
