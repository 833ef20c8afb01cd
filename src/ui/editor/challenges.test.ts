import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { KernelRunner } from '../../engine/kernel/runner';
import { benchmarkKernel } from '../../engine/kernel/bench';
import { kernelByName } from '../../engine/ops';
import { SeededRandom } from '../../engine/rng';
import { CHALLENGES, challengeById } from './challenges';

const ctx = await nodeGpu();

describe('classroom challenges', () => {
  it('each names a kernel of the table and starts from different text than the built-in one', () => {
    for (const c of CHALLENGES) {
      expect(kernelByName(c.kernel).builtinSource).not.toBe(c.startSource);
      expect(c.startSource).toMatch(/CHALLENGE/);
      expect(challengeById(c.id)).toBe(c);
    }
  });
});

describe.skipIf(!ctx)('classroom challenges on the GPU', () => {
  const runner = new KernelRunner(ctx!);

  it('start from kernels that compile; the slow ones pass their test and the buggy one fails it', async () => {
    const expected: Record<string, boolean> = { 'tiled-matmul': true, 'relu-bug': false, 'parallel-bias-grad': true };
    for (const c of CHALLENGES) {
      const result = await kernelByName(c.kernel).check(runner, new SeededRandom(21, 0), { source: c.startSource });
      expect(result.error, c.id).toBeUndefined();
      expect(result.pass, c.id).toBe(expected[c.id]);
    }
  });

  it('catches the ReLU bug whatever random shapes the test picks', async () => {
    const c = challengeById('relu-bug')!;
    for (let seed = 1; seed <= 4; seed++) {
      expect(
        (await kernelByName(c.kernel).check(runner, new SeededRandom(seed * 7919, 0), { source: c.startSource })).pass,
      ).toBe(false);
    }
  });

  it('benchmarks the naive matmul against the built-in one and reports both times', async () => {
    const spec = kernelByName('matmul');
    const result = await benchmarkKernel(runner, spec, CHALLENGES[0].startSource, {
      timestamps: false,
      large: false,
      rounds: 1,
      targetMs: 20,
    });
    expect(result.builtin.msPerCall).toBeGreaterThan(0);
    expect(result.edited.msPerCall).toBeGreaterThan(0);
    expect(result.builtin.gflops).toBeGreaterThan(0);
    expect(result.shape).toBe('128x128x128');
  });
});
