/**
 * The 2-D convolution kernels' TypeScript side: their table entries (forward, input gradient,
 * weight+bias gradient and the split-reduction that finishes it), uniform values built from a
 * `Conv2dGeometry`, workgroup counts, and the checks against cpu/conv.ts.
 *
 * Executor recipe for a conv layer (fused with ReLU or not), all in one compute pass:
 *   forward:  CONV2D_FORWARD  {x, w, bias, y}            conv2dUniforms(g, { relu })
 *   backward: CONV2D_BACKWARD_INPUT {dy, w, y, dx}        conv2dUniforms(g, { relu })
 *             encodeConv2dBackwardWeight(...) {dy, x, y, dw, db, partial}
 *                                                        conv2dUniforms(g, { relu, splitK: conv2dWeightSplitK(g) })
 * With `relu`, y is the stored post-ReLU output and both backward kernels use dy * (y > 0).
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
import { checkKernel, compareValues, randomFloats } from './kernelCheck';
import { conv2dBackward, conv2dForward, conv2dGeometry, conv2dSizes, type Conv2dGeometry } from '../cpu/conv';
import { pooledForwardCases } from './convPool';
import {
  FORWARD_LARGE_UNIFORMS,
  GEOMETRY_UNIFORMS,
  SPLIT_UNIFORMS,
  Conv2dFlags,
  conv2dUniforms,
  type Conv2dOptions,
} from './convUniforms';
import forwardSource from '../../../kernels/conv2d_forward.wgsl?raw';
import forwardLargeSource from '../../../kernels/conv2d_forward_large.wgsl?raw';
import backwardInputSource from '../../../kernels/conv2d_backward_input.wgsl?raw';
import backwardInputLargeSource from '../../../kernels/conv2d_backward_input_large.wgsl?raw';
import backwardWeightSource from '../../../kernels/conv2d_backward_weight.wgsl?raw';
import weightReduceSource from '../../../kernels/conv2d_weight_reduce.wgsl?raw';

/** Outputs per thread along each axis; must match TM and TN in the conv2d WGSL files. */
const THREAD_TILE = 4;

// Re-exported so callers keep one import for everything conv2d; they live in convUniforms.ts so
// that convPool.ts (the pooled check, which conv.ts runs) can use them without an import cycle.
export { Conv2dFlags, conv2dGeometryFromUniforms, conv2dUniforms, type Conv2dOptions } from './convUniforms';

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
  const o = { ...CONV2D_BACKWARD_WEIGHT.overrides, ...overrides };
  const [tx, ty] = conv2dBackwardWeightDispatch(conv2dUniforms(g), o);
  const positions = g.batch * g.outHeight * g.outWidth;
  const byWork = Math.floor(positions / MIN_SPLIT_POSITIONS);
  return Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / (tx * ty)), byWork, MAX_SPLITS));
}

/** Kernels (or specs made ready with runner.ready) for the weight gradient and its reduce pass. */
export interface Conv2dWeightKernels {
  weight: CompiledKernel | KernelSpec;
  reduce: CompiledKernel | KernelSpec;
}

export interface Conv2dWeightBuffers {
  dy: GPUBuffer;
  x: GPUBuffer;
  /** The post-ReLU forward output; only read with the relu flag. */
  y?: GPUBuffer;
  dw: GPUBuffer;
  /** Only written with the bias flag. */
  db?: GPUBuffer;
  /** conv2dWeightPartialLength(g, splitK) floats; needed only when splitK > 1. */
  partial?: GPUBuffer;
}

