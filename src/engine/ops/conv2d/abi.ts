/**
 * The uniform values shared by the conv2d kernels: their flag bits, the options a call sets, the
 * uniform layouts of the kernel table's entries, and the geometry packed into (and read back from)
 * uniform values. Separate from conv.ts so the pooled-mode check (convPool.ts), which conv.ts runs,
 * can build uniforms without importing conv.ts back.
 */
import type { KernelOverrides, UniformField, UniformValues } from '../../kernel/spec';
import type { Conv2dGeometry } from './cpu';
import { DROPOUT_AFTER_UNIFORMS, dropoutAfterUniforms, type DropoutAfter } from '../dropout/abi';

/** Flag bits, mirrored by `params.flags` in kernels/conv2d_*.wgsl. */
export const Conv2dFlags = {
  /** Forward: apply ReLU to y. Backward: use dy * (y > 0). */
  relu: 1,
  /** Add into the output instead of overwriting it (forward: before the ReLU). */
  accumulate: 2,
  /** Forward: add bias[oc]. Weight gradient: also compute db. */
  bias: 4,
  /** conv2d_forward_large only: y is the 2x2, stride-2 max pooling of the result, with argmax. */
  pool: 8,
  /** conv2d_forward_large with pool, in training: a dropout after that pooling (mask, train_state). */
  dropout: 16,
} as const;

export interface Conv2dOptions {
  /** Fused ReLU (forward) or the matching mask of dy by y > 0 (backward). Default false. */
  relu?: boolean;
  /** Add into the output buffer(s) instead of overwriting. Default false. */
  accumulate?: boolean;
  /** Forward: add the bias; weight gradient: compute db. Default true. */
  bias?: boolean;
  /** Weight gradient only: chunks the batch*outH*outW reduction is split into (default 1). */
  splitK?: number;
  /** conv2d_forward_large only: also do a following 2x2, stride-2 max pooling (see the kernel). */
  pool?: boolean;
  /** With pool: also a dropout after the pooling (training). */
  dropout?: DropoutAfter;
}

export const GEOMETRY_UNIFORMS: UniformField[] = [
  { name: 'batch', type: 'u32' },
  { name: 'inC', type: 'u32' },
  { name: 'inH', type: 'u32' },
  { name: 'inW', type: 'u32' },
  { name: 'outC', type: 'u32' },
  { name: 'outH', type: 'u32' },
  { name: 'outW', type: 'u32' },
  { name: 'kernel', type: 'u32' },
  { name: 'stride', type: 'u32' },
  { name: 'padding', type: 'u32' },
  { name: 'flags', type: 'u32' },
];
export const SPLIT_UNIFORMS: UniformField[] = [...GEOMETRY_UNIFORMS, { name: 'splitK', type: 'u32' }];
/** conv2d_forward_large's: the pooling's dropout after the geometry (used with the dropout flag only). */
export const FORWARD_LARGE_UNIFORMS: UniformField[] = [...GEOMETRY_UNIFORMS, ...DROPOUT_AFTER_UNIFORMS];

/**
 * The uniform values shared by all conv2d kernels (each reads the fields it declares: splitK is the
 * weight gradient's, the dropout fields conv2d_forward_large's).
 */
export function conv2dUniforms(g: Conv2dGeometry, options: Conv2dOptions = {}): UniformValues {
  const flags =
    (options.relu ? Conv2dFlags.relu : 0) |
    (options.accumulate ? Conv2dFlags.accumulate : 0) |
    ((options.bias ?? true) ? Conv2dFlags.bias : 0) |
    (options.pool ? Conv2dFlags.pool : 0) |
    (options.pool && options.dropout ? Conv2dFlags.dropout : 0);
  const splitK = options.splitK ?? 1;
  if (!Number.isInteger(splitK) || splitK < 1)
    throw new RangeError(`conv2d splitK must be an integer >= 1, got ${splitK}`);
  if (options.pool && (options.accumulate || g.outHeight < 2 || g.outWidth < 2)) {
    throw new RangeError('conv2d pooling needs an output of at least 2x2 and no accumulate');
  }
  return {
    batch: g.batch,
    inC: g.inChannels,
    inH: g.inHeight,
    inW: g.inWidth,
    outC: g.outChannels,
    outH: g.outHeight,
    outW: g.outWidth,
    kernel: g.kernel,
    stride: g.stride,
    padding: g.padding,
    flags,
    splitK,
    ...dropoutAfterUniforms(options.dropout),
  };
}

