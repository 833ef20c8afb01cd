/**
 * Records a training or evaluation forward pass, one function per layer role. Where fusion.ts
 * moved a layer's forward work into a neighbour's kernel, that neighbour's function does it and
 * the layer's own records nothing.
 */
import type { BufferRef } from '../kernel/runner';
import { MATMUL_REDUCE } from '../ops/matmul/specs';
import { AVGPOOL_FORWARD, MAXPOOL_FORWARD } from '../ops/pool/specs';
import { ACTIVATION_FORWARD } from '../ops/activation/specs';
import type { LayerStep } from './plan';
import {
  act,
  activationKind,
  alphaOf,
  dispatchLargePlainA,
  foldedDropout,
  range,
  weightsAndBias,
  type EncodeContext,
} from './encodeShared';
import { MATMUL, MATMUL_LARGE } from '../ops/matmul/specs';
import { matmulUniforms } from '../ops/matmul/abi';
import { conv2dUniforms } from '../ops/conv2d/abi';
import { maxPoolForwardUniforms, poolUniforms } from '../ops/pool/abi';
import { DROPOUT_FORWARD } from '../ops/dropout/specs';
import { activationUniforms } from '../ops/activation/abi';
import { dropoutForwardUniforms } from '../ops/dropout/abi';

/** What every layer's forward function gets: its input and output buffers (dropout off at evaluation). */
interface ForwardIo {
  x: GPUBuffer;
  y: GPUBuffer;
  training: boolean;
}

type ForwardEncoder = (ctx: EncodeContext, pass: GPUComputePassEncoder, step: LayerStep, io: ForwardIo) => number;

/** y = x·W + b (+ ReLU), reading W and b from one range; split along K when y is small. */
const denseForward: ForwardEncoder = (ctx, pass, step, { x, y, training }) => {
  if (step.layer.kind !== 'dense') return 0;
  const geo = ctx.geometry.get(step.index)!;
  const call = geo.denseForward!;
  const kernel = geo.denseKernels!.forward;
  const weights = weightsAndBias(step, ctx.buffers.params);
  const u = matmulUniforms(call);
  if (kernel === MATMUL_LARGE) return dispatchLargePlainA(ctx, pass, x, weights, y, call);
  if ((call.splitK ?? 1) > 1 && kernel === MATMUL) {
    const partial = ctx.buffers.matmulPartial!;
    ctx.runner.dispatch(pass, kernel, { A: x, B: weights, C: y, partial }, u, geo.denseTiles?.forward);
    const fused = ctx.fusion.layers[step.index].fusedDropout;
    const dropout = training && fused !== undefined ? ctx.plan.steps[fused] : undefined;
    if (dropout && dropout.layer.kind === 'dropout') {
      // The dropout after this layer happens here: C is its output, with its mask.
      const d = {
        rate: dropout.layer.rate,
        seed: ctx.config.seed,
        layerIndex: dropout.index,
        foldRelu: ctx.fusion.layers[dropout.index].foldsRelu,
      };
      ctx.runner.dispatch(
        pass,
        MATMUL_REDUCE,
        {
          partial,
          bias: weights,
          C: act(ctx, dropout.output, true),
          mask: ctx.buffers.masks.get(dropout.index)!,
          train_state: ctx.buffers.trainState,
        },
        matmulUniforms({ ...call, dropout: d }),
      );
    } else {
      ctx.runner.dispatch(pass, MATMUL_REDUCE, { partial, bias: weights, C: y }, u);
    }
    return 2;
  }
  ctx.runner.dispatch(pass, kernel, { A: x, B: weights, C: y }, u, geo.denseTiles?.forward);
  return 1;
};

