/**
 * Soak test: train for many epochs in one process and check that nothing leaks. GPU buffers are
 * counted by wrapping the device's createBuffer and each buffer's destroy; the JS heap is measured
 * after a forced garbage collection. CI runs a short variant (20 epochs of a small synthetic set);
 * SOAK=1 runs 200 epochs of a larger one.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { KernelRunner } from '../kernel/runner';
import { SeededRandom } from '../rng';
import type { ImageDataset } from './data';
import { GpuTrainer, type TrainingConfig } from './gpuTrainer';
import { runSession, RUN_TO_END } from './session';

const ctx = await nodeGpu();
const LONG = process.env.SOAK === '1';
const EPOCHS = LONG ? 200 : 20;
const WARM_UP_EPOCHS = 2;

/** Blurry random 28×28 "digits" whose label decides the brightest row band (learnable, deterministic). */
function syntheticDigits(count: number, seed: number): ImageDataset {
  const rng = new SeededRandom(seed, 3);
  const pixels = 28 * 28;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = rng.int(10);
    labels[i] = label;
    for (let p = 0; p < pixels; p++) {
      const row = Math.floor(p / 28);
      const band = Math.floor(row / 2.8) === label ? 160 : 0;
      images[i * pixels + p] = Math.min(255, band + rng.int(64));
    }
  }
  return { kind: 'images', images, labels, count, pixels };
}

/** Node's garbage collector, exposed at run time (works in Vitest's forked workers without flags). */
function collector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Counts live GPU buffers made through `device` from now on. */
function countBuffers(device: GPUDevice): { live: () => number; restore: () => void } {
  let live = 0;
  const original = device.createBuffer;
  device.createBuffer = function (descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = original.call(device, descriptor);
    live++;
    const destroy = buffer.destroy;
    let destroyed = false;
    buffer.destroy = function () {
      if (!destroyed) live--;
      destroyed = true;
      return destroy.call(buffer);
    };
    return buffer;
  };
  return {
    live: () => live,
    restore: () => {
      device.createBuffer = original;
    },
  };
}

describe.skipIf(!ctx)(`training for ${EPOCHS} epochs in one process`, () => {
  it(
    'keeps the number of live GPU buffers flat and the JS heap within 10% after warm-up',
    { timeout: LONG ? 1_800_000 : 240_000 },
    async () => {
      const gc = collector();
      const runner = new KernelRunner(ctx!);
      const buffers = countBuffers(ctx!.device);
      const train = syntheticDigits(LONG ? 2048 : 256, 1);
      const test = syntheticDigits(128, 2);
      const config: TrainingConfig = {
        model: {
          input: [1, 28, 28],
          layers: [
            { kind: 'flatten' },
            { kind: 'dense', units: 32 },
            { kind: 'relu' },
            { kind: 'dense', units: 10 },
            { kind: 'softmax' },
          ],
          loss: 'softmaxCrossEntropy',
        },
        optimizer: { kind: 'adam', learningRate: 0.003, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
        schedule: { kind: 'constant' },
        batchSize: 64,
        epochs: EPOCHS,
        seed: 7,
      };
      const trainer = await GpuTrainer.create(runner, config, train, test);
      const perEpoch: { live: number; heap: number; accuracy: number }[] = [];
      try {
        const end = await runSession(trainer, RUN_TO_END, {
          targetChunkMs: 50,
          onEpoch: (e) => {
            gc();
            perEpoch.push({
              live: buffers.live(),
              heap: process.memoryUsage().heapUsed,
              accuracy: e.test?.accuracy ?? 0,
            });
          },
        });
        expect(end).toEqual({ kind: 'finished' });
      } finally {
        trainer.destroy();
        buffers.restore();
      }
      expect(perEpoch).toHaveLength(EPOCHS);
      const after = perEpoch.slice(WARM_UP_EPOCHS);
      if (process.env.SOAK_VERBOSE) console.log(JSON.stringify(perEpoch));
      // The wrapper saw the trainer's buffers (weights, activations, data...).
      expect(after[0].live).toBeGreaterThan(5);
      // Every epoch ends with the same GPU buffers alive: per-submit staging buffers are all freed.
      expect(
        new Set(after.map((e) => e.live)).size,
        `live buffers per epoch: ${after.map((e) => e.live).join(', ')}`,
      ).toBe(1);
      const baseline = after[0].heap;
      const worst = Math.max(...after.map((e) => e.heap));
      expect(
        (worst - baseline) / baseline,
        `heap per epoch (MB): ${after.map((e) => (e.heap / 2 ** 20).toFixed(1)).join(', ')}`,
      ).toBeLessThan(0.1);
      // And it did learn (the run was real, not a no-op).
      expect(perEpoch[EPOCHS - 1].accuracy).toBeGreaterThan(0.5);
    },
  );
});