/** Records the weight (and bias) gradient: one dispatch, plus the reduce pass when uniforms.splitK > 1. */
export function encodeConv2dBackwardWeight(
  runner: KernelRunner,
  target: GPUComputePassEncoder | GPUCommandEncoder,
  kernels: Conv2dWeightKernels,
  buffers: Conv2dWeightBuffers,
  uniforms: UniformValues,
): void {
  const split = uniforms.splitK > 1;
  if (split && !buffers.partial) throw new Error('conv2d weight gradient: splitK > 1 needs a `partial` buffer');
  const bound: Record<string, GPUBuffer> = { dy: buffers.dy, x: buffers.x, dw: buffers.dw };
  if (buffers.y) bound.y = buffers.y;
  if (buffers.db) bound.db = buffers.db;
  if (split) bound.partial = buffers.partial!;
  runner.dispatch(target, kernels.weight, bound, uniforms);
  if (!split) return;
  const reduceBound: Record<string, GPUBuffer> = { partial: buffers.partial!, dw: buffers.dw };
  if (buffers.db) reduceBound.db = buffers.db;
  runner.dispatch(target, kernels.reduce, reduceBound, uniforms);
}

// ---------------------------------------------------------------------------------------------
// The table entries.

export const CONV2D_FORWARD: KernelSpec = {
  name: 'conv2d_forward',
  file: 'conv2d_forward.wgsl',
  builtinSource: forwardSource,
  entryPoint: 'main',
  description:
    'Slides each filter over the image: every output pixel is the sum of a k×k patch of every input ' +
    'channel times the filter weights, plus a bias, optionally followed by ReLU in the same pass. ' +
    'It runs as one big tiled matrix multiply whose left matrix (the image patches) is never stored.',
  bindings: [
    { binding: 0, name: 'x', access: 'read', description: 'Input images [batch, inC, inH, inW].' },
    { binding: 1, name: 'w', access: 'read', description: 'Filters [outC, inC, k, k].' },
    {
      binding: 2,
      name: 'bias',
      access: 'read',
      description: 'outC values, one per filter (only with the bias flag).',
      optional: true,
    },
    {
      binding: 3,
      name: 'y',
      access: 'read_write',
      description: 'Output [batch, outC, outH, outW], after ReLU when fused (read too when accumulating).',
    },
    {
      binding: 4,
      name: 'params',
      access: 'uniform',
      description: 'The shapes, kernel size, stride, padding and flag bits.',
    },
  ],
  uniforms: GEOMETRY_UNIFORMS,
  // 32x8 threads (128 positions x 32 channels) measured best for all four MNIST conv layers
  // (bench/kernels.ts --sweep; bench/README.md has the figures).
  overrides: { WG_X: 32, WG_Y: 8, TILE_K: 16 },
  workgroupSize: (o) => [o.WG_X, o.WG_Y, 1],
  dispatch: conv2dForwardDispatch,
  cpuTwin: 'cpu/conv.conv2dForward (+ relu)',
  check: (runner, rng, options) => checkConv2dForward(runner, rng, options),
};

/** The same forward pass, for layers with many channels: 8x8 per thread, gather overlapped with the multiply. */
export const CONV2D_FORWARD_LARGE: KernelSpec = {
  ...CONV2D_FORWARD,
  name: 'conv2d_forward_large',
  file: 'conv2d_forward_large.wgsl',
  builtinSource: forwardLargeSource,
  description:
    'The same forward convolution as "conv2d_forward", for layers with many filters: each thread works out ' +
    '8 output pixels for 8 filters, and fetches the next slice of image patches while it multiplies the ' +
    'current one. Training uses it for layers with at least 64 filters and 128 weights per filter. When a ' +
    "2×2 max pooling follows, it does that too (and a dropout after it): each thread's 4 pixels are then " +
    'one pooling window, so only the pooled image is written.',
  bindings: [
    ...CONV2D_FORWARD.bindings.slice(0, 3),
    {
      binding: 3,
      name: 'y',
      access: 'read_write',
      description:
        'Output [batch, outC, outH, outW] after ReLU when fused; with the pool flag the pooled output [batch, outC, outH/2, outW/2] (after the dropout with that flag).',
    },
    {
      binding: 4,
      name: 'params',
      access: 'uniform',
      description:
        "The shapes, kernel size, stride, padding and flag bits; then the dropout's rate, seed and layer index.",
    },
    {
      binding: 5,
      name: 'argmax',
      access: 'read_write',
      description:
        'Pool flag only: u32 per pooled output, the flat index of the winner in the full-size output (none if ReLU zeroed the window).',
      optional: true,
    },
    {
      binding: 6,
      name: 'mask',
      access: 'read_write',
      description: "Dropout flag only: u32 per pooled output, the dropout's 0/1 mask.",
      optional: true,
    },
    {
      binding: 7,
      name: 'train_state',
      access: 'read',
      description: "Dropout flag only: u32 [global step, ...]; the step picks the dropout's random stream.",
      optional: true,
    },
  ],
  uniforms: FORWARD_LARGE_UNIFORMS,
  overrides: {},
  workgroupSize: () => [16, 8, 1],
  dispatch: conv2dForwardLargeDispatch,
  check: (runner, rng, options) => checkConv2dForwardLarge(runner, rng, options),
};

