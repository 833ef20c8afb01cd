/**
 * The matmul family's kernels as the one table (ops/index.ts) lists them: matmul, its large- and
 * small-tile variants, and the reduce that finishes a split-K product.
 */
import type { KernelSpec } from '../../kernel/spec';
import { DROPOUT_AFTER_UNIFORMS } from '../dropout/abi';
import { checkMatmul } from './check';
import { matmul as cpuMatmul } from './cpu';
import { MATMUL_SMALL_NAME, MATMUL_UNIFORMS, matmulDispatch, matmulLargeDispatch, matmulReduceDispatch } from './abi';
import matmulSource from '../../../../kernels/matmul.wgsl?raw';
import matmulLargeSource from '../../../../kernels/matmul_large.wgsl?raw';
import matmulSmallSource from '../../../../kernels/matmul_small.wgsl?raw';
import matmulReduceSource from '../../../../kernels/matmul_reduce.wgsl?raw';
import { dropoutForward } from '../dropout/cpu';
import { cpuTwin } from '../../kernel/spec';
import { gridStrideDispatch } from '../../kernel/dispatch';

const FAMILY = () => ({ matmul: MATMUL, reduce: MATMUL_REDUCE });

export const MATMUL: KernelSpec = {
  name: 'matmul',
  file: 'matmul.wgsl',
  builtinSource: matmulSource,
  entryPoint: 'main',
  description:
    'Multiplies two matrices, C = A·B, optionally reading A or B transposed and adding a bias per ' +
    'column; a dense layer uses it forward (X·W) and backward (dY·Wᵀ for the input, Xᵀ·dY for the weights). ' +
    'Training gives the smallest products (such as a last, 10-unit layer) to "matmul_small" and the biggest to "matmul_large".',
  bindings: [
    { binding: 0, name: 'A', access: 'read', description: 'Left matrix: [M, K], or [K, M] when transposed.' },
    { binding: 1, name: 'B', access: 'read', description: 'Right matrix: [K, N], or [N, K] when transposed.' },
    {
      binding: 2,
      name: 'bias',
      access: 'read',
      description: 'N values added to every row (only with the bias flag).',
      optional: true,
    },
    { binding: 3, name: 'C', access: 'read_write', description: 'The [M, N] result (read too when accumulating).' },
    { binding: 4, name: 'params', access: 'uniform', description: 'Sizes M, N, K, the flag bits and the split of K.' },
    {
      binding: 5,
      name: 'partial',
      access: 'read_write',
      description: 'Scratch for partial sums when K is split into chunks.',
      optional: true,
    },
  ],
  uniforms: MATMUL_UNIFORMS,
  overrides: { WG_X: 16, WG_Y: 16, TILE_K: 16 },
  workgroupSize: (o) => [o.WG_X, o.WG_Y, 1],
  dispatch: matmulDispatch,
  cpuTwins: [cpuTwin(cpuMatmul, 'matmul', 'ops/matmul/cpu.ts')],
  stepper: 'matmul',
  check: (runner, rng, options) => checkMatmul(MATMUL, runner, rng, options, FAMILY()),
};

/** The same multiply as MATMUL, tiled for large matrices (128x128 per workgroup, 8x8 per thread). */
export const MATMUL_LARGE: KernelSpec = {
  ...MATMUL,
  name: 'matmul_large',
  file: 'matmul_large.wgsl',
  builtinSource: matmulLargeSource,
  description:
    'The same matrix multiply as "matmul", for big matrices: each group of 256 threads computes a ' +
    '128x128 block of C and each thread an 8x8 block, so every number a thread reads feeds 8 multiply-adds. ' +
    "Training uses it for big layers (at least 128 such blocks and a long K); the MNIST presets' layers are " +
    'faster with the smaller tiles of "matmul".',
  overrides: {},
  workgroupSize: () => [16, 16, 1],
  dispatch: matmulLargeDispatch,
  check: (runner, rng, options) => checkMatmul(MATMUL_LARGE, runner, rng, options, FAMILY()),
};

/** The same multiply as MATMUL for small outputs: one thread per output, same bits. */
export const MATMUL_SMALL: KernelSpec = {
  ...MATMUL,
  name: MATMUL_SMALL_NAME,
  file: 'matmul_small.wgsl',
  builtinSource: matmulSmallSource,
  description:
    'The same matrix multiply as "matmul", for small results such as the last, 10-unit layer: every number ' +
    'of C gets its own thread, which reads its row of A and column of B straight from memory. With no tiles ' +
    'to share, the threads spread over the whole GPU instead of waiting in one or two groups.',
  bindings: [
    ...MATMUL.bindings.filter((b) => b.name !== 'partial'),
    {
      binding: 5,
      name: 'gate',
      access: 'read',
      description: 'Input gradients only: the dropout mask or ReLU output before the layer (flag bits 9, 10).',
      optional: true,
    },
  ],
  uniforms: [...MATMUL_UNIFORMS, { name: 'gateRate', type: 'f32' }],
  overrides: { WG: 64 },
  workgroupSize: (o) => [o.WG, 1, 1],
  dispatch: (u, o) => gridStrideDispatch(u.M * u.N, o.WG),
  check: (runner, rng, options) => checkMatmul(MATMUL_SMALL, runner, rng, options, FAMILY()),
};

/** Sums split-K partial results and applies the epilogue (bias, accumulate, ReLU). */
export const MATMUL_REDUCE: KernelSpec = {
  name: 'matmul_reduce',
  file: 'matmul_reduce.wgsl',
  builtinSource: matmulReduceSource,
  entryPoint: 'main',
  description:
    'Finishes a matrix multiply that was split along K to keep a big GPU busy: adds the partial sums ' +
    'of every chunk in a fixed order, then the bias, and applies ReLU when the layer asks for it. In training ' +
    'it also does a dropout layer that comes right after, so that layer needs no kernel of its own.',
  bindings: [
    { binding: 0, name: 'partial', access: 'read', description: 'splitK partial results, each [M, N].' },
    {
      binding: 1,
      name: 'bias',
      access: 'read',
      description: 'The bias (at its offset: after the weights when stored with them).',
      optional: true,
    },
    { binding: 2, name: 'C', access: 'read_write', description: 'The [M, N] result.' },
    {
      binding: 3,
      name: 'params',
      access: 'uniform',
      description:
        'Sizes, flag bits and the number of chunks; then the rate, seed and layer index of a dropout after the layer.',
    },
    {
      binding: 4,
      name: 'mask',
      access: 'read_write',
      description: "With the dropout bit: u32 per output, the dropout's 0/1 mask.",
      optional: true,
    },
    {
      binding: 5,
      name: 'train_state',
      access: 'read',
      description: "With the dropout bit: u32 [global step, ...]; the step picks the dropout's random stream.",
      optional: true,
    },
  ],
  uniforms: [...MATMUL_UNIFORMS, ...DROPOUT_AFTER_UNIFORMS],
  overrides: { WG: 256 },
  workgroupSize: (o) => [o.WG, 1, 1],
  dispatch: matmulReduceDispatch,
  cpuTwins: [
    cpuTwin(cpuMatmul, 'matmul', 'ops/matmul/cpu.ts'),
    cpuTwin(dropoutForward, 'dropoutForward', 'ops/dropout/cpu.ts'),
  ],
  stepper: 'matmul',
  check: (runner, rng, options) => checkMatmul(MATMUL_REDUCE, runner, rng, options, FAMILY()),
};
