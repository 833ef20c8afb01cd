import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { SeededRandom } from '../../rng';
import { optimizerScalars, type AdamConfig } from './cpu';
import { KernelRunner } from '../../kernel/runner';
import type { KernelCheckResult } from '../../kernel/spec';
import { OPTIMIZER } from './specs';
import { OPTIMIZER_ULP_TOLERANCE, ulpError } from './check';
import { adamStepTable, optimizerUniforms } from './abi';

const ctx = await nodeGpu();

describe('optimizer uniforms and tables', () => {
  it('rounds 1 - beta from float64 rather than computing it in f32', () => {
    const adam: AdamConfig = { kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    const u = optimizerUniforms(adam, 5);
    expect(u.oneMinusBeta1).toBe(Math.fround(0.1));
    expect(u.oneMinusBeta1).not.toBe(Math.fround(1 - Math.fround(0.9)));
    expect(u.kind).toBe(1);
    // The kernel reads and writes as many state slots as the CPU optimizer keeps.
    expect(u.stateSlots).toBe(2);
    expect(optimizerUniforms({ kind: 'sgd', learningRate: 0.1, momentum: 0 }, 5).stateSlots).toBe(0);
  });

  it('holds the bias corrections of optimizerScalars for every step', () => {
    const adam: AdamConfig = { kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };
    const lrs = [1e-3, 5e-4, 2e-4];
    const table = adamStepTable(adam, lrs);
    lrs.forEach((lr, k) => {
      const s = optimizerScalars(adam, k + 1, lr);
      if (s.kind !== 'adam') throw new Error('unreachable');
      expect(table[2 * k]).toBe(s.negStepSize);
      expect(table[2 * k + 1]).toBe(s.biasCorrection2Sqrt);
    });
  });

  it('measures errors in f32 ulps', () => {
    expect(ulpError(1, 1)).toBe(0);
    expect(ulpError(1 + 2 ** -23, 1)).toBe(1);
    expect(ulpError(NaN, 1)).toBe(Infinity);
  });
});

describe.skipIf(!ctx)('optimizer kernel on the GPU', () => {
  let runner: KernelRunner;
  let shipped: KernelCheckResult;

  beforeAll(async () => {
    runner = new KernelRunner(ctx!);
    shipped = await OPTIMIZER.check(runner, new SeededRandom(61, 0));
  });

  it.each(['sgd', 'adam', 'rmsprop'])('matches optimizerStep within a few ulps over 10 steps for %s', (kind) => {
    expect(shipped.error).toBeUndefined();
    const mine = shipped.cases.filter((c) => c.shape.startsWith(kind));
    expect(mine.length).toBeGreaterThanOrEqual(3);
    for (const c of mine) expect(c.maxRelError, c.shape).toBeLessThanOrEqual(OPTIMIZER_ULP_TOLERANCE);
    expect(shipped.pass).toBe(true);
  });

  it('passes with a small workgroup, so the grid-stride loop covers every parameter', async () => {
    expect((await OPTIMIZER.check(runner, new SeededRandom(62, 0), { overrides: { WG: 32 } })).pass).toBe(true);
  });

  it.each([
    ['ignores nesterov', 'u.nesterov != 0u', 'false'],
    ['uses the wrong lerp branch', 'if (abs(w) < 0.5)', 'if (abs(w) >= 0.5)'],
    ['reads the learning rate of the wrong step', 'neg_lr = -lr_table[step];', 'neg_lr = -lr_table[0];'],
    [
      'ignores a counter already advanced by the loss',
      'let step = train_state[0] - u.stepAdvanced;',
      'let step = train_state[0];',
    ],
    [
      'adds the gradient before applying momentum',
      'let b = rounded(u.momentum * x.s0) + g;',
      'let b = rounded(u.momentum * (x.s0 + g));',
    ],
    [
      "leaves the last of each thread's parameters alone",
      'if (e >= n) { break; }',
      'if (e >= n || j == PER_THREAD - 1u) { break; }',
    ],
    ["forgets Adam's second moment", 'if (slots > 1u) { state[n + e] = y.s1; }', ''],
    ['puts epsilon inside the square root', 'let avg = sqrt_rn(v) + u.epsilon;', 'let avg = sqrt_rn(v + u.epsilon);'],
  ])('fails its check when it %s', async (_, from, to) => {
    expect(OPTIMIZER.builtinSource).toContain(from);
    const result = await OPTIMIZER.check(runner, new SeededRandom(63, 0), {
      source: OPTIMIZER.builtinSource.replace(from, to),
    });
    expect(result.error).toBeUndefined();
    expect(result.pass).toBe(false);
  });
});
