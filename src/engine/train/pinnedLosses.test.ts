/**
 * Pins the first 20 training losses of every preset, bit for bit, on this machine's WebGPU
 * (SwiftShader in CI). Refactors of the engine (moving kernels, splitting the trainer, changing
 * which layer's work a kernel fuses) must not change a single bit of what a seeded run computes.
 * The expected values were recorded before the engine was restructured (issue 23); to record them
 * again after a deliberate change of numerics, run `PIN_LOSSES=record npx vitest run pinnedLosses`
 * and say why in the commit.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { KernelRunner } from '../kernel/runner';
import { PRESETS, PRESET_NAMES } from '../presets';
import { subsetImages, type Dataset, type ImageDataset } from './data';
import { GpuTrainer } from './gpuTrainer';

const ctx = await nodeGpu();
const STEPS = 20;
const PINNED_BATCH = 8;
const FIXTURE = new URL('./pinnedLosses.fixture.json', import.meta.url);
const STARTER = new URL('../../../public/data/mnist/starter/', import.meta.url);
const RECORD = process.env.PIN_LOSSES === 'record';
/**
 * SwiftShader runs the CNN presets' kernels (sized for big GPUs: hundreds of workgroups, split
 * reductions) at minutes per preset, so `npm test` pins the two presets that train in seconds and
 * `PIN_LOSSES=all` pins every preset: run it before landing any change to the engine (CONTRIBUTING.md).
 */
const ALL = RECORD || process.env.PIN_LOSSES === 'all';
const EVERY_RUN = new Set(['perceptron', 'mlp']);

/** Reads an IDX file's payload (after its header) from the starter slice the home page trains on. */
function idxPayload(name: string): Uint8Array {
  const bytes = gunzipSync(readFileSync(new URL(name, STARTER)));
  const dims = bytes[3];
  return bytes.subarray(4 + 4 * dims);
}

function starterImages(): ImageDataset {
  const images = idxPayload('train-images.idx3.gz');
  const labels = idxPayload('train-labels.idx1.gz');
  return { kind: 'images', images, labels, count: labels.length, pixels: 28 * 28 };
}

/** The perceptron's AND table, as the Worker builds it from data/toy.ts. */
const AND: Dataset = {
  kind: 'vectors',
  inputs: Float32Array.from([0, 0, 0, 1, 1, 0, 1, 1]),
  targets: Float32Array.from([0, 0, 0, 1]),
  count: 4,
};

/** A float32's bits as 8 hex digits: exact, and readable in a diff. */
function bits(value: number): string {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return view.getUint32(0).toString(16).padStart(8, '0');
}

describe.skipIf(!ctx)('the first 20 losses of every preset', () => {
  const pinned: Record<string, string[]> = RECORD ? {} : JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const images = subsetImages(starterImages(), 200);
  const recorded: Record<string, string[]> = {};
  // One runner for every preset, so pipelines SwiftShader has compiled once are reused.
  const runner = ctx ? new KernelRunner(ctx) : null;

  for (const name of PRESET_NAMES) {
    it.skipIf(!ALL && !EVERY_RUN.has(name))(
      `${name} trains to the same bits as before`,
      async () => {
        const preset = PRESETS[name];
        const train = preset.dataset === 'mnist' ? images : AND;
        // A small batch (and 200 images, so the 20 steps cross an epoch and pin the reshuffle too);
        // everything else is the preset's own recipe (optimizer, schedule, init, seed, dropout).
        const batchSize = train.kind === 'vectors' ? preset.training.batchSize : PINNED_BATCH;
        const config = { model: preset.model, ...preset.training, batchSize };
        const trainer = await GpuTrainer.create(runner!, config, train, null);
        try {
          // Several submits, as the Worker sends them, so the chaining between submits is pinned too
          // (a submit never crosses an epoch, so it may return fewer steps than asked for).
          const metrics = [];
          while (metrics.length < STEPS)
            metrics.push(...(await trainer.submitSteps(Math.min(7, STEPS - metrics.length))));
          const losses = metrics.map((m) => bits(m.loss));
          expect(losses).toHaveLength(STEPS);
          if (RECORD) {
            recorded[name] = losses;
            writeFileSync(FIXTURE, JSON.stringify(recorded, null, 2) + '\n');
          } else {
            expect(losses).toEqual(pinned[name]);
          }
        } finally {
          trainer.destroy();
        }
      },
      900_000,
    );
  }
});