/** The forward kernel for a layer of this shape. */
export function conv2dForwardKernelFor(g: Conv2dGeometry): KernelSpec {
  return useLargeConvForward(g) ? CONV2D_FORWARD_LARGE : CONV2D_FORWARD;
}

export const CONV2D_BACKWARD_INPUT: KernelSpec = {
  name: 'conv2d_backward_input',
  file: 'conv2d_backward_input.wgsl',
  builtinSource: backwardInputSource,
  entryPoint: 'main',
  description:
    'Sends the gradient back to the input image: each input pixel adds up, over every filter and ' +
    'kernel position that touched it, the output gradient there times that weight. With the ReLU ' +
    'flag it first zeroes the gradient wherever the forward ReLU output was 0.',
  bindings: [
    { binding: 0, name: 'dy', access: 'read', description: 'Gradient of the output [batch, outC, outH, outW].' },
    { binding: 1, name: 'w', access: 'read', description: 'Filters [outC, inC, k, k].' },
    {
      binding: 2,
      name: 'y',
      access: 'read',
      description: 'Forward output after ReLU (only with the relu flag: dy is masked by y > 0).',
      optional: true,
    },
    {
      binding: 3,
      name: 'dx',
      access: 'read_write',
      description: 'Gradient of the input [batch, inC, inH, inW] (read too when accumulating).',
    },
    {
      binding: 4,
      name: 'params',
      access: 'uniform',
      description: 'The shapes, kernel size, stride, padding and flag bits.',
    },
  ],
  uniforms: GEOMETRY_UNIFORMS,
  overrides: { WG_X: 16, WG_Y: 8, TILE_K: 16 },
  workgroupSize: (o) => [o.WG_X, o.WG_Y, 1],
  dispatch: conv2dBackwardInputDispatch,
  cpuTwin: 'cpu/conv.conv2dBackward dx (dy masked by relu)',
  check: (runner, rng, options) => checkConv2dBackwardInput(runner, rng, options),
};

/** The same input gradient, for layers with many channels: 8x4 per thread, gather overlapped with the multiply. */
export const CONV2D_BACKWARD_INPUT_LARGE: KernelSpec = {
  ...CONV2D_BACKWARD_INPUT,
  name: 'conv2d_backward_input_large',
  file: 'conv2d_backward_input_large.wgsl',
  builtinSource: backwardInputLargeSource,
  description:
    'The same gradient to the input as "conv2d_backward_input", for layers with many channels: each thread ' +
    'works out 8 input pixels for 4 channels, and fetches the next slice of output gradients while it ' +
    'multiplies the current one. Training uses it for layers with at least 24 input channels.',
  overrides: {},
  workgroupSize: () => [16, 8, 1],
  dispatch: conv2dBackwardInputLargeDispatch,
  check: (runner, rng, options) => checkConv2dBackwardInputLarge(runner, rng, options),
};

