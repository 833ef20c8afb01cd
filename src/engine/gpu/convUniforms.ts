/**
 * The uniform values shared by the conv2d kernels: their flag bits, the options a call sets, the
 * uniform layouts of the kernel table's entries, and the geometry packed into (and read back from)
 * uniform values. Separate from conv.ts so the pooled-mode check (convPool.ts), which conv.ts runs,
 * can build uniforms without importing conv.ts back.
 */
import type { UniformField, UniformValues } from '../kernels';
import type { Conv2dGeometry } from '../cpu/conv';
import { DROPOUT_AFTER_UNIFORMS, dropoutAfterUniforms, type DropoutAfter } from './elementwise';

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
