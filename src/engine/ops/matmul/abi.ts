/**
 * The matmul kernels' interface with TypeScript: the call a layer makes, its flag bits and uniforms,
 * how many workgroups a call needs, when K is split, and which variant suits a size.
 */
import type { KernelOverrides, UniformField, UniformValues } from '../../kernel/spec';
import { dropoutAfterUniforms, type DropoutAfter } from '../dropout/abi';

/** Matmul flag bits, mirrored by `params.flags` in kernels/matmul.wgsl. */
export const MatmulFlags = {
  transposeA: 1,
  transposeB: 2,
  bias: 4,
  accumulate: 8,
} as const;

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

/** The Params struct shared by matmul.wgsl, matmul_large.wgsl and matmul_reduce.wgsl, in order (the reduce adds a dropout's three fields). */
export const MATMUL_UNIFORMS: UniformField[] = [
  { name: 'M', type: 'u32' },
  { name: 'N', type: 'u32' },
  { name: 'K', type: 'u32' },
  { name: 'flags', type: 'u32' },
  { name: 'splitK', type: 'u32' },
  { name: 'kChunk', type: 'u32' },
];
