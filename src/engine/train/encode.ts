/**
 * Records whole passes: a training step (gather, forward, loss, backward, ONE optimizer
 * dispatch) and the loss on its own. The layers' forward and backward work is in
 * encodeForward.ts and encodeBackward.ts.
 */
import { MSE_LOSS, SOFTMAX_CROSS_ENTROPY } from '../ops/loss/specs';
import { GATHER_BATCH } from '../ops/batch/specs';
import { OPTIMIZER } from '../ops/optimizer/specs';
import type { EncodeContext } from './encodeShared';
import { encodeForward } from './encodeForward';
import { encodeBackward } from './encodeBackward';
import { mseLossUniforms, softmaxCrossEntropyUniforms } from '../ops/loss/abi';
import { gatherTrainUniforms } from '../ops/batch/abi';
import { optimizerUniforms } from '../ops/optimizer/abi';

export type { EncodeContext } from './encodeShared';
export { encodeForward } from './encodeForward';
export { encodeBackward } from './encodeBackward';

/** Records the loss (and its gradient); advanceStep: also move the step counters on, as a training step does. */
export function encodeLoss(ctx: EncodeContext, pass: GPUComputePassEncoder, advanceStep: boolean): number {
  const { buffers, plan, batch: B } = ctx;
  const input = plan.lossInput;
  const common = { metrics: buffers.metrics, train_state: buffers.trainState };
  if (ctx.config.model.loss === 'softmaxCrossEntropy') {
    ctx.runner.dispatch(
      pass,
      SOFTMAX_CROSS_ENTROPY,
      {
        logits: buffers.activations[input.id],
        labels: buffers.labelBatch,
        dlogits: buffers.gradients[input.id],
        ...common,
      },
      softmaxCrossEntropyUniforms(B, plan.classes, ctx.metricSlots, advanceStep),
    );
  } else {
    const labelTargets = ctx.train.kind === 'images';
    ctx.runner.dispatch(
      pass,
      MSE_LOSS,
      {
        pred: buffers.activations[input.id],
        targets: labelTargets ? buffers.labelBatch : buffers.trainLabels,
        dpred: buffers.gradients[input.id],
        ...common,
      },
      mseLossUniforms(B, input.size, ctx.metricSlots, labelTargets, advanceStep),
    );
  }
  return 1;
}

/** Records one whole training step; returns the number of dispatches. */
export function encodeStep(ctx: EncodeContext, pass: GPUComputePassEncoder): number {
  const { buffers, train } = ctx;
  let dispatches = 0;
  if (train.kind === 'images') {
    ctx.runner.dispatch(
      pass,
      GATHER_BATCH,
      {
        images: buffers.trainImages!,
        labels: buffers.trainLabels,
        perm: buffers.perm!,
        train_state: buffers.trainState,
        x_out: buffers.activations[0],
        y_out: buffers.labelBatch,
      },
      gatherTrainUniforms({
        batch: ctx.batch,
        pixels: train.pixels,
        count: train.count,
        mean: train.mean,
        std: train.std,
      }),
    );
    dispatches++;
  }
  dispatches += encodeForward(ctx, pass, true);
  // The loss kernel also advances the step counters: nothing after it reads them but the optimizer, which is told.
  dispatches += encodeLoss(ctx, pass, true);
  dispatches += encodeBackward(ctx, pass);
  ctx.runner.dispatch(
    pass,
    OPTIMIZER,
    {
      params: buffers.params,
      grads: buffers.grads,
      state: buffers.optState,
      train_state: buffers.trainState,
      lr_table: buffers.lrTable,
      ...(buffers.adamTable ? { adam_table: buffers.adamTable } : {}),
    },
    optimizerUniforms(ctx.config.optimizer, ctx.plan.paramFloats, true),
  );
  return dispatches + 1;
}
