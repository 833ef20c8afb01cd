/**
 * The check of conv2d_forward_large's pooling mode (Conv2dFlags.pool): the convolution, its ReLU, a
 * 2x2 max pooling with stride 2 and optionally a dropout after it, all in one dispatch, compared
 * with cpu/conv.ts, cpu/pool.ts and cpu/dropout.ts composed.
 *
 * The inputs are small integers, so every convolution output is exact in f32 and equal values tie
 * exactly: the pooled values, the winners (first maximum in the window, row-major) and the dropout
 * masks are compared bit for bit, and the many ties test the first-maximum rule.
 */
import type { CompiledKernel, KernelRunner } from '../../kernel/runner';
import type { KernelCheckCase } from '../../kernel/spec';
import type { SeededRandom } from '../../rng';
import { conv2dForward, conv2dGeometry, conv2dSizes, type Conv2dGeometry } from './cpu';
import { maxPoolForward, pool2dGeometry } from '../pool/cpu';
import { dropoutForward } from '../dropout/cpu';
import { compareExact, compareValues, runGpuCases, type BufferInit, type GpuCase } from '../../kernel/check';
import { conv2dUniforms, type Conv2dOptions } from './abi';
import { poolInput } from '../pool/check';

/** argmax of a window the ReLU zeroed whole (kernels/conv2d_forward_large.wgsl NO_WINNER). */
export const NO_WINNER = 0xffffffff;

interface PooledCase {
  g: Conv2dGeometry;
  options: Conv2dOptions;
  /** Step number the dropout's random stream is drawn at. */
  step: number;
}

/** What the pooling mode must produce, from the CPU twins: pooled y, winners, dropout mask. */
export function pooledReference(
  g: Conv2dGeometry,
  options: Conv2dOptions,
  step: number,
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array,
): { y: Float64Array; argmax: Uint32Array; mask: Uint32Array | null } {
  const b = options.bias === false ? new Float64Array(g.outChannels) : Float64Array.from(bias);
  let full = conv2dForward(Float64Array.from(x), Float64Array.from(w), b, g);
  if (options.relu) full = full.map((v) => Math.max(0, v));
  const pooled = maxPoolForward(full, pool2dGeometry(g.batch, [g.outChannels, g.outHeight, g.outWidth], 2, 2));
  const argmax = Uint32Array.from(pooled.argmax, (a, o) => (options.relu && !(pooled.y[o] > 0) ? NO_WINNER : a));
  if (!options.dropout) return { y: pooled.y, argmax, mask: null };
  const d = options.dropout;
  const after = dropoutForward(pooled.y, d.rate, d.seed, step, d.layerIndex);
  return { y: after.y, argmax, mask: Uint32Array.from(after.mask) };
}

/** conv2d_forward_large with pooling on a few shapes; the cases of its check. */
export async function pooledForwardCases(
  runner: KernelRunner,
  kernel: CompiledKernel,
  rng: SeededRandom,
): Promise<KernelCheckCase[]> {
  const dropout = () => ({
    rate: Math.fround(0.1 + 0.6 * rng.next()),
    seed: rng.int(2 ** 32),
    layerIndex: rng.int(64),
  });
  const setups: PooledCase[] = [
    // ReLU, 70 channels (past the 64-wide tile), an odd output height whose last row no window covers.
    { g: conv2dGeometry(2, [5, 9, 10], 70, 3, 1, 1), options: { relu: true }, step: 0 },
    // No ReLU: every window has a winner, negative maxima included; no bias.
    { g: conv2dGeometry(1, [9, 12, 12], 64, 3, 1, 1), options: { bias: false }, step: 0 },
    // ReLU and a dropout after the pooling; odd width, 24 input channels (whole 8-channel steps).
    {
      g: conv2dGeometry(3, [24, 8, 11], 16, 3, 1, 0),
      options: { relu: true, dropout: dropout() },
      step: rng.int(100000),
    },
    // Stride 2, without ReLU, with dropout.
    { g: conv2dGeometry(2, [3, 13, 12], 8, 3, 2, 1), options: { dropout: dropout() }, step: rng.int(100000) },
  ];
  const inputs = setups.map(({ g }) => {
    const sizes = conv2dSizes(g);
    // Small integers (pool.ts's tied inputs): exact sums, frequent ties.
    return {
      x: poolInput(rng, sizes.input, true),
      w: poolInput(rng, sizes.weight, true),
      bias: poolInput(rng, g.outChannels, true),
    };
  });
  const cases: GpuCase[] = setups.map(({ g, options, step }, i) => {
    const pooled = g.batch * g.outChannels * Math.floor(g.outHeight / 2) * Math.floor(g.outWidth / 2);
    const buffers: Record<string, BufferInit> = {
      ...inputs[i],
      // NaN and a pattern: an output the kernel forgets to write shows.
      y: new Float32Array(pooled).fill(NaN),
      argmax: new Uint32Array(pooled).fill(0xaaaaaaaa),
      ...(options.dropout
        ? { mask: new Uint32Array(pooled).fill(7), train_state: new Uint32Array([step, 0, 0, 0]) }
        : {}),
    };
    const tags = [
      options.relu && 'relu',
      options.bias === false && 'no-bias',
      options.dropout && `dropout ${options.dropout.rate.toPrecision(3)}`,
    ];
    const shape = `pooled ${g.batch}x${g.inChannels}x${g.inHeight}x${g.inWidth}→${g.outChannels} k${g.kernel} s${g.stride} p${g.padding} ${tags.filter(Boolean).join(' ')}`;
    return {
      shape,
      buffers,
      uniforms: conv2dUniforms(g, { ...options, pool: true }),
      read: ['y', 'argmax', ...(options.dropout ? ['mask'] : [])],
    };
  });
  const outs = await runGpuCases(runner, kernel, cases);
  return setups.flatMap(({ g, options, step }, i) => {
    const want = pooledReference(g, options, step, inputs[i].x, inputs[i].w, inputs[i].bias);
    const shape = cases[i].shape;
    const checks = [
      // Exact sums; only the dropout's scale is rounded to f32 on the GPU and not on the CPU.
      options.dropout
        ? compareValues(`${shape} y`, new Float32Array(outs[i].y), want.y, 1e-6)
        : compareExact(`${shape} y`, new Float32Array(outs[i].y), want.y),
      compareExact(`${shape} argmax`, new Uint32Array(outs[i].argmax), want.argmax),
    ];
    if (want.mask) checks.push(compareExact(`${shape} dropout mask`, new Uint32Array(outs[i].mask), want.mask));
    return checks;
  });
}
