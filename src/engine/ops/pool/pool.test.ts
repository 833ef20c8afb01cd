import { beforeAll, describe, expect, it } from 'vitest';
import { nodeGpu } from '../../../testing/nodeGpu';
import { SeededRandom } from '../../rng';
import { maxPoolBackward, maxPoolForward, pool2dGeometry, pool2dSizes } from './cpu';
import { KernelRunner } from '../../kernel/runner';
import type { KernelCheckResult, KernelSpec } from '../../kernel/spec';
import { AVGPOOL_BACKWARD, AVGPOOL_FORWARD, MAXPOOL_BACKWARD, MAXPOOL_FORWARD } from './specs';
import { runGpuCases } from '../../kernel/check';
import { maxPoolBackwardUniforms, maxPoolForwardUniforms } from './abi';

const ctx = await nodeGpu();

/** Edits that make each kernel wrong in a way its check must notice. */
const BROKEN: [KernelSpec, string, string][] = [
  [MAXPOOL_FORWARD, 'if (v > best)', 'if (v >= best)'], // last max wins ties instead of the first
  [MAXPOOL_FORWARD, 'y[o] = select(0.0, best * scale, keep);', 'y[o] = best;'], // a dropout after the pooling: not applied
  [MAXPOOL_FORWARD, 'dropout_stream(train_state[0], params.layerIndex)', 'dropout_stream(0u, params.layerIndex)'], // ... or the same mask every step
  [MAXPOOL_BACKWARD, 'oy < rows.y', 'oy < min(rows.y, rows.x + 1u)'], // ignores overlapping windows
  [MAXPOOL_BACKWARD, 'let x_end = select(ox * s + s, params.inW, ox + 1u == params.outW);', 'let x_end = ox * s + s;'], // tiling: leaves uncovered cells unwritten
  [
    MAXPOOL_BACKWARD,
    'dx[i + params.inW] = select(0.0, 0.0 + g, i + params.inW == winner);',
    'dx[i + params.inW] = select(0.0, 0.0 + g, i + 1u == winner);',
  ], // 2x2 fast path: a wrong cell
  [MAXPOOL_BACKWARD, 'select(0.0, g * scale, mask[o] != 0u)', 'g * scale'], // a dropout after the pooling: ignores its mask
  [MAXPOOL_BACKWARD, 'select(0.0, g * scale, mask[o] != 0u)', 'select(0.0, g, mask[o] != 0u)'], // ... or its 1 / (1 - rate)
  [AVGPOOL_FORWARD, 'y[o] = sum / area;', 'y[o] = sum / f32(params.size);'],
  [AVGPOOL_BACKWARD, 'ox < cols.y', 'ox < min(cols.y, cols.x + 1u)'],
];

describe.skipIf(!ctx)('pooling kernels on the GPU', () => {
  let runner: KernelRunner;
  const shipped = new Map<string, KernelCheckResult>();

  beforeAll(async () => {
    runner = new KernelRunner(ctx!);
    for (const [spec] of BROKEN) shipped.set(spec.name, await spec.check(runner, new SeededRandom(31, 0)));
  });

  it.each(BROKEN.map(([spec]) => [spec.name]))(
    '%s matches its CPU twin, overlapping windows and batch 1 included',
    (name) => {
      const result = shipped.get(name)!;
      expect(result.error).toBeUndefined();
      expect(result.cases.filter((c) => !c.pass)).toEqual([]);
      expect(result.cases.length).toBeGreaterThanOrEqual(6);
      expect(result.pass).toBe(true);
    },
  );

  it.each(BROKEN.map(([spec, from, to]) => [spec.name, spec, from, to] as const))(
    '%s fails its check when the kernel is wrong',
    async (_, spec, from, to) => {
      expect(spec.builtinSource).toContain(from);
      const result = await spec.check(runner, new SeededRandom(32, 0), {
        source: spec.builtinSource.replace(from, to),
      });
      expect(result.error).toBeUndefined();
      expect(result.pass).toBe(false);
    },
  );

  it('routes the gradient of overlapping windows with ties to the first maximum, exactly', async () => {
    // A constant image: every window ties everywhere, so every argmax is its window's top-left cell.
    const g = pool2dGeometry(1, [2, 5, 6], 3, 1);
    const sizes = pool2dSizes(g);
    const x = new Float32Array(sizes.input).fill(2);
    const dy = Float32Array.from({ length: sizes.output }, (_, i) => i + 1);
    const cpu = maxPoolForward(x, g);
    const [fwd] = await runGpuCases(runner, await runner.compile(MAXPOOL_FORWARD), [
      {
        shape: 'ties',
        buffers: { x, y: sizes.output * 4, argmax: sizes.output * 4 },
        uniforms: maxPoolForwardUniforms(g),
        read: ['argmax'],
      },
    ]);
    const argmax = new Uint32Array(fwd.argmax);
    expect([...argmax]).toEqual([...cpu.argmax]);
    const [bwd] = await runGpuCases(runner, await runner.compile(MAXPOOL_BACKWARD), [
      {
        shape: 'ties',
        buffers: { dy, argmax, dx: sizes.input * 4 },
        uniforms: maxPoolBackwardUniforms(g),
        read: ['dx'],
      },
    ]);
    // Integers: the sums are exact, so the GPU must equal the CPU bit for bit.
    expect([...new Float32Array(bwd.dx)]).toEqual([...maxPoolBackward(dy, cpu.argmax, g, sizes.input)]);
  });

  it('passes with a small workgroup, so the grid-stride loop covers every element', async () => {
    for (const spec of [MAXPOOL_FORWARD, AVGPOOL_BACKWARD]) {
      expect((await spec.check(runner, new SeededRandom(33, 0), { overrides: { WG: 8 } })).pass).toBe(true);
    }
  });
});
