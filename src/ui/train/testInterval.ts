/**
 * How often the training view measures test accuracy during an epoch, chosen from the run's
 * length: about TARGET_TEST_POINTS points on the accuracy chart whether the run has 50 steps or
 * 50,000, and a point after every step for a run shorter than that.
 */

/** Points the accuracy chart aims for over a run (mid-epoch tests plus one per epoch). */
export const TARGET_TEST_POINTS = 25;

/** Steps in a run: whole batches per epoch (the trainers drop a last partial batch), times the epochs. */
export function stepsPerEpochFor(trainImages: number, batchSize: number): number {
  return Math.max(1, Math.floor(trainImages / Math.max(1, batchSize)));
}

/** Points on the accuracy chart for a test every `interval` steps: the tests inside each epoch plus its end. */
export function testPoints(interval: number, stepsPerEpoch: number, epochs: number): number {
  const perEpoch = interval > 0 && interval < stepsPerEpoch ? Math.ceil(stepsPerEpoch / interval) : 1;
  return perEpoch * epochs;
}

/**
 * The test interval in steps for a run (0 = only after each epoch, where the epochs alone give
 * enough points).
 */
export function autoTestInterval(stepsPerEpoch: number, epochs: number): number {
  const total = stepsPerEpoch * epochs;
  const interval = Math.max(1, Math.round(total / TARGET_TEST_POINTS));
  return interval >= stepsPerEpoch ? 0 : interval;
}
