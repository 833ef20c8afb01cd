/**
 * Records the backward pass into the flat gradient buffer, one function per layer role, last
 * layer first. Where fusion.ts moved a layer's backward work into a neighbour's kernel (a
 * dropout's into the pooling before it or the next layer's input gradient, a dense layer's ReLU
 * into the dropout after it or the next layer's input gradient), the neighbour does it.
 */
import type { BufferRef } from '../kernel/runner';
import { CONV2D_BACKWARD_WEIGHT, CONV2D_WEIGHT_REDUCE } from '../ops/conv2d/specs';
import { AVGPOOL_BACKWARD, MAXPOOL_BACKWARD } from '../ops/pool/specs';
import { ACTIVATION_BACKWARD } from '../ops/activation/specs';
import type { LayerStep, TensorSlot } from './plan';
import {
  activationKind,
  alphaOf,
  dispatchLargePlainA,
  foldedDropout,
  range,
  weightsAndBias,
  type EncodeContext,
} from './encodeShared';
import { MATMUL_LARGE } from '../ops/matmul/specs';
import { matmulUniforms, type MatmulCall, type MatmulGate } from '../ops/matmul/abi';
import { conv2dUniforms } from '../ops/conv2d/abi';
import { maxPoolBackwardUniforms, poolUniforms } from '../ops/pool/abi';
import { DROPOUT_BACKWARD } from '../ops/dropout/specs';
import { activationUniforms } from '../ops/activation/abi';
import { dropoutBackwardUniforms } from '../ops/dropout/abi';

/** What every layer's backward function gets: its activations and their gradients. */
interface BackwardIo {
  x: GPUBuffer;
  y: GPUBuffer;
  dy: GPUBuffer;
  dx: GPUBuffer;
}

type BackwardEncoder = (ctx: EncodeContext, pass: GPUComputePassEncoder, step: LayerStep, io: BackwardIo) => number;

/**
 * A dense layer's input-gradient gate (fusion: inputGradGate): the backward pass of the layer
 * before it that matmul_small does as it writes dX. `buffer` is read by element, dX goes to `target`.
 */
function inputGradGate(
  ctx: EncodeContext,
  step: LayerStep,
): { gate: MatmulGate; buffer: GPUBuffer; target: TensorSlot } | undefined {
  const decided = ctx.fusion.layers[step.index].inputGradGate;
  if (!decided) return undefined;
  const prev = ctx.plan.steps[decided.layer];
  if (decided.kind === 'dropout' && prev.layer.kind === 'dropout')
    return {
      gate: { kind: 'dropout', rate: prev.layer.rate },
      buffer: ctx.buffers.masks.get(prev.index)!,
      target: prev.input,
    };
  return {
    gate: { kind: 'relu' },
    buffer: ctx.buffers.activations[step.input.id],
    target: prev.preActivationGradient!,
  };
}

const denseBackward: BackwardEncoder = (ctx, pass, step, { x, y, dy, dx }) => {
  const layer = step.layer;
  if (layer.kind !== 'dense') return 0;
  const { runner, buffers, batch: B } = ctx;
  let n = 0;
  const inF = step.input.size;
  const geo = ctx.geometry.get(step.index)!;
  const kernels = geo.denseKernels!;
  const { fusedRelu, reluBackwardInDropout } = ctx.fusion.layers[step.index];
  let g = dy;
  // With reluBackwardInDropout the dropout after this layer already wrote dL/d(pre-activation) to dy.
  if (fusedRelu && !reluBackwardInDropout) {
    // dL/d(pre-ReLU) = dL/dy · (y > 0): y > 0 exactly where the pre-activation was > 0. The
    // next layer's input gradient may already have written it (fusion: backwardInNextKernel).
    g = buffers.gradients[step.preActivationGradient!.id];
    if (!ctx.fusion.backwardInNextKernel.has(step.index)) {
      runner.dispatch(pass, ACTIVATION_BACKWARD, { x: y, y, dy, dx: g }, activationUniforms('relu', B * layer.units));
      n++;
    }
  }
  // [dW; db] = [Xᵀ; 1ᵀ]·dY in one call: the extra row of ones sums dY over the batch.
  runner.dispatch(
    pass,
    kernels.weightGrad,
    { A: x, B: g, C: weightsAndBias(step, buffers.grads) },
    matmulUniforms({ M: inF + 1, K: B, N: layer.units, transposeA: true, onesRowA: true }),
    geo.denseTiles?.weightGrad,
  );
  n++;
  if (!step.needsInputGradient) return n;
  // dX = dY·Wᵀ (W stored [in, out], read transposed).
  const call: MatmulCall = { M: B, K: layer.units, N: inF, transposeB: true };
  if (kernels.inputGrad === MATMUL_LARGE)
    return n + dispatchLargePlainA(ctx, pass, g, range(step.weight!, buffers.params), dx, call);
  // With a gate, dX goes on through the backward pass of the layer before.
  const gate = inputGradGate(ctx, step);
  const bound: Record<string, BufferRef> = {
    A: g,
    B: range(step.weight!, buffers.params),
    C: gate ? buffers.gradients[gate.target.id] : dx,
  };
  if (gate) bound.gate = gate.buffer;
  runner.dispatch(
    pass,
    kernels.inputGrad,
    bound,
    matmulUniforms({ ...call, gate: gate?.gate }),
    geo.denseTiles?.inputGrad,
  );
  return n + 1;
};

