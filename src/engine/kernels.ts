/**
 * The one table that describes every GPU kernel: its WGSL file, bindings, uniforms, workgroup
 * sizes, how many workgroups a call needs, and the CPU reference it is checked against.
 * The executor dispatches from it, and the kernel editor reads it to explain a kernel and to
 * `check` user-edited source before swapping it in. A new kernel is added here, in ALL_KERNELS.
 */
import type { KernelRunner } from './gpu/kernelRunner';
import type { SeededRandom } from './rng';
import {
  checkMatmul,
  matmulDispatch,
  matmulLargeDispatch,
  registerMatmulSpec,
  useLargeMatmul,
  useSmallMatmul,
  MATMUL_REDUCE,
  MATMUL_SMALL_NAME,
  MATMUL_UNIFORMS,
} from './gpu/matmul';
import { gridStrideDispatch } from './gpu/kernelCheck';
import { TRANSPOSE } from './gpu/transpose';
import matmulSource from '../../kernels/matmul.wgsl?raw';
import matmulLargeSource from '../../kernels/matmul_large.wgsl?raw';
import matmulSmallSource from '../../kernels/matmul_small.wgsl?raw';
import {
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_INPUT_LARGE,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_FORWARD,
  CONV2D_FORWARD_LARGE,
  CONV2D_WEIGHT_REDUCE,
} from './gpu/conv';
import { TRAINING_KERNELS } from './gpu/trainingKernels';

export type BindingAccess = 'read' | 'read_write' | 'uniform';

export interface BindingSpec {
  binding: number;
  name: string;
  access: BindingAccess;
  description: string;
  /** When true a caller may leave it out; the runner binds a small zero buffer instead. */
  optional?: boolean;
}

export type UniformType = 'u32' | 'i32' | 'f32';

export interface UniformField {
  name: string;
  type: UniformType;
}

/** Named numbers packed, in `uniforms` order, into the kernel's one uniform buffer. */
export type UniformValues = Record<string, number>;

/** Pipeline-overridable constants (workgroup sizes, tile depths) by WGSL name. */
export type KernelOverrides = Record<string, number>;

export interface KernelCheckCase {
  /** A human description of the case, e.g. "17x33x65 A^T bias". */
  shape: string;
  maxAbsError: number;
  /** Largest error divided by the output's scale (max(1, max |reference|)). */
  maxRelError: number;
  /** The relative error this case had to stay under. */
  tolerance: number;
  pass: boolean;
}

export interface KernelCheckResult {
  kernel: string;
  cases: KernelCheckCase[];
  pass: boolean;
  /** Set when the kernel could not even run (compile error, GPU error); `cases` is then empty. */
  error?: string;
}

export interface KernelCheckOptions {
  /** WGSL to check instead of the runner's current source (the editor checks before swapping). */
  source?: string;
  overrides?: KernelOverrides;
}

export interface KernelSpec {
  /** Stable identifier, also the key for source overrides and the pipeline cache. */
  name: string;
  /** File under kernels/. */
  file: string;
  /** The shipped WGSL text (imported with ?raw). */
  builtinSource: string;
  entryPoint: string;
  /** One or two plain-English sentences for students. */
  description: string;
  bindings: BindingSpec[];
  uniforms: UniformField[];
  overrides: KernelOverrides;
  /** Threads per workgroup for the given overrides (the WGSL @workgroup_size). */
  workgroupSize(overrides: KernelOverrides): [number, number, number];
  /** Workgroups to dispatch for one call with these uniforms. */
  dispatch(uniforms: UniformValues, overrides: KernelOverrides): [number, number, number];
  /** The CPU reference this kernel is checked against, for display. */
  cpuTwin: string;
  /** Runs the kernel on several random shapes and compares with the CPU reference. */
  check(runner: KernelRunner, rng: SeededRandom, options?: KernelCheckOptions): Promise<KernelCheckResult>;
}

/** Matmul flag bits, mirrored by `params.flags` in kernels/matmul.wgsl. */
export const MatmulFlags = {
  transposeA: 1,
  transposeB: 2,
  bias: 4,
  accumulate: 8,
} as const;

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
  cpuTwin: 'cpu/dense.matmul',
  check: (runner, rng, options) => checkMatmul(MATMUL, runner, rng, options),
};
registerMatmulSpec(MATMUL);

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
  check: (runner, rng, options) => checkMatmul(MATMUL_LARGE, runner, rng, options),
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
  check: (runner, rng, options) => checkMatmul(MATMUL_SMALL, runner, rng, options),
};

/**
 * The matmul kernel for a call of this size: matmul_small for small outputs with a short K,
 * matmul_large for big outputs with a long K, else matmul.
 */
export function matmulKernelFor(M: number, N: number, K: number, options: { transposeB?: boolean } = {}): KernelSpec {
  if (useSmallMatmul(M, N, K, options)) return MATMUL_SMALL;
  return useLargeMatmul(M, N, K) ? MATMUL_LARGE : MATMUL;
}

/** Every kernel the app ships, in display order. */
export const ALL_KERNELS: readonly KernelSpec[] = [
  MATMUL,
  MATMUL_LARGE,
  MATMUL_SMALL,
  MATMUL_REDUCE,
  TRANSPOSE,
  CONV2D_FORWARD,
  CONV2D_FORWARD_LARGE,
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_INPUT_LARGE,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_WEIGHT_REDUCE,
  ...TRAINING_KERNELS,
];

/** Looks a kernel up by name; throws for an unknown name (a programming error). */
export function kernelByName(name: string): KernelSpec {
  const spec = ALL_KERNELS.find((k) => k.name === name);
  if (!spec) throw new Error(`Unknown kernel "${name}"`);
  return spec;
}

/** The spec's default overrides with the given ones on top. */
export function resolveOverrides(spec: KernelSpec, overrides?: KernelOverrides): KernelOverrides {
  return overrides ? { ...spec.overrides, ...overrides } : spec.overrides;
}
