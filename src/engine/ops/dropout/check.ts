/** The dropout kernels' check: masks bit for bit and outputs against the CPU twin (./cpu.ts). Test harness only. */
import type { KernelCheckOptions, KernelCheckResult, KernelSpec } from '../../kernel/spec';
import type { KernelRunner } from '../../kernel/runner';
import type { SeededRandom } from '../../rng';
import { dropoutBackward, dropoutForward } from './cpu';
import { dropoutBackwardUniforms, dropoutForwardUniforms } from './abi';
import {
  checkKernel,
  compareExact,
  compareValues,
  randomFloats,
  runGpuCases,
  type BufferInit,
  type GpuCase,
} from '../../kernel/check';

export async function checkDropout(
  spec: KernelSpec,
  backward: boolean,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const rates = [0.5, Math.fround(0.05 + 0.9 * rng.next()), 0, Math.fround(0.3)];
    const setups = [1, 257, 1000 + rng.int(3000), 4096, 777].map((count, i) => {
      const rate = rates[i % rates.length];
      const seed = rng.int(2 ** 32);
      const step = i === 0 ? 0 : rng.int(100000);
      const layerIndex = rng.int(64);
      // The last two fold in a ReLU before: x is a ReLU output (zeros included), the mask drops them too.
      const foldRelu = i >= 3;
      const x = randomFloats(rng, count).map((v) => (foldRelu ? Math.max(0, v) : v));
      const { y, mask } = dropoutForward(x, rate, seed, step, layerIndex);
      if (foldRelu) for (let j = 0; j < count; j++) mask[j] = mask[j] && x[j] > 0 ? 1 : 0;
      return { count, rate, seed, step, layerIndex, foldRelu, x, y, mask, dy: randomFloats(rng, count) };
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `n=${s.count} rate=${s.rate.toPrecision(3)} step=${s.step} layer=${s.layerIndex}${s.foldRelu ? ' relu folded' : ''}`,
      buffers: (backward
        ? { dy: s.dy, mask: Uint32Array.from(s.mask), dx: s.count * 4 }
        : { x: s.x, y: s.count * 4, mask: s.count * 4, train_state: new Uint32Array([s.step, 0]) }) as Record<
        string,
        BufferInit
      >,
      uniforms: backward
        ? dropoutBackwardUniforms(s.count, s.rate)
        : dropoutForwardUniforms(s.count, s.rate, s.seed, s.layerIndex, s.foldRelu),
      read: backward ? ['dx'] : ['y', 'mask'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.flatMap((s, i) => {
      if (backward) {
        const expected = dropoutBackward(s.dy, s.mask, s.rate);
        return [compareValues(cases[i].shape, new Float32Array(outs[i].dx), expected, 1e-6)];
      }
      return [
        compareExact(`${cases[i].shape} mask`, new Uint32Array(outs[i].mask), s.mask),
        compareValues(`${cases[i].shape} y`, new Float32Array(outs[i].y), s.y, 1e-6),
      ];
    });
  });
}
