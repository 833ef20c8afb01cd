import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { ZEROS_MATMUL_SOURCE } from '../../../testing/kernelFixtures';
import { kernelByName } from '..';
import { SeededRandom } from '../../rng';
import { KernelCompileError, KernelRunner, type CompiledKernel } from '../../kernel/runner';
import type { KernelCheckCase } from '../../kernel/spec';
import { MATMUL } from './specs';
import { describeMatmul, matmulSplitK, matmulUniforms, type MatmulCall } from './abi';
import { randomMatmulInputs, runMatmulCases } from './check';
import { MATMUL_REDUCE } from './specs';

const ctx = await nodeGpu();

const ZEROS_SOURCE = ZEROS_MATMUL_SOURCE;

// Edge sizes: 1, a lone K, and sizes just off the 64x64 output tile and 16-deep K step.
const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [1, 37, 1],
  [17, 33, 65],
  [63, 1, 130],
  [64, 16, 64],
  [65, 17, 129],
];
const CALLS: MatmulCall[] = SHAPES.flatMap(([M, K, N], s) =>
  [0, 1, 2, 3].map((t) => ({
    M,
    K,
    N,
    transposeA: (t & 1) !== 0,
    transposeB: (t & 2) !== 0,
    // Spread bias and accumulate over shapes and transposes so every pairing appears somewhere.
    bias: (s + t) % 2 === 1,
    accumulate: (s + t) % 3 === 0,
  })),
);

