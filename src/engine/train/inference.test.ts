import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { KernelRunner } from '../kernel/runner';
import { SeededRandom } from '../rng';
import { OPTIMIZER_DEFAULTS } from '../ops/optimizer/cpu';
import type { ModelSpec } from '../layers';
import { GpuTrainer, type TrainingConfig } from './gpuTrainer';
import { CpuTrainer } from './cpuTrainer';
import type { ImageDataset } from './data';
import { compareBackends } from './compare';
import {
  confusionOf,
  cpuInference,
  gpuTestLogits,
  normaliseImages,
  outputsToProbabilities,
  predictionsOf,
} from './inference';
import { measureLayerCosts } from './layerCost';
import { CONV2D_FORWARD_LARGE } from '../ops/conv2d/specs';

const ctx = await nodeGpu();

function images(count: number, seed: number): ImageDataset {
  const rng = new SeededRandom(seed, 5);
  const pixels = 64;
  const data = new Uint8Array(count * pixels);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  return { kind: 'images', images: data, labels: Uint8Array.from({ length: count }, () => rng.int(10)), count, pixels };
}

const cnn: ModelSpec = {
  input: [1, 8, 8],
  layers: [
    { kind: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 1 },
    { kind: 'relu' },
    { kind: 'maxpool', size: 2, stride: 2 },
    { kind: 'dropout', rate: 0.3 },
    { kind: 'flatten' },
    { kind: 'dense', units: 10 },
    { kind: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
};
const config: TrainingConfig = {
  model: cnn,
  optimizer: { ...OPTIMIZER_DEFAULTS.adam, learningRate: 0.01 },
  schedule: { kind: 'constant' },
  batchSize: 16,
  epochs: 2,
  seed: 3,
};

describe('probabilities from outputs', () => {
  it('softmaxes each row of a cross-entropy model so it sums to 1', () => {
    const p = outputsToProbabilities([1, 2, 3, 0, 0, 1000], 2, 3, cnn);
    expect(p[0] + p[1] + p[2]).toBeCloseTo(1, 6);
    expect(p[5]).toBeCloseTo(1, 6);
  });

  it('builds the confusion matrix from per-image predictions', () => {
    const preds = predictionsOf(Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]), [0, 0, 1], 2);
    expect(preds.map((p) => p.predicted)).toEqual([0, 1, 0]);
    expect([...confusionOf(preds, 2)]).toEqual([1, 1, 1, 0]);
  });
});

