/** The activation kernels' uniforms: which function (`kind`) and how many elements. */
import type { UniformValues } from '../../kernel/spec';
import type { ActivationKind } from '../../layers';

/** `kind` uniform of the activation kernels. */
export const ACTIVATION_KIND: Readonly<Record<ActivationKind, number>> = { relu: 0, leakyRelu: 1, sigmoid: 2, tanh: 3 };

/** Uniforms of activation_forward / activation_backward for `count` elements. */
export function activationUniforms(kind: ActivationKind, count: number, alpha = 0.01): UniformValues {
  return { kind: ACTIVATION_KIND[kind], count, alpha };
}
