/**
 * How often the training view measures test accuracy during an epoch, chosen from the run's
 * length: about TARGET_TEST_POINTS points on the accuracy chart whether the run has 100 steps or
 * 100,000, and at least a few on a run shorter than that. On a short run those tests would cost
 * more than the training itself, so they use fewer test images there.
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

/** Tests come at most once per this many steps on average: each one empties the GPU's queue of batched steps. */
export const MIN_STEPS_PER_TEST = 4;
/** ... but a run gets at least this many points, however short. */
export const MIN_TEST_POINTS = 3;

/**
 * The test interval in steps for a run (0 = only after each epoch, where the epochs alone give
 * enough points): TARGET_TEST_POINTS points, fewer on a run too short to test that often, never
 * fewer than MIN_TEST_POINTS.
 */
export function autoTestInterval(stepsPerEpoch: number, epochs: number): number {
  const total = stepsPerEpoch * epochs;
  const points = Math.max(MIN_TEST_POINTS, Math.min(TARGET_TEST_POINTS, total / MIN_STEPS_PER_TEST));
  const interval = Math.max(1, Math.round(total / points));
  return interval >= stepsPerEpoch ? 0 : interval;
}

/** Test images in a mid-epoch test at most (the legend names the real count). */
export const MAX_MID_EPOCH_IMAGES = 500;
/** ... and at least, so one test's accuracy is not mostly noise. */
export const MIN_MID_EPOCH_IMAGES = 100;
/** The mid-epoch tests together look at no more images than this share of the images trained. */
export const MID_EPOCH_TEST_SHARE = 0.2;

/**
 * Test images per mid-epoch test for a test every `interval` steps: up to MAX_MID_EPOCH_IMAGES,
 * fewer where the tests would otherwise outweigh a short run's training (a test is a forward pass
 * only, a training step forward and backward, so this share keeps them to well under a tenth of the run).
 */
export function midEpochTestImages(interval: number, stepsPerEpoch: number, epochs: number, batchSize: number): number {
  const tests = testPoints(interval, stepsPerEpoch, epochs) - epochs;
  if (tests <= 0) return MAX_MID_EPOCH_IMAGES;
  const budget = (MID_EPOCH_TEST_SHARE * stepsPerEpoch * epochs * batchSize) / tests;
  return Math.max(MIN_MID_EPOCH_IMAGES, Math.min(MAX_MID_EPOCH_IMAGES, Math.floor(budget / 10) * 10));
}
