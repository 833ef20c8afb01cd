/**
 * The matmul kernel's TypeScript side: workgroup counts, uniform values from readable options,
 * and the check that runs kernels/matmul.wgsl (or an edited copy) against cpu/dense.matmul.
 */
import type { CompiledKernel, KernelRunner } from './kernelRunner';
import type {
  KernelCheckCase,
  KernelCheckOptions,
  KernelCheckResult,
  KernelOverrides,
  KernelSpec,
  UniformValues,
} from '../kernels';
import type { SeededRandom } from '../rng';
import { withErrorScopes } from './device';
import { matmul as cpuMatmul } from '../cpu/dense';
import { maxAbs, maxAbsDiff } from '../cpu/tensor';

/** Outputs per thread along each axis; must match TM and TN in kernels/matmul.wgsl. */
const THREAD_TILE = 4;

/** One call C = op(A)·op(B): op(A) is [M, K], op(B) is [K, N]. */
export interface MatmulCall {
  M: number;
  K: number;
  N: number;
  /** A is stored [K, M] (e.g. Xᵀ in dW = Xᵀ·dY). */
  transposeA?: boolean;
  /** B is stored [N, K] (e.g. Wᵀ in dX = dY·Wᵀ). */
  transposeB?: boolean;
  /** Add bias[n] to every row. */
  bias?: boolean;
  /** Add into C instead of overwriting it (e.g. summing gradients). */
  accumulate?: boolean;
}

/** The uniform values of kernels/matmul.wgsl for one call. */
export function matmulUniforms(call: MatmulCall): UniformValues {
  const flags =
    (call.transposeA ? 1 : 0) | (call.transposeB ? 2 : 0) | (call.bias ? 4 : 0) | (call.accumulate ? 8 : 0);
  return { M: call.M, N: call.N, K: call.K, flags };
}

/** Workgroups for a call: one per (WG_Y*4) x (WG_X*4) tile of C. */
export function matmulDispatch(u: UniformValues, o: KernelOverrides): [number, number, number] {
  return [Math.ceil(u.N / (o.WG_X * THREAD_TILE)), Math.ceil(u.M / (o.WG_Y * THREAD_TILE)), 1];
}

/** A readable label such as "17x33x65 Aᵀ +bias" (M x K x N). */
export function describeMatmul(call: MatmulCall): string {
  const tags = [call.transposeA && 'Aᵀ', call.transposeB && 'Bᵀ', call.bias && '+bias', call.accumulate && '+=C'];
  return [`${call.M}x${call.K}x${call.N}`, ...tags.filter(Boolean)].join(' ');
}

export interface MatmulInputs {
  /** As stored: [M, K], or [K, M] when transposeA. */
  a: Float32Array;
  /** As stored: [K, N], or [N, K] when transposeB. */
  b: Float32Array;
  bias: Float32Array | null;
  /** C before the call (only read when accumulating). */
  c0: Float32Array | null;
}

/** Uniform random inputs in [-1, 1) for a call. */
export function randomMatmulInputs(call: MatmulCall, rng: SeededRandom): MatmulInputs {
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
  return {
    a: fill(call.M * call.K),
    b: fill(call.K * call.N),
    bias: call.bias ? fill(call.N) : null,
    c0: call.accumulate ? fill(call.M * call.N) : null,
  };
}

function transpose(x: Float32Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = x[r * cols + c];
  return t;
}

/** The expected C in f64, from cpu/dense.matmul on un-transposed copies, plus bias and old C. */
export function matmulReference(call: MatmulCall, x: MatmulInputs): Float64Array {
  const { M, K, N } = call;
  const a = call.transposeA ? transpose(x.a, K, M) : Float64Array.from(x.a);
  const b = call.transposeB ? transpose(x.b, N, K) : Float64Array.from(x.b);
  const c = cpuMatmul(a, b, M, K, N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      if (x.bias) c[m * N + n] += x.bias[n];
      if (x.c0) c[m * N + n] += x.c0[m * N + n];
    }
  }
  return c;
}

