/** The loss kernels' interface with TypeScript: flags, uniform values and dispatch sizes. */
import type { UniformValues } from '../../kernel/spec';

/** The label gather_batch writes for evaluation rows past the end of the data set. */
export const PADDING_LABEL = 0xffffffff;

/**
 * Uniforms of softmax_cross_entropy; metrics holds metricSlots pairs [mean loss, correct].
 * advanceStep: also advance the step counters (train_state[0] and [1]) when done, as a training
 * step does (the optimizer after it then reads its tables at train_state[0] − 1).
 */

export function softmaxCrossEntropyUniforms(
  batch: number,
  classes: number,
  metricSlots: number,
  advanceStep = false,
): UniformValues {
  return { batch, classes, metricSlots, advanceStep: advanceStep ? 1 : 0 };
}

/** Uniforms of evaluate: loss_out[batchIndex] gets this batch's loss sum; probs are written when asked. */
export function evaluateUniforms(
  batch: number,
  classes: number,
  batchIndex: number,
  writeProbs = false,
): UniformValues {
  return { batch, classes, batchIndex, writeProbs: writeProbs ? 1 : 0 };
}

/** Uniforms of mse_loss; labelTargets: `targets` holds u32 class labels to one-hot instead of f32 targets; advanceStep as for softmax_cross_entropy. */
export function mseLossUniforms(
  batch: number,
  features: number,
  metricSlots: number,
  labelTargets = false,
  advanceStep = false,
): UniformValues {
  return { batch, features, metricSlots, labelTargets: labelTargets ? 1 : 0, advanceStep: advanceStep ? 1 : 0 };
}

/** The counters a loss kernel leaves: advanced by one (wrapping as u32) when asked, else as they were. */
export function countersAfterLoss(before: [number, number], advanceStep: boolean): number[] {
  return advanceStep ? before.map((v) => (v + 1) >>> 0) : before;
}
