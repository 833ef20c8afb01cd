/**
 * The optimizer kernel's TypeScript side: uniforms from an OptimizerConfig, the per-step tables it
 * reads on the GPU (learning rates; Adam's bias corrections), and the check that runs 10 steps —
 * recorded in ONE command buffer with the step counter moved between them, as a training step's
 * loss kernel moves it — against src/engine/optimizers.ts optimizerStep.
 */
import type { KernelSpec } from '../../kernel/spec';
import { optimizerStep } from './cpu';
import optimizerSource from '../../../../kernels/optimizer.wgsl?raw';
import { cpuTwin } from '../../kernel/spec';
import { checkOptimizer } from './check';
import { gridStrideDispatch } from '../../kernel/dispatch';

export const OPTIMIZER: KernelSpec = {
  name: 'optimizer',
  file: 'optimizer.wgsl',
  builtinSource: optimizerSource,
  entryPoint: 'main',
  description:
    'Updates every weight and bias of the model in one go, moving each a small step against its gradient: ' +
    'plain SGD (with optional momentum), Adam (which adapts the step per weight), or RMSprop.',
  bindings: [
    {
      binding: 0,
      name: 'params',
      access: 'read_write',
      description: 'All parameters of the model, one flat f32 array [count].',
    },
    { binding: 1, name: 'grads', access: 'read', description: 'Their gradients, same layout.' },
    {
      binding: 2,
      name: 'state',
      access: 'read_write',
      description: 'Optimizer memory: slot k of parameter i at [k * count + i].',
      optional: true,
    },
    {
      binding: 3,
      name: 'train_state',
      access: 'read',
      description: 'u32 [global step, step in epoch]; the step (minus stepAdvanced) indexes the tables.',
    },
    { binding: 4, name: 'lr_table', access: 'read', description: 'Learning rate of every global step (SGD, RMSprop).' },
    {
      binding: 5,
      name: 'adam_table',
      access: 'read',
      description: 'Adam only: [-lr/(1-beta1^t), sqrt(1-beta2^t)] per global step.',
      optional: true,
    },
    {
      binding: 6,
      name: 'u',
      access: 'uniform',
      description:
        'kind (0 sgd, 1 adam, 2 rmsprop), count, the hyperparameters, zero (always 0: it stops fma fusion) and stepAdvanced.',
    },
  ],
  uniforms: [
    { name: 'kind', type: 'u32' },
    { name: 'count', type: 'u32' },
    { name: 'momentum', type: 'f32' },
    { name: 'nesterov', type: 'u32' },
    { name: 'weightDecay', type: 'f32' },
    { name: 'beta1', type: 'f32' },
    { name: 'beta2', type: 'f32' },
    { name: 'oneMinusBeta1', type: 'f32' },
    { name: 'oneMinusBeta2', type: 'f32' },
    { name: 'epsilon', type: 'f32' },
    { name: 'alpha', type: 'f32' },
    { name: 'oneMinusAlpha', type: 'f32' },
    { name: 'zero', type: 'u32' },
    { name: 'stepAdvanced', type: 'u32' },
    { name: 'stateSlots', type: 'u32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: (o) => [o.WG, 1, 1],
  // PER_THREAD (4) parameters per thread.
  dispatch: (u, o) => gridStrideDispatch(Math.ceil(u.count / 4), o.WG),
  cpuTwins: [cpuTwin(optimizerStep, 'optimizerStep', 'ops/optimizer/cpu.ts')],
  check: (runner, rng, options) => checkOptimizer(OPTIMIZER, runner, rng, options),
};