/** Allowed error relative to the output's scale: f32 rounding grows about linearly with K. */
export function matmulTolerance(K: number): number {
  return 1e-5 * Math.max(1, K);
}

/**
 * Runs every call on the GPU in one submit, reads all results back with one wait, and compares
 * each with the CPU reference. Returns the GPU outputs too, for tests that want to look closer.
 */
export async function runMatmulCases(
  runner: KernelRunner,
  kernel: CompiledKernel,
  calls: { call: MatmulCall; inputs: MatmulInputs }[],
): Promise<{ cases: KernelCheckCase[]; outputs: Float32Array[] }> {
  const created: GPUBuffer[] = [];
  const track = (b: GPUBuffer) => (created.push(b), b);
  const encoder = runner.device.createCommandEncoder({ label: 'matmul check' });
  const pass = encoder.beginComputePass();
  const outputs = calls.map(({ call, inputs }) => {
    const c = track(runner.createBuffer(inputs.c0 ?? call.M * call.N * 4));
    const bindings: Record<string, GPUBuffer> = {
      A: track(runner.createBuffer(inputs.a)),
      B: track(runner.createBuffer(inputs.b)),
      C: c,
    };
    if (inputs.bias) bindings.bias = track(runner.createBuffer(inputs.bias));
    const prepared = runner.prepare(kernel, bindings, matmulUniforms(call));
    if (prepared.uniformBuffer) created.push(prepared.uniformBuffer);
    runner.encode(pass, prepared);
    return c;
  });
  pass.end();
  runner.device.queue.submit([encoder.finish()]);
  const bytes = await runner.readBuffers(calls.map(({ call }, i) => ({ buffer: outputs[i], byteLength: call.M * call.N * 4 })));
  for (const b of created) b.destroy();

  const results = bytes.map((raw) => new Float32Array(raw));
  const cases = calls.map(({ call, inputs }, i) => {
    const expected = matmulReference(call, inputs);
    const maxAbsError = maxAbsDiff(results[i], expected);
    const maxRelError = maxAbsError / Math.max(1, maxAbs(expected));
    const tolerance = matmulTolerance(call.K);
    // NaN compares false, so a kernel that writes NaN fails.
    return { shape: describeMatmul(call), maxAbsError, maxRelError, tolerance, pass: maxRelError <= tolerance };
  });
  return { cases, outputs: results };
}

/** Random calls covering all four transpose combinations, bias, accumulate, and a 1x1x1 edge. */
export function randomMatmulCalls(rng: SeededRandom): MatmulCall[] {
  // Sizes stay small so the check is quick on a software GPU, but range over tile edges (64, 16).
  const dim = () => 1 + rng.int(100);
  const calls: MatmulCall[] = [];
  for (let i = 0; i < 4; i++) {
    calls.push({ M: dim(), K: dim(), N: dim(), transposeA: (i & 1) !== 0, transposeB: (i & 2) !== 0, bias: i === 1, accumulate: i === 2 });
  }
  calls.push({ M: 64 + rng.int(8), K: 16 * (1 + rng.int(4)) + 1, N: 1 + rng.int(3), bias: true, accumulate: true });
  calls.push({ M: 1, K: 1, N: 1, transposeA: true, transposeB: true, bias: true, accumulate: true });
  return calls;
}

/** KernelSpec.check for matmul: compiles the given (or current) source, then runs random calls. */
export async function checkMatmul(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  try {
    const kernel = await runner.compile(spec, options);
    const calls = randomMatmulCalls(rng).map((call) => ({ call, inputs: randomMatmulInputs(call, rng) }));
    // Scoped so an edited kernel that breaks validation at dispatch reports instead of logging.
    const { cases } = await withErrorScopes(runner.device, () => runMatmulCases(runner, kernel, calls));
    return { kernel: spec.name, cases, pass: cases.every((c) => c.pass) };
  } catch (e) {
    return { kernel: spec.name, cases: [], pass: false, error: e instanceof Error ? e.message : String(e) };
  }
}
