/**
 * gather_batch: builds a normalised mini-batch on the GPU from the packed-u8 data set that lives
 * there, by shuffled order (training) or sequentially with padding (evaluation). Checked bit for
 * bit against cpu/batch.ts gatherBatch.
 */
import type {
  KernelCheckCase,
  KernelCheckOptions,
  KernelCheckResult,
  KernelSpec,
  UniformValues,
} from '../../kernel/spec';
import type { KernelRunner } from '../../kernel/runner';
import { seededPermutation, type SeededRandom } from '../../rng';
import { MNIST_MEAN, MNIST_STD, gatherBatch } from './cpu';
import {
  checkKernel,
  compareExact,
  gridStrideDispatch,
  packBytes,
  runGpuCases,
  type GpuCase,
} from '../../kernel/check';
import gatherBatchSource from '../../../../kernels/gather_batch.wgsl?raw';
import { cpuTwin } from '../../kernel/spec';

/** `mode` uniform of gather_batch. */
export const GatherMode = { train: 0, evaluate: 1 } as const;

/** The label gather_batch writes for evaluation rows past the end of the data (loss kernels skip it). */
export const GATHER_PADDING_LABEL = 0xffffffff;

export interface GatherOptions {
  batch: number;
  /** Pixels per image (784 for MNIST). */
  pixels: number;
  /** Images in the data set. */
  count: number;
  mean?: number;
  std?: number;
}

/** Uniforms for a training gather: row b is image perm[train_state[1] * batch + b]. */
export function gatherTrainUniforms(o: GatherOptions): UniformValues {
  return {
    batch: o.batch,
    pixels: o.pixels,
    mean: o.mean ?? MNIST_MEAN,
    stdDev: o.std ?? MNIST_STD,
    mode: GatherMode.train,
    offset: 0,
    count: o.count,
  };
}

/** Uniforms for an evaluation gather: row b is image offset + b; rows at or past count are padding. */
export function gatherEvalUniforms(o: GatherOptions & { offset: number }): UniformValues {
  return {
    batch: o.batch,
    pixels: o.pixels,
    mean: o.mean ?? MNIST_MEAN,
    stdDev: o.std ?? MNIST_STD,
    mode: GatherMode.evaluate,
    offset: o.offset,
    count: o.count,
  };
}

/** The CPU twin, including evaluation padding: zeros and label 0xffffffff past `count`. */
export function gatherReference(
  images: Uint8Array,
  labels: Uint8Array,
  indices: ArrayLike<number>,
  pixels: number,
  count: number,
  mean = MNIST_MEAN,
  std = MNIST_STD,
): { x: Float32Array; y: Uint32Array } {
  const real = Array.from(indices).filter((i) => i < count);
  const { x, y } = gatherBatch(images, labels, real, pixels, mean, std);
  const outX = new Float32Array(indices.length * pixels);
  outX.set(x);
  const outY = new Uint32Array(indices.length).fill(GATHER_PADDING_LABEL);
  outY.set(y);
  return { x: outX, y: outY };
}

interface GatherSetup {
  shape: string;
  images: Uint8Array;
  labels: Uint8Array;
  perm: Uint32Array;
  stepInEpoch: number;
  uniforms: UniformValues;
  indices: number[];
}