const convBackward: BackwardEncoder = (ctx, pass, step, { x, y, dy, dx }) => {
  const { runner, buffers } = ctx;
  let n = 0;
  const geo = ctx.geometry.get(step.index)!;
  const g = geo.conv!;
  // With the pooling in the forward kernel, the pooling's winners already carry the ReLU.
  const { fusedRelu, fusedPool } = ctx.fusion.layers[step.index];
  const relu = fusedRelu && fusedPool === undefined;
  if (step.needsInputGradient) {
    runner.dispatch(
      pass,
      geo.convInputGrad!,
      { dy, w: range(step.weight!, buffers.params), y, dx },
      conv2dUniforms(g, { relu }),
    );
    n++;
  }
  const u = conv2dUniforms(g, { relu, splitK: geo.splitK });
  const bound: Record<string, BufferRef> = {
    dy,
    x,
    y,
    dw: range(step.weight!, buffers.grads),
    db: range(step.bias!, buffers.grads),
  };
  if (geo.splitK! > 1) bound.partial = buffers.partial!;
  runner.dispatch(pass, CONV2D_BACKWARD_WEIGHT, bound, u, geo.weightGradTiles);
  n++;
  if (geo.splitK! > 1) {
    runner.dispatch(pass, CONV2D_WEIGHT_REDUCE, { partial: buffers.partial!, dw: bound.dw, db: bound.db }, u);
    n++;
  }
  return n;
};

const maxpoolBackward: BackwardEncoder = (ctx, pass, step, { dy, dx }) => {
  if (!step.needsInputGradient) return 0;
  const pool = ctx.geometry.get(step.index)!.pool!;
  const argmax = ctx.buffers.argmaxes.get(step.index)!;
  const dropout = foldedDropout(ctx, step);
  if (dropout) {
    // The dropout after the pooling: its backward pass happens here, reading dy after it and its mask.
    const after = ctx.buffers.gradients[dropout.step.output.id];
    ctx.runner.dispatch(
      pass,
      MAXPOOL_BACKWARD,
      { dy: after, argmax, dx, mask: ctx.buffers.masks.get(dropout.step.index)! },
      maxPoolBackwardUniforms(pool, dropout.rate),
    );
  } else {
    ctx.runner.dispatch(pass, MAXPOOL_BACKWARD, { dy, argmax, dx }, maxPoolBackwardUniforms(pool));
  }
  return 1;
};

const avgpoolBackward: BackwardEncoder = (ctx, pass, step, { dy, dx }) => {
  if (!step.needsInputGradient) return 0;
  ctx.runner.dispatch(pass, AVGPOOL_BACKWARD, { dy, dx }, poolUniforms(ctx.geometry.get(step.index)!.pool!));
  return 1;
};

const activationBackward: BackwardEncoder = (ctx, pass, step, { x, y, dy, dx }) => {
  if (!step.needsInputGradient) return 0;
  ctx.runner.dispatch(
    pass,
    ACTIVATION_BACKWARD,
    { x, y, dy, dx },
    activationUniforms(activationKind(step), ctx.batch * step.output.size, alphaOf(step)),
  );
  return 1;
};

const dropoutBackward: BackwardEncoder = (ctx, pass, step, { dy, dx }) => {
  const layer = step.layer;
  // doneInPool: the max-pooling layer before does it (see maxpoolBackward); or the next layer's input gradient did.
  if (
    !step.needsInputGradient ||
    layer.kind !== 'dropout' ||
    ctx.fusion.layers[step.index].doneInPool ||
    ctx.fusion.backwardInNextKernel.has(step.index)
  )
    return 0;
  ctx.runner.dispatch(
    pass,
    DROPOUT_BACKWARD,
    { dy, mask: ctx.buffers.masks.get(step.index)!, dx },
    dropoutBackwardUniforms(ctx.batch * step.output.size, layer.rate),
  );
  return 1;
};

const BACKWARD: Record<LayerStep['role'], BackwardEncoder> = {
  dense: denseBackward,
  conv2d: convBackward,
  maxpool: maxpoolBackward,
  avgpool: avgpoolBackward,
  activation: activationBackward,
  dropout: dropoutBackward,
  alias: () => 0,
};

/** Records the backward pass (or only layer `only`) into the flat gradient buffer; returns the number of dispatches. */
export function encodeBackward(ctx: EncodeContext, pass: GPUComputePassEncoder, only?: number): number {
  const { activations, gradients } = ctx.buffers;
  let n = 0;
  for (let i = ctx.plan.steps.length - 1; i >= 0; i--) {
    const step = ctx.plan.steps[i];
    if (only !== undefined && step.index !== only) continue;
    const io = {
      x: activations[step.input.id],
      y: activations[step.output.id],
      dy: gradients[step.output.id],
      dx: gradients[step.input.id],
    };
    n += BACKWARD[step.role](ctx, pass, step, io);
  }
  return n;
}
