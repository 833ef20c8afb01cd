/**
 * kernels/transpose.wgsl: y = xᵀ. matmul_large's transposed-A path is faster than its plain one,
 * so the trainer first transposes a plain [M, K] A into scratch (dispatchLargePlainA in
 * ../train/gpuTrainer.ts). Checked exactly (a transpose moves values, it computes nothing) against the CPU.
 */
import type { KernelSpec, UniformValues } from '../../kernel/spec';
import { checkTranspose } from './check';
import { transposeMatrix } from './cpu';
import transposeSource from '../../../../kernels/transpose.wgsl?raw';
import { cpuTwin } from '../../kernel/spec';

/** Side of the square block one workgroup moves (BLOCK in the kernel). */
const BLOCK = 32;

function transposeDispatch(u: UniformValues): [number, number, number] {
  return [Math.max(1, Math.ceil(u.cols / BLOCK)), Math.max(1, Math.ceil(u.rows / BLOCK)), 1];
}

export const TRANSPOSE: KernelSpec = {
  name: 'transpose',
  file: 'transpose.wgsl',
  builtinSource: transposeSource,
  entryPoint: 'main',
  description:
    "Turns a matrix's rows into columns. A big matrix multiply runs faster when its left matrix is stored " +
    'column by column, so "matmul_large" first transposes it with this kernel, one 32x32 block per group of threads.',
  bindings: [
    { binding: 0, name: 'x', access: 'read', description: 'The input matrix, row-major [rows, cols].' },
    { binding: 1, name: 'y', access: 'read_write', description: 'Its transpose, row-major [cols, rows].' },
    { binding: 2, name: 'params', access: 'uniform', description: 'rows and cols of x.' },
  ],
  uniforms: [
    { name: 'rows', type: 'u32' },
    { name: 'cols', type: 'u32' },
  ],
  overrides: {},
  workgroupSize: () => [32, 8, 1],
  dispatch: transposeDispatch,
  cpuTwins: [cpuTwin(transposeMatrix, 'transposeMatrix', 'ops/transpose/cpu.ts')],
  check: (runner, rng, options) => checkTranspose(TRANSPOSE, runner, rng, options),
};
