/** Encodes a convolution's weight gradient: one pass, or split over positions and then reduced. */
import type { CompiledKernel, KernelRunner } from '../../kernel/runner';
import type { KernelSpec, UniformValues } from '../../kernel/spec';

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
