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
import type { KernelSpec } from '../../kernel/spec';
import { cpuTwin } from '../../kernel/spec';
import { conv2dBackward, conv2dForward, type Conv2dGeometry } from './cpu';
import { dropoutForward } from '../dropout/cpu';
import { maxPoolForward } from '../pool/cpu';
import {
  checkConv2dBackwardInput,
  checkConv2dBackwardInputLarge,
  checkConv2dBackwardWeight,
  checkConv2dForward,
  checkConv2dForwardLarge,
  checkConv2dWeightReduce,
} from './check';
import {
  FORWARD_LARGE_UNIFORMS,
  GEOMETRY_UNIFORMS,
  SPLIT_UNIFORMS,
  conv2dBackwardInputDispatch,
  conv2dBackwardInputLargeDispatch,
  conv2dBackwardWeightDispatch,
  conv2dForwardDispatch,
  conv2dForwardLargeDispatch,
  conv2dWeightReduceDispatch,
  useLargeConvBackwardInput,
  useLargeConvForward,
  CONV2D_BACKWARD_WEIGHT_OVERRIDES,
} from './abi';
import forwardSource from '../../../../kernels/conv2d_forward.wgsl?raw';
import forwardLargeSource from '../../../../kernels/conv2d_forward_large.wgsl?raw';
import backwardInputSource from '../../../../kernels/conv2d_backward_input.wgsl?raw';
import backwardInputLargeSource from '../../../../kernels/conv2d_backward_input_large.wgsl?raw';
import backwardWeightSource from '../../../../kernels/conv2d_backward_weight.wgsl?raw';
import weightReduceSource from '../../../../kernels/conv2d_weight_reduce.wgsl?raw';

const FAMILY = () => ({ backwardWeight: CONV2D_BACKWARD_WEIGHT, weightReduce: CONV2D_WEIGHT_REDUCE });

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
  cpuTwins: [
    cpuTwin(conv2dForward, 'conv2dForward', 'ops/conv2d/cpu.ts'),
    cpuTwin(maxPoolForward, 'maxPoolForward', 'ops/pool/cpu.ts'),
    cpuTwin(dropoutForward, 'dropoutForward', 'ops/dropout/cpu.ts'),
  ],
  stepper: 'conv',
  check: (runner, rng, options) => checkConv2dForward(CONV2D_FORWARD, FAMILY(), runner, rng, options),
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
  check: (runner, rng, options) => checkConv2dForwardLarge(CONV2D_FORWARD_LARGE, FAMILY(), runner, rng, options),
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
  cpuTwins: [cpuTwin(conv2dBackward, 'conv2dBackward', 'ops/conv2d/cpu.ts')],
  stepper: 'conv',
  check: (runner, rng, options) => checkConv2dBackwardInput(CONV2D_BACKWARD_INPUT, FAMILY(), runner, rng, options),
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
  check: (runner, rng, options) =>
    checkConv2dBackwardInputLarge(CONV2D_BACKWARD_INPUT_LARGE, FAMILY(), runner, rng, options),
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
  overrides: CONV2D_BACKWARD_WEIGHT_OVERRIDES,
  workgroupSize: (o) => [o.WG_X, o.WG_Y, 1],
  dispatch: conv2dBackwardWeightDispatch,
  cpuTwins: [cpuTwin(conv2dBackward, 'conv2dBackward', 'ops/conv2d/cpu.ts')],
  stepper: 'conv',
  check: (runner, rng, options) => checkConv2dBackwardWeight(CONV2D_BACKWARD_WEIGHT, FAMILY(), runner, rng, options),
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
  cpuTwins: [cpuTwin(conv2dBackward, 'conv2dBackward', 'ops/conv2d/cpu.ts')],
  stepper: 'conv',
  check: (runner, rng, options) => checkConv2dWeightReduce(CONV2D_WEIGHT_REDUCE, FAMILY(), runner, rng, options),
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
