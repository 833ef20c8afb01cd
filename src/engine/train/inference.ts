/**
 * Inference for the training dashboard: the network's answer (probabilities per class) for test
 * images and for a digit drawn by hand, and the activations of one image. The whole test set runs
 * on the GPU through the trainer's own forward pass (one pass per batch, logits copied out after
 * each); a handful of images run through the CPU reference (cpu/model forwardModel), which is
 * fast enough for one image and gives every layer's activations.
 */
import { forwardModel, type ModelParams } from '../cpu/model';
import { MNIST_MEAN, MNIST_STD } from '../ops/batch/cpu';
import { GATHER_BATCH } from '../ops/batch/specs';
import type { KernelRunner } from '../kernel/runner';
import type { ModelSpec } from '../layers';
import type { ImageDataset } from './data';
import type { LayerParameterMap, TrainerHooks } from './gpuTrainer';
import type { ExecutionPlan } from './plan';
import { gatherEvalUniforms } from '../ops/batch/abi';

/** The layer whose output holds the logits (the last one, or the one before a final softmax). */
export function logitsLayer(model: ModelSpec): number {
  const last = model.layers.length - 1;
  return last >= 0 && model.layers[last].kind === 'softmax' ? last - 1 : last;
}

/**
 * Probabilities from the raw outputs, row by row: softmax for a cross-entropy model; for an
 * MSE model the outputs are already scores in [0, 1] and are only clamped.
 */
export function outputsToProbabilities(
  outputs: ArrayLike<number>,
  rows: number,
  classes: number,
  model: ModelSpec,
): Float32Array {
  const probs = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    if (model.loss !== 'softmaxCrossEntropy') {
      for (let c = 0; c < classes; c++) probs[o + c] = Math.min(1, Math.max(0, outputs[o + c]));
      continue;
    }
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, outputs[o + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(outputs[o + c] - max);
    for (let c = 0; c < classes; c++) probs[o + c] = Math.exp(outputs[o + c] - max) / sum;
  }
  return probs;
}

/** Index of the largest value of row `r` (first one wins ties, as the GPU's evaluate does). */
export function argmaxRow(values: ArrayLike<number>, r: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (values[r * classes + c] > values[r * classes + best]) best = c;
  return best;
}

/** Normalises bytes (0–255) the way training does: (byte/255 − mean)/std. */
export function normaliseImages(bytes: Uint8Array, mean = MNIST_MEAN, std = MNIST_STD): Float32Array {
  const x = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) x[i] = (bytes[i] / 255 - mean) / std;
  return x;
}

function paramsArray(model: ModelSpec, map: LayerParameterMap): ModelParams<Float32Array> {
  return model.layers.map((_, i) => map.get(i));
}

export interface CpuInference {
  /** [count, classes] probabilities. */
  probs: Float32Array;
  /** activations[0] is the input; activations[i + 1] the output of layer i (dropout off). */
  activations: Float32Array[];
  shapes: number[][];
}

/** Runs `count` normalised images through the CPU reference with the given parameters. */
export function cpuInference(
  model: ModelSpec,
  params: LayerParameterMap,
  x: Float32Array,
  count: number,
): CpuInference {
  const f = forwardModel(model, paramsArray(model, params), x, count, { training: false });
  const li = logitsLayer(model);
  const classes = f.shapes[li + 1].reduce((a, b) => a * b, 1);
  return {
    probs: outputsToProbabilities(f.activations[li + 1], count, classes, model),
    activations: f.activations,
    shapes: f.shapes,
  };
}

/**
 * The logits of the first `limit` test images ([count, classes]), computed on the GPU with the
 * trainer's current weights: per batch, gather → forward (dropout off) → copy the logits out.
 * Safe between training submits: it only overwrites the input and activation buffers, which every
 * training step writes afresh.
 */
export async function gpuTestLogits(
  runner: KernelRunner,
  hooks: TrainerHooks,
  plan: ExecutionPlan,
  test: ImageDataset,
  batch: number,
  limit = Infinity,
): Promise<Float32Array> {
  if (!hooks.testImages || !hooks.testLabels) throw new Error('This training job has no test set.');
  const count = Math.max(1, Math.min(test.count, limit));
  const classes = plan.classes;
  const rowBytes = classes * 4;
  const all = hooks.device.createBuffer({
    size: Math.max(16, Math.ceil((count * rowBytes) / 16) * 16),
    usage: 0x80 | 0x04 | 0x08,
    label: 'test logits',
  });
  try {
    const encoder = hooks.device.createCommandEncoder({ label: 'test-set inference' });
    for (let start = 0; start < count; start += batch) {
      // One pass per batch: the copy out of the logits buffer must sit between passes.
      const pass = encoder.beginComputePass({ label: 'inference batch' });
      runner.dispatch(
        pass,
        GATHER_BATCH,
        { images: hooks.testImages, labels: hooks.testLabels, x_out: hooks.input, y_out: hooks.labels },
        gatherEvalUniforms({ batch, pixels: test.pixels, count, offset: start, mean: test.mean, std: test.std }),
      );
      hooks.encodeForward(pass, false);
      pass.end();
      const rows = Math.min(batch, count - start);
      encoder.copyBufferToBuffer(hooks.output, 0, all, start * rowBytes, rows * rowBytes);
    }
    hooks.device.queue.submit([encoder.finish()]);
    const [data] = await runner.readBuffers([{ buffer: all, byteLength: count * rowBytes }]);
    return new Float32Array(data);
  } finally {
    all.destroy();
  }
}

export interface TestPrediction {
  index: number;
  label: number;
  predicted: number;
  probs: Float32Array;
}

/** Per-image predictions from [count, classes] probabilities and the labels. */
export function predictionsOf(probs: Float32Array, labels: ArrayLike<number>, classes: number): TestPrediction[] {
  const count = Math.floor(probs.length / classes);
  return Array.from({ length: count }, (_, i) => ({
    index: i,
    label: labels[i],
    predicted: argmaxRow(probs, i, classes),
    probs: probs.subarray(i * classes, (i + 1) * classes),
  }));
}

/** classes × classes counts [label * classes + predicted] from predictions (the confusion matrix). */
export function confusionOf(predictions: TestPrediction[], classes: number): Uint32Array {
  const m = new Uint32Array(classes * classes);
  for (const p of predictions) m[p.label * classes + p.predicted]++;
  return m;
}
