import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { SeededRandom, randomUniform } from '../rng';
import { dropoutForward, dropoutStream } from '../cpu/dropout';
import { KernelRunner } from './kernelRunner';
import type { KernelCheckResult, KernelSpec } from '../kernels';
import {
  ACTIVATION_BACKWARD,
  ACTIVATION_FORWARD,
  BIAS_GRAD,
  DROPOUT_BACKWARD,
  DROPOUT_FORWARD,
  dropoutForwardUniforms,
} from './elementwise';
import { countMismatches } from './kernelCheck';

const ctx = await nodeGpu();

/** Edits that make each kernel wrong in a way its check must notice. */
const BROKEN: [KernelSpec, string, string][] = [
  [ACTIVATION_FORWARD, 'select(0.0, v, v > 0.0)', 'select(0.0, v, v >= 0.0) + 0.001'],
  [ACTIVATION_BACKWARD, 'g * (1.0 - t * t)', 'g * (1.0 - t)'],
  [BIAS_GRAD, 's += WG', 's += 2u * WG'],
  [DROPOUT_FORWARD, 'return 3000000u + step * 64u + layer;', 'return 3000000u + step * 64u;'],
  [DROPOUT_FORWARD, 'keep && ((params.flags & 1u) == 0u || v > 0.0)', 'keep'], // ignores the folded ReLU
  [DROPOUT_BACKWARD, 'dy[i] * scale', 'dy[i]'],
];

describe.skipIf(!ctx)('element-wise kernels on the GPU', () => {
  let runner: KernelRunner;
  const shipped = new Map<string, KernelCheckResult>();

  beforeAll(async () => {
    runner = new KernelRunner(ctx!);
    for (const spec of BROKEN.map(([s]) => s))
      shipped.set(spec.name, await spec.check(runner, new SeededRandom(21, 0)));
  });

  it.each(BROKEN.map(([spec]) => [spec.name]))('%s matches its CPU twin on random shapes', (name) => {
    const result = shipped.get(name)!;
    expect(result.error).toBeUndefined();
    expect(result.cases.filter((c) => !c.pass)).toEqual([]);
    expect(result.cases.length).toBeGreaterThanOrEqual(3);
    expect(result.pass).toBe(true);
  });

  it.each(BROKEN.map(([spec, from, to]) => [spec.name, spec, from, to] as const))(
    '%s fails its check when the kernel is wrong',
    async (_, spec, from, to) => {
      expect(spec.builtinSource).toContain(from);
      const result = await spec.check(runner, new SeededRandom(22, 0), {
        source: spec.builtinSource.replace(from, to),
      });
      expect(result.error).toBeUndefined();
      expect(result.pass).toBe(false);
    },
  );

  it('passes with small workgroups, so grid-stride loops cover every element', async () => {
    const results = [
      await ACTIVATION_FORWARD.check(runner, new SeededRandom(23, 0), { overrides: { WG: 32 } }),
      await BIAS_GRAD.check(runner, new SeededRandom(23, 0), { overrides: { WG: 16 } }),
    ];
    for (const r of results) expect(r.pass).toBe(true);
  });

  it('draws the same dropout mask as the CPU for thousands of elements at several steps', async () => {
    const kernel = await runner.compile(DROPOUT_FORWARD);
    const count = 5003;
    const seed = 0xdeadbeef;
    const layer = 5;
    const steps = [0, 1, 77777];
    const x = new Float32Array(count).fill(1);
    const xBuf = runner.createBuffer(x);
    const encoder = runner.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    const masks = steps.map((step) => {
      const mask = runner.createBuffer(count * 4);
      const prepared = runner.prepare(
        kernel,
        {
          x: xBuf,
          y: runner.createBuffer(count * 4),
          mask,
          train_state: runner.createBuffer(new Uint32Array([step, 0])),
        },
        dropoutForwardUniforms(count, 0.5, seed, layer),
      );
      runner.encode(pass, prepared);
      return mask;
    });
    pass.end();
    runner.device.queue.submit([encoder.finish()]);
    const bytes = await runner.readBuffers(masks.map((buffer) => ({ buffer, byteLength: count * 4 })));
    steps.forEach((step, i) => {
      const gpu = new Uint32Array(bytes[i]);
      const cpu = dropoutForward(x, 0.5, seed, step, layer).mask;
      expect(countMismatches(gpu, cpu)).toBe(0);
      // Sanity: the mask is the documented hash, and roughly half survive.
      expect(gpu[17]).toBe(randomUniform(seed, dropoutStream(step, layer), 17) >= 0.5 ? 1 : 0);
      const kept = gpu.reduce((a, b) => a + b, 0);
      expect(kept).toBeGreaterThan(count * 0.45);
      expect(kept).toBeLessThan(count * 0.55);
    });
    // Different steps give different masks.
    expect(countMismatches(new Uint32Array(bytes[0]), new Uint32Array(bytes[1]))).toBeGreaterThan(count / 4);
  });
});
