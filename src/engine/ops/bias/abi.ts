/** The bias-gradient kernel's uniforms. */
import type { UniformValues } from '../../kernel/spec';

/** Uniforms of bias_grad: dy is [rows, channels, spatial]; accumulate adds into db. */
export function biasGradUniforms(rows: number, channels: number, spatial: number, accumulate = false): UniformValues {
  return { rows, channels, spatial, accumulate: accumulate ? 1 : 0 };
}
