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
  UniformField,
  UniformValues,
} from '../kernels';
import type { SeededRandom } from '../rng';
import { withErrorScopes } from './device';
import { matmul as cpuMatmul } from '../cpu/dense';
import { transposeMatrix } from './transpose';
import { maxAbs, maxAbsDiff } from '../cpu/tensor';
import { dropoutForward } from '../cpu/dropout';
import { compareExact } from './kernelCheck';
import { DROPOUT_AFTER_UNIFORMS, dropoutAfterUniforms, type DropoutAfter } from './elementwise';
import matmulReduceSource from '../../../kernels/matmul_reduce.wgsl?raw';

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
  /** ReLU on the result (a dense layer followed by ReLU, fused). */
  relu?: boolean;
  /** The bias is stored in B right after the K×N matrix (a dense layer's weights and bias as one range). */
  biasInB?: boolean;
  /**
   * op(A) gets an extra last row of ones, so C's last row holds the column sums of op(B):
   * M counts that row, the stored A has M − 1 rows. Gives dW and db of a dense layer in one call.
   */
  onesRowA?: boolean;
  /** Cut K into this many chunks summed by matmul_reduce (1 = no split). */
  splitK?: number;
  /**
   * matmul_reduce only (a split call): a dropout layer after this one (and its ReLU) in training,
   * done by the reduce; `foldRelu` makes its mask also drop where the value is 0.
   */
  dropout?: DropoutAfter & { foldRelu?: boolean };
  /**
   * matmul_small only, for a dense layer's input gradient: the backward pass of the layer right
   * before it, applied to C (a dropout's mask and rate, or a ReLU, gated by its output > 0).
   */
  gate?: MatmulGate;
}

/** See MatmulCall.gate: what matmul_small's `gate` binding holds and what it does to C. */
export type MatmulGate = { kind: 'dropout'; rate: number } | { kind: 'relu' };

/** Flag bits of params.flags in kernels/matmul.wgsl and matmul_reduce.wgsl. */
export const MATMUL_FLAG_BITS = {
  transposeA: 1,
  transposeB: 2,
  bias: 4,
  accumulate: 8,
  relu: 16,
  biasInB: 32,
  onesRowA: 64,
  dropout: 128,
  dropoutFoldsRelu: 256,
  gateDropout: 512,
  gateRelu: 1024,
} as const;

/** The uniform values of kernels/matmul.wgsl for one call. */
export function matmulUniforms(call: MatmulCall): UniformValues {
  const b = MATMUL_FLAG_BITS;
  const flags =
    (call.transposeA ? b.transposeA : 0) |
    (call.transposeB ? b.transposeB : 0) |
    (call.bias ? b.bias : 0) |
    (call.accumulate ? b.accumulate : 0) |
    (call.relu ? b.relu : 0) |
    (call.biasInB ? b.biasInB : 0) |
    (call.onesRowA ? b.onesRowA : 0) |
    (call.dropout ? b.dropout : 0) |
    (call.dropout?.foldRelu ? b.dropoutFoldsRelu : 0) |
    (call.gate?.kind === 'dropout' ? b.gateDropout : 0) |
    (call.gate?.kind === 'relu' ? b.gateRelu : 0);
  const splitK = Math.max(1, Math.floor(call.splitK ?? 1));
  const tileK = 16;
  const kChunk = splitK > 1 ? Math.ceil(Math.ceil(call.K / splitK) / tileK) * tileK : call.K;
  const gateRate = call.gate?.kind === 'dropout' ? call.gate.rate : 0;
  return { M: call.M, N: call.N, K: call.K, flags, splitK, kChunk, gateRate, ...dropoutAfterUniforms(call.dropout) };
}

/** Workgroups for a call: one per (WG_Y*4) x (WG_X*4) tile of C, times the K chunks along z. */
export function matmulDispatch(u: UniformValues, o: KernelOverrides): [number, number, number] {
  return [Math.ceil(u.N / (o.WG_X * THREAD_TILE)), Math.ceil(u.M / (o.WG_Y * THREAD_TILE)), Math.max(1, u.splitK ?? 1)];
}

/** Output tile of kernels/matmul_large.wgsl (fixed: 16x16 threads, 8x8 each). */
export const LARGE_TILE = 128;
/** matmul_large's K step (TILE_K in the kernel): whole-tile shapes have K a multiple of it. */
const LARGE_TILE_K = 8;

/** Workgroups for matmul_large: one per 128x128 tile of C, times the K chunks along z. */
export function matmulLargeDispatch(u: UniformValues): [number, number, number] {
  return [Math.ceil(u.N / LARGE_TILE), Math.ceil(u.M / LARGE_TILE), Math.max(1, u.splitK ?? 1)];
}

