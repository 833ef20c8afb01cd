import { describe, expect, it } from 'vitest';
import { createNodeGpu, nodeGpu } from '../testing/nodeGpu';
import { KernelRunner } from '../engine/kernel/runner';
import { GpuTrainer, type TrainingConfig } from '../engine/train/gpuTrainer';
import { kernelByName } from '../engine/ops';
import { PRESETS } from '../engine/presets';
import { toyPerceptronSet } from '../data/toy';
import { createKernelEditing, swapKernelSource } from './kernelEditing';
import type { KernelEditResultOf } from './kernelEditingProtocol';
import type { WorkerToMain } from './protocol';
import { ZEROS_MATMUL_SMALL_SOURCE, ZEROS_MATMUL_SOURCE } from '../testing/kernelFixtures';
import { MATMUL, MATMUL_SMALL } from '../engine/ops/matmul/specs';

const ctx = await nodeGpu();
const sandboxGpu = ctx ? await createNodeGpu() : null;

// A matmul that writes zeros: wrong, so its check fails; in training it makes every prediction
// sigmoid(0) = 0.5, so the perceptron's MSE on AND is exactly 0.25 whatever the weights are.
const ZEROS = ZEROS_MATMUL_SOURCE;

/** The shipped matmul with a comment added: different text, same results. */
const EDITED_OK = `// edited by a student\n${MATMUL.builtinSource}`;

function perceptronConfig(): TrainingConfig {
  const p = PRESETS.perceptron;
  return { model: p.model, ...p.training, epochs: 50 };
}