/** The geometry back from uniform values (inverse of conv2dUniforms). */
export function conv2dGeometryFromUniforms(u: UniformValues): Conv2dGeometry {
  return {
    batch: u.batch,
    inChannels: u.inC,
    inHeight: u.inH,
    inWidth: u.inW,
    outChannels: u.outC,
    kernel: u.kernel,
    stride: u.stride,
    padding: u.padding,
    outHeight: u.outH,
    outWidth: u.outW,
  };
}

/** Outputs per thread along each axis; must match TM and TN in the conv2d WGSL files. */
const THREAD_TILE = 4;

// Re-exported so callers keep one import for everything conv2d; they live in convUniforms.ts so
// that convPool.ts (the pooled check, which conv.ts runs) can use them without an import cycle.

/** Forward workgroups: one per (WG_X*4 output positions) x (WG_Y*4 output channels) tile of y. */
export function conv2dForwardDispatch(u: UniformValues, o: KernelOverrides): [number, number, number] {
  const positions = u.batch * u.outH * u.outW;
  return [Math.ceil(positions / (o.WG_X * THREAD_TILE)), Math.ceil(u.outC / (o.WG_Y * THREAD_TILE)), 1];
}

/**
 * conv2d_forward_large's GEMM rows: an output position each, or with pooling the four positions of
 * every 2x2 window (a last odd row or column that no window covers is not computed).
 */
export function conv2dForwardLargeRows(u: UniformValues): number {
  if (u.flags & Conv2dFlags.pool) return u.batch * Math.floor(u.outH / 2) * Math.floor(u.outW / 2) * 4;
  return u.batch * u.outH * u.outW;
}

/** conv2d_forward_large's workgroups: one per 128-row by 64-channel tile. */
export function conv2dForwardLargeDispatch(u: UniformValues): [number, number, number] {
  return [Math.ceil(conv2dForwardLargeRows(u) / 128), Math.ceil(u.outC / 64), 1];
}

/**
 * Whether a layer's forward pass should use conv2d_forward_large: many output channels (its tile
 * is 64 wide), a long reduction, and enough output positions that its 128-position tiles fill a
 * big GPU several times over. Measured with bench/kernels.ts: faster on pytorch-cnn's 32→64-channel
 * 3x3 layer (50176 positions, 392 tiles); slower on keras-cnn's 11x11 layer (15488 positions, 121
 * tiles, fewer than a big GPU's multiprocessors), on the layers with 24 or 32 channels and with one
 * input channel. bench/README.md has the figures.
 */
export function useLargeConvForward(g: Conv2dGeometry): boolean {
  const positions = g.batch * g.outHeight * g.outWidth;
  return g.outChannels >= 64 && g.inChannels * g.kernel * g.kernel >= 128 && positions >= LARGE_FORWARD_MIN_POSITIONS;
}
/** 256 of conv2d_forward_large's 128-position tiles: about two per multiprocessor of a big GPU. */
const LARGE_FORWARD_MIN_POSITIONS = 256 * 128;

/** conv2d_backward_input_large's workgroups: one per 128-pixel by 32-channel tile of dx. */
export function conv2dBackwardInputLargeDispatch(u: UniformValues): [number, number, number] {
  return [Math.ceil((u.batch * u.inH * u.inW) / 128), Math.ceil(u.inC / 32), 1];
}

/**
 * Whether a layer's input gradient should use conv2d_backward_input_large: 24 or more input
 * channels (its tile is 32 wide) and a long reduction (outC*k*k): measured faster than the general
 * kernel on pytorch-cnn's 32→64-channel layer, keras-cnn's and fast-cnn's 24→32-channel layer
 * (bench/kernels.ts; bench/README.md has the figures).
 */
export function useLargeConvBackwardInput(g: Conv2dGeometry): boolean {
  return g.inChannels >= 24 && g.outChannels * g.kernel * g.kernel >= 256;
}

