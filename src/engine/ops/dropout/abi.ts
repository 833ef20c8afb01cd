/**
 * The dropout kernels' uniforms, and the fields a kernel that folds in the dropout after its layer
 * (matmul_reduce, the fused convolution) adds to its own Params.
 */
import type { UniformField, UniformValues } from '../../kernel/spec';

/**
 * Uniforms of dropout_forward (the step comes from train_state[0] on the GPU). `foldRelu`: the mask also drops where x <= 0 (x being the output of a ReLU), so the backward pass
 * gives the gradient before that ReLU directly (bit 0 of the kernel's flags).
 */
export function dropoutForwardUniforms(
  count: number,
  rate: number,
  seed: number,
  layerIndex: number,
  foldRelu = false,
): UniformValues {
  return { count, rate, seed: seed >>> 0, layerIndex, flags: foldRelu ? 1 : 0 };
}

/**
 * A dropout layer done inside the kernel of the layer before it (maxpool_forward,
 * conv2d_forward_large with its pool flag, matmul_reduce), in training.
 */
export interface DropoutAfter {
  rate: number;
  seed: number;
  layerIndex: number;
}

/** The uniform fields those kernels add for it, in this order at the end of their Params. */
export const DROPOUT_AFTER_UNIFORMS: UniformField[] = [
  { name: 'dropoutRate', type: 'f32' },
  { name: 'seed', type: 'u32' },
  { name: 'layerIndex', type: 'u32' },
];

/** Their values (zeros without a dropout: the kernel's flag then leaves them unread). */
export function dropoutAfterUniforms(dropout?: DropoutAfter): UniformValues {
  return { dropoutRate: dropout?.rate ?? 0, seed: (dropout?.seed ?? 0) >>> 0, layerIndex: dropout?.layerIndex ?? 0 };
}

/** Uniforms of dropout_backward. */
export function dropoutBackwardUniforms(count: number, rate: number): UniformValues {
  return { count, rate };
}
