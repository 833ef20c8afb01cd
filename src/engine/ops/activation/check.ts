/**
 * The activation kernels' check: random inputs with the kinks and saturations that matter, compared
 * with the CPU twin (./cpu.ts). Test harness only: training never imports this file.
 */
import type { KernelCheckOptions, KernelCheckResult, KernelSpec } from '../../kernel/spec';
import type { KernelRunner } from '../../kernel/runner';
import type { ActivationKind } from '../../layers';
import type { SeededRandom } from '../../rng';
import { activationBackward, activationForward } from './cpu';
import { activationUniforms } from './abi';
import {
  checkKernel,
  compareValues,
  randomFloats,
  runGpuCases,
  type BufferInit,
  type GpuCase,
} from '../../kernel/check';

const ACTIVATION_KINDS: ActivationKind[] = ['relu', 'leakyRelu', 'sigmoid', 'tanh'];

/** Random values in [-4, 4) with exact zeros and a few large magnitudes mixed in (relu's kink, saturation). */
function activationInputs(rng: SeededRandom, n: number): Float32Array {
  const x = randomFloats(rng, n, -4, 4);
  for (let i = 0; i < n; i += 7) x[i] = 0;
  for (let i = 3; i < n; i += 11) x[i] = (rng.next() < 0.5 ? -1 : 1) * (20 + 80 * rng.next());
  return x;
}

/** relu is exact; the others round a few times in f32 and use the GPU's exp/tanh. */
function activationTolerance(kind: ActivationKind): number {
  return kind === 'relu' ? 0 : kind === 'leakyRelu' ? 1e-6 : 1e-5;
}

export async function checkActivation(
  spec: KernelSpec,
  backward: boolean,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const counts = [1, 255, 257 + rng.int(500), 1000 + rng.int(2000)];
    const setups = counts.flatMap((count, c) => {
      const kinds = c === 0 ? ACTIVATION_KINDS : [ACTIVATION_KINDS[rng.int(4)], ACTIVATION_KINDS[(c + 1) % 4]];
      return kinds.map((kind) => {
        const alpha = Math.fround(0.01 + 0.3 * rng.next());
        const x = activationInputs(rng, count);
        const y = activationForward(kind, x, alpha);
        const dy = randomFloats(rng, count);
        return { kind, count, alpha, x, y, dy };
      });
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `${s.kind} n=${s.count}`,
      buffers: (backward ? { x: s.x, y: s.y, dy: s.dy, dx: s.count * 4 } : { x: s.x, y: s.count * 4 }) as Record<
        string,
        BufferInit
      >,
      uniforms: activationUniforms(s.kind, s.count, s.alpha),
      read: [backward ? 'dx' : 'y'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.map((s, i) => {
      const got = new Float32Array(outs[i][backward ? 'dx' : 'y']);
      const expected = backward ? activationBackward(s.kind, s.x, s.y, s.dy, s.alpha) : s.y;
      return compareValues(cases[i].shape, got, expected, activationTolerance(s.kind));
    });
  });
}
