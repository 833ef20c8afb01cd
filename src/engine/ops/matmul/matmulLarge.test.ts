import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { ZEROS_MATMUL_SOURCE } from '../../../testing/kernelFixtures';
import { SeededRandom } from '../../rng';
import { KernelRunner } from '../../kernel/runner';
import { benchmarkKernel } from '../../kernel/bench';
import type { KernelCheckCase } from '../../kernel/spec';
import { MATMUL, MATMUL_LARGE } from './specs';
import { matmulKernelFor } from './choose';
import { describeMatmul, useLargeMatmul, type MatmulCall } from './abi';
import { randomMatmulInputs, runMatmulCases } from './check';
import { MATMUL_REDUCE } from './specs';

const ctx = await nodeGpu();

// Shapes just off the 128x128 output tile and the 8-deep K step, and a lone row, column and K.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [129, 9, 1],
  [1, 13, 257],
  [128, 8, 128],
  [130, 67, 255],
  [257, 31, 129],
];
const CALLS: MatmulCall[] = [
  ...SHAPES.flatMap(([M, K, N], s) =>
    [0, 1, 2, 3].map((t) => ({
      M,
      K,
      N,
      transposeA: (t & 1) !== 0,
      transposeB: (t & 2) !== 0,
      bias: (s + t) % 2 === 1,
      accumulate: (s + t) % 3 === 0,
      relu: (s + t) % 4 === 2,
    })),
  ),
  // The dense-layer fusions and split K, on tiles the 64x64 kernel would never see.
  { M: 200, K: 70, N: 150, bias: true, biasInB: true, relu: true },
  { M: 140, K: 33, N: 131, transposeA: true, onesRowA: true },
  { M: 129, K: 300, N: 130, bias: true, accumulate: true, splitK: 3 },
  // Whole tiles take the kernel's unchecked fast path: every transpose, the fusions, split K,
  // and a ones row (which must take the checked path although M is a multiple of 128).
  ...[0, 1, 2, 3].map((t) => ({
    M: 256,
    K: 24,
    N: 128,
    transposeA: (t & 1) !== 0,
    transposeB: (t & 2) !== 0,
    bias: t === 1,
    relu: t >= 2,
    accumulate: t === 3,
  })),
  { M: 128, K: 64, N: 256, bias: true, biasInB: true, relu: true, splitK: 2 },
  { M: 128, K: 16, N: 128, transposeA: true, onesRowA: true },
];

describe.skipIf(!ctx)('matmul_large kernel on the GPU', () => {
  let runner: KernelRunner;
  let cases: KernelCheckCase[] = [];

  beforeAll(async () => {
    runner = new KernelRunner(ctx!);
    const kernel = await runner.compile(MATMUL_LARGE);
    const rng = new SeededRandom(17, 0);
    const batch = CALLS.map((call) => ({ call, inputs: randomMatmulInputs(call, rng) }));
    ({ cases } = await runMatmulCases(runner, kernel, batch, MATMUL_REDUCE));
  });

  it.each(CALLS.map((c, i) => [describeMatmul(c), i] as const))('matches the CPU reference for %s', (_, i) => {
    expect(cases[i].maxRelError).toBeLessThanOrEqual(cases[i].tolerance);
    expect(cases[i].pass).toBe(true);
  });

  it("can be timed by the kernel editor's Benchmark button", async () => {
    const result = await benchmarkKernel(runner, MATMUL_LARGE, MATMUL_LARGE.builtinSource, {
      timestamps: false,
      large: false,
      rounds: 1,
      targetMs: 5,
    });
    expect(result.shape).toBe('128x128x128');
    expect(result.builtin.msPerCall).toBeGreaterThan(0);
    expect(result.builtin.gflops).toBeGreaterThan(0);
  });

  it('passes its own check and fails it for a kernel that writes zeros', async () => {
    const shipped = await MATMUL_LARGE.check(runner, new SeededRandom(3, 0));
    expect(shipped.error).toBeUndefined();
    expect(shipped.pass).toBe(true);
    const zeros = await MATMUL_LARGE.check(runner, new SeededRandom(3, 0), { source: ZEROS_MATMUL_SOURCE });
    expect(zeros.pass).toBe(false);
  });

  it('checks both paths: a slip in the whole-tile fast path alone fails the check', async () => {
    const slip = 'c0a = fma(vec4<f32>(a0.x), b0, c0a);';
    const source = MATMUL_LARGE.builtinSource;
    // The fast path comes first in the file; only its copy of the line changes.
    expect(source.split(slip)).toHaveLength(3);
    const broken = source.replace(slip, 'c0a = fma(vec4<f32>(a0.x), b1, c0a);');
    const result = await MATMUL_LARGE.check(runner, new SeededRandom(5, 0), { source: broken });
    expect(result.pass).toBe(false);
    // ... and only on whole-tile shapes.
    const failing = result.cases.filter((c) => !c.pass).map((c) => c.shape);
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((shape) => /^(128|256)x/.test(shape))).toBe(true);
  });
});

describe('choosing matmul_large', () => {
  it('takes it only when C has enough 128x128 tiles to fill a big GPU', () => {
    expect(useLargeMatmul(4096, 4096, 4096)).toBe(true);
    expect(useLargeMatmul(2048, 1024, 256)).toBe(true);
    expect(useLargeMatmul(1000, 1000, 1000)).toBe(false);
    // Whole tiles (the unchecked fast path) pay off from 64 of them.
    expect(useLargeMatmul(1024, 1024, 1024)).toBe(true);
    expect(useLargeMatmul(1024, 512, 1024)).toBe(false);
    // The MNIST dense layers: a batch of 64 rows, or a long M but K = the batch.
    expect(useLargeMatmul(64, 128, 12544)).toBe(false);
    expect(useLargeMatmul(12545, 128, 64)).toBe(false);
    expect(matmulKernelFor(4096, 4096, 4096)).toBe(MATMUL_LARGE);
    expect(matmulKernelFor(64, 128, 12544)).toBe(MATMUL);
  });
});
