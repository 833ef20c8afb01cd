/** The optimizer kernels' checks: random cases, references and tolerances. Test harness only: training never imports it. */
import type { KernelCheckCase, KernelCheckOptions, KernelCheckResult } from '../../kernel/spec';
import type { CompiledKernel, KernelRunner } from '../../kernel/runner';
import type { SeededRandom } from '../../rng';
import { optimizerStateSize, optimizerStep, type OptimizerConfig } from './cpu';
import { checkKernel, randomFloats } from '../../kernel/check';
import { adamStepTable, learningRateTable, optimizerUniforms } from './abi';
import type { KernelSpec } from '../../kernel/spec';

/** Distance in units in the last place of f32, with magnitudes below 2^-20 counted as 2^-20 (cancellations near 0). */
export function ulpError(got: number, expected: number): number {
  if (Number.isNaN(got) || Number.isNaN(expected)) return Object.is(got, expected) ? 0 : Infinity;
  const magnitude = Math.max(Math.abs(expected), 2 ** -20);
  const ulp = 2 ** (Math.floor(Math.log2(magnitude)) - 23);
  return Math.abs(got - expected) / ulp;
}

/** Largest ulpError over two arrays, as a check case (maxRelError is in ulps). */
export function compareUlps(
  shape: string,
  got: Float32Array,
  expected: Float32Array,
  tolerance: number,
): KernelCheckCase {
  let worstUlps = got.length === expected.length ? 0 : Infinity;
  let maxAbsError = 0;
  for (let i = 0; i < Math.min(got.length, expected.length); i++) {
    worstUlps = Math.max(worstUlps, ulpError(got[i], expected[i]));
    maxAbsError = Math.max(maxAbsError, Math.abs(got[i] - expected[i]));
  }
  if (Number.isNaN(maxAbsError)) worstUlps = Infinity;
  return { shape, maxAbsError, maxRelError: worstUlps, tolerance, pass: worstUlps <= tolerance };
}

/** Configs covering every branch: plain/momentum/nesterov SGD, weight decay, Adam, RMSprop with and without momentum. */
export function optimizerCheckConfigs(rng: SeededRandom): OptimizerConfig[] {
  return [
    { kind: 'sgd', learningRate: 0.1, momentum: 0 },
    { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 },
    {
      kind: 'sgd',
      learningRate: 0.01 + 0.1 * rng.next(),
      momentum: 0.5 + 0.45 * rng.next(),
      nesterov: true,
      weightDecay: 1e-3,
    },
    { kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 },
    { kind: 'adam', learningRate: 0.01, beta1: 0.3 + 0.1 * rng.next(), beta2: 0.99, epsilon: 1e-6, weightDecay: 5e-4 },
    { kind: 'rmsprop', learningRate: 0.01, alpha: 0.99, epsilon: 1e-8, momentum: 0 },
    { kind: 'rmsprop', learningRate: 0.001 + 0.01 * rng.next(), alpha: 0.9, epsilon: 1e-8, momentum: 0.9 },
  ];
}

/** Steps each check case runs; the CPU runs optimizerStep the same number of times. */
export const OPTIMIZER_CHECK_STEPS = 10;
/** Allowed distance from the CPU after OPTIMIZER_CHECK_STEPS steps, in f32 ulps. */

export const OPTIMIZER_ULP_TOLERANCE = 4;

export interface OptimizerCase {
  config: OptimizerConfig;
  count: number;
  firstStep: number;
  learningRates: number[];
  params: Float32Array;
  grads: Float32Array[];
  state: Float32Array;
  /** Run as in training: the counter already advanced past each step (stepAdvanced). */
  stepAdvanced: boolean;
}

/**
 * Runs every case for OPTIMIZER_CHECK_STEPS steps in one command buffer (new gradients and the
 * step counter copied in, optimizer, ...) and returns each case's final params and state. A case
 * with stepAdvanced runs as in training, with the counter already advanced past the step.
 */

