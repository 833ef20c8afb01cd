/**
 * Element-wise kernels and their checks: activations (forward/backward), the bias gradient and
 * dropout (forward/backward).
 */
import type { KernelCheckOptions, KernelCheckResult, KernelSpec, UniformField, UniformValues } from '../kernels';
import type { KernelRunner } from './kernelRunner';
import type { ActivationKind } from '../layers';
import type { SeededRandom } from '../rng';
import { activationBackward, activationForward } from '../cpu/activations';
import { dropoutBackward, dropoutForward } from '../cpu/dropout';
import {
  checkKernel,
  compareExact,
  compareValues,
  gridStrideDispatch,
  randomFloats,
  runGpuCases,
  type BufferInit,
  type GpuCase,
} from './kernelCheck';
import activationForwardSource from '../../../kernels/activation_forward.wgsl?raw';
import activationBackwardSource from '../../../kernels/activation_backward.wgsl?raw';
import biasGradSource from '../../../kernels/bias_grad.wgsl?raw';
import dropoutForwardSource from '../../../kernels/dropout_forward.wgsl?raw';
import dropoutBackwardSource from '../../../kernels/dropout_backward.wgsl?raw';

/** `kind` uniform of the activation kernels. */
export const ACTIVATION_KIND: Readonly<Record<ActivationKind, number>> = { relu: 0, leakyRelu: 1, sigmoid: 2, tanh: 3 };
const ACTIVATION_KINDS: ActivationKind[] = ['relu', 'leakyRelu', 'sigmoid', 'tanh'];

/** Uniforms of activation_forward / activation_backward for `count` elements. */
export function activationUniforms(kind: ActivationKind, count: number, alpha = 0.01): UniformValues {
  return { kind: ACTIVATION_KIND[kind], count, alpha };
}

/** Uniforms of bias_grad: dy is [rows, channels, spatial]; accumulate adds into db. */
export function biasGradUniforms(rows: number, channels: number, spatial: number, accumulate = false): UniformValues {
  return { rows, channels, spatial, accumulate: accumulate ? 1 : 0 };
}

/**
 * Uniforms of dropout_forward (the step comes from train_state[0] on the GPU). `foldRelu`: the mask also drops where x <= 0 (x being the output of a ReLU), so the backward pass
 * gives the gradient before that ReLU directly (bit 0 of the kernel's flags).
 */
export function dropoutForwardUniforms(
  count: number,
  rate: number,
  seed: number,
  layerIndex: number,
  foldRelu = false,
): UniformValues {
  return { count, rate, seed: seed >>> 0, layerIndex, flags: foldRelu ? 1 : 0 };
}

/**
 * A dropout layer done inside the kernel of the layer before it (maxpool_forward,
 * conv2d_forward_large with its pool flag, matmul_reduce), in training.
 */
export interface DropoutAfter {
  rate: number;
  seed: number;
  layerIndex: number;
}

/** The uniform fields those kernels add for it, in this order at the end of their Params. */
export const DROPOUT_AFTER_UNIFORMS: UniformField[] = [
  { name: 'dropoutRate', type: 'f32' },
  { name: 'seed', type: 'u32' },
  { name: 'layerIndex', type: 'u32' },
];

/** Their values (zeros without a dropout: the kernel's flag then leaves them unread). */
export function dropoutAfterUniforms(dropout?: DropoutAfter): UniformValues {
  return { dropoutRate: dropout?.rate ?? 0, seed: (dropout?.seed ?? 0) >>> 0, layerIndex: dropout?.layerIndex ?? 0 };
}

/** Uniforms of dropout_backward. */
export function dropoutBackwardUniforms(count: number, rate: number): UniformValues {
  return { count, rate };
}

const wg = (o: Record<string, number>): [number, number, number] => [o.WG, 1, 1];
const countDispatch = (u: UniformValues, o: Record<string, number>) => gridStrideDispatch(u.count, o.WG);

/** Random values in [-4, 4) with exact zeros and a few large magnitudes mixed in (relu's kink, saturation). */
function activationInputs(rng: SeededRandom, n: number): Float32Array {
  const x = randomFloats(rng, n, -4, 4);
  for (let i = 0; i < n; i += 7) x[i] = 0;
  for (let i = 3; i < n; i += 11) x[i] = (rng.next() < 0.5 ? -1 : 1) * (20 + 80 * rng.next());
  return x;
}

/** relu is exact; the others round a few times in f32 and use the GPU's exp/tanh. */
function activationTolerance(kind: ActivationKind): number {
  return kind === 'relu' ? 0 : kind === 'leakyRelu' ? 1e-6 : 1e-5;
}

async function checkActivation(
  spec: KernelSpec,
  backward: boolean,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const counts = [1, 255, 257 + rng.int(500), 1000 + rng.int(2000)];
    const setups = counts.flatMap((count, c) => {
      const kinds = c === 0 ? ACTIVATION_KINDS : [ACTIVATION_KINDS[rng.int(4)], ACTIVATION_KINDS[(c + 1) % 4]];
      return kinds.map((kind) => {
        const alpha = Math.fround(0.01 + 0.3 * rng.next());
        const x = activationInputs(rng, count);
        const y = activationForward(kind, x, alpha);
        const dy = randomFloats(rng, count);
        return { kind, count, alpha, x, y, dy };
      });
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `${s.kind} n=${s.count}`,
      buffers: (backward ? { x: s.x, y: s.y, dy: s.dy, dx: s.count * 4 } : { x: s.x, y: s.count * 4 }) as Record<
        string,
        BufferInit
      >,
      uniforms: activationUniforms(s.kind, s.count, s.alpha),
      read: [backward ? 'dx' : 'y'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.map((s, i) => {
      const got = new Float32Array(outs[i][backward ? 'dx' : 'y']);
      const expected = backward ? activationBackward(s.kind, s.x, s.y, s.dy, s.alpha) : s.y;
      return compareValues(cases[i].shape, got, expected, activationTolerance(s.kind));
    });
  });
}

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
  workgroupSize: wg,
  dispatch: countDispatch,
  cpuTwin: 'cpu/activations.activationForward',
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
  workgroupSize: wg,
  dispatch: countDispatch,
  cpuTwin: 'cpu/activations.activationBackward',
  check: (runner, rng, options) => checkActivation(ACTIVATION_BACKWARD, true, runner, rng, options),
};