/** The input-gradient kernel for a layer of this shape. */
export function conv2dBackwardInputKernelFor(g: Conv2dGeometry): KernelSpec {
  return useLargeConvBackwardInput(g) ? CONV2D_BACKWARD_INPUT_LARGE : CONV2D_BACKWARD_INPUT;
}

export const CONV2D_BACKWARD_WEIGHT: KernelSpec = {
  name: 'conv2d_backward_weight',
  file: 'conv2d_backward_weight.wgsl',
  builtinSource: backwardWeightSource,
  entryPoint: 'main',
  description:
    'Finds how each filter weight should change: the sum, over every image and output position, of ' +
    'the output gradient times the input pixel that weight saw (and the bias gradient, the sum of the ' +
    'output gradient). The long sum can be split into chunks that run in parallel and are added up after.',
  bindings: [
    { binding: 0, name: 'dy', access: 'read', description: 'Gradient of the output [batch, outC, outH, outW].' },
    { binding: 1, name: 'x', access: 'read', description: 'The forward input [batch, inC, inH, inW].' },
    {
      binding: 2,
      name: 'y',
      access: 'read',
      description: 'Forward output after ReLU (only with the relu flag: dy is masked by y > 0).',
      optional: true,
    },
    {
      binding: 3,
      name: 'dw',
      access: 'read_write',
      description: 'Weight gradient [outC, inC, k, k] (written when splitK = 1).',
    },
    {
      binding: 4,
      name: 'db',
      access: 'read_write',
      description: 'Bias gradient [outC] (with the bias flag, when splitK = 1).',
      optional: true,
    },
    {
      binding: 5,
      name: 'partial',
      access: 'read_write',
      description: 'Partial sums [splitK, outC, inC·k·k + 1] (only when splitK > 1).',
      optional: true,
    },
    {
      binding: 6,
      name: 'params',
      access: 'uniform',
      description: 'The shapes, kernel size, stride, padding, flag bits and split count.',
    },
  ],
  uniforms: SPLIT_UNIFORMS,
  // 16x16 threads (64 columns x 64 channels): a 64-channel layer in one row of tiles, so its
  // input patches are gathered once, not twice: measured much faster than 16x8 on the 64-channel
  // layer, and about even on 32-channel layers (bench/kernels.ts --sweep; bench/README.md has the
  // figures).
  overrides: { WG_X: 16, WG_Y: 16, TILE_K: 16 },
  workgroupSize: (o) => [o.WG_X, o.WG_Y, 1],
  dispatch: conv2dBackwardWeightDispatch,
  cpuTwin: 'cpu/conv.conv2dBackward dw, db (dy masked by relu)',
  check: (runner, rng, options) => checkConv2dBackwardWeight(runner, rng, options),
};

export const CONV2D_WEIGHT_REDUCE: KernelSpec = {
  name: 'conv2d_weight_reduce',
  file: 'conv2d_weight_reduce.wgsl',
  builtinSource: weightReduceSource,
  entryPoint: 'main',
  description:
    'Adds up the chunked partial sums of the convolution weight and bias gradients, always in the ' +
    'same order, so the result is the same on every run.',
  bindings: [
    {
      binding: 0,
      name: 'partial',
      access: 'read',
      description: 'Partial sums [splitK, outC, inC·k·k + 1] from conv2d_backward_weight.',
    },
    { binding: 1, name: 'dw', access: 'read_write', description: 'Weight gradient [outC, inC, k, k].' },
    {
      binding: 2,
      name: 'db',
      access: 'read_write',
      description: 'Bias gradient [outC] (only with the bias flag).',
      optional: true,
    },
    { binding: 3, name: 'params', access: 'uniform', description: 'The shapes, flag bits and split count.' },
  ],
  uniforms: SPLIT_UNIFORMS,
  overrides: { WG_X: 32, WG_Y: 8 },
  workgroupSize: (o) => [o.WG_X, o.WG_Y, 1],
  dispatch: conv2dWeightReduceDispatch,
  cpuTwin: 'cpu/conv.conv2dBackward dw, db (with conv2d_backward_weight)',
  check: (runner, rng, options) => checkConv2dWeightReduce(runner, rng, options),
};

