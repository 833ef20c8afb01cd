/**
 * The guarded copy of every built-in kernel compiles on the GPU, passes the kernel's check without
 * reaching the loop bound, and computes the same bits as the kernel itself on one check case; an
 * endless loop ends with the guard's sentence instead of hanging the device.
 */
import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { SeededRandom } from '../rng';
import { ALL_KERNELS, kernelByName } from '../ops';
import { isBufferRange, KernelRunner, type BufferBindings, type CompiledKernel } from './runner';
import type { UniformValues } from './spec';

const ctx = await nodeGpu();

interface CapturedCase {
  kernel: CompiledKernel;
  /** Copies of the bound buffers as they were when the check prepared the call. */
  buffers: Record<string, { copy: GPUBuffer; offset?: number; size?: number }>;
  uniforms: UniformValues;
}

function copyOf(runner: KernelRunner, source: GPUBuffer): GPUBuffer {
  const copy = runner.createBuffer(source.size);
  const encoder = runner.device.createCommandEncoder();
  encoder.copyBufferToBuffer(source, 0, copy, 0, source.size);
  runner.device.queue.submit([encoder.finish()]);
  return copy;
}

/** A guarded runner that keeps the first call the check prepares for `name`, inputs and all. */
function capturingRunner(name: string) {
  const runner = new KernelRunner(ctx!, { loopGuard: {} });
  const state: { captured: CapturedCase | null } = { captured: null };
  const prepare = runner.prepare.bind(runner);
  runner.prepare = (kernel, bindings, uniforms) => {
    if (!state.captured && kernel.spec.name === name) {
      const buffers: CapturedCase['buffers'] = {};
      for (const [binding, ref] of Object.entries(bindings)) {
        buffers[binding] = isBufferRange(ref)
          ? { copy: copyOf(runner, ref.buffer), offset: ref.offset, size: ref.size }
          : { copy: copyOf(runner, ref) };
      }
      state.captured = { kernel, buffers, uniforms: { ...uniforms } };
    }
    return prepare(kernel, bindings, uniforms);
  };
  return { runner, state };
}

/** Runs `kernel` once on fresh copies of the captured inputs; returns every writable buffer's bytes. */
async function runOnCopies(runner: KernelRunner, kernel: CompiledKernel, c: CapturedCase): Promise<Uint8Array[]> {
  const bindings: BufferBindings = {};
  for (const [name, b] of Object.entries(c.buffers)) {
    const copy = copyOf(runner, b.copy);
    bindings[name] =
      b.offset === undefined && b.size === undefined ? copy : { buffer: copy, offset: b.offset, size: b.size };
  }
  const encoder = runner.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  runner.encode(pass, runner.prepare(kernel, bindings, c.uniforms));
  pass.end();
  runner.device.queue.submit([encoder.finish()]);
  const writable = kernel.spec.bindings.filter((b) => b.access === 'read_write' && bindings[b.name]);
  const reads = writable.map((b) => {
    const ref = bindings[b.name];
    const buffer = isBufferRange(ref) ? ref.buffer : ref;
    return { buffer, byteLength: buffer.size };
  });
  return (await runner.readBuffers(reads)).map((bytes) => new Uint8Array(bytes));
}

describe.skipIf(!ctx)('the loop guard on the GPU', () => {
  const plain = ctx ? new KernelRunner(ctx) : null;

  it.each(ALL_KERNELS.map((k, i) => [k.name, i] as const))(
    'gives %s a guarded copy that passes its check and computes the same bits as the kernel',
    async (name, i) => {
      const spec = kernelByName(name);
      const { runner, state } = capturingRunner(name);
      runner.resetLoopGuard();
      const result = await spec.check(runner, new SeededRandom(7, i));
      expect(result.error).toBeUndefined();
      expect(result.pass).toBe(true);
      expect(await runner.readLoopOverrun()).toBeNull();
      const c = state.captured!;
      expect(c).not.toBeNull();
      const unguarded = await plain!.compile(spec, { source: c.kernel.source, overrides: c.kernel.overrides });
      const [a, b] = [await runOnCopies(plain!, unguarded, c), await runOnCopies(runner, c.kernel, c)];
      expect(a.length).toBeGreaterThan(0);
      expect(b.map((bytes) => Buffer.from(bytes).toString('base64'))).toEqual(
        a.map((bytes) => Buffer.from(bytes).toString('base64')),
      );
    },
  );

  it.each([
    ['loop {}', 'loop { }'],
    ['for (;;)', 'for (;;) { }'],
    ['while true', 'while true { }'],
  ])('stops an endless %s in an edited kernel with the guard sentence', async (_, endless) => {
    const spec = kernelByName('activation_forward');
    const source = spec.builtinSource.replace(/fn main\([^)]*\)[^{]*\{/, (m) => `${m}\n  ${endless}`);
    expect(source).not.toBe(spec.builtinSource);
    const runner = new KernelRunner(ctx!, { loopGuard: {} });
    runner.resetLoopGuard();
    await spec.check(runner, new SeededRandom(3, 0), { source });
    expect(await runner.readLoopOverrun()).toMatch(
      /^A loop in your kernel did not finish \(the (loop|for|while) at line \d+\): it ran more than 65,536 times/,
    );
  });
});