/**
 * Whether a call should use matmul_large: only when C has enough 128x128 tiles to keep a big GPU
 * busy on its own and K is long enough to pay for the bigger staging. Shapes made of whole tiles
 * (M, N multiples of 128, K of 8) take its unchecked fast path and pay off at half as many tiles.
 * Measured with bench/kernels.ts: from 1024³ (64 whole tiles) up it beats matmul, by more the
 * bigger the product; on the MNIST presets' dense layers (K = batch or few tiles) the 64x64 kernel
 * is faster. bench/README.md has the figures.
 */
export function useLargeMatmul(M: number, N: number, K: number): boolean {
  const tiles = Math.ceil(M / LARGE_TILE) * Math.ceil(N / LARGE_TILE);
  const wholeTiles = M % LARGE_TILE === 0 && N % LARGE_TILE === 0 && K % LARGE_TILE_K === 0;
  return K >= LARGE_MIN_K && tiles >= (wholeTiles ? LARGE_MIN_WHOLE_TILES : LARGE_MIN_TILES);
}
const LARGE_MIN_TILES = 128;
const LARGE_MIN_WHOLE_TILES = 64;
const LARGE_MIN_K = 256;

/**
 * Whether a call should use matmul_small (a thread per output, no workgroup memory): a short K
 * and few multiply-adds in all, such as a last 10-unit layer, which matmul would run on one or
 * two workgroups walking K step by step. With B stored transposed ([N, K], a dense layer's input
 * gradient) neighbouring threads read B K values apart, so that case takes it only when tiny.
 * Same bits as matmul (and its split-K reduce) for any call. The limits come from bench/kernels.ts
 * --only dense --small-everywhere: it wins on mlp's first weight gradient (785 x 128 outputs, K 128),
 * loses on fast-cnn's (801 x 256, K 256) and loses by far on pytorch-cnn's first input gradient
 * (Bᵀ, 64 x 12544, K 128). bench/README.md has the figures.
 */
export function useSmallMatmul(M: number, N: number, K: number, options: { transposeB?: boolean } = {}): boolean {
  const work = M * N * K;
  return K <= SMALL_MAX_K && work <= (options.transposeB ? SMALL_MAX_WORK_TRANSPOSED_B : SMALL_MAX_WORK);
}
const SMALL_MAX_K = 256;
const SMALL_MAX_WORK = 2 ** 24;
const SMALL_MAX_WORK_TRANSPOSED_B = 2 ** 20;
/** The matmul_small kernel's name: it finishes split-K calls itself (no partial buffer, no reduce). */
export const MATMUL_SMALL_NAME = 'matmul_small';

/** Floats of split-K scratch a call needs with this kernel: none for matmul_small, which sums the chunks itself. */
export function kernelPartialLength(kernelName: string, call: MatmulCall): number {
  return kernelName === MATMUL_SMALL_NAME ? 0 : matmulPartialLength(call);
}

/** matmulSplitK for matmul_large's 128x128 tiles. */
export function largeMatmulSplitK(M: number, N: number, K: number): number {
  return matmulSplitK(M, N, K, { WG_X: LARGE_TILE / THREAD_TILE, WG_Y: LARGE_TILE / THREAD_TILE });
}

/** Reduce workgroups: grid-stride over the M×N outputs. */
export function matmulReduceDispatch(u: UniformValues, o: KernelOverrides): [number, number, number] {
  return [Math.max(1, Math.min(65535, Math.ceil((u.M * u.N) / o.WG))), 1, 1];
}

/** Enough workgroups to fill a large GPU (the benchmark machines' have 132 multiprocessors) ... */
const TARGET_WORKGROUPS = 256;
/**
 * ... but never chunks of K shorter than this. Smaller chunks are faster for small layers
 * (bench/kernels.ts --only dense --sweep, and whole mlp steps), but they change the rounding of the
 * sums, and with them the seed-1 runs of pytorch-cnn and keras-small-cnn ended just under their
 * accuracy targets (bench/sweeps/seeds-after-dense-split.txt). Kept at 128 until those recipes
 * have more margin; bench/README.md has the figures.
 */
const MIN_K_CHUNK = 128;
/**
 * ... and at most this many chunks. pytorch-cnn's first dense layer (K = 12544, 2 tiles) is the
 * only preset layer that reaches it: at 64 chunks its forward product ran 128 workgroups, fewer
 * than a large GPU's multiprocessors; 98 chunks of 128 fill it, and made the whole step faster with
 * accuracies within the seeds' spread (bench/README.md has the figures).
 */
const MAX_SPLIT_K = 128;

/**
 * How many K chunks a call should use: a small output (few 64×64 tiles) with a long K would run
 * on a handful of workgroups, so split K until there are enough (1 when the output is big).
 */
export function matmulSplitK(
  M: number,
  N: number,
  K: number,
  overrides: KernelOverrides = { WG_X: 16, WG_Y: 16 },
): number {
  const tiles = Math.ceil(N / (overrides.WG_X * THREAD_TILE)) * Math.ceil(M / (overrides.WG_Y * THREAD_TILE));
  if (tiles >= TARGET_WORKGROUPS / 2) return 1;
  return Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.floor(K / MIN_K_CHUNK), MAX_SPLIT_K));
}

