/** The transpose kernel's check: exact against the CPU twin (./cpu.ts). Test harness only. */
import type { KernelCheckOptions, KernelCheckResult, KernelSpec } from '../../kernel/spec';
import type { KernelRunner } from '../../kernel/runner';
import type { SeededRandom } from '../../rng';
import { checkKernel, compareExact, randomFloats, runGpuCases, type GpuCase } from '../../kernel/check';
import { transposeMatrix } from './cpu';

export async function checkTranspose(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
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
