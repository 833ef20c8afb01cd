/**
 * Pooling kernels (max and average, forward and backward) and their checks against cpu/pool.ts.
 * All four start with one uniform layout (poolUniforms): batch, channels, inH, inW, size, stride,
 * outH, outW; the max-pooling pair adds the fields of a dropout layer they can do the work of
 * (maxPoolForwardUniforms, maxPoolBackwardUniforms).
 */
import type {
  KernelCheckCase,
  KernelCheckOptions,
  KernelCheckResult,
  KernelSpec,
  UniformField,
  UniformValues,
} from '../../kernel/spec';
import type { CompiledKernel, KernelRunner } from '../../kernel/runner';
import type { SeededRandom } from '../../rng';
import {
  avgPoolBackward,
  avgPoolForward,
  maxPoolBackward,
  maxPoolForward,
  pool2dGeometry,
  pool2dSizes,
  type Pool2dGeometry,
} from './cpu';
import { dropoutBackward, dropoutForward } from '../dropout/cpu';
import {
  checkKernel,
  compareExact,
  compareValues,
  gridStrideDispatch,
  randomFloats,
  runGpuCases,
  type BufferInit,
  type GpuCase,
} from '../../kernel/check';
import maxpoolForwardSource from '../../../../kernels/maxpool_forward.wgsl?raw';
import maxpoolBackwardSource from '../../../../kernels/maxpool_backward.wgsl?raw';
import avgpoolForwardSource from '../../../../kernels/avgpool_forward.wgsl?raw';
import avgpoolBackwardSource from '../../../../kernels/avgpool_backward.wgsl?raw';
import { DROPOUT_AFTER_UNIFORMS, dropoutAfterUniforms, type DropoutAfter } from '../dropout/abi';
import { cpuTwin } from '../../kernel/spec';

/** The uniform values of every pool kernel for a geometry from cpu/pool.ts pool2dGeometry. */
export function poolUniforms(g: Pool2dGeometry): UniformValues {
  return {
    batch: g.batch,
    channels: g.channels,
    inH: g.inHeight,
    inW: g.inWidth,
    size: g.size,
    stride: g.stride,
    outH: g.outHeight,
    outW: g.outWidth,
  };
}

/** maxpool_forward's uniforms: the pool's, and with `dropout` the dropout applied to its output. */
export function maxPoolForwardUniforms(g: Pool2dGeometry, dropout?: DropoutAfter): UniformValues {
  return { ...poolUniforms(g), dropout: dropout ? 1 : 0, ...dropoutAfterUniforms(dropout) };
}

/**
 * maxpool_backward's uniforms: the pool's, and with `dropoutRate` the rate of a dropout layer right
 * after the pooling, whose backward pass the kernel then does too (binding `mask`).
 */
export function maxPoolBackwardUniforms(g: Pool2dGeometry, dropoutRate?: number): UniformValues {
  return { ...poolUniforms(g), dropout: dropoutRate === undefined ? 0 : 1, dropoutRate: dropoutRate ?? 0 };
}

const POOL_UNIFORMS: UniformField[] = ['batch', 'channels', 'inH', 'inW', 'size', 'stride', 'outH', 'outW'].map(
  (name) => ({
    name,
    type: 'u32' as const,
  }),
);
const POOL_PARAMS_DESCRIPTION = 'batch, channels, inH, inW, size (window side), stride, outH, outW.';

/** Forward kernels have a thread per output; backward (gather) kernels a thread per input cell. */
function outputDispatch(u: UniformValues, o: Record<string, number>): [number, number, number] {
  return gridStrideDispatch(u.batch * u.channels * u.outH * u.outW, o.WG);
}
function inputDispatch(u: UniformValues, o: Record<string, number>): [number, number, number] {
  return gridStrideDispatch(u.batch * u.channels * u.inH * u.inW, o.WG);
}
/** maxpool_backward scatters from the outputs when the windows tile the image (stride == size). */
function maxBackwardDispatch(u: UniformValues, o: Record<string, number>): [number, number, number] {
  return u.stride === u.size ? outputDispatch(u, o) : inputDispatch(u, o);
}
const wg = (o: Record<string, number>): [number, number, number] => [o.WG, 1, 1];

type PoolKind = 'maxForward' | 'maxBackward' | 'avgForward' | 'avgBackward';

/** Random geometries: batch 1, odd sizes, overlapping windows (stride < size), uncovered edges. */
export function randomPoolGeometries(rng: SeededRandom): Pool2dGeometry[] {
  const g: Pool2dGeometry[] = [
    pool2dGeometry(1, [1, 2, 2], 2, 2),
    pool2dGeometry(1, [3, 7, 9], 3, 2), // overlapping, uneven
    pool2dGeometry(2, [2, 5, 5], 3, 1), // heavy overlap
    pool2dGeometry(1, [1, 6, 6], 6, 1), // one window
    pool2dGeometry(2, [3, 7, 9], 2, 2), // tiling windows, a last row and column no window covers
    pool2dGeometry(1, [2, 11, 10], 3, 3), // tiling, 2 uncovered rows and 1 column
    pool2dGeometry(3, [4, 8, 6], 2, 2), // 2x2 windows covering the image exactly (maxpool_backward's fast path)
  ];
  for (let i = 0; i < 2; i++) {
    const size = 1 + rng.int(4);
    const stride = 1 + rng.int(3);
    const h = size + rng.int(12);
    const w = size + rng.int(12);
    g.push(pool2dGeometry(1 + rng.int(3), [1 + rng.int(4), h, w], size, stride));
  }
  return g;
}

function describe(g: Pool2dGeometry): string {
  return `${g.batch}x${g.channels}x${g.inHeight}x${g.inWidth} size ${g.size} stride ${g.stride}`;
}

