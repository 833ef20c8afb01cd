/** The dropout family's kernels: forward (draws the mask from a counter-based hash) and backward. */
import type { KernelSpec } from '../../kernel/spec';
import { checkDropout } from './check';
import { dropoutBackward, dropoutForward } from './cpu';
import dropoutForwardSource from '../../../../kernels/dropout_forward.wgsl?raw';
import dropoutBackwardSource from '../../../../kernels/dropout_backward.wgsl?raw';
import { cpuTwin } from '../../kernel/spec';
import { linearWorkgroup, countDispatch } from '../../kernel/dispatch';

export const DROPOUT_FORWARD: KernelSpec = {
  name: 'dropout_forward',
  file: 'dropout_forward.wgsl',
  builtinSource: dropoutForwardSource,
  entryPoint: 'main',
  description:
    'Randomly switches off a fraction `rate` of the values while training and scales the survivors up by ' +
    '1/(1 − rate), so the layer cannot rely on any single neuron. The coin flips come from a hash of ' +
    '(seed, step, layer, position), so the CPU and the GPU draw the very same mask.',
  bindings: [
    { binding: 0, name: 'x', access: 'read', description: 'The layer input (count values).' },
    {
      binding: 1,
      name: 'y',
      access: 'read_write',
      description: 'The output: x / (1 − rate) where kept, 0 where dropped.',
    },
    {
      binding: 2,
      name: 'mask',
      access: 'read_write',
      description: 'u32 per element: 1 kept, 0 dropped (for the backward pass).',
    },
    {
      binding: 3,
      name: 'train_state',
      access: 'read',
      description: 'u32 [global step, step in epoch]; the step picks the random stream.',
    },
    {
      binding: 4,
      name: 'params',
      access: 'uniform',
      description: 'count, rate, seed, layerIndex, flags (bit 0: also drop where x <= 0).',
    },
  ],
  uniforms: [
    { name: 'count', type: 'u32' },
    { name: 'rate', type: 'f32' },
    { name: 'seed', type: 'u32' },
    { name: 'layerIndex', type: 'u32' },
    { name: 'flags', type: 'u32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: countDispatch,
  cpuTwins: [cpuTwin(dropoutForward, 'dropoutForward', 'ops/dropout/cpu.ts')],
  check: (runner, rng, options) => checkDropout(DROPOUT_FORWARD, false, runner, rng, options),
};

export const DROPOUT_BACKWARD: KernelSpec = {
  name: 'dropout_backward',
  file: 'dropout_backward.wgsl',
  builtinSource: dropoutBackwardSource,
  entryPoint: 'main',
  description:
    'Backpropagates through dropout: gradients flow only through the values that were kept, scaled by the ' +
    'same 1/(1 − rate) as the forward pass.',
  bindings: [
    { binding: 0, name: 'dy', access: 'read', description: 'Gradient of the loss with respect to the dropout output.' },
    { binding: 1, name: 'mask', access: 'read', description: 'The u32 0/1 mask dropout_forward wrote.' },
    { binding: 2, name: 'dx', access: 'read_write', description: 'Gradient with respect to the dropout input.' },
    { binding: 3, name: 'params', access: 'uniform', description: 'count, rate.' },
  ],
  uniforms: [
    { name: 'count', type: 'u32' },
    { name: 'rate', type: 'f32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: countDispatch,
  cpuTwins: [cpuTwin(dropoutBackward, 'dropoutBackward', 'ops/dropout/cpu.ts')],
  check: (runner, rng, options) => checkDropout(DROPOUT_BACKWARD, true, runner, rng, options),
};
