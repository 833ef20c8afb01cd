/**
 * The matmul family's check: random calls (shapes, transposes, bias, split K, a fused ReLU or dropout),
 * the float64 reference built from the CPU twin (./cpu.ts), tolerances, and the runner that compares
 * the kernel (shipped or edited) with it. Test harness only: training never imports this file.
 */
import type { CompiledKernel, KernelRunner } from '../../kernel/runner';
import type { KernelCheckCase, KernelCheckOptions, KernelCheckResult, KernelSpec } from '../../kernel/spec';
import type { SeededRandom } from '../../rng';
import { withErrorScopes } from '../../kernel/device';
import { matmul as cpuMatmul } from './cpu';
import { transposeMatrix } from '../transpose/cpu';
import { maxAbs, maxAbsDiff } from '../../cpu/tensor';
import { dropoutForward } from '../dropout/cpu';
import { compareExact } from '../../kernel/check';
import { MATMUL_SMALL_NAME, describeMatmul, kernelPartialLength, matmulUniforms, type MatmulCall } from './abi';

/** The specs a matmul check needs besides its own: the reduce pass, and the plain matmul the reduce is checked behind. */
export interface MatmulFamily {
  matmul: KernelSpec;
  reduce: KernelSpec;
}

export interface MatmulInputs {
  /** As stored: [M, K], or [K, M] when transposeA. */
  a: Float32Array;
  /** As stored: [K, N], or [N, K] when transposeB. */
  b: Float32Array;
  bias: Float32Array | null;
  /** C before the call (only read when accumulating). */
  c0: Float32Array | null;
  /** With a dropout: the training step its mask is drawn at (train_state[0]). */
  dropoutStep?: number;
  /** With a gate: a u32 0/1 mask (dropout), or f32 values as bits (ReLU output), one per element of C. */
  gate?: Uint32Array;
}

/** Uniform random inputs in [-1, 1) for a call. */
export function randomMatmulInputs(call: MatmulCall, rng: SeededRandom): MatmulInputs {
  const fill = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
  const rowsA = call.onesRowA ? call.M - 1 : call.M;
  return {
    a: fill(rowsA * call.K),
    b: fill(call.K * call.N + (call.biasInB ? call.N : 0)),
    bias: call.bias && !call.biasInB ? fill(call.N) : null,
    c0: call.accumulate ? fill(call.M * call.N) : null,
    ...(call.dropout ? { dropoutStep: rng.int(100000) } : {}),
    ...(call.gate ? { gate: randomGate(call, rng) } : {}),
  };
}

/** A dropout mask (about half kept), or ReLU outputs as f32 bits (a third exactly 0). */
function randomGate(call: MatmulCall, rng: SeededRandom): Uint32Array {
  const n = call.M * call.N;
  if (call.gate?.kind === 'dropout') return Uint32Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
  return new Uint32Array(Float32Array.from({ length: n }, () => (rng.next() < 0.33 ? 0 : rng.next() * 2 - 0.5)).buffer);
}

/** The gate applied to a reference C (matmul_small's bits 9 and 10; dropoutBackward and the ReLU's backward pass). */
function applyGate(call: MatmulCall, gate: Uint32Array, c: Float64Array): Float64Array {
  const g = call.gate!;
  const values = new Float32Array(gate.buffer, gate.byteOffset, gate.length);
  return c.map((v, i) => (g.kind === 'dropout' ? (gate[i] !== 0 ? v / (1 - g.rate) : 0) : values[i] > 0 ? v : 0));
}

/** With a dropout after the call: its output and 0/1 mask from the plain result (cpu/dropout.ts). */
export function matmulDropoutReference(
  call: MatmulCall,
  x: MatmulInputs,
  plain: Float64Array,
): { y: Float64Array; mask: Uint32Array } {
  const d = call.dropout!;
  const after = dropoutForward(plain, d.rate, d.seed, x.dropoutStep ?? 0, d.layerIndex);
  return { y: after.y, mask: Uint32Array.from(after.mask, (m, i) => (m && (!d.foldRelu || plain[i] > 0) ? 1 : 0)) };
}