/** Floats of scratch space a split call needs. */
export function matmulPartialLength(call: MatmulCall): number {
  const split = Math.max(1, call.splitK ?? 1);
  return split > 1 ? split * call.M * call.N : 0;
}

/** A readable label such as "17x33x65 Aᵀ +bias" (M x K x N). */
export function describeMatmul(call: MatmulCall): string {
  const tags = [
    call.transposeA && 'Aᵀ',
    call.transposeB && 'Bᵀ',
    call.bias && (call.biasInB ? '+bias(in B)' : '+bias'),
    call.accumulate && '+=C',
    call.relu && 'relu',
    call.onesRowA && '+ones row',
    (call.splitK ?? 1) > 1 && `split ${call.splitK}`,
    call.dropout &&
      `dropout ${call.dropout.rate.toPrecision(3)}${call.dropout.foldRelu ? ' (mask with the ReLU)' : ''}`,
    call.gate &&
      (call.gate.kind === 'dropout' ? `then dropout backward ${call.gate.rate.toPrecision(3)}` : 'then ReLU backward'),
  ];
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
  reduceKernel?: CompiledKernel,
): Promise<{ cases: KernelCheckCase[]; outputs: Float32Array[] }> {
  const reduce =
    reduceKernel ?? (calls.some((c) => (c.call.splitK ?? 1) > 1) ? await runner.compile(MATMUL_REDUCE) : undefined);
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
): Promise<KernelCheckResult> {
  try {
    // Checking the reduce kernel: the shipped matmul with the given reduce source, split calls only.
    const checkingReduce = spec.name === MATMUL_REDUCE.name;
    const kernel = checkingReduce ? await runner.compile(matmulSpec()) : await runner.compile(spec, options);
    const reduce = checkingReduce ? await runner.compile(spec, options) : await runner.compile(MATMUL_REDUCE);
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

let matmulSpecRef: KernelSpec | null = null;
/** The matmul spec (registered by kernels.ts, which imports this module: set there to avoid a cycle). */
export function registerMatmulSpec(spec: KernelSpec): void {
  matmulSpecRef = spec;
}
function matmulSpec(): KernelSpec {
  if (!matmulSpecRef) throw new Error('matmul spec not registered');
  return matmulSpecRef;
}

/** The Params struct shared by matmul.wgsl, matmul_large.wgsl and matmul_reduce.wgsl, in order (the reduce adds a dropout's three fields). */
export const MATMUL_UNIFORMS: UniformField[] = [
  { name: 'M', type: 'u32' },
  { name: 'N', type: 'u32' },
  { name: 'K', type: 'u32' },
  { name: 'flags', type: 'u32' },
  { name: 'splitK', type: 'u32' },
  { name: 'kChunk', type: 'u32' },
];

/** Sums split-K partial results and applies the epilogue (bias, accumulate, ReLU). */
export const MATMUL_REDUCE: KernelSpec = {
  name: 'matmul_reduce',
  file: 'matmul_reduce.wgsl',
  builtinSource: matmulReduceSource,
  entryPoint: 'main',
  description:
    'Finishes a matrix multiply that was split along K to keep a big GPU busy: adds the partial sums ' +
    'of every chunk in a fixed order, then the bias, and applies ReLU when the layer asks for it. In training ' +
    'it also does a dropout layer that comes right after, so that layer needs no kernel of its own.',
  bindings: [
    { binding: 0, name: 'partial', access: 'read', description: 'splitK partial results, each [M, N].' },
    {
      binding: 1,
      name: 'bias',
      access: 'read',
      description: 'The bias (at its offset: after the weights when stored with them).',
      optional: true,
    },
    { binding: 2, name: 'C', access: 'read_write', description: 'The [M, N] result.' },
    {
      binding: 3,
      name: 'params',
      access: 'uniform',
      description:
        'Sizes, flag bits and the number of chunks; then the rate, seed and layer index of a dropout after the layer.',
    },
    {
      binding: 4,
      name: 'mask',
      access: 'read_write',
      description: "With the dropout bit: u32 per output, the dropout's 0/1 mask.",
      optional: true,
    },
    {
      binding: 5,
      name: 'train_state',
      access: 'read',
      description: "With the dropout bit: u32 [global step, ...]; the step picks the dropout's random stream.",
      optional: true,
    },
  ],
  uniforms: [...MATMUL_UNIFORMS, ...DROPOUT_AFTER_UNIFORMS],
  overrides: { WG: 256 },
  workgroupSize: (o) => [o.WG, 1, 1],
  dispatch: matmulReduceDispatch,
  cpuTwin: 'cpu/dense.matmul',
  check: (runner, rng, options) => checkMatmul(MATMUL_REDUCE, runner, rng, options),
};