/** The conv kernels: the four every conv layer uses, then the forward and input-gradient passes for large layers. */
export const CONV2D_KERNELS: readonly KernelSpec[] = [
  CONV2D_FORWARD,
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_WEIGHT_REDUCE,
  CONV2D_FORWARD_LARGE,
  CONV2D_BACKWARD_INPUT_LARGE,
];

// ---------------------------------------------------------------------------------------------
// Checking against cpu/conv.ts.

export type Conv2dKind = 'forward' | 'backwardInput' | 'backwardWeight';

/** One kernel call to check: which gradient (or the forward pass), the geometry and options. */
export interface Conv2dCall extends Conv2dOptions {
  kind: Conv2dKind;
  g: Conv2dGeometry;
}

/** Compiled kernels a batch of calls may use (backwardWeight with splitK > 1 needs the reduce too). */
export interface Conv2dCompiled {
  forward?: CompiledKernel;
  backwardInput?: CompiledKernel;
  backwardWeight?: CompiledKernel;
  weightReduce?: CompiledKernel;
}

export interface Conv2dInputs {
  x: Float32Array;
  w: Float32Array;
  bias: Float32Array;
  dy: Float32Array;
  /** A post-ReLU output (about half zeros) for the dy mask. */
  y: Float32Array;
  /** The output buffer's contents before the call (matters when accumulating). */
  out0: Float32Array;
  /** db before the call. */
  db0: Float32Array;
}

/** A readable label such as "forward 2x3x7x9→5 k3 s2 p1 relu +=". */
export function describeConv2dCall(call: Conv2dCall): string {
  const g = call.g;
  const tags = [
    call.relu && 'relu',
    call.accumulate && '+=',
    call.bias === false && 'no-bias',
    (call.splitK ?? 1) > 1 && `split${call.splitK}`,
  ];
  const shape = `${g.batch}x${g.inChannels}x${g.inHeight}x${g.inWidth}→${g.outChannels} k${g.kernel} s${g.stride} p${g.padding}`;
  return [call.kind, shape, ...tags.filter(Boolean)].join(' ');
}

function outputLength(call: Conv2dCall): number {
  const sizes = conv2dSizes(call.g);
  return call.kind === 'forward' ? sizes.output : call.kind === 'backwardInput' ? sizes.input : sizes.weight;
}

/** Uniform random inputs in [-1, 1) for a call (y is relu of random values). */
export function randomConv2dInputs(call: Conv2dCall, rng: SeededRandom): Conv2dInputs {
  const sizes = conv2dSizes(call.g);
  const y = randomFloats(rng, sizes.output).map((v) => Math.max(0, v));
  return {
    x: randomFloats(rng, sizes.input),
    w: randomFloats(rng, sizes.weight),
    bias: randomFloats(rng, call.g.outChannels),
    dy: randomFloats(rng, sizes.output),
    y,
    out0: call.accumulate ? randomFloats(rng, outputLength(call)) : new Float32Array(outputLength(call)),
    db0: call.accumulate ? randomFloats(rng, call.g.outChannels) : new Float32Array(call.g.outChannels),
  };
}

/**
 * The expected output in f64 from cpu/conv.ts, composed with ReLU (forward) or the ReLU mask of
 * dy (backward) and with the old contents when accumulating. Weight gradients come as [dw, db].
 */
