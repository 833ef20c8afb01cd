/** Which matmul kernel a dense layer's product of a given size runs on. */
import type { KernelSpec } from '../../kernel/spec';
import { useLargeMatmul, useSmallMatmul } from './abi';
import { MATMUL, MATMUL_LARGE, MATMUL_SMALL } from './specs';

/**
 * The matmul kernel for a call of this size: matmul_small for small outputs with a short K,
 * matmul_large for big outputs with a long K, else matmul.
 */
export function matmulKernelFor(M: number, N: number, K: number, options: { transposeB?: boolean } = {}): KernelSpec {
  if (useSmallMatmul(M, N, K, options)) return MATMUL_SMALL;
  return useLargeMatmul(M, N, K) ? MATMUL_LARGE : MATMUL;
}