describe.skipIf(!ctx)('matmul kernel on the GPU', () => {
  let runner: KernelRunner;
  let kernel: CompiledKernel;
  let cases: KernelCheckCase[] = [];

  beforeAll(async () => {
    runner = new KernelRunner(ctx!);
    kernel = await runner.compile(MATMUL);
    const rng = new SeededRandom(7, 0);
    // All cases in one submit and one readback: dawn.node tolerates only so many waits.
    const batch = CALLS.map((call) => ({ call, inputs: randomMatmulInputs(call, rng) }));
    ({ cases } = await runMatmulCases(runner, kernel, batch, MATMUL_REDUCE));
  });

  it.each(CALLS.map((c, i) => [describeMatmul(c), i] as const))('matches the CPU reference for %s', (_, i) => {
    const c = cases[i];
    expect(c.maxRelError).toBeLessThanOrEqual(c.tolerance);
    expect(c.pass).toBe(true);
  });

  it('reuses one compiled pipeline for the same source and overrides', async () => {
    expect(await runner.compile(MATMUL)).toBe(kernel);
    const other = await runner.compile(MATMUL, { overrides: { WG_X: 8 } });
    expect(other).not.toBe(kernel);
    expect(other.overrides).toEqual({ WG_X: 8, WG_Y: 16, TILE_K: 16 });
  });

  it('reports a syntax error as a KernelCompileError with its line number', async () => {
    const lines = MATMUL.builtinSource.split('\n');
    const badLine = lines.length + 1;
    const source = `${MATMUL.builtinSource}\nfn broken() -> u32 { return 1.5; }\n`;
    const error = await runner.compile(MATMUL, { source }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KernelCompileError);
    const first = (error as KernelCompileError).messages.find((m) => m.type === 'error')!;
    expect(first.line).toBe(badLine);
    expect(first.column).toBeGreaterThan(0);
    expect((error as Error).message).toContain(`line ${badLine}`);
  });

  it('rejects source whose bindings disagree with the kernel table', async () => {
    const source = MATMUL.builtinSource.replace('var<storage, read> A', 'var<storage, read_write> A');
    await expect(runner.compile(MATMUL, { source })).rejects.toBeInstanceOf(KernelCompileError);
  });

  it('passes its own check with the shipped source and with smaller workgroups', async () => {
    const shipped = await MATMUL.check(runner, new SeededRandom(11, 0));
    expect(shipped.error).toBeUndefined();
    expect(shipped.cases.length).toBeGreaterThanOrEqual(5);
    expect(shipped.pass).toBe(true);
    const small = await MATMUL.check(runner, new SeededRandom(12, 0), { overrides: { WG_X: 8, WG_Y: 4, TILE_K: 8 } });
    expect(small.pass).toBe(true);
    // 16 threads for a 16x16 tile 16 deep: 16 staging values each, more than the 8 loaded
    // together, so the rest go through the plain loops.
    const tiny = await MATMUL.check(runner, new SeededRandom(13, 0), { overrides: { WG_X: 4, WG_Y: 4, TILE_K: 16 } });
    expect(tiny.pass).toBe(true);
  });

  it('fails its check when the staging drops a value, in the batched loads or in the plain loop after them', async () => {
    const dropped = MATMUL.builtinSource.replace('As[k * a_stride + m] = sa[j];', 'As[k * a_stride + m] = 0.0;');
    expect(dropped).not.toBe(MATMUL.builtinSource);
    expect((await MATMUL.check(runner, new SeededRandom(14, 0), { source: dropped })).pass).toBe(false);
    const rest = 'for (var i = tid + STAGED * threads; i < TILE_K * tile_n; i += threads)';
    const noRest = MATMUL.builtinSource.replace(rest, 'for (var i = tid + STAGED * threads; i < 0u; i += threads)');
    expect(noRest).not.toBe(MATMUL.builtinSource);
    const overrides = { WG_X: 4, WG_Y: 4, TILE_K: 16 };
    expect((await MATMUL.check(runner, new SeededRandom(14, 0), { source: noRest, overrides })).pass).toBe(false);
    // With the default 16x16 threads the plain loops never run: the same slip passes there.
    expect((await MATMUL.check(runner, new SeededRandom(14, 0), { source: noRest })).pass).toBe(true);
  });

  it('fails its check for a kernel that writes zeros', async () => {
    const result = await MATMUL.check(runner, new SeededRandom(11, 0), { source: ZEROS_SOURCE });
    expect(result.error).toBeUndefined();
    expect(result.pass).toBe(false);
    expect(result.cases.some((c) => !c.pass)).toBe(true);
  });

  it('covers the fused dense-layer cases: bias after the weights, ReLU, a ones row for db, and split K', async () => {
    const result = await MATMUL.check(runner, new SeededRandom(21, 0));
    const shapes = result.cases.map((c) => c.shape).join(' | ');
    expect(shapes).toMatch(/\+bias\(in B\) relu/);
    expect(shapes).toMatch(/\+ones row/);
    expect(shapes).toMatch(/split \d/);
    expect(result.pass).toBe(true);
  });

  it('checks the split-K reduce kernel and fails it when it skips chunks', async () => {
    const reduce = kernelByName('matmul_reduce');
    const good = await reduce.check(runner, new SeededRandom(5, 0));
    expect(good.pass).toBe(true);
    expect(good.cases.length).toBeGreaterThanOrEqual(3);
    expect(good.cases.map((c) => c.shape).join(' | ')).toMatch(/dropout [\d.]+ \(mask with the ReLU\) dropout mask/);
    // Each slip must fail: the eighth of every 8 chunks dropped, or the chunks after the last 8;
    // a dropout after the layer whose mask forgets the ReLU, or whose stream ignores the step.
    for (const [from, to] of [
      ['v += p7;', ''],
      ['for (; z < params.splitK; z++)', 'for (; z < min(params.splitK, 0u); z++)'],
      ['(params.flags & 256u) == 0u || v > 0.0', 'true'],
      ['dropout_stream(train_state[0], params.layerIndex)', 'dropout_stream(0u, params.layerIndex)'],
    ]) {
      const broken = reduce.builtinSource.replace(from, to);
      expect(broken).not.toBe(reduce.builtinSource);
      const bad = await reduce.check(runner, new SeededRandom(5, 0), { source: broken });
      expect(bad.error).toBeUndefined();
      expect(bad.pass).toBe(false);
    }
  });

  it('fails its check, with the compiler message, for source that does not compile', async () => {
    const result = await MATMUL.check(runner, new SeededRandom(11, 0), { source: 'fn main( {' });
    expect(result.pass).toBe(false);
    expect(result.error).toMatch(/failed to compile at line 1/);
  });

  it('runs a variant (other workgroup sizes) from the current source, remade by ready after a swap', async () => {
    const call = { M: 3, K: 2, N: 2 };
    const a = runner.createBuffer(new Float32Array([1, 2, 3, 4, 5, 6]));
    const b = runner.createBuffer(new Float32Array([1, 0, 0, 1]));
    const outs = [runner.createBuffer(24), runner.createBuffer(24)];
    const small = { WG_X: 4, WG_Y: 4 };
    const encoder = runner.device.createCommandEncoder();
    expect(() => runner.dispatch(encoder, MATMUL, { A: a, B: b, C: outs[0] }, matmulUniforms(call), small)).toThrow(
      /WG_X=4.*not ready.*readyVariant/,
    );
    await runner.ready(MATMUL);
    const variant = await runner.readyVariant(MATMUL, small);
    expect(variant.overrides).toMatchObject(small);
    expect(runner.dispatch(encoder, MATMUL, { A: a, B: b, C: outs[0] }, matmulUniforms(call), small).kernel).toBe(
      variant,
    );
    // An editor swap: the variant goes with the old source and comes back from the new one.
    runner.setOverride('matmul', ZEROS_SOURCE);
    expect(() => runner.dispatch(encoder, MATMUL, { A: a, B: b, C: outs[1] }, matmulUniforms(call), small)).toThrow(
      /not ready/,
    );
    await runner.ready(MATMUL);
    runner.device.queue.writeBuffer(outs[1], 0, new Float32Array(6).fill(1));
    const swapped = runner.dispatch(encoder, MATMUL, { A: a, B: b, C: outs[1] }, matmulUniforms(call), small);
    expect(swapped.kernel.source).toBe(ZEROS_SOURCE);
    expect(swapped.kernel.overrides).toMatchObject(small);
    runner.device.queue.submit([encoder.finish()]);
    const [product, zeros] = await runner.readBuffers(outs.map((buffer) => ({ buffer, byteLength: 24 })));
    expect([...new Float32Array(product)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...new Float32Array(zeros)]).toEqual([0, 0, 0, 0, 0, 0]);
    runner.clearOverride('matmul');
    await runner.ready(MATMUL);
    expect(runner.variantsOf('matmul')).toEqual([{ ...MATMUL.overrides, ...small }]);
    for (const x of [a, b, ...outs]) x.destroy();
  });

  it('runs an override swapped in by name and goes back to the shipped source when cleared', async () => {
    const call = { M: 3, K: 2, N: 2 };
    const a = runner.createBuffer(new Float32Array([1, 2, 3, 4, 5, 6]));
    const b = runner.createBuffer(new Float32Array([1, 0, 0, 1]));
    const outs = [runner.createBuffer(24), runner.createBuffer(24)];
    const encoder = runner.device.createCommandEncoder();

    runner.setOverride('matmul', ZEROS_SOURCE);
    expect(runner.currentSource(MATMUL)).toBe(ZEROS_SOURCE);
    await runner.ready(MATMUL);
    // Pre-fill with ones so "zeros" proves the override ran rather than an untouched buffer.
    runner.device.queue.writeBuffer(outs[0], 0, new Float32Array(6).fill(1));
    runner.dispatch(encoder, MATMUL, { A: a, B: b, C: outs[0] }, matmulUniforms(call));

    runner.clearOverride('matmul');
    expect(runner.currentSource(MATMUL)).toBe(MATMUL.builtinSource);
    expect(() => runner.dispatch(encoder, MATMUL, { A: a, B: b, C: outs[1] }, matmulUniforms(call))).toThrow(
      /not ready/,
    );
    await runner.ready(MATMUL);
    const first = runner.dispatch(encoder, MATMUL, { A: a, B: b, C: outs[1] }, matmulUniforms(call));
    // The same call again reuses its bind group and uniform buffer.
    expect(runner.dispatch(encoder, MATMUL, { A: a, B: b, C: outs[1] }, matmulUniforms(call))).toBe(first);
    runner.device.queue.submit([encoder.finish()]);

    const [zeros, product] = await runner.readBuffers(outs.map((buffer) => ({ buffer, byteLength: 24 })));
    expect([...new Float32Array(zeros)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...new Float32Array(product)]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('choosing the K split', () => {
  it('splits small outputs with a long K into chunks of at least 128, and never big outputs', () => {
    // pytorch-cnn's first dense layer (batch 64, 12544 -> 128): two 64x64 tiles, 98 chunks of 128.
    expect(matmulSplitK(64, 128, 12544)).toBe(98);
    // A longer K still: no more than 128 chunks.
    expect(matmulSplitK(64, 128, 128 * 1000)).toBe(128);
    // mlp's first layer (batch 128, 784 -> 128): 4 tiles, 6 chunks of at least 128.
    expect(matmulSplitK(128, 128, 784)).toBe(6);
    // fast-cnn's first dense layer (batch 256, 800 -> 256): 16 tiles.
    expect(matmulSplitK(256, 256, 800)).toBe(6);
    // A K too short for two chunks (pytorch-cnn's last layer, 128 -> 10), or 128+ tiles: no split.
    expect(matmulSplitK(64, 10, 128)).toBe(1);
    expect(matmulSplitK(12545, 128, 64)).toBe(1);
    expect(matmulSplitK(4096, 4096, 4096)).toBe(1);
  });
});