/** Input-gradient workgroups: one per (WG_X*4 input pixels) x (WG_Y*4 input channels) tile of dx. */
export function conv2dBackwardInputDispatch(u: UniformValues, o: KernelOverrides): [number, number, number] {
  const pixels = u.batch * u.inH * u.inW;
  return [Math.ceil(pixels / (o.WG_X * THREAD_TILE)), Math.ceil(u.inC / (o.WG_Y * THREAD_TILE)), 1];
}

/** Columns of the weight-gradient GEMM: inC*k*k weights, plus one for db when the bias flag is set. */
function weightColumns(u: UniformValues): number {
  return u.inC * u.kernel * u.kernel + ((u.flags & Conv2dFlags.bias) !== 0 ? 1 : 0);
}

/** Weight-gradient workgroups: (WG_X*4 columns) x (WG_Y*4 output channels) tiles, times splitK along z. */
export function conv2dBackwardWeightDispatch(u: UniformValues, o: KernelOverrides): [number, number, number] {
  return [Math.ceil(weightColumns(u) / (o.WG_X * THREAD_TILE)), Math.ceil(u.outC / (o.WG_Y * THREAD_TILE)), u.splitK];
}

/** Reduce workgroups: WG_X values of dw and db each (WG_Y lanes per value). */
export function conv2dWeightReduceDispatch(u: UniformValues, o: KernelOverrides): [number, number, number] {
  return [Math.ceil((u.outC * (u.inC * u.kernel * u.kernel + 1)) / o.WG_X), 1, 1];
}

/** Floats the weight gradient's `partial` scratch buffer needs for `splitK` (0 when 1: no scratch). */
export function conv2dWeightPartialLength(g: Conv2dGeometry, splitK: number): number {
  return splitK > 1 ? splitK * g.outChannels * (g.inChannels * g.kernel * g.kernel + 1) : 0;
}

/**
 * Workgroup sizes for a layer's weight gradient when they differ from the kernel's defaults: a
 * layer with few weight columns (a first layer: k*k + 1 with the bias) fills a 64-column tile
 * only a sixth, and runs faster with 32-column tiles (8 x 16 threads), as measured on pytorch-cnn's
 * first layer (10 columns) and fast-cnn's (26 columns) with bench/kernels.ts --sweep, split as
 * conv2dWeightSplitK says (bench/README.md has the figures).
 */
export function conv2dWeightOverridesFor(g: Conv2dGeometry): KernelOverrides | undefined {
  return g.inChannels * g.kernel * g.kernel + 1 <= NARROW_WEIGHT_COLUMNS ? NARROW_WEIGHT_TILES : undefined;
}
const NARROW_WEIGHT_COLUMNS = 32;
const NARROW_WEIGHT_TILES: KernelOverrides = { WG_X: 8, WG_Y: 16 };

/**
 * Enough workgroups to keep a large GPU busy (4 per multiprocessor of the benchmark machines'
 * 132). On the MNIST layers this beat one, two and eight per multiprocessor, for 1-tile and 4-tile
 * layers alike (bench/README.md has the figures).
 */
const TARGET_WORKGROUPS = 528;
/** ... but never chunks shorter than this many output positions. */
const MIN_SPLIT_POSITIONS = 64;
const MAX_SPLITS = 1024;

/**
 * How many chunks to split the weight gradient's reduction into. Its output (outC x inC*k*k)
 * is small while the reduction (batch*outH*outW) is long, so without splitting only a handful
 * of workgroups would run (1 for MNIST's first 32-filter layer).
 */
export function conv2dWeightSplitK(g: Conv2dGeometry, overrides: KernelOverrides = {}): number {
  const o = { ...CONV2D_BACKWARD_WEIGHT_OVERRIDES, ...overrides };
  const [tx, ty] = conv2dBackwardWeightDispatch(conv2dUniforms(g), o);
  const positions = g.batch * g.outHeight * g.outWidth;
  const byWork = Math.floor(positions / MIN_SPLIT_POSITIONS);
  return Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / (tx * ty)), byWork, MAX_SPLITS));
}

/** conv2d_backward_weight's default tile (its spec's overrides): the split above is sized from it. */
export const CONV2D_BACKWARD_WEIGHT_OVERRIDES: KernelOverrides = { WG_X: 16, WG_Y: 16, TILE_K: 16 };
