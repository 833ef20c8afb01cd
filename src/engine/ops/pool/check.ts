/** The pool kernels' checks: random cases, references and tolerances. Test harness only: training never imports it. */
import type { KernelCheckCase, KernelCheckOptions, KernelCheckResult, KernelSpec } from '../../kernel/spec';
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
  randomFloats,
  runGpuCases,
  type BufferInit,
  type GpuCase,
} from '../../kernel/check';
import { maxPoolBackwardUniforms, maxPoolForwardUniforms, poolUniforms } from './abi';

export type PoolKind = 'maxForward' | 'maxBackward' | 'avgForward' | 'avgBackward';

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

export function describe(g: Pool2dGeometry): string {
  return `${g.batch}x${g.channels}x${g.inHeight}x${g.inWidth} size ${g.size} stride ${g.stride}`;
}

/** Inputs with many ties (values on a coarse grid) so the first-max rule is exercised. */
export function poolInput(rng: SeededRandom, n: number, ties: boolean): Float32Array {
  return ties ? Float32Array.from({ length: n }, () => rng.int(4) - 2) : randomFloats(rng, n);
}

export async function runPoolCheck(
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

export function poolCheck(kind: PoolKind, spec: () => KernelSpec) {
  return (runner: KernelRunner, rng: SeededRandom, options: KernelCheckOptions = {}): Promise<KernelCheckResult> =>
    checkKernel(spec(), runner, options, (kernel) => runPoolCheck(kind, kernel, runner, rng));
}
