/**
 * kernels/transpose.wgsl: y = xᵀ. matmul_large's transposed-A path is faster than its plain one,
 * so the trainer first transposes a plain [M, K] A into scratch (dispatchLargePlainA in
 * ../train/gpuTrainer.ts). Checked exactly (a transpose moves values, it computes nothing) against the CPU.
 */
import type { KernelCheckOptions, KernelCheckResult, KernelSpec, UniformValues } from '../kernels';
import type { KernelRunner } from './kernelRunner';
import type { SeededRandom } from '../rng';
import { checkKernel, compareExact, randomFloats, runGpuCases, type GpuCase } from './kernelCheck';
import transposeSource from '../../../kernels/transpose.wgsl?raw';

/** Side of the square block one workgroup moves (BLOCK in the kernel). */
const BLOCK = 32;

/** The CPU twin: a row-major [rows, cols] matrix as a row-major [cols, rows] one. */
export function transposeMatrix(x: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const y = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[c * rows + r] = x[r * cols + c];
  return y;
}

function transposeDispatch(u: UniformValues): [number, number, number] {
  return [Math.max(1, Math.ceil(u.cols / BLOCK)), Math.max(1, Math.ceil(u.rows / BLOCK)), 1];
}

async function checkTranspose(
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(TRANSPOSE, runner, options, async (kernel) => {
    // Edges: one value, a single row and a single column, whole blocks, and ragged random shapes.
    const shapes: [number, number][] = [
      [1, 1],
      [1, 45],
      [37, 1],
      [32, 64],
      [96, 32],
    ];
    for (let i = 0; i < 5; i++) shapes.push([1 + rng.int(100), 1 + rng.int(100)]);
    const inputs = shapes.map(([rows, cols]) => randomFloats(rng, rows * cols));
    const cases: GpuCase[] = shapes.map(([rows, cols], i) => ({
      shape: `${rows}x${cols}`,
      // y starts as NaN, so an element the kernel forgets to write shows.
      buffers: { x: inputs[i], y: new Float32Array(rows * cols).fill(NaN) },
      uniforms: { rows, cols },
      read: ['y'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return shapes.map(([rows, cols], i) =>
      compareExact(cases[i].shape, new Float32Array(outs[i].y), transposeMatrix(inputs[i], rows, cols)),
    );
  });
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
  cpuTwin: 'gpu/transpose.transposeMatrix',
  check: (runner, rng, options) => checkTranspose(runner, rng, options),
};
