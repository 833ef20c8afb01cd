import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { SeededRandom } from '../../rng';
import { KernelRunner } from '../../kernel/runner';
import { countMismatches } from '../../kernel/check';
import { MATMUL, MATMUL_LARGE, MATMUL_SMALL } from './specs';
import { matmulKernelFor } from './choose';
import { matmulSplitK, type MatmulCall } from './abi';
import { randomMatmulCalls, randomMatmulInputs, runMatmulCases } from './check';
import { MATMUL_REDUCE } from './specs';

const ctx = await nodeGpu();

/** The last layers' three products in the presets, as the trainer calls them (forward split as matmul splits it). */
const PRESET_CALLS: MatmulCall[] = [
  // pytorch-cnn's 128 -> 10 at batch 64: forward, [dW; db], dX.
  { M: 64, K: 128, N: 10, bias: true, biasInB: true, splitK: matmulSplitK(64, 10, 128) },
  { M: 129, K: 64, N: 10, transposeA: true, onesRowA: true },
  { M: 64, K: 10, N: 128, transposeB: true },
  // fast-cnn's 256 -> 10 at batch 256: matmul splits this forward in two, then reduces.
  { M: 256, K: 256, N: 10, bias: true, biasInB: true, splitK: matmulSplitK(256, 10, 256) },
];

describe('choosing matmul_small', () => {
  it("takes the presets' last layers and leaves the big ones to matmul and matmul_large", () => {
    expect(PRESET_CALLS[3].splitK).toBe(2);
    for (const c of PRESET_CALLS) expect(matmulKernelFor(c.M, c.N, c.K, c).name).toBe('matmul_small');
    // mlp's first weight gradient (785 x 128 outputs, K 128): faster one thread per output.
    expect(matmulKernelFor(785, 128, 128)).toBe(MATMUL_SMALL);
    // pytorch-cnn's first dense layer: a long K (forward) or too much work (gradients).
    expect(matmulKernelFor(64, 128, 12544)).toBe(MATMUL);
    expect(matmulKernelFor(12545, 128, 64)).toBe(MATMUL);
    expect(matmulKernelFor(64, 12544, 128, { transposeB: true })).toBe(MATMUL);
    // fast-cnn's first weight gradient and input gradient.
    expect(matmulKernelFor(801, 256, 256)).toBe(MATMUL);
    expect(matmulKernelFor(256, 800, 256, { transposeB: true })).toBe(MATMUL);
    // keras-cnn's only dense layer forward (1600 -> 10): K too long for one thread per output.
    expect(matmulKernelFor(128, 10, 1600)).toBe(MATMUL);
    expect(matmulKernelFor(4096, 4096, 4096)).toBe(MATMUL_LARGE);
  });
});

describe.skipIf(!ctx)('matmul_small on the GPU', () => {
  let runner: KernelRunner;
  beforeAll(() => {
    runner = new KernelRunner(ctx!);
  });

  it('passes its check: every transpose, bias, accumulate, ReLU, the ones row and split K', async () => {
    const result = await MATMUL_SMALL.check(runner, new SeededRandom(17, 0));
    expect(result.error).toBeUndefined();
    const shapes = result.cases.map((c) => c.shape).join(' | ');
    expect(shapes).toMatch(/split \d/);
    expect(shapes).toMatch(/\+ones row/);
    expect(shapes).toMatch(/then dropout backward/);
    expect(shapes).toMatch(/then ReLU backward/);
    expect(result.cases.filter((c) => !c.pass)).toEqual([]);
  });

  it("gives the same bits as matmul (with its split-K reduce) on random calls and the presets' last layers", async () => {
    const rng = new SeededRandom(23, 0);
    // Not the calls with a dropout after the layer (the reduce does that, and matmul_small runs
    // none) nor those with a gate (only matmul_small has one).
    const random = randomMatmulCalls(rng, 100).filter((c) => !c.dropout && !c.gate);
    const calls = [...PRESET_CALLS, ...random].map((call) => ({ call, inputs: randomMatmulInputs(call, rng) }));
    const tiled = await runMatmulCases(runner, await runner.compile(MATMUL), calls, MATMUL_REDUCE);
    const small = await runMatmulCases(runner, await runner.compile(MATMUL_SMALL), calls, MATMUL_REDUCE);
    const mismatches = calls.map((_, i) => countMismatches(small.outputs[i], tiled.outputs[i]));
    expect(mismatches).toEqual(calls.map(() => 0));
  });

  it.each([
    ['drops the terms after the last 16', 'for (; k < k1; k++) {', 'for (; k < min(k1, k0); k++) {'],
    ['adds only the first chunk', 'for (var z = 0u; z < params.splitK; z++) {', 'for (var z = 0u; z < 1u; z++) {'],
    ['forgets the ones row', 'w.ones = ones_row && m == params.M - 1u;', 'w.ones = false;'],
    ["forgets the dropout's scale in the gate", 'v * (1.0 / (1.0 - params.gateRate))', 'v'],
    [
      'lets a ReLU output of exactly 0 through the gate',
      'bitcast<f32>(gate[idx]) > 0.0',
      'bitcast<f32>(gate[idx]) >= 0.0',
    ],
  ])('fails its check for a kernel that %s', async (_what, from, to) => {
    const source = MATMUL_SMALL.builtinSource.replace(from, to);
    expect(source).not.toBe(MATMUL_SMALL.builtinSource);
    const result = await MATMUL_SMALL.check(runner, new SeededRandom(17, 0), { source });
    expect(result.error).toBeUndefined();
    expect(result.pass).toBe(false);
  });
});