/** The expected C in f64, from cpu/dense.matmul on un-transposed copies, plus bias and old C. */
export function matmulReference(call: MatmulCall, x: MatmulInputs): Float64Array {
  const { M, K, N } = call;
  const rowsA = call.onesRowA ? M - 1 : M;
  const storedA = Float64Array.from(call.transposeA ? transposeMatrix(x.a, K, rowsA) : x.a);
  const a = new Float64Array(M * K);
  a.set(storedA);
  if (call.onesRowA) a.fill(1, (M - 1) * K);
  const bMatrix = x.b.subarray(0, K * N);
  const b = Float64Array.from(call.transposeB ? transposeMatrix(bMatrix, N, K) : bMatrix);
  const bias = call.bias ? (call.biasInB ? x.b.subarray(K * N, K * N + N) : x.bias) : null;
  const c = cpuMatmul(a, b, M, K, N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      if (bias) c[m * N + n] += bias[n];
      if (x.c0) c[m * N + n] += x.c0[m * N + n];
      if (call.relu) c[m * N + n] = Math.max(0, c[m * N + n]);
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
  /** The reduce pass (matmul_reduce) that finishes split-K calls; needed only when a call splits K. */
  reduceKernel?: CompiledKernel | KernelSpec,
): Promise<{ cases: KernelCheckCase[]; outputs: Float32Array[] }> {
  const splits = calls.some((c) => (c.call.splitK ?? 1) > 1);
  if (splits && !reduceKernel) throw new Error('A split-K matmul call needs the reduce kernel (MATMUL_REDUCE).');
  const reduce =
    reduceKernel && 'spec' in reduceKernel
      ? reduceKernel
      : splits
        ? await runner.compile(reduceKernel as KernelSpec)
        : undefined;
  const created: GPUBuffer[] = [];
  const track = (b: GPUBuffer) => (created.push(b), b);
  const masks = new Map<GPUBuffer, GPUBuffer>();
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
    if (inputs.gate) bindings.gate = track(runner.createBuffer(inputs.gate));
    const partialLength = kernelPartialLength(kernel.spec.name, call);
    if (partialLength) bindings.partial = track(runner.createBuffer(partialLength * 4));
    const uniforms = matmulUniforms(call);
    const prepared = runner.prepare(kernel, bindings, uniforms);
    if (prepared.uniformBuffer) created.push(prepared.uniformBuffer);
    runner.encode(pass, prepared);
    if (partialLength && reduce) {
      const reduceBindings: Record<string, GPUBuffer> = { partial: bindings.partial, C: c };
      if (call.bias) reduceBindings.bias = call.biasInB ? bindings.B : bindings.bias;
      if (call.dropout) {
        // Filled with 7: a mask value the kernel forgets to write shows.
        masks.set(c, track(runner.createBuffer(new Uint32Array(call.M * call.N).fill(7))));
        reduceBindings.mask = masks.get(c)!;
        reduceBindings.train_state = track(runner.createBuffer(new Uint32Array([inputs.dropoutStep ?? 0, 0, 0, 0])));
      }
      const r = runner.prepare(reduce, reduceBindings, uniforms);
      if (r.uniformBuffer) created.push(r.uniformBuffer);
      runner.encode(pass, r);
    }
    return c;
  });
  pass.end();
  runner.device.queue.submit([encoder.finish()]);
  const maskOf = (i: number) => masks.get(outputs[i]);
  const reads = calls.flatMap(({ call }, i) => [
    { buffer: outputs[i], byteLength: call.M * call.N * 4 },
    ...(maskOf(i) ? [{ buffer: maskOf(i)!, byteLength: call.M * call.N * 4 }] : []),
  ]);
  const bytes = await runner.readBuffers(reads);
  for (const b of created) b.destroy();

  let next = 0;
  const results: Float32Array[] = [];
  const cases = calls.flatMap(({ call, inputs }, i) => {
    const got = new Float32Array(bytes[next++]);
    results.push(got);
    const plain = inputs.gate
      ? applyGate(call, inputs.gate, matmulReference(call, inputs))
      : matmulReference(call, inputs);
    const withDropout = maskOf(i) ? matmulDropoutReference(call, inputs, plain) : null;
    const expected = withDropout?.y ?? plain;
    const maxAbsError = maxAbsDiff(got, expected);
    const maxRelError = maxAbsError / Math.max(1, maxAbs(expected));
    const tolerance = matmulTolerance(call.K);
    // NaN compares false, so a kernel that writes NaN fails.
    const main = { shape: describeMatmul(call), maxAbsError, maxRelError, tolerance, pass: maxRelError <= tolerance };
    if (!withDropout) return [main];
    return [
      main,
      compareExact(`${describeMatmul(call)} dropout mask`, new Uint32Array(bytes[next++]), withDropout.mask),
    ];
  });
  return { cases, outputs: results };
}