const convForward: ForwardEncoder = (ctx, pass, step, { x, y, training }) => {
  const geo = ctx.geometry.get(step.index)!;
  const g = geo.conv!;
  const w = range(step.weight!, ctx.buffers.params);
  const bias = range(step.bias!, ctx.buffers.params);
  const { fusedPool, fusedRelu: relu } = ctx.fusion.layers[step.index];
  if (fusedPool === undefined) {
    ctx.runner.dispatch(pass, geo.convForward!, { x, w, bias, y }, conv2dUniforms(g, { relu }));
    return 1;
  }
  // The pooling after it (and in training a dropout after that) happens here: y is the last one's output.
  const pool = ctx.plan.steps[fusedPool];
  const dropout = training ? foldedDropout(ctx, pool) : undefined;
  const out = act(ctx, dropout ? dropout.step.output : pool.output, training);
  const bound: Record<string, BufferRef> = { x, w, bias, y: out, argmax: ctx.buffers.argmaxes.get(pool.index)! };
  if (dropout)
    Object.assign(bound, { mask: ctx.buffers.masks.get(dropout.step.index)!, train_state: ctx.buffers.trainState });
  const poolDropout = dropout && { rate: dropout.rate, seed: ctx.config.seed, layerIndex: dropout.step.index };
  ctx.runner.dispatch(pass, geo.convForward!, bound, conv2dUniforms(g, { relu, pool: true, dropout: poolDropout }));
  return 1;
};

const maxpoolForward: ForwardEncoder = (ctx, pass, step, { x, y, training }) => {
  if (ctx.fusion.forwardInOtherKernel.has(step.index)) return 0; // the convolution before did it
  const pool = ctx.geometry.get(step.index)!.pool!;
  const argmax = ctx.buffers.argmaxes.get(step.index)!;
  const dropout = foldedDropout(ctx, step);
  if (training && dropout) {
    // The dropout after the pooling happens here: y is its output, with its mask.
    const uniforms = maxPoolForwardUniforms(pool, {
      rate: dropout.rate,
      seed: ctx.config.seed,
      layerIndex: dropout.step.index,
    });
    const bound = {
      x,
      y: act(ctx, dropout.step.output, true),
      argmax,
      mask: ctx.buffers.masks.get(dropout.step.index)!,
      train_state: ctx.buffers.trainState,
    };
    ctx.runner.dispatch(pass, MAXPOOL_FORWARD, bound, uniforms);
  } else {
    ctx.runner.dispatch(pass, MAXPOOL_FORWARD, { x, y, argmax }, maxPoolForwardUniforms(pool));
  }
  return 1;
};

const avgpoolForward: ForwardEncoder = (ctx, pass, step, { x, y }) => {
  ctx.runner.dispatch(pass, AVGPOOL_FORWARD, { x, y }, poolUniforms(ctx.geometry.get(step.index)!.pool!));
  return 1;
};

const activationForward: ForwardEncoder = (ctx, pass, step, { x, y }) => {
  ctx.runner.dispatch(
    pass,
    ACTIVATION_FORWARD,
    { x, y },
    activationUniforms(activationKind(step), ctx.batch * step.output.size, alphaOf(step)),
  );
  return 1;
};

const dropoutForward: ForwardEncoder = (ctx, pass, step, { x, y, training }) => {
  const layer = step.layer;
  const { doneInPool, foldsRelu } = ctx.fusion.layers[step.index];
  // doneInPool: the max-pooling layer before does it (see maxpoolForward); forwardInOtherKernel: a dense layer's reduce does.
  if (!training || layer.kind !== 'dropout' || doneInPool || ctx.fusion.forwardInOtherKernel.has(step.index)) return 0;
  ctx.runner.dispatch(
    pass,
    DROPOUT_FORWARD,
    { x, y, mask: ctx.buffers.masks.get(step.index)!, train_state: ctx.buffers.trainState },
    dropoutForwardUniforms(ctx.batch * step.output.size, layer.rate, ctx.config.seed, step.index, foldsRelu),
  );
  return 1;
};

const FORWARD: Record<LayerStep['role'], ForwardEncoder> = {
  dense: denseForward,
  conv2d: convForward,
  maxpool: maxpoolForward,
  avgpool: avgpoolForward,
  activation: activationForward,
  dropout: dropoutForward,
  alias: () => 0,
};

/** Records the forward pass (or only layer `only`); returns the number of dispatches. */
export function encodeForward(
  ctx: EncodeContext,
  pass: GPUComputePassEncoder,
  training: boolean,
  only?: number,
): number {
  let n = 0;
  for (const step of ctx.plan.steps) {
    if (only !== undefined && step.index !== only) continue;
    const io = { x: act(ctx, step.input, training), y: act(ctx, step.output, training), training };
    n += FORWARD[step.role](ctx, pass, step, io);
  }
  return n;
}