describe.skipIf(!ctx)('inference on the GPU', () => {
  it('gives the test-set probabilities of the CPU reference with the same weights, and its confusion matrix', async () => {
    const runner = new KernelRunner(ctx!);
    const test = images(37, 2); // not a multiple of the batch: the last batch is partial
    const trainer = await GpuTrainer.create(runner, config, images(64, 1), test);
    await trainer.submitSteps(3);
    const logits = await gpuTestLogits(runner, trainer.dashboardHooks(), trainer.plan, test, trainer.batch);
    const gpuProbs = outputsToProbabilities(logits, test.count, 10, cnn);
    const cpu = cpuInference(cnn, await trainer.readParameters(), normaliseImages(test.images), test.count);
    expect(gpuProbs.length).toBe(37 * 10);
    let maxDiff = 0;
    for (let i = 0; i < gpuProbs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(gpuProbs[i] - cpu.probs[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    // The per-image predictions add up to the matrix the evaluate kernel counts.
    const evaluation = await trainer.evaluate();
    expect([...confusionOf(predictionsOf(gpuProbs, test.labels, 10), 10)]).toEqual([...evaluation.confusion]);
    // Inference leaves training untouched: the next steps match a run that never did inference.
    const after = await trainer.submitSteps(2);
    const clean = await GpuTrainer.create(runner, config, images(64, 1), test);
    await clean.submitSteps(3);
    expect((await clean.submitSteps(2)).map((m) => m.loss)).toEqual(after.map((m) => m.loss));
    trainer.destroy();
    clean.destroy();
  });

  it('evaluates on the first N test images when asked for a subset', async () => {
    const runner = new KernelRunner(ctx!);
    const test = images(50, 4);
    const trainer = await GpuTrainer.create(runner, config, images(32, 1), test);
    const part = await trainer.evaluate(20);
    const cpu = new CpuTrainer(config, images(32, 1), test).evaluate(20);
    expect(part.count).toBe(20);
    expect([...part.confusion]).toEqual([...cpu.confusion]);
    trainer.destroy();
  });

  it('times every layer forward and backward (with or without timestamp queries) without changing the weights', async () => {
    const runner = new KernelRunner(ctx!);
    const trainer = await GpuTrainer.create(runner, config, images(32, 1), null);
    await trainer.submitSteps(1);
    const before = await trainer.readParameters();
    for (const useTimestamps of [false, true]) {
      const report = await measureLayerCosts(trainer.dashboardHooks(), trainer.plan, trainer.batch, {
        useTimestamps,
        repeats: 1,
      });
      const conv = report.layers[0];
      expect(conv.forwardMs).toBeGreaterThanOrEqual(0);
      expect(conv.backwardMs).toBeGreaterThanOrEqual(0);
      expect(conv.params).toBe(4 * 9 + 4);
      expect(conv.forwardFlops).toBeGreaterThan(0);
      expect(report.layers[4].forwardMs).toBeNull(); // flatten runs no kernel
      // The dropout after the pooling runs inside the pooling's kernels, forward and backward.
      expect(report.layers[3].forwardMs).toBeNull();
      expect(report.layers[3].backwardMs).toBeNull();
      expect(report.layers[3].note).toMatch(/max pooling/);
      expect(report.lossMs).toBeGreaterThanOrEqual(0);
      if (!useTimestamps) expect(report.method).toBe('submit-timing');
    }
    expect((await trainer.readParameters()).get(5)!.weight).toEqual(before.get(5)!.weight);
    trainer.destroy();
  });

  it('infers and times a convolution that does the pooling after it in its own kernel', async () => {
    // pytorch-cnn's second layer: conv2d_forward_large also pools (and, in training, drops out).
    const wide: ModelSpec = {
      ...cnn,
      layers: [{ kind: 'conv2d', filters: 64, kernel: 3, stride: 1, padding: 1 }, ...cnn.layers.slice(1)],
    };
    const runner = new KernelRunner(ctx!);
    const test = images(21, 6);
    const trainer = await GpuTrainer.create(runner, { ...config, model: wide, batchSize: 8 }, images(16, 7), test, {
      convForwardKernel: () => CONV2D_FORWARD_LARGE,
    });
    await trainer.submitSteps(2);
    const logits = await gpuTestLogits(runner, trainer.dashboardHooks(), trainer.plan, test, trainer.batch);
    const gpuProbs = outputsToProbabilities(logits, test.count, 10, wide);
    const cpu = cpuInference(wide, await trainer.readParameters(), normaliseImages(test.images), test.count);
    let maxDiff = 0;
    for (let i = 0; i < gpuProbs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(gpuProbs[i] - cpu.probs[i]));
    expect(maxDiff).toBeLessThan(1e-4);
    const report = await measureLayerCosts(trainer.dashboardHooks(), trainer.plan, trainer.batch, {
      useTimestamps: false,
      repeats: 1,
    });
    expect(report.layers[0].forwardMs).toBeGreaterThanOrEqual(0);
    expect(report.layers[0].note).toMatch(/max pooling after it and the dropout/);
    expect(report.layers[2].forwardMs).toBeNull(); // inside the convolution's kernel
    expect(report.layers[2].backwardMs).toBeGreaterThanOrEqual(0);
    expect(report.layers[2].note).toMatch(/inside the convolution/);
    expect(report.layers[3].note).toMatch(/forward inside the convolution/);
    trainer.destroy();
  });

  it('races the CPU reference against the GPU on the same steps, ending at the same loss', async () => {
    const runner = new KernelRunner(ctx!);
    const r = await compareBackends(runner, config, images(64, 1), 3);
    expect(r.gpu.steps).toBe(3);
    expect(r.cpu.steps).toBe(3);
    expect(r.cpu.ms).toBeGreaterThan(0);
    expect(r.gpu.ms).toBeGreaterThan(0);
    expect(Math.abs(r.cpu.lastLoss - r.gpu.lastLoss)).toBeLessThan(1e-3);
  });
});
