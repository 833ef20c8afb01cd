/**
 * Loss kernels and their checks against cpu/loss.ts: fused softmax cross-entropy (training), the
 * test-set evaluation (confusion matrix and loss sums), and mean squared error. The training
 * losses write [mean loss, correct rows] into a metrics ring at slot train_state[0] % metricSlots.
 */
import type { KernelSpec } from '../../kernel/spec';
import { meanSquaredError, rowArgmax, softmaxCrossEntropy } from './cpu';
import softmaxCrossEntropySource from '../../../../kernels/softmax_cross_entropy.wgsl?raw';
import evaluateSource from '../../../../kernels/evaluate.wgsl?raw';
import mseLossSource from '../../../../kernels/mse_loss.wgsl?raw';
import { cpuTwin } from '../../kernel/spec';
import { checkEvaluate, checkMseLoss, checkSoftmaxCrossEntropy } from './check';
import { linearWorkgroup } from '../../kernel/dispatch';

/** The loss kernels are one workgroup that loops over rows (deterministic reduction). */

const singleWorkgroup = (): [number, number, number] => [1, 1, 1];

export const SOFTMAX_CROSS_ENTROPY: KernelSpec = {
  name: 'softmax_cross_entropy',
  file: 'softmax_cross_entropy.wgsl',
  builtinSource: softmaxCrossEntropySource,
  entryPoint: 'main',
  description:
    'Turns each row of scores into probabilities (softmax), measures how surprised the model is by the true ' +
    'label (cross-entropy loss), and gives the gradient (probabilities minus the one-hot label), all in one pass. ' +
    'It also counts the correct predictions for the progress chart.',
  bindings: [
    { binding: 0, name: 'logits', access: 'read', description: 'Scores [batch, classes].' },
    { binding: 1, name: 'labels', access: 'read', description: 'u32 true class per row.' },
    {
      binding: 2,
      name: 'dlogits',
      access: 'read_write',
      description: 'Gradient of the mean loss: (softmax − onehot) / batch.',
    },
    {
      binding: 3,
      name: 'metrics',
      access: 'read_write',
      description: 'Ring of [mean loss, correct] pairs; slot = step % metricSlots.',
    },
    {
      binding: 4,
      name: 'train_state',
      access: 'read_write',
      description: 'u32 [global step, step in epoch]; the step picks the ring slot; both advance when advanceStep = 1.',
    },
    { binding: 5, name: 'params', access: 'uniform', description: 'batch, classes, metricSlots, advanceStep.' },
  ],
  uniforms: [
    { name: 'batch', type: 'u32' },
    { name: 'classes', type: 'u32' },
    { name: 'metricSlots', type: 'u32' },
    { name: 'advanceStep', type: 'u32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: singleWorkgroup,
  cpuTwins: [cpuTwin(softmaxCrossEntropy, 'softmaxCrossEntropy', 'ops/loss/cpu.ts')],
  check: (runner, rng, options) => checkSoftmaxCrossEntropy(SOFTMAX_CROSS_ENTROPY, runner, rng, options),
};

export const EVALUATE: KernelSpec = {
  name: 'evaluate',
  file: 'evaluate.wgsl',
  builtinSource: evaluateSource,
  entryPoint: 'main',
  description:
    'Scores one batch of test images: counts each (true digit, predicted digit) pair in the confusion matrix ' +
    'and adds up the cross-entropy loss, skipping the padding rows of the last, partly filled batch.',
  bindings: [
    { binding: 0, name: 'logits', access: 'read', description: 'Scores [batch, classes].' },
    { binding: 1, name: 'labels', access: 'read', description: 'u32 true class per row; 0xffffffff marks padding.' },
    {
      binding: 2,
      name: 'confusion',
      access: 'read_write',
      description: 'u32 counts [label * classes + predicted], added to atomically.',
    },
    {
      binding: 3,
      name: 'loss_out',
      access: 'read_write',
      description: 'Per-batch loss sums; this batch writes loss_out[batchIndex].',
    },
    {
      binding: 4,
      name: 'probs',
      access: 'read_write',
      description: 'Softmax probabilities [batch, classes] (only when writeProbs = 1).',
      optional: true,
    },
    { binding: 5, name: 'params', access: 'uniform', description: 'batch, classes, batchIndex, writeProbs.' },
  ],
  uniforms: [
    { name: 'batch', type: 'u32' },
    { name: 'classes', type: 'u32' },
    { name: 'batchIndex', type: 'u32' },
    { name: 'writeProbs', type: 'u32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: singleWorkgroup,
  cpuTwins: [
    cpuTwin(softmaxCrossEntropy, 'softmaxCrossEntropy', 'ops/loss/cpu.ts'),
    cpuTwin(rowArgmax, 'rowArgmax', 'ops/loss/cpu.ts'),
  ],
  check: (runner, rng, options) => checkEvaluate(EVALUATE, runner, rng, options),
};

export const MSE_LOSS: KernelSpec = {
  name: 'mse_loss',
  file: 'mse_loss.wgsl',
  builtinSource: mseLossSource,
  entryPoint: 'main',
  description:
    'Mean squared error: the average of (prediction − target)² over every output, and its gradient ' +
    "2(prediction − target)/n. It also counts rows whose largest output is at the target's largest entry.",
  bindings: [
    { binding: 0, name: 'pred', access: 'read', description: 'Predictions [batch, features].' },
    {
      binding: 1,
      name: 'targets',
      access: 'read',
      description: 'f32 targets [batch, features], or u32 labels [batch] when labelTargets = 1.',
    },
    {
      binding: 2,
      name: 'dpred',
      access: 'read_write',
      description: 'Gradient of the loss: 2(pred − target)/(batch·features).',
    },
    {
      binding: 3,
      name: 'metrics',
      access: 'read_write',
      description: 'Ring of [mean loss, correct] pairs; slot = step % metricSlots.',
    },
    {
      binding: 4,
      name: 'train_state',
      access: 'read_write',
      description: 'u32 [global step, step in epoch]; the step picks the ring slot; both advance when advanceStep = 1.',
    },
    {
      binding: 5,
      name: 'params',
      access: 'uniform',
      description: 'batch, features, metricSlots, labelTargets, advanceStep.',
    },
  ],
  uniforms: [
    { name: 'batch', type: 'u32' },
    { name: 'features', type: 'u32' },
    { name: 'metricSlots', type: 'u32' },
    { name: 'labelTargets', type: 'u32' },
    { name: 'advanceStep', type: 'u32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: singleWorkgroup,
  cpuTwins: [
    cpuTwin(meanSquaredError, 'meanSquaredError', 'ops/loss/cpu.ts'),
    cpuTwin(rowArgmax, 'rowArgmax', 'ops/loss/cpu.ts'),
  ],
  check: (runner, rng, options) => checkMseLoss(MSE_LOSS, runner, rng, options),
};
