/** The bias gradient: a dense or convolution layer's dL/dbias, the sum of dL/dy over rows and positions. */
import type { KernelSpec } from '../../kernel/spec';
import { checkBiasGrad } from './check';
import { biasGradReference } from './cpu';
import biasGradSource from '../../../../kernels/bias_grad.wgsl?raw';
import { cpuTwin } from '../../kernel/spec';
import { linearWorkgroup } from '../../kernel/dispatch';

export const BIAS_GRAD: KernelSpec = {
  name: 'bias_grad',
  file: 'bias_grad.wgsl',
  builtinSource: biasGradSource,
  entryPoint: 'main',
  description:
    'Computes the gradient of each bias: a bias is added to every example and every pixel of its channel, ' +
    'so its gradient is the sum of all those output gradients. One workgroup adds up one channel.',
  bindings: [
    { binding: 0, name: 'dy', access: 'read', description: 'Output gradient laid out [rows, channels, spatial].' },
    {
      binding: 1,
      name: 'db',
      access: 'read_write',
      description: 'One gradient per channel (read too when accumulating).',
    },
    {
      binding: 2,
      name: 'params',
      access: 'uniform',
      description: 'rows, channels, spatial (1 for dense, H·W for conv), accumulate.',
    },
  ],
  uniforms: [
    { name: 'rows', type: 'u32' },
    { name: 'channels', type: 'u32' },
    { name: 'spatial', type: 'u32' },
    { name: 'accumulate', type: 'u32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: linearWorkgroup,
  dispatch: (u) => [Math.max(1, u.channels), 1, 1],
  cpuTwins: [cpuTwin(biasGradReference, 'biasGradReference', 'ops/bias/cpu.ts')],
  check: (runner, rng, options) => checkBiasGrad(BIAS_GRAD, runner, rng, options),
};
