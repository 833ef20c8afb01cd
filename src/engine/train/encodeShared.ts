/**
 * What the encoders (encodeForward.ts, encodeBackward.ts, encode.ts) share: the trainer's state
 * they record dispatches against, and small helpers to bind its buffers.
 */
import type { KernelRunner } from '../kernel/runner';
import { TRANSPOSE } from '../ops/transpose/specs';
import type { Dataset } from './data';
import type { ExecutionPlan, LayerStep, ParamRange, TensorSlot } from './plan';
import type { TrainerBuffers } from './buffers';
import type { LayerGeometry } from './layerKernels';
import type { FusionPlan } from './fusion';
import type { TrainingConfig } from './config';
import { MATMUL_LARGE } from '../ops/matmul/specs';
import { matmulUniforms, type MatmulCall } from '../ops/matmul/abi';

export interface EncodeContext {
  runner: KernelRunner;
  plan: ExecutionPlan;
  config: TrainingConfig;
  train: Dataset;
  batch: number;
  metricSlots: number;
  buffers: TrainerBuffers;
  geometry: ReadonlyMap<number, LayerGeometry>;
  fusion: FusionPlan;
}

export function range(r: ParamRange, buffer: GPUBuffer): GPUBufferBinding {
  return { buffer, offset: r.offset * 4, size: r.length * 4 };
}

/** A dense layer's weights followed by its bias, as one range (see plan.ts). */
export function weightsAndBias(step: LayerStep, buffer: GPUBuffer): GPUBufferBinding {
  return { buffer, offset: step.weight!.offset * 4, size: (step.weight!.length + step.bias!.length) * 4 };
}

/** The buffer holding a tensor; at evaluation a dropout's output is its input (dropout is off). */
export function act(ctx: EncodeContext, slot: TensorSlot, training: boolean): GPUBuffer {
  if (!training) {
    for (const s of ctx.plan.steps)
      if (s.role === 'dropout' && s.output.id === slot.id) return act(ctx, s.input, false);
  }
  return ctx.buffers.activations[slot.id];
}

/** The dropout layer a max-pooling step does the work of (fusion: foldedDropout), with its rate. */
export function foldedDropout(ctx: EncodeContext, step: LayerStep): { step: LayerStep; rate: number } | undefined {
  const index = ctx.fusion.layers[step.index].foldedDropout;
  const dropout = index === undefined ? undefined : ctx.plan.steps[index];
  return dropout?.layer.kind === 'dropout' ? { step: dropout, rate: dropout.layer.rate } : undefined;
}

/**
 * A matmul_large product whose A is stored plain ([M, K]): A is transposed into scratch first
 * and read from there, because matmul_large's transposed-A path is faster by more than the
 * transpose costs (bench/README.md has the figures).
 * The sums are the same either way. Such a product has enough tiles not to be split along K
 * (matmulSplitK), so it is always run whole. Returns the number of dispatches (2).
 */
export function dispatchLargePlainA(
  ctx: EncodeContext,
  pass: GPUComputePassEncoder,
  a: GPUBuffer,
  b: GPUBuffer | GPUBufferBinding,
  c: GPUBuffer,
  call: MatmulCall,
): number {
  const scratch = ctx.buffers.transposeScratch!;
  ctx.runner.dispatch(pass, TRANSPOSE, { x: a, y: scratch }, { rows: call.M, cols: call.K });
  ctx.runner.dispatch(
    pass,
    MATMUL_LARGE,
    { A: scratch, B: b, C: c },
    matmulUniforms({ ...call, transposeA: true, splitK: 1 }),
  );
  return 2;
}

export function activationKind(step: LayerStep): 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh' {
  const k = step.layer.kind;
  if (k === 'relu' || k === 'leakyRelu' || k === 'sigmoid' || k === 'tanh') return k;
  throw new Error(`Layer ${step.index + 1} is not an activation`);
}

export function alphaOf(step: LayerStep): number {
  return step.layer.kind === 'leakyRelu' ? step.layer.alpha : 0.01;
}