export function conv2dReference(call: Conv2dCall, inputs: Conv2dInputs): Float64Array {
  const g = call.g;
  const x = Float64Array.from(inputs.x);
  const w = Float64Array.from(inputs.w);
  const add = (a: Float64Array, b: Float32Array) => {
    if (call.accumulate) for (let i = 0; i < a.length; i++) a[i] += b[i];
    return a;
  };
  if (call.kind === 'forward') {
    const bias = call.bias === false ? new Float64Array(g.outChannels) : Float64Array.from(inputs.bias);
    const y = add(conv2dForward(x, w, bias, g), inputs.out0);
    return call.relu ? y.map((v) => Math.max(0, v)) : y;
  }
  const dy = Float64Array.from(inputs.dy, (v, i) => (call.relu && !(inputs.y[i] > 0) ? 0 : v));
  const grads = conv2dBackward(x, w, dy, g);
  if (call.kind === 'backwardInput') return add(grads.dx, inputs.out0);
  const dw = add(grads.dw, inputs.out0);
  if (call.bias === false) return dw;
  const out = new Float64Array(dw.length + g.outChannels);
  out.set(dw);
  out.set(add(grads.db, inputs.db0), dw.length);
  return out;
}

/** Terms summed into one output value: f32 rounding error grows about linearly with it. */
function reductionLength(call: Conv2dCall): number {
  const g = call.g;
  const taps = g.kernel * g.kernel;
  if (call.kind === 'forward') return g.inChannels * taps + 2;
  if (call.kind === 'backwardInput') return g.outChannels * taps + 1;
  return g.batch * g.outHeight * g.outWidth + 1;
}

/** Allowed error relative to the output's scale. */
export function conv2dTolerance(call: Conv2dCall): number {
  return 1e-5 * Math.max(1, reductionLength(call));
}

/**
 * Runs every call on the GPU in one submit, reads all results back with one wait, and compares
 * each with the CPU reference. Returns the GPU outputs too (weight gradients as [dw, db]).
 */
export async function runConv2dCases(
  runner: KernelRunner,
  kernels: Conv2dCompiled,
  calls: { call: Conv2dCall; inputs: Conv2dInputs }[],
): Promise<{ cases: KernelCheckCase[]; outputs: Float32Array[] }> {
  const created: GPUBuffer[] = [];
  const make = (init: ArrayBufferView | number) => {
    const b = runner.createBuffer(init);
    created.push(b);
    return b;
  };
  const need = (k: CompiledKernel | undefined, what: string) => {
    if (!k) throw new Error(`runConv2dCases: no compiled ${what} kernel`);
    return k;
  };
  const encoder = runner.device.createCommandEncoder({ label: 'conv2d check' });
  const pass = encoder.beginComputePass();
  const run = (kernel: CompiledKernel, bindings: Record<string, GPUBuffer>, u: UniformValues) => {
    const prepared = runner.prepare(kernel, bindings, u);
    if (prepared.uniformBuffer) created.push(prepared.uniformBuffer);
    runner.encode(pass, prepared);
  };
  const reads = calls.flatMap(({ call, inputs }) => {
    const u = conv2dUniforms(call.g, call);
    const out = make(inputs.out0);
    const read = [{ buffer: out, byteLength: inputs.out0.byteLength }];
    if (call.kind === 'forward') {
      run(
        need(kernels.forward, 'forward'),
        { x: make(inputs.x), w: make(inputs.w), bias: make(inputs.bias), y: out },
        u,
      );
    } else if (call.kind === 'backwardInput') {
      run(
        need(kernels.backwardInput, 'backwardInput'),
        { dy: make(inputs.dy), w: make(inputs.w), y: make(inputs.y), dx: out },
        u,
      );
    } else {
      const db = make(inputs.db0);
      const bindings: Record<string, GPUBuffer> = {
        dy: make(inputs.dy),
        x: make(inputs.x),
        y: make(inputs.y),
        dw: out,
        db,
      };
      const partialLength = conv2dWeightPartialLength(call.g, u.splitK);
      if (partialLength > 0) {
        // Filled with NaN so a chunk the kernel forgot to write poisons the sum instead of adding 0.
        bindings.partial = make(new Float32Array(partialLength).fill(NaN));
      }
      run(need(kernels.backwardWeight, 'backwardWeight'), bindings, u);
      if (partialLength > 0)
        run(need(kernels.weightReduce, 'weightReduce'), { partial: bindings.partial, dw: out, db }, u);
      if (call.bias !== false) read.push({ buffer: db, byteLength: inputs.db0.byteLength });
    }
    return read;
  });
  pass.end();
  runner.device.queue.submit([encoder.finish()]);
  const bytes = await runner.readBuffers(reads);
  for (const b of created) b.destroy();

  let next = 0;
  const outputs = calls.map(({ call }) => {
    const main = new Float32Array(bytes[next++]);
    if (call.kind !== 'backwardWeight' || call.bias === false) return main;
    const db = new Float32Array(bytes[next++]);
    const both = new Float32Array(main.length + db.length);
    both.set(main);
    both.set(db, main.length);
    return both;
  });
  const cases = calls.map(({ call, inputs }, i) =>
    compareValues(describeConv2dCall(call), outputs[i], conv2dReference(call, inputs), conv2dTolerance(call)),
  );
  return { cases, outputs };
}

