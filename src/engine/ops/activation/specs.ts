/** The activation family's kernels: ReLU, leaky ReLU, sigmoid and tanh, forward and backward. */
import type { KernelSpec } from '../../kernel/spec';
import { checkActivation } from './check';
import { activationBackward, activationForward } from './cpu';
import activationForwardSource from '../../../../kernels/activation_forward.wgsl?raw';
import activationBackwardSource from '../../../../kernels/activation_backward.wgsl?raw';
import { cpuTwin } from '../../kernel/spec';
import { linearWorkgroup, countDispatch } from '../../kernel/dispatch';

export const ACTIVATION_FORWARD: KernelSpec = {
  name: 'activation_forward',
  file: 'activation_forward.wgsl',
  builtinSource: activationForwardSource,
  entryPoint: 'main',
  description:
    'Applies the activation function to every number on its own: ReLU keeps positives and zeroes negatives, ' +
    'leaky ReLU lets a small slope through, sigmoid squashes into (0, 1) and tanh into (-1, 1).',
  bindings: [
    { binding: 0, name: 'x', access: 'read', description: 'The layer input (any shape, count values).' },
    { binding: 1, name: 'y', access: 'read_write', description: 'The activated output, same shape.' },
    {
      binding: 2,
      name: 'params',
      access: 'uniform',
      description: 'kind (0 relu, 1 leakyRelu, 2 sigmoid, 3 tanh), count, alpha.',
    },
  ],
  uniforms: [
    { name: 'kind', type: 'u32' },
    { name: 'count', type: 'u32' },
    { name: 'alpha', type: 'f32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: countDispatch,
  cpuTwins: [cpuTwin(activationForward, 'activationForward', 'ops/activation/cpu.ts')],
  check: (runner, rng, options) => checkActivation(ACTIVATION_FORWARD, false, runner, rng, options),
};

export const ACTIVATION_BACKWARD: KernelSpec = {
  name: 'activation_backward',
  file: 'activation_backward.wgsl',
  builtinSource: activationBackwardSource,
  entryPoint: 'main',
  description:
    'Backpropagates through the activation: multiplies each incoming gradient by the slope of the function ' +
    'at that point (ReLU: 1 or 0; sigmoid: y(1 − y); tanh: 1 − y²).',
  bindings: [
    { binding: 0, name: 'x', access: 'read', description: 'The forward input (relu and leakyRelu look at its sign).' },
    { binding: 1, name: 'y', access: 'read', description: 'The forward output (sigmoid and tanh use it).' },
    { binding: 2, name: 'dy', access: 'read', description: 'Gradient of the loss with respect to y.' },
    { binding: 3, name: 'dx', access: 'read_write', description: 'Gradient of the loss with respect to x.' },
    {
      binding: 4,
      name: 'params',
      access: 'uniform',
      description: 'kind (0 relu, 1 leakyRelu, 2 sigmoid, 3 tanh), count, alpha.',
    },
  ],
  uniforms: [
    { name: 'kind', type: 'u32' },
    { name: 'count', type: 'u32' },
    { name: 'alpha', type: 'f32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: countDispatch,
  cpuTwins: [cpuTwin(activationBackward, 'activationBackward', 'ops/activation/cpu.ts')],
  check: (runner, rng, options) => checkActivation(ACTIVATION_BACKWARD, true, runner, rng, options),
};
