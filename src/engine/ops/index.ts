/**
 * The one table that describes every GPU kernel: its WGSL file, bindings, uniforms, workgroup
 * sizes, how many workgroups a call needs, and the CPU reference it is checked against.
 * The executor dispatches from it, and the kernel editor reads it to explain a kernel and to
 * `check` user-edited source before swapping it in. A new kernel is added here, in ALL_KERNELS.
 */
import type { KernelSpec } from '../kernel/spec';
import { MATMUL, MATMUL_LARGE, MATMUL_REDUCE, MATMUL_SMALL } from './matmul/specs';
import { TRANSPOSE } from './transpose/specs';
import {
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_INPUT_LARGE,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_FORWARD,
  CONV2D_FORWARD_LARGE,
  CONV2D_WEIGHT_REDUCE,
} from './conv2d/specs';
import { GATHER_BATCH } from './batch/specs';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD } from './activation/specs';
import { BIAS_GRAD } from './bias/specs';
import { DROPOUT_BACKWARD, DROPOUT_FORWARD } from './dropout/specs';
import { EVALUATE, MSE_LOSS, SOFTMAX_CROSS_ENTROPY } from './loss/specs';
import { OPTIMIZER } from './optimizer/specs';
import { AVGPOOL_BACKWARD, AVGPOOL_FORWARD, MAXPOOL_BACKWARD, MAXPOOL_FORWARD } from './pool/specs';

export type * from '../kernel/spec';
export { resolveOverrides } from '../kernel/spec';
export { matmulKernelFor } from './matmul/choose';

/** Every kernel the app ships, in display order. */
export const ALL_KERNELS: readonly KernelSpec[] = [
  MATMUL,
  MATMUL_LARGE,
  MATMUL_SMALL,
  MATMUL_REDUCE,
  TRANSPOSE,
  CONV2D_FORWARD,
  CONV2D_FORWARD_LARGE,
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_INPUT_LARGE,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_WEIGHT_REDUCE,
  GATHER_BATCH,
  ACTIVATION_FORWARD,
  ACTIVATION_BACKWARD,
  BIAS_GRAD,
  DROPOUT_FORWARD,
  DROPOUT_BACKWARD,
  MAXPOOL_FORWARD,
  MAXPOOL_BACKWARD,
  AVGPOOL_FORWARD,
  AVGPOOL_BACKWARD,
  SOFTMAX_CROSS_ENTROPY,
  EVALUATE,
  MSE_LOSS,
  OPTIMIZER,
];

/** Looks a kernel up by name; throws for an unknown name (a programming error). */
export function kernelByName(name: string): KernelSpec {
  const spec = ALL_KERNELS.find((k) => k.name === name);
  if (!spec) throw new Error(`Unknown kernel "${name}"`);
  return spec;
}