/** A random valid geometry with small sizes (quick on a software GPU) that still cross tile edges. */
export function randomConv2dGeometry(rng: SeededRandom, maxSide = 12): Conv2dGeometry {
  for (;;) {
    const kernel = 1 + rng.int(5);
    const padding = rng.int(3);
    const h = 1 + rng.int(maxSide);
    const w = 1 + rng.int(maxSide);
    if (kernel > h + 2 * padding || kernel > w + 2 * padding) continue;
    return conv2dGeometry(1 + rng.int(3), [1 + rng.int(5), h, w], 1 + rng.int(9), kernel, 1 + rng.int(3), padding);
  }
}

/** Calls of one kind over random shapes, cycling through relu / accumulate / bias variants. */
export function randomConv2dCalls(kind: Conv2dKind, rng: SeededRandom, count = 5): Conv2dCall[] {
  const calls: Conv2dCall[] = [];
  for (let i = 0; i < count; i++) {
    const g = randomConv2dGeometry(rng);
    const call: Conv2dCall = { kind, g, relu: i % 2 === 1, accumulate: i % 3 === 2, bias: i !== 3 };
    if (kind === 'backwardWeight') call.splitK = 1 + (i % 3);
    calls.push(call);
  }
  // A fixed shape of a real layer type (3x3, padding 1) with a partial tile on every axis.
  calls.push({
    kind,
    g: conv2dGeometry(2, [3, 9, 11], 6, 3, 1, 1),
    relu: true,
    splitK: kind === 'backwardWeight' ? 4 : 1,
  });
  return calls;
}

async function compileOthers(
  runner: KernelRunner,
  kernel: CompiledKernel,
  role: keyof Conv2dCompiled,
): Promise<Conv2dCompiled> {
  const compiled: Conv2dCompiled = { [role]: kernel };
  // The weight gradient and its reduce pass are checked together: the partner runs its current source.
  if (role === 'backwardWeight') compiled.weightReduce = await runner.compile(CONV2D_WEIGHT_REDUCE);
  if (role === 'weightReduce') compiled.backwardWeight = await runner.compile(CONV2D_BACKWARD_WEIGHT);
  return compiled;
}

async function checkConv2d(
  spec: KernelSpec,
  role: keyof Conv2dCompiled,
  calls: Conv2dCall[],
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions,
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const compiled = await compileOthers(runner, kernel, role);
    const batch = calls.map((call) => ({ call, inputs: randomConv2dInputs(call, rng) }));
    return (await runConv2dCases(runner, compiled, batch)).cases;
  });
}

/** KernelSpec.check for conv2d_forward: random shapes, with and without fused ReLU, bias, accumulate. */
export function checkConv2dForward(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkConv2d(CONV2D_FORWARD, 'forward', randomConv2dCalls('forward', rng), runner, rng, options);
}

/**
 * KernelSpec.check for conv2d_forward_large: the same random shapes, plus layers wide enough to fill
 * its 128 x 64 tile on both halves of each thread's block and past it (70 channels), with input
 * channel counts that leave the last 8-channel step of each tap part-empty (3, 9) or fill it (24).
 */
