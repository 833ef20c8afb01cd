/**
 * Shared plumbing for the `check` of the element-wise, pooling, loss, batch and optimizer kernels:
 * make buffers for many cases, encode them all in ONE pass and ONE submit, read every output back
 * with ONE wait (dawn.node tolerates only so many waits per process), then compare with the CPU twin.
 */
import type { CompiledKernel, KernelRunner } from './runner';
import type { KernelCheckCase, KernelCheckOptions, KernelCheckResult, KernelSpec, UniformValues } from './spec';
import { withErrorScopes } from './device';

/** A buffer's initial contents, or a byte length of zeros. */
export type BufferInit = ArrayBufferView | number;

/** One kernel call: its buffers by binding name, its uniforms, and which buffers to read back. */
export interface GpuCase {
  shape: string;
  buffers: Record<string, BufferInit>;
  uniforms: UniformValues;
  read: string[];
}

/** Output bytes of one case by binding name. */
export type CaseOutputs = Record<string, ArrayBuffer>;

function byteLength(init: BufferInit): number {
  return typeof init === 'number' ? init : init.byteLength;
}

/** Runs every case (each with fresh buffers) in one submit; returns the requested outputs per case. */
export async function runGpuCases(
  runner: KernelRunner,
  kernel: CompiledKernel,
  cases: GpuCase[],
): Promise<CaseOutputs[]> {
  const created: GPUBuffer[] = [];
  const encoder = runner.device.createCommandEncoder({ label: `${kernel.spec.name} check` });
  const pass = encoder.beginComputePass();
  const buffers = cases.map((c) => {
    const bound: Record<string, GPUBuffer> = {};
    for (const [name, init] of Object.entries(c.buffers)) {
      bound[name] = runner.createBuffer(init);
      created.push(bound[name]);
    }
    const prepared = runner.prepare(kernel, bound, c.uniforms);
    if (prepared.uniformBuffer) created.push(prepared.uniformBuffer);
    runner.encode(pass, prepared);
    return bound;
  });
  pass.end();
  runner.device.queue.submit([encoder.finish()]);
  const reads = cases.flatMap((c, i) =>
    c.read.map((name) => ({ buffer: buffers[i][name], byteLength: byteLength(c.buffers[name]) })),
  );
  const bytes = await runner.readBuffers(reads);
  for (const b of created) b.destroy();
  let k = 0;
  return cases.map((c) => Object.fromEntries(c.read.map((name) => [name, bytes[k++]])));
}

/**
 * Compares GPU values with the reference: the largest error relative to max(1, max |reference|)
 * must stay under `tolerance` (0 demands exact equality). NaN anywhere fails.
 */
export function compareValues(
  shape: string,
  got: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
): KernelCheckCase {
  let maxAbsError = got.length === expected.length ? 0 : Infinity;
  let scale = 1;
  for (let i = 0; i < Math.min(got.length, expected.length); i++) {
    const d = Math.abs(got[i] - expected[i]);
    if (Number.isNaN(d)) maxAbsError = NaN;
    else if (d > maxAbsError) maxAbsError = d;
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  const maxRelError = maxAbsError / scale;
  return { shape, maxAbsError, maxRelError, tolerance, pass: maxRelError <= tolerance };
}

/** Elements that differ (exact comparison; NaN equals NaN only bit for bit, via Object.is). */
export function countMismatches(got: ArrayLike<number>, expected: ArrayLike<number>): number {
  let bad = Math.abs(got.length - expected.length);
  for (let i = 0; i < Math.min(got.length, expected.length); i++) if (!Object.is(got[i], expected[i])) bad++;
  return bad;
}

/** An exact comparison as a check case: maxAbsError is the number of mismatching elements. */
export function compareExact(shape: string, got: ArrayLike<number>, expected: ArrayLike<number>): KernelCheckCase {
  const bad = countMismatches(got, expected);
  return { shape, maxAbsError: bad, maxRelError: bad, tolerance: 0, pass: bad === 0 };
}

/**
 * The body of every `check`: compile the given (or current) source, run `body` inside error
 * scopes (so an edited kernel that breaks validation reports instead of logging), and fold the
 * cases into a result. Compile and GPU errors become `error` with no cases.
 */
export async function checkKernel(
  spec: KernelSpec,
  runner: KernelRunner,
  options: KernelCheckOptions,
  body: (kernel: CompiledKernel) => Promise<KernelCheckCase[]>,
): Promise<KernelCheckResult> {
  try {
    const kernel = await runner.compile(spec, options);
    const cases = await withErrorScopes(runner.device, () => body(kernel));
    return { kernel: spec.name, cases, pass: cases.length > 0 && cases.every((c) => c.pass) };
  } catch (e) {
    return { kernel: spec.name, cases: [], pass: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Uniform random values in [lo, hi) as f32. */
export function randomFloats(rng: { next(): number }, n: number, lo = -1, hi = 1): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** Packs bytes 4 per u32, little-endian, as the GPU data buffers hold them. */
export function packBytes(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.max(1, Math.ceil(bytes.length / 4)));
  new Uint8Array(words.buffer).set(bytes);
  return words;
}