function randomBytes(rng: SeededRandom, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

/** Training and evaluation gathers over small random data sets, plus every byte value once. */
function gatherSetups(rng: SeededRandom): GatherSetup[] {
  const setups: GatherSetup[] = [];
  // Every byte 0..255 once, in one 256-pixel image: the normalisation must be bit-exact for all.
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  for (const [mean, std] of [
    [MNIST_MEAN, MNIST_STD],
    [0.5, 0.5],
    [rng.next(), 0.05 + rng.next()],
  ]) {
    const u = gatherTrainUniforms({ batch: 1, pixels: 256, count: 1, mean, std });
    setups.push({
      shape: `all bytes mean ${mean.toFixed(4)} std ${std.toFixed(4)}`,
      images: all,
      labels: new Uint8Array([7]),
      perm: new Uint32Array([0]),
      stepInEpoch: 0,
      uniforms: u,
      indices: [0],
    });
  }
  for (let k = 0; k < 2; k++) {
    const count = 20 + rng.int(40);
    const pixels = k === 0 ? 1 + rng.int(7) : 28 * 28;
    const batch = 1 + rng.int(Math.floor(count / 2));
    const images = randomBytes(rng, count * pixels);
    const labels = Uint8Array.from({ length: count }, () => rng.int(10));
    const perm = seededPermutation(count, rng.int(1000), k);
    const stepInEpoch = rng.int(Math.floor(count / batch));
    const indices = Array.from(perm.subarray(stepInEpoch * batch, (stepInEpoch + 1) * batch));
    setups.push({
      shape: `train ${batch}x${pixels} step ${stepInEpoch}`,
      images,
      labels,
      perm,
      stepInEpoch,
      uniforms: gatherTrainUniforms({ batch, pixels, count }),
      indices,
    });
    const offset = count - 1 - rng.int(batch);
    const evalIndices = Array.from({ length: batch }, (_, b) => offset + b);
    setups.push({
      shape: `evaluate ${batch}x${pixels} from ${offset} of ${count}`,
      images,
      labels,
      perm,
      stepInEpoch,
      uniforms: gatherEvalUniforms({ batch, pixels, count, offset }),
      indices: evalIndices,
    });
  }
  return setups;
}

async function checkGatherBatch(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(GATHER_BATCH, runner, options, async (kernel) => {
    const setups = gatherSetups(rng);
    const cases: GpuCase[] = setups.map((s) => ({
      shape: s.shape,
      buffers: {
        images: packBytes(s.images),
        labels: packBytes(s.labels),
        perm: s.perm,
        train_state: new Uint32Array([rng.int(1000), s.stepInEpoch]),
        // Pre-filled with garbage so padding rows must really be written.
        x_out: new Float32Array(s.uniforms.batch * s.uniforms.pixels).fill(NaN),
        y_out: new Uint32Array(s.uniforms.batch).fill(12345),
      },
      uniforms: s.uniforms,
      read: ['x_out', 'y_out'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.flatMap((s, i): KernelCheckCase[] => {
      const u = s.uniforms;
      const ref = gatherReference(s.images, s.labels, s.indices, u.pixels, u.count, u.mean, u.stdDev);
      return [
        compareExact(`${s.shape} x (bit-exact)`, new Float32Array(outs[i].x_out), ref.x),
        compareExact(`${s.shape} labels`, new Uint32Array(outs[i].y_out), ref.y),
      ];
    });
  });
}

export const GATHER_BATCH: KernelSpec = {
  name: 'gather_batch',
  file: 'gather_batch.wgsl',
  builtinSource: gatherBatchSource,
  entryPoint: 'main',
  description:
    'Builds the next mini-batch on the GPU: picks the images of this step from the shuffled order, turns each ' +
    'pixel byte into a number around 0 ((p/255 − mean)/std), and copies the labels. The whole data set stays on the GPU.',
  bindings: [
    {
      binding: 0,
      name: 'images',
      access: 'read',
      description: 'All images as bytes packed 4 per u32 [count * pixels].',
    },
    { binding: 1, name: 'labels', access: 'read', description: 'All labels as bytes packed 4 per u32 [count].' },
    {
      binding: 2,
      name: 'perm',
      access: 'read',
      description: 'u32 shuffled image order of this epoch (training mode).',
      optional: true,
    },
    {
      binding: 3,
      name: 'train_state',
      access: 'read',
      description: 'u32 [global step, step in epoch] (training mode).',
      optional: true,
    },
    { binding: 4, name: 'x_out', access: 'read_write', description: 'The normalised batch [batch, pixels] as f32.' },
    {
      binding: 5,
      name: 'y_out',
      access: 'read_write',
      description: 'u32 labels [batch]; 0xffffffff marks evaluation padding.',
    },
    {
      binding: 6,
      name: 'params',
      access: 'uniform',
      description: 'batch, pixels, mean, stdDev, mode (0 train, 1 evaluate), offset, count.',
    },
  ],
  uniforms: [
    { name: 'batch', type: 'u32' },
    { name: 'pixels', type: 'u32' },
    { name: 'mean', type: 'f32' },
    { name: 'stdDev', type: 'f32' },
    { name: 'mode', type: 'u32' },
    { name: 'offset', type: 'u32' },
    { name: 'count', type: 'u32' },
  ],
  overrides: { WG: 256 },
  workgroupSize: (o) => [o.WG, 1, 1],
  dispatch: (u, o) => gridStrideDispatch(u.batch * u.pixels, o.WG),
  cpuTwins: [cpuTwin(gatherBatch, 'gatherBatch', 'ops/batch/cpu.ts')],
  check: (runner, rng, options) => checkGatherBatch(runner, rng, options),
};