describe.skipIf(!ctx)('the kernel editor in the worker', () => {
  const posted: WorkerToMain[] = [];
  const runner = new KernelRunner(ctx!);
  const editing = createKernelEditing({
    getGpu: () => sandboxGpu,
    trainingRunner: async () => runner,
    post: (m) => posted.push(m),
  });

  it('reports a syntax error with its line and column, and compiles good source with no errors', async () => {
    const bad = (await editing.handle({
      op: 'compile',
      kernel: 'matmul',
      source: MATMUL.builtinSource.replace('let tile_m', 'let tile_m ='),
    })) as KernelEditResultOf<'compile'>;
    expect(bad.ok).toBe(false);
    const error = bad.messages.find((m) => m.type === 'error')!;
    expect(error.line).toBeGreaterThan(1);
    expect(error.column).toBeGreaterThan(0);
    const good = (await editing.handle({
      op: 'compile',
      kernel: 'matmul',
      source: EDITED_OK,
    })) as KernelEditResultOf<'compile'>;
    expect(good.ok).toBe(true);
    expect(good.messages.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('refuses to swap in a kernel that fails its test, and says why', async () => {
    const reply = (await editing.handle({
      op: 'use',
      kernel: 'matmul',
      source: ZEROS,
      seed: 3,
    })) as KernelEditResultOf<'use'>;
    expect(reply.ok).toBe(false);
    expect(reply.message).toMatch(/does not pass its test/);
    expect(reply.result!.cases.some((c) => !c.pass)).toBe(true);
    expect(reply.inUse).toEqual([]);
    expect(runner.hasOverride('matmul')).toBe(false);
  });

  it('swaps in a passing kernel, lists it as in use, and reverts to the built-in one', async () => {
    const test = (await editing.handle({
      op: 'test',
      kernel: 'matmul',
      source: EDITED_OK,
      seed: 4,
    })) as KernelEditResultOf<'test'>;
    expect(test.result.pass).toBe(true);
    expect(test.result.cases.length).toBeGreaterThan(2);
    const used = (await editing.handle({
      op: 'use',
      kernel: 'matmul',
      source: EDITED_OK,
    })) as KernelEditResultOf<'use'>;
    expect(used).toMatchObject({ ok: true, inUse: ['matmul'] });
    expect(runner.currentSource(MATMUL)).toBe(EDITED_OK);
    const reverted = (await editing.handle({ op: 'revert', kernel: 'matmul' })) as KernelEditResultOf<'revert'>;
    expect(reverted.inUse).toEqual([]);
    expect(runner.currentSource(MATMUL)).toBe(MATMUL.builtinSource);
  });

  it('refuses a kernel that passes its test at its own workgroup sizes but not at those a layer trains it with', async () => {
    // Right only while WG_X is 16 (the default): at the 8 x 8 variant a layer uses, tiles overlap.
    const onlyAt16 = MATMUL.builtinSource.replace('let tile_n = WG_X * TN;', 'let tile_n = 16u * TN;');
    expect(onlyAt16).not.toBe(MATMUL.builtinSource);
    const test = (await editing.handle({
      op: 'test',
      kernel: 'matmul',
      source: onlyAt16,
      seed: 5,
    })) as KernelEditResultOf<'test'>;
    expect(test.result.pass).toBe(true);
    await runner.readyVariant(MATMUL, { WG_X: 8, WG_Y: 8 });
    const used = (await editing.handle({
      op: 'use',
      kernel: 'matmul',
      source: onlyAt16,
      seed: 5,
    })) as KernelEditResultOf<'use'>;
    expect(used.ok).toBe(false);
    expect(used.message).toMatch(/workgroup sizes some layers train with \(.*WG_X = 8/);
    expect(used.result!.pass).toBe(false);
    expect(runner.hasOverride('matmul')).toBe(false);
    // A kernel right at every size still goes in, variant and all.
    expect(
      ((await editing.handle({ op: 'use', kernel: 'matmul', source: EDITED_OK })) as KernelEditResultOf<'use'>).ok,
    ).toBe(true);
    await editing.handle({ op: 'revert', kernel: 'matmul' });
    expect(runner.hasOverride('matmul')).toBe(false);
  });

  it('makes a running trainer use a swapped kernel from its next submit, and the built-in one after revert', async () => {
    const toy = toyPerceptronSet('and');
    const trainer = await GpuTrainer.create(
      runner,
      perceptronConfig(),
      { kind: 'vectors', inputs: toy.inputs, targets: toy.targets, count: 4 },
      null,
    );
    const before = await trainer.submitSteps(3);
    expect(before.some((m) => Math.abs(m.loss - 0.25) > 1e-4)).toBe(true);

    // The perceptron's products (4 x 2 times 2 x 1) are small: they run on matmul_small.
    await swapKernelSource(runner, MATMUL_SMALL, ZEROS_MATMUL_SMALL_SOURCE);
    const swapped = await trainer.submitSteps(3);
    for (const m of swapped) expect(m.loss).toBeCloseTo(0.25, 6);

    await swapKernelSource(runner, MATMUL_SMALL, null);
    const after = await trainer.submitSteps(3);
    expect(after.some((m) => Math.abs(m.loss - 0.25) > 1e-4)).toBe(true);
    expect(runner.hasOverride('matmul_small')).toBe(false);
    trainer.destroy();
  });

  it.each([
    ['loop {}', 'loop { }'],
    ['for (;;)', 'for (;;) { }'],
    ['while true', 'while (true) { }'],
  ])(
    'ends the test and benchmark of a kernel with an endless %s quickly, names the loop, and refuses it for training',
    async (_, endless) => {
      const spec = kernelByName('activation_forward');
      const source = spec.builtinSource.replace(/fn main\([^)]*\)[^{]*\{/, (m) => `${m}\n  ${endless}`);
      const line = source.split('\n').findIndex((l) => l.includes(endless)) + 1;
      const test = (await editing.handle({
        op: 'test',
        kernel: spec.name,
        source,
        seed: 6,
      })) as KernelEditResultOf<'test'>;
      expect(test.deviceLost).toBeUndefined();
      expect(test.result.pass).toBe(false);
      expect(test.result.error).toMatch(
        new RegExp(`^A loop in your kernel did not finish \\(the \\w+ at line ${line}\\)`),
      );
      const bench = (await editing.handle({
        op: 'benchmark',
        kernel: spec.name,
        source,
      })) as KernelEditResultOf<'benchmark'>;
      expect(bench.result).toBeNull();
      expect(bench.error).toMatch(/^A loop in your kernel did not finish/);
      const used = (await editing.handle({
        op: 'use',
        kernel: spec.name,
        source,
        seed: 6,
      })) as KernelEditResultOf<'use'>;
      expect(used.ok).toBe(false);
      expect(used.result!.error).toMatch(/did not finish/);
      expect(runner.hasOverride(spec.name)).toBe(false);
      // The editor's device is still usable: the shipped kernel passes right after.
      const again = (await editing.handle({
        op: 'test',
        kernel: spec.name,
        source: spec.builtinSource,
        seed: 6,
      })) as KernelEditResultOf<'test'>;
      expect(again.result.pass).toBe(true);
    },
  );

  it('puts the built-in kernels back when a run that used an edited kernel diverges', async () => {
    await editing.handle({ op: 'use', kernel: 'matmul', source: EDITED_OK });
    expect(runner.hasOverride('matmul')).toBe(true);
    editing.observe({
      type: 'trainingEnded',
      end: { kind: 'diverged', step: 3, message: 'the loss became NaN' },
      step: 3,
    });
    await editing.handle({ op: 'status' });
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.hasOverride('matmul')).toBe(false);
    const restored = posted.find((m) => m.type === 'kernelsRestored');
    expect(restored).toMatchObject({ kernels: ['matmul'] });
  });
});
