/**
 * Pooling kernels (max and average, forward and backward) and their checks against cpu/pool.ts.
 * All four start with one uniform layout (poolUniforms): batch, channels, inH, inW, size, stride,
 * outH, outW; the max-pooling pair adds the fields of a dropout layer they can do the work of
 * (maxPoolForwardUniforms, maxPoolBackwardUniforms).
 */
import type { KernelSpec } from '../../kernel/spec';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from './cpu';
import maxpoolForwardSource from '../../../../kernels/maxpool_forward.wgsl?raw';
import maxpoolBackwardSource from '../../../../kernels/maxpool_backward.wgsl?raw';
import avgpoolForwardSource from '../../../../kernels/avgpool_forward.wgsl?raw';
import avgpoolBackwardSource from '../../../../kernels/avgpool_backward.wgsl?raw';
import { DROPOUT_AFTER_UNIFORMS } from '../dropout/abi';
import { cpuTwin } from '../../kernel/spec';
import { POOL_UNIFORMS, inputDispatch, maxBackwardDispatch, outputDispatch } from './abi';
import { poolCheck } from './check';
import { linearWorkgroup } from '../../kernel/dispatch';

const POOL_PARAMS_DESCRIPTION = 'batch, channels, inH, inW, size (window side), stride, outH, outW.';

export const MAXPOOL_FORWARD: KernelSpec = {
  name: 'maxpool_forward',
  file: 'maxpool_forward.wgsl',
  builtinSource: maxpoolForwardSource,
  entryPoint: 'main',
  description:
    'Max pooling: slides a small window over each channel and keeps only the largest value in it, shrinking ' +
    'the image; it also remembers where that largest value was, for the backward pass.',
  bindings: [
    { binding: 0, name: 'x', access: 'read', description: 'Input images, NCHW [batch, channels, inH, inW].' },
    { binding: 1, name: 'y', access: 'read_write', description: 'Pooled output [batch, channels, outH, outW].' },
    {
      binding: 2,
      name: 'argmax',
      access: 'read_write',
      description: 'u32 per output: flat index into x of the winner (first max wins ties).',
    },
    {
      binding: 3,
      name: 'params',
      access: 'uniform',
      description: `${POOL_PARAMS_DESCRIPTION.slice(0, -1)}, dropout (1 to apply a dropout layer after the pooling), dropoutRate, seed, layerIndex.`,
    },
    {
      binding: 4,
      name: 'mask',
      access: 'read_write',
      description: "u32 per output: that dropout's 0/1 mask (only with dropout).",
      optional: true,
    },
    {
      binding: 5,
      name: 'train_state',
      access: 'read',
      description: "u32 [global step, step in epoch]; the step picks the dropout's random stream (only with dropout).",
      optional: true,
    },
  ],
  uniforms: [...POOL_UNIFORMS, { name: 'dropout', type: 'u32' }, ...DROPOUT_AFTER_UNIFORMS],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: outputDispatch,
  cpuTwins: [cpuTwin(maxPoolForward, 'maxPoolForward', 'ops/pool/cpu.ts')],
  stepper: 'pool',
  check: poolCheck('maxForward', () => MAXPOOL_FORWARD),
};

export const MAXPOOL_BACKWARD: KernelSpec = {
  name: 'maxpool_backward',
  file: 'maxpool_backward.wgsl',
  builtinSource: maxpoolBackwardSource,
  entryPoint: 'main',
  description:
    "Backpropagates through max pooling: only the input that won a window gets that window's gradient. " +
    'When the windows tile the image, each window hands its gradient to its winner and zeros to the rest; ' +
    'when they overlap, each input looks at the windows covering it and adds up the gradients of those it won.',
  bindings: [
    {
      binding: 0,
      name: 'dy',
      access: 'read',
      description: 'Gradient of the pooled output [batch, channels, outH, outW].',
    },
    { binding: 1, name: 'argmax', access: 'read', description: 'The u32 winner indices from maxpool_forward.' },
    { binding: 2, name: 'dx', access: 'read_write', description: 'Gradient of the input [batch, channels, inH, inW].' },
    {
      binding: 3,
      name: 'params',
      access: 'uniform',
      description: `${POOL_PARAMS_DESCRIPTION.slice(0, -1)}, dropout (1 when a dropout layer follows), dropoutRate.`,
    },
    {
      binding: 4,
      name: 'mask',
      access: 'read',
      description: 'The u32 0/1 mask of the dropout layer after the pooling (only with dropout).',
      optional: true,
    },
  ],
  uniforms: [...POOL_UNIFORMS, { name: 'dropout', type: 'u32' }, { name: 'dropoutRate', type: 'f32' }],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: maxBackwardDispatch,
  cpuTwins: [cpuTwin(maxPoolBackward, 'maxPoolBackward', 'ops/pool/cpu.ts')],
  stepper: 'pool',
  check: poolCheck('maxBackward', () => MAXPOOL_BACKWARD),
};

export const AVGPOOL_FORWARD: KernelSpec = {
  name: 'avgpool_forward',
  file: 'avgpool_forward.wgsl',
  builtinSource: avgpoolForwardSource,
  entryPoint: 'main',
  description: 'Average pooling: slides a small window over each channel and replaces it by the mean of its values.',
  bindings: [
    { binding: 0, name: 'x', access: 'read', description: 'Input images, NCHW [batch, channels, inH, inW].' },
    { binding: 1, name: 'y', access: 'read_write', description: 'Pooled output [batch, channels, outH, outW].' },
    { binding: 2, name: 'params', access: 'uniform', description: POOL_PARAMS_DESCRIPTION },
  ],
  uniforms: POOL_UNIFORMS,
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: outputDispatch,
  cpuTwins: [cpuTwin(avgPoolForward, 'avgPoolForward', 'ops/pool/cpu.ts')],
  stepper: 'pool',
  check: poolCheck('avgForward', () => AVGPOOL_FORWARD),
};

export const AVGPOOL_BACKWARD: KernelSpec = {
  name: 'avgpool_backward',
  file: 'avgpool_backward.wgsl',
  builtinSource: avgpoolBackwardSource,
  entryPoint: 'main',
  description:
    'Backpropagates through average pooling: every input in a window receives an equal share, ' +
    'gradient / (size × size), from each window that covers it.',
  bindings: [
    {
      binding: 0,
      name: 'dy',
      access: 'read',
      description: 'Gradient of the pooled output [batch, channels, outH, outW].',
    },
    { binding: 1, name: 'dx', access: 'read_write', description: 'Gradient of the input [batch, channels, inH, inW].' },
    { binding: 2, name: 'params', access: 'uniform', description: POOL_PARAMS_DESCRIPTION },
  ],
  uniforms: POOL_UNIFORMS,
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: inputDispatch,
  cpuTwins: [cpuTwin(avgPoolBackward, 'avgPoolBackward', 'ops/pool/cpu.ts')],
  stepper: 'pool',
  check: poolCheck('avgBackward', () => AVGPOOL_BACKWARD),
};