/** Inputs with many ties (values on a coarse grid) so the first-max rule is exercised. */
export function poolInput(rng: SeededRandom, n: number, ties: boolean): Float32Array {
  return ties ? Float32Array.from({ length: n }, () => rng.int(4) - 2) : randomFloats(rng, n);
}

async function runPoolCheck(
  kind: PoolKind,
  kernel: CompiledKernel,
  runner: KernelRunner,
  rng: SeededRandom,
): Promise<KernelCheckCase[]> {
  const setups = randomPoolGeometries(rng).map((g, i) => {
    const sizes = pool2dSizes(g);
    const x = poolInput(rng, sizes.input, i % 2 === 0);
    const dy = randomFloats(rng, sizes.output);
    // Max pooling: every other case with a dropout after the pooling (backward: a random 0/1 mask;
    // forward: the kernel draws it, at a random step and layer).
    const withDropout = (kind === 'maxBackward' || kind === 'maxForward') && i % 2 === 1;
    const dropoutRate = withDropout ? Math.fround(0.1 + 0.6 * rng.next()) : undefined;
    const mask = Uint32Array.from({ length: sizes.output }, () => (rng.next() < 0.5 ? 1 : 0));
    const dropout = { rate: dropoutRate ?? 0, seed: rng.int(2 ** 32), layerIndex: rng.int(64), step: rng.int(100000) };
    return { g, sizes, x, dy, max: maxPoolForward(x, g), dropoutRate, mask, dropout };
  });
  const cases: GpuCase[] = setups.map(({ g, sizes, x, dy, max, dropoutRate, mask, dropout }) => {
    const forwardDropout = kind === 'maxForward' && dropoutRate !== undefined;
    const buffers: Record<string, BufferInit> =
      kind === 'maxForward'
        ? {
            x,
            y: sizes.output * 4,
            argmax: sizes.output * 4,
            ...(forwardDropout ? { mask: sizes.output * 4, train_state: new Uint32Array([dropout.step, 0]) } : {}),
          }
        : // dx starts as NaN: a cell the kernel forgets to write (e.g. one no window covers) shows.
          kind === 'maxBackward'
          ? {
              dy,
              argmax: Uint32Array.from(max.argmax),
              dx: new Float32Array(sizes.input).fill(NaN),
              ...(dropoutRate === undefined ? {} : { mask }),
            }
          : kind === 'avgForward'
            ? { x, y: sizes.output * 4 }
            : { dy, dx: sizes.input * 4 };
    const read =
      kind === 'maxForward'
        ? ['y', 'argmax', ...(forwardDropout ? ['mask'] : [])]
        : kind === 'avgForward'
          ? ['y']
          : ['dx'];
    const uniforms =
      kind === 'maxBackward'
        ? maxPoolBackwardUniforms(g, dropoutRate)
        : kind === 'maxForward'
          ? maxPoolForwardUniforms(g, forwardDropout ? dropout : undefined)
          : poolUniforms(g);
    const shape = describe(g) + (dropoutRate === undefined ? '' : ` after dropout ${dropoutRate.toPrecision(3)}`);
    return { shape, buffers, uniforms, read };
  });
  const outs = await runGpuCases(runner, kernel, cases);
  return setups.flatMap(({ g, sizes, x, dy, max, dropoutRate, mask, dropout }, i) => {
    const shape = cases[i].shape;
    const area = g.size * g.size;
    switch (kind) {
      case 'maxForward': {
        const argmax = compareExact(`${shape} argmax`, new Uint32Array(outs[i].argmax), max.argmax);
        if (dropoutRate === undefined) return [compareExact(`${shape} y`, new Float32Array(outs[i].y), max.y), argmax];
        const after = dropoutForward(max.y, dropoutRate, dropout.seed, dropout.step, dropout.layerIndex);
        return [
          // The scale 1 / (1 - rate) is rounded to f32 on the GPU, not on the CPU: within 1e-6.
          compareValues(`${shape} y after dropout`, new Float32Array(outs[i].y), after.y, 1e-6),
          compareExact(`${shape} dropout mask`, new Uint32Array(outs[i].mask), Uint32Array.from(after.mask)),
          argmax,
        ];
      }
      case 'maxBackward': {
        // Same additions in the same order as the CPU, but the CPU rounds its f32 sums once.
        const g0 = dropoutRate === undefined ? dy : dropoutBackward(dy, Uint8Array.from(mask), dropoutRate);
        return [
          compareValues(
            shape,
            new Float32Array(outs[i].dx),
            maxPoolBackward(Float64Array.from(g0), max.argmax, g, sizes.input),
            1e-6 * area,
          ),
        ];
      }
      case 'avgForward':
        return [
          compareValues(shape, new Float32Array(outs[i].y), avgPoolForward(Float64Array.from(x), g), 1e-6 * area),
        ];
      case 'avgBackward':
        return [
          compareValues(shape, new Float32Array(outs[i].dx), avgPoolBackward(Float64Array.from(dy), g), 1e-6 * area),
        ];
    }
  });
}

function poolCheck(kind: PoolKind, spec: () => KernelSpec) {
  return (runner: KernelRunner, rng: SeededRandom, options: KernelCheckOptions = {}): Promise<KernelCheckResult> =>
    checkKernel(spec(), runner, options, (kernel) => runPoolCheck(kind, kernel, runner, rng));
}

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
  workgroupSize: wg,
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
  workgroupSize: wg,
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
  workgroupSize: wg,
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
  workgroupSize: wg,
  dispatch: inputDispatch,
  cpuTwins: [cpuTwin(avgPoolBackward, 'avgPoolBackward', 'ops/pool/cpu.ts')],
  stepper: 'pool',
  check: poolCheck('avgBackward', () => AVGPOOL_BACKWARD),
};