/** CPU twin of bias_grad: db[c] (+)= sum of dy[r, c, s] (f64 sum, as the CPU layers do). */
export function biasGradReference(
  dy: Float32Array,
  rows: number,
  channels: number,
  spatial: number,
  db0?: Float32Array,
): Float64Array {
  const db = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) for (let s = 0; s < spatial; s++) db[c] += dy[(r * channels + c) * spatial + s];
  }
  if (db0) for (let c = 0; c < channels; c++) db[c] += db0[c];
  return db;
}

async function checkBiasGrad(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(BIAS_GRAD, runner, options, async (kernel) => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1 + rng.int(40), 1 + rng.int(20), 1],
      [1 + rng.int(5), 1 + rng.int(8), 1 + rng.int(60)],
      [300 + rng.int(300), 1 + rng.int(3), 1],
      [1 + rng.int(4), 2, 24 * 24],
    ];
    const setups = shapes.map(([rows, channels, spatial], i) => {
      const accumulate = i % 2 === 1;
      return {
        rows,
        channels,
        spatial,
        accumulate,
        dy: randomFloats(rng, rows * channels * spatial),
        db0: randomFloats(rng, channels),
      };
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `${s.rows}x${s.channels}x${s.spatial}${s.accumulate ? ' +=db' : ''}`,
      buffers: { dy: s.dy, db: s.accumulate ? s.db0 : s.channels * 4 },
      uniforms: biasGradUniforms(s.rows, s.channels, s.spatial, s.accumulate),
      read: ['db'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.map((s, i) => {
      const expected = biasGradReference(s.dy, s.rows, s.channels, s.spatial, s.accumulate ? s.db0 : undefined);
      // f32 rounding of a sum grows with its length; 1e-6 per term is generous for a tree sum.
      return compareValues(
        cases[i].shape,
        new Float32Array(outs[i].db),
        expected,
        1e-6 * Math.max(1, s.rows * s.spatial),
      );
    });
  });
}

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
  workgroupSize: wg,
  dispatch: (u) => [Math.max(1, u.channels), 1, 1],
  cpuTwin: 'cpu/dense.denseBackward (bias) and cpu/conv (bias)',
  check: (runner, rng, options) => checkBiasGrad(runner, rng, options),
};

async function checkDropout(
  backward: boolean,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  const spec = backward ? DROPOUT_BACKWARD : DROPOUT_FORWARD;
  return checkKernel(spec, runner, options, async (kernel) => {
    const rates = [0.5, Math.fround(0.05 + 0.9 * rng.next()), 0, Math.fround(0.3)];
    const setups = [1, 257, 1000 + rng.int(3000), 4096, 777].map((count, i) => {
      const rate = rates[i % rates.length];
      const seed = rng.int(2 ** 32);
      const step = i === 0 ? 0 : rng.int(100000);
      const layerIndex = rng.int(64);
      // The last two fold in a ReLU before: x is a ReLU output (zeros included), the mask drops them too.
      const foldRelu = i >= 3;
      const x = randomFloats(rng, count).map((v) => (foldRelu ? Math.max(0, v) : v));
      const { y, mask } = dropoutForward(x, rate, seed, step, layerIndex);
      if (foldRelu) for (let j = 0; j < count; j++) mask[j] = mask[j] && x[j] > 0 ? 1 : 0;
      return { count, rate, seed, step, layerIndex, foldRelu, x, y, mask, dy: randomFloats(rng, count) };
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `n=${s.count} rate=${s.rate.toPrecision(3)} step=${s.step} layer=${s.layerIndex}${s.foldRelu ? ' relu folded' : ''}`,
      buffers: (backward
        ? { dy: s.dy, mask: Uint32Array.from(s.mask), dx: s.count * 4 }
        : { x: s.x, y: s.count * 4, mask: s.count * 4, train_state: new Uint32Array([s.step, 0]) }) as Record<
        string,
        BufferInit
      >,
      uniforms: backward
        ? dropoutBackwardUniforms(s.count, s.rate)
        : dropoutForwardUniforms(s.count, s.rate, s.seed, s.layerIndex, s.foldRelu),
      read: backward ? ['dx'] : ['y', 'mask'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.flatMap((s, i) => {
      if (backward) {
        const expected = dropoutBackward(s.dy, s.mask, s.rate);
        return [compareValues(cases[i].shape, new Float32Array(outs[i].dx), expected, 1e-6)];
      }
      return [
        compareExact(`${cases[i].shape} mask`, new Uint32Array(outs[i].mask), s.mask),
        compareValues(`${cases[i].shape} y`, new Float32Array(outs[i].y), s.y, 1e-6),
      ];
    });
  });
}

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
  workgroupSize: wg,
  dispatch: countDispatch,
  cpuTwin: 'cpu/dropout.dropoutForward',
  check: (runner, rng, options) => checkDropout(false, runner, rng, options),
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
  workgroupSize: wg,
  dispatch: countDispatch,
  cpuTwin: 'cpu/dropout.dropoutBackward',
  check: (runner, rng, options) => checkDropout(true, runner, rng, options),
};
