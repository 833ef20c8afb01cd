/** The batch kernels' checks: random cases, references and tolerances. Test harness only: training never imports it. */
import type { KernelCheckCase, KernelCheckOptions, KernelCheckResult, UniformValues } from '../../kernel/spec';
import type { KernelRunner } from '../../kernel/runner';
import type { KernelSpec } from '../../kernel/spec';
import { seededPermutation, type SeededRandom } from '../../rng';
import { MNIST_MEAN, MNIST_STD, gatherBatch } from './cpu';
import { checkKernel, compareExact, packBytes, runGpuCases, type GpuCase } from '../../kernel/check';
import { GATHER_PADDING_LABEL, gatherEvalUniforms, gatherTrainUniforms } from './abi';

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

export interface GatherSetup {
  shape: string;
  images: Uint8Array;
  labels: Uint8Array;
  perm: Uint32Array;
  stepInEpoch: number;
  uniforms: UniformValues;
  indices: number[];
}

export function randomBytes(rng: SeededRandom, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => rng.int(256));
}

/** Training and evaluation gathers over small random data sets, plus every byte value once. */
export function gatherSetups(rng: SeededRandom): GatherSetup[] {
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

export async function checkGatherBatch(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
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
