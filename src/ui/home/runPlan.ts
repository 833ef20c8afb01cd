/**
 * What the home page trains, and for how long, on each kind of hardware: the network (the
 * multi-layer perceptron preset with a small batch, so the curve gets many points), the job for the
 * home page's own trainer Worker, and the `#/train` link that opens the same network in the
 * training view. Pure: no DOM, no Worker.
 */
import { configFromPreset, encodeConfig, type Config } from '../../config';
import type { AdapterSummary } from '../../engine/kernel/device';
import type { TrainingJob } from '../../worker/protocol';
import { configHash } from '../../state/urlSync';

export type HomeHardware = 'gpu' | 'software-gpu' | 'cpu';

export interface HomeRunPlan {
  hardware: HomeHardware;
  /** Where the steps run: the WGSL kernels, or the CPU reference (no shaders to build first). */
  backend: 'gpu' | 'cpu';
  /** Passes over the training images. */
  epochs: number;
  trainImages: number;
  testImages: number;
  batch: number;
  /** Steps between two accuracy measurements on the test images. */
  evaluateEverySteps: number;
  totalSteps: number;
}

/** Images in the starter slice (scripts/mnist-slice.mjs): the run never asks for more. */
export const STARTER_SLICE = { train: 2000, test: 200 } as const;

const BATCH = 32;

/** The home page's network: the MLP preset (784 → 128 → 10), Adam, batch 32, on the starter slice. */
export function homeConfig(trainImages: number = STARTER_SLICE.train): Config {
  const c = configFromPreset('mlp');
  return { ...c, training: { ...c.training, batchSize: BATCH, epochs: 1, trainSubset: trainImages } };
}

function plan(hardware: HomeHardware, epochs: number, trainImages: number, checkpoints: number): HomeRunPlan {
  // As the trainers count: the last partial batch of an epoch is left out.
  const stepsPerEpoch = Math.max(1, Math.floor(trainImages / BATCH));
  const totalSteps = stepsPerEpoch * epochs;
  return {
    hardware,
    backend: hardware === 'gpu' ? 'gpu' : 'cpu',
    epochs,
    trainImages,
    testImages: STARTER_SLICE.test,
    batch: BATCH,
    evaluateEverySteps: Math.max(1, Math.round(totalSteps / checkpoints)),
    totalSteps,
  };
}

/**
 * A real GPU trains five passes over the whole slice in seconds. Without one, a single pass runs on
 * the CPU reference: also on a software GPU (SwiftShader runs shaders on the processor and needs
 * many seconds to build the trainer's kernels), so the first screen still changes within seconds.
 */
export function homeRunPlan(gpu: AdapterSummary | null): HomeRunPlan {
  if (!gpu) return plan('cpu', 1, STARTER_SLICE.train, 6);
  if (gpu.isFallback) return plan('software-gpu', 1, STARTER_SLICE.train, 6);
  return plan('gpu', 5, STARTER_SLICE.train, 20);
}

/** The Worker job for a plan; `dataBaseUrl` is the starter slice's folder. */
export function homeJob(p: HomeRunPlan, dataBaseUrl: string): TrainingJob {
  const c = homeConfig(p.trainImages);
  const { trainSubset: _subset, epochs: _epochs, ...recipe } = c.training;
  return {
    config: { model: c.model, ...recipe, epochs: p.epochs },
    dataset: 'mnist',
    trainSubset: p.trainImages,
    testSubset: p.testImages,
    evaluateEverySteps: p.evaluateEverySteps,
    evaluateSubset: p.testImages,
    dataBaseUrl,
    backend: p.backend,
  };
}

/** `#/train?c=…`: the same network and recipe in the training view (which downloads the full set). */
export function trainViewHash(p: HomeRunPlan | null): string {
  return configHash('train', encodeConfig(homeConfig(p?.trainImages)));
}

const count = (n: number) => n.toLocaleString('en-US');
const passes = (n: number) => (n === 1 ? '1 pass' : `${n} passes`);

/** Where this run trains and how long it is (headline), and what differs from a run on a real GPU (detail). */
export function describeRun(p: HomeRunPlan, adapterName: string | null): { headline: string; detail: string } {
  const what = `${passes(p.epochs)} over ${count(p.trainImages)} digits (${count(p.totalSteps)} steps)`;
  const full = homeRunPlan({ isFallback: false } as AdapterSummary);
  const named = adapterName ? ` (${adapterName})` : '';
  switch (p.hardware) {
    case 'gpu':
      return {
        headline: `Training on your GPU: ${what}.`,
        detail: `Every step runs as WGSL compute shaders on your graphics card${named}.`,
      };
    case 'software-gpu':
      return {
        headline: `A short run on the CPU: ${what}.`,
        detail:
          `Your WebGPU adapter${named} is a software one, slow to build shaders, so this uses the CPU reference ` +
          `(JavaScript). A real graphics card trains ${passes(full.epochs)} with WGSL shaders.`,
      };
    case 'cpu':
      return {
        headline: `A short run on the CPU: ${what}.`,
        detail:
          `WebGPU is not available here, so this uses the CPU reference (JavaScript). With WebGPU your graphics ` +
          `card trains ${passes(full.epochs)} with WGSL shaders.`,
      };
  }
}
