/** The bias-gradient kernel's check against its CPU twin (./cpu.ts). Test harness only. */
import type { KernelCheckOptions, KernelCheckResult, KernelSpec } from '../../kernel/spec';
import type { KernelRunner } from '../../kernel/runner';
import type { SeededRandom } from '../../rng';
import { biasGradReference } from './cpu';
import { biasGradUniforms } from './abi';
import { checkKernel, compareValues, randomFloats, runGpuCases, type GpuCase } from '../../kernel/check';

export async function checkBiasGrad(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1 + rng.int(40), 1 + rng.int(20), 1],
      [1 + rng.int(5), 1 + rng.int(8), 1 + rng.int(60)],
      [300 + rng.int(300), 1 + rng.int(3), 1],
      [1 + rng.int(4), 2, 24 * 24],
    ];
    const setups = shapes.map(([rows, channels, spatial], i) => {
      const accumulate = i % 2 === 1;
      return {
        rows,
        channels,
        spatial,
        accumulate,
        dy: randomFloats(rng, rows * channels * spatial),
        db0: randomFloats(rng, channels),
      };
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `${s.rows}x${s.channels}x${s.spatial}${s.accumulate ? ' +=db' : ''}`,
      buffers: { dy: s.dy, db: s.accumulate ? s.db0 : s.channels * 4 },
      uniforms: biasGradUniforms(s.rows, s.channels, s.spatial, s.accumulate),
      read: ['db'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.map((s, i) => {
      const expected = biasGradReference(s.dy, s.rows, s.channels, s.spatial, s.accumulate ? s.db0 : undefined);
      // f32 rounding of a sum grows with its length; 1e-6 per term is generous for a tree sum.
      return compareValues(
        cases[i].shape,
        new Float32Array(outs[i].db),
        expected,
        1e-6 * Math.max(1, s.rows * s.spatial),
      );
    });
  });
}
