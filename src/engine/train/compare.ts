/**
 * CPU vs GPU, measured: the same N training steps (same seed, same batches, same model) on the
 * CPU reference trainer and on the GPU trainer, each timed after a warm-up step, so the speed-up
 * is something you watch rather than something you are told. Both start from the same weights;
 * their losses agree, which shows they compute the same thing.
 */
import type { KernelRunner } from '../kernel/runner';
import { CpuTrainer } from './cpuTrainer';
import type { Dataset } from './data';
import { GpuTrainer, type TrainingConfig } from './gpuTrainer';

export interface BackendTiming {
  /** Milliseconds for the timed steps (after one warm-up step). */
  ms: number;
  steps: number;
  /** Loss of the last timed step. */
  lastLoss: number;
}

export interface BackendComparison {
  batch: number;
  steps: number;
  cpu: BackendTiming;
  gpu: BackendTiming;
  /** cpu.ms / gpu.ms */
  speedup: number;
}

/**
 * Runs `steps` timed steps on each backend. The CPU side stops early once it has run for
 * `cpuBudgetMs` (a big CNN takes seconds per step in JavaScript) and reports the steps it did.
 * `yieldToEvents` lets a worker answer other messages between CPU steps.
 */
export async function compareBackends(
  runner: KernelRunner,
  config: TrainingConfig,
  train: Dataset,
  steps: number,
  options: { cpuBudgetMs?: number; now?: () => number; yieldToEvents?: () => Promise<void> } = {},
): Promise<BackendComparison> {
  const now = options.now ?? (() => performance.now());
  const budget = options.cpuBudgetMs ?? 30_000;
  const cfg: TrainingConfig = {
    ...config,
    epochs: Math.max(
      config.epochs,
      1 + Math.ceil((steps + 1) / Math.max(1, Math.floor(train.count / config.batchSize))),
    ),
  };

  const gpu = await GpuTrainer.create(runner, cfg, train, null);
  let gpuTiming: BackendTiming;
  try {
    await gpu.submitSteps(1);
    let done = 0;
    let lastLoss = NaN;
    const t0 = now();
    // One step per submit, awaited: the wall time of N steps as the CPU side runs them.
    while (done < steps) {
      const m = await gpu.submitSteps(steps - done);
      if (!m.length) break;
      done += m.length;
      lastLoss = m[m.length - 1].loss;
    }
    gpuTiming = { ms: now() - t0, steps: done, lastLoss };
  } finally {
    gpu.destroy();
  }

  const cpu = new CpuTrainer(cfg, train, null);
  cpu.runSteps(1);
  let done = 0;
  let lastLoss = NaN;
  const t0 = now();
  while (done < gpuTiming.steps && now() - t0 < budget) {
    lastLoss = cpu.runSteps(1)[0]?.loss ?? lastLoss;
    done++;
    await options.yieldToEvents?.();
  }
  const cpuMs = now() - t0;
  // Compare per step when the CPU ran out of time before the GPU's step count.
  const cpuTiming: BackendTiming = { ms: cpuMs, steps: done, lastLoss };
  const speedup = done > 0 && gpuTiming.ms > 0 ? cpuMs / done / (gpuTiming.ms / gpuTiming.steps) : 0;
  return { batch: cfg.batchSize, steps: gpuTiming.steps, cpu: cpuTiming, gpu: gpuTiming, speedup };
}
