/**
 * The shared shape of a kernel family's GPU tests: every kernel matches its CPU twin on random shapes
 * with its shipped source, and fails its check for each edit that makes it wrong (mutation cases).
 */
import { beforeAll, expect, it } from 'vitest';
import { KernelRunner } from '../engine/kernel/runner';
import type { KernelCheckResult, KernelSpec } from '../engine/kernel/spec';
import { SeededRandom } from '../engine/rng';
import type { GpuContext } from '../engine/kernel/device';

/** [kernel, text in its WGSL, a replacement that makes it wrong] */
export type KernelMutation = [KernelSpec, string, string];

/** Registers the twin and mutation tests inside the caller's describe; returns the shared runner. */
export function kernelCheckTests(ctx: GpuContext, mutations: KernelMutation[]): () => KernelRunner {
  let runner: KernelRunner;
  const shipped = new Map<string, KernelCheckResult>();
  const specs = [...new Set(mutations.map(([spec]) => spec))];

  beforeAll(async () => {
    runner = new KernelRunner(ctx);
    for (const spec of specs) shipped.set(spec.name, await spec.check(runner, new SeededRandom(21, 0)));
  });

  it.each(mutations.map(([spec]) => [spec.name]))('%s matches its CPU twin on random shapes', (name) => {
    const result = shipped.get(name)!;
    expect(result.error).toBeUndefined();
    expect(result.cases.filter((c) => !c.pass)).toEqual([]);
    expect(result.cases.length).toBeGreaterThanOrEqual(3);
    expect(result.pass).toBe(true);
  });

  it.each(mutations.map(([spec, from, to]) => [spec.name, spec, from, to] as const))(
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
  return () => runner;
}