/** Random calls covering all four transpose combinations, bias, accumulate, and a 1x1x1 edge. */
export function randomMatmulCalls(rng: SeededRandom, maxDim = 100): MatmulCall[] {
  // Sizes stay small so the check is quick on a software GPU, but range over tile edges
  // (64 and 16 for matmul; 128 and 8 for matmul_large, checked with maxDim > 128).
  const dim = () => 1 + rng.int(maxDim);
  const calls: MatmulCall[] = [];
  for (let i = 0; i < 4; i++) {
    calls.push({
      M: dim(),
      K: dim(),
      N: dim(),
      transposeA: (i & 1) !== 0,
      transposeB: (i & 2) !== 0,
      bias: i === 1,
      accumulate: i === 2,
    });
  }
  calls.push({ M: 64 + rng.int(8), K: 16 * (1 + rng.int(4)) + 1, N: 1 + rng.int(3), bias: true, accumulate: true });
  calls.push({ M: 1, K: 1, N: 1, transposeA: true, transposeB: true, bias: true, accumulate: true });
  // The dense-layer fusions: bias stored after the weights + ReLU; dW and db in one call.
  calls.push({ M: dim(), K: dim(), N: dim(), bias: true, biasInB: true, relu: true });
  calls.push({ M: 2 + rng.int(60), K: dim(), N: dim(), transposeA: true, onesRowA: true });
  // Split-K, with and without the fused epilogue, including a K that does not divide evenly.
  calls.push({
    M: 1 + rng.int(20),
    K: 200 + rng.int(300),
    N: 1 + rng.int(40),
    bias: true,
    biasInB: true,
    relu: true,
    splitK: 2 + rng.int(5),
  });
  calls.push({
    M: 1 + rng.int(20),
    K: 100 + rng.int(200),
    N: 1 + rng.int(40),
    bias: true,
    accumulate: true,
    splitK: 3,
  });
  // A dropout after the layer, done by the reduce: with its mask carrying the ReLU, and plain.
  const dropout = (foldRelu: boolean) => ({
    rate: Math.fround(0.1 + 0.6 * rng.next()),
    seed: rng.int(2 ** 32),
    layerIndex: rng.int(64),
    foldRelu,
  });
  calls.push({
    M: 1 + rng.int(20),
    K: 200 + rng.int(300),
    N: 1 + rng.int(40),
    bias: true,
    biasInB: true,
    relu: true,
    splitK: 4,
    dropout: dropout(true),
  });
  calls.push({
    M: 1 + rng.int(20),
    K: 200 + rng.int(300),
    N: 1 + rng.int(40),
    bias: true,
    splitK: 3,
    dropout: dropout(false),
  });
  // Many chunks (the trainer splits a dense layer's long K up to MAX_SPLIT_K ways).
  calls.push({
    M: 1 + rng.int(12),
    K: 3000 + rng.int(1000),
    N: 1 + rng.int(20),
    bias: true,
    relu: true,
    splitK: 40 + rng.int(20),
  });
  // A dense layer's input gradient with the backward pass of the dropout or ReLU before it (matmul_small only).
  calls.push({
    M: 1 + rng.int(70),
    K: 1 + rng.int(20),
    N: dim(),
    transposeB: true,
    gate: { kind: 'dropout', rate: Math.fround(0.1 + 0.6 * rng.next()) },
  });
  calls.push({ M: 1 + rng.int(70), K: 1 + rng.int(20), N: dim(), transposeB: true, gate: { kind: 'relu' } });
  if (maxDim > 128) {
    // Whole 128x128 tiles: matmul_large's unchecked fast path, which has its own loop for each
    // layout of A, with every transpose, then a random transpose and split.
    const whole = () => 128 * (1 + rng.int(2));
    for (let layout = 0; layout < 4; layout++) {
      calls.push({
        M: whole(),
        K: 8 * (1 + rng.int(12)),
        N: whole(),
        transposeA: (layout & 1) !== 0,
        transposeB: (layout & 2) !== 0,
        bias: true,
        relu: layout < 2,
        accumulate: layout === 3,
      });
    }
    const t = rng.int(4);
    calls.push({
      M: 128,
      K: 256 + 8 * rng.int(32),
      N: whole(),
      transposeA: (t & 2) !== 0,
      transposeB: (t & 1) !== 0,
      accumulate: true,
      splitK: 2,
    });
  }
  return calls;
}

/** KernelSpec.check for matmul: compiles the given (or current) source, then runs random calls. */
export async function checkMatmul(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
  family: MatmulFamily,
): Promise<KernelCheckResult> {
  try {
    // Checking the reduce kernel: the shipped matmul with the given reduce source, split calls only.
    const checkingReduce = spec.name === family.reduce.name;
    const kernel = checkingReduce ? await runner.compile(family.matmul) : await runner.compile(spec, options);
    const reduce = checkingReduce ? await runner.compile(spec, options) : await runner.compile(family.reduce);
    // A dropout after the layer is the reduce's work: not for matmul_small, which runs none; a
    // gate (the backward pass before) is only matmul_small's.
    const small = spec.name === MATMUL_SMALL_NAME;
    const all = randomMatmulCalls(rng, spec.name === 'matmul_large' ? 300 : 100).filter((c) =>
      small ? !c.dropout : !c.gate,
    );
    const chosen = checkingReduce
      ? all.filter((c) => (c.splitK ?? 1) > 1).concat([{ M: 33, K: 700, N: 17, bias: true, relu: true, splitK: 5 }])
      : all;
    const calls = chosen.map((call) => ({ call, inputs: randomMatmulInputs(call, rng) }));
    // Scoped so an edited kernel that breaks validation at dispatch reports instead of logging.
    const { cases } = await withErrorScopes(runner.device, () => runMatmulCases(runner, kernel, calls, reduce));
    return { kernel: spec.name, cases, pass: cases.every((c) => c.pass) };
  } catch (e) {
    return { kernel: spec.name, cases: [], pass: false, error: e instanceof Error ? e.message : String(e) };
  }
}