export async function runOptimizerCases(
  runner: KernelRunner,
  kernel: CompiledKernel,
  cases: OptimizerCase[],
): Promise<{ params: Float32Array; state: Float32Array }[]> {
  const device = runner.device;
  const created: GPUBuffer[] = [];
  const track = (b: GPUBuffer) => (created.push(b), b);
  const encoder = device.createCommandEncoder({ label: 'optimizer check' });
  const prepared = cases.map((c) => {
    // The counter each step sees: [global step (+1 when already advanced), step in epoch].
    const counters = Uint32Array.from({ length: 2 * OPTIMIZER_CHECK_STEPS }, (_, k) =>
      k % 2 === 0 ? c.firstStep + k / 2 + (c.stepAdvanced ? 1 : 0) : 0,
    );
    const buffers = {
      params: track(runner.createBuffer(c.params)),
      grads: track(runner.createBuffer(c.count * 4)),
      state: track(runner.createBuffer(c.state.length > 0 ? c.state : 4)),
      train_state: track(runner.createBuffer(8)),
      lr_table: track(
        runner.createBuffer(learningRateTable([...new Array<number>(c.firstStep).fill(0), ...c.learningRates])),
      ),
      adam_table: track(
        runner.createBuffer(
          c.config.kind === 'adam'
            ? adamStepTable(c.config, [...new Array<number>(c.firstStep).fill(1), ...c.learningRates])
            : new Float32Array(2),
        ),
      ),
    };
    const step = runner.prepare(kernel, buffers, optimizerUniforms(c.config, c.count, c.stepAdvanced));
    if (step.uniformBuffer) created.push(step.uniformBuffer);
    return {
      c,
      buffers,
      gradsAll: track(runner.createBuffer(concat(c.grads))),
      countersAll: track(runner.createBuffer(counters)),
      step,
    };
  });
  for (let s = 0; s < OPTIMIZER_CHECK_STEPS; s++) {
    // Each step's gradients and counter are copied in between passes, as the step before the optimizer writes them.
    for (const p of prepared) {
      encoder.copyBufferToBuffer(p.gradsAll, s * p.c.count * 4, p.buffers.grads, 0, p.c.count * 4);
      encoder.copyBufferToBuffer(p.countersAll, s * 8, p.buffers.train_state, 0, 8);
    }
    const pass = encoder.beginComputePass();
    for (const p of prepared) runner.encode(pass, p.step);
    pass.end();
  }
  device.queue.submit([encoder.finish()]);
  const bytes = await runner.readBuffers(
    prepared.flatMap((p) => [
      { buffer: p.buffers.params, byteLength: p.c.count * 4 },
      { buffer: p.buffers.state, byteLength: p.c.state.length * 4 },
    ]),
  );
  for (const b of created) b.destroy();
  return prepared.map((_, i) => ({
    params: new Float32Array(bytes[2 * i]),
    state: new Float32Array(bytes[2 * i + 1]),
  }));
}

export function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let k = 0;
  for (const p of parts) {
    out.set(p, k);
    k += p.length;
  }
  return out;
}

/** Random parameters and gradients for each config, with a decaying learning-rate schedule. */
export function randomOptimizerCases(rng: SeededRandom): OptimizerCase[] {
  return optimizerCheckConfigs(rng).map((config, i) => {
    const count = [1, 257, 1000 + rng.int(2000)][i % 3];
    const firstStep = i === 0 ? 0 : rng.int(5);
    const learningRates = Array.from({ length: OPTIMIZER_CHECK_STEPS }, (_, s) => config.learningRate * 0.9 ** s);
    return {
      config,
      count,
      firstStep,
      learningRates,
      params: randomFloats(rng, count),
      grads: Array.from({ length: OPTIMIZER_CHECK_STEPS }, () => randomFloats(rng, count, -0.5, 0.5)),
      state: new Float32Array(optimizerStateSize(config, count)),
      // Odd cases run as in training, with the counter already advanced past the step.
      stepAdvanced: i % 2 === 1,
    };
  });
}

/** optimizerStep on the CPU for the same steps (1-based step = global step + 1). */
export function optimizerReference(c: OptimizerCase): { params: Float32Array; state: Float32Array } {
  const params = Float32Array.from(c.params);
  const state = Float32Array.from(c.state);
  for (let s = 0; s < OPTIMIZER_CHECK_STEPS; s++) {
    optimizerStep(c.config, params, c.grads[s], state, c.firstStep + s + 1, c.learningRates[s]);
  }
  return { params, state };
}

export function describeCase(c: OptimizerCase): string {
  const cfg = c.config;
  const extra =
    cfg.kind === 'sgd'
      ? `momentum ${cfg.momentum.toFixed(2)}${cfg.nesterov ? ' nesterov' : ''}${cfg.weightDecay ? ' wd' : ''}`
      : cfg.kind === 'adam'
        ? `beta1 ${cfg.beta1.toFixed(2)}${cfg.weightDecay ? ' wd' : ''}`
        : `momentum ${(cfg.momentum ?? 0).toFixed(2)}`;
  return `${cfg.kind} ${extra} n=${c.count} from step ${c.firstStep}${c.stepAdvanced ? ', counter advanced' : ''}`;
}

export async function checkOptimizer(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const cases = randomOptimizerCases(rng);
    const outs = await runOptimizerCases(runner, kernel, cases);
    return cases.flatMap((c, i) => {
      const ref = optimizerReference(c);
      const shape = describeCase(c);
      const result = [compareUlps(`${shape} params`, outs[i].params, ref.params, OPTIMIZER_ULP_TOLERANCE)];
      if (ref.state.length > 0)
        result.push(compareUlps(`${shape} state`, outs[i].state, ref.state, OPTIMIZER_ULP_TOLERANCE));
      return result;
    });
  });
}