export function checkConv2dForwardLarge(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  const calls = randomConv2dCalls('forward', rng);
  calls.push({ kind: 'forward', g: conv2dGeometry(2, [3, 10, 10], 70, 3, 1, 1), bias: true, relu: true });
  calls.push({ kind: 'forward', g: conv2dGeometry(1, [9, 13, 12], 64, 3, 2, 1), accumulate: true, bias: true });
  // 24 input channels: three whole 8-channel steps per tap, as in fast-cnn's second layer.
  calls.push({ kind: 'forward', g: conv2dGeometry(1, [24, 7, 8], 64, 3, 1, 1), relu: true });
  return checkKernel(CONV2D_FORWARD_LARGE, runner, options, async (kernel) => {
    const batch = calls.map((call) => ({ call, inputs: randomConv2dInputs(call, rng) }));
    const plain = (await runConv2dCases(runner, { forward: kernel }, batch)).cases;
    // The same kernel with the max pooling (and dropout) after it.
    return [...plain, ...(await pooledForwardCases(runner, kernel, rng))];
  });
}

/** KernelSpec.check for conv2d_backward_input: random shapes, with and without the ReLU mask. */
export function checkConv2dBackwardInput(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkConv2d(
    CONV2D_BACKWARD_INPUT,
    'backwardInput',
    randomConv2dCalls('backwardInput', rng),
    runner,
    rng,
    options,
  );
}

/**
 * KernelSpec.check for conv2d_backward_input_large: the same random shapes, plus layers with more
 * input channels than its 32-wide tile, with the ReLU mask, stride 2, and output channel counts
 * that leave the last 8-channel step of each tap part-empty (13, 9) or fill it (16).
 */
export function checkConv2dBackwardInputLarge(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  const calls = randomConv2dCalls('backwardInput', rng);
  calls.push({ kind: 'backwardInput', g: conv2dGeometry(2, [40, 9, 10], 13, 3, 1, 1), relu: true });
  calls.push({ kind: 'backwardInput', g: conv2dGeometry(1, [33, 11, 12], 9, 3, 2, 1), accumulate: true });
  // 16 output channels: two whole 8-channel steps per tap.
  calls.push({ kind: 'backwardInput', g: conv2dGeometry(1, [24, 8, 7], 16, 3, 1, 1), relu: true });
  return checkConv2d(CONV2D_BACKWARD_INPUT_LARGE, 'backwardInput', calls, runner, rng, options);
}

/** KernelSpec.check for conv2d_backward_weight (split calls also run the shipped or overridden reduce). */
export function checkConv2dBackwardWeight(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkConv2d(
    CONV2D_BACKWARD_WEIGHT,
    'backwardWeight',
    randomConv2dCalls('backwardWeight', rng),
    runner,
    rng,
    options,
  );
}

/** KernelSpec.check for conv2d_weight_reduce: split weight gradients only, so every case exercises it. */
export function checkConv2dWeightReduce(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  const calls: Conv2dCall[] = randomConv2dCalls('backwardWeight', rng).map((c, i) => ({ ...c, splitK: 2 + (i % 3) }));
  // A long split whose 37 chunks (16 positions each) all hold data, so the reduce's unrolled loop
  // (4 chunks per lane per pass) is exercised as well as its tail.
  calls.push({ kind: 'backwardWeight', g: conv2dGeometry(1, [2, 16, 37], 4, 3, 1, 1), relu: true, splitK: 37 });
  // 75 full chunks (3 x 20 x 20 = 1200 positions, 16 each) for the reduce's 8-deep loop, which
  // a lane enters while 8 more of its chunks remain.
  calls.push({ kind: 'backwardWeight', g: conv2dGeometry(3, [2, 20, 20], 3, 3, 1, 1), relu: false, splitK: 75 });
  return checkConv2d(CONV2D_WEIGHT_REDUCE, 'weightReduce', calls, runner, rng, options);
}
