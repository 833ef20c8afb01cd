/**
 * The peer: the same model (same layers, batch, optimizer, learning-rate schedule and epochs)
 * trained with TensorFlow.js's `model.fit` on its WebGPU backend, in this process, on Dawn.
 * Imported dynamically, after bench/dawn.ts has installed navigator.gpu: the WebGPU backend only
 * registers itself if navigator.gpu exists when its module is evaluated.
 *
 * Layout differs from our engine (TF.js is channels-last), which changes nothing mathematically.
 * Initialisation is TF.js's default (Glorot uniform), as a Keras user would get.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../src/engine/layers';
import type { OptimizerConfig } from '../src/engine/ops/optimizer/cpu';
import { learningRateAt, type ScheduleConfig } from '../src/engine/schedules';
import type { ImageDataset } from '../src/engine/train/data';

export interface TfjsRunConfig {
  model: ModelSpec;
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  batchSize: number;
  epochs: number;
}

export interface TfjsEpoch {
  epoch: number;
  testAccuracy: number;
  testLoss: number;
  /** Training time so far (fit calls only), ms. */
  msTrain: number;
}

export interface TfjsResult {
  backend: string;
  adapter: { vendor: string; architecture: string } | null;
  steps: number;
  stepsPerEpoch: number;
  /** Training time over steps, after a warm-up fit on a throwaway copy compiled every shader. */
  msPerStep: number;
  msTotal: number;
  msWarmup: number;
  testAccuracy: number;
  perEpoch: TfjsEpoch[];
}

function buildModel(spec: ModelSpec): tfl.Sequential {
  const [c, h, w] = spec.input;
  const model = tfl.sequential();
  let first = true;
  const input = (): { inputShape?: number[] } => {
    if (!first) return {};
    first = false;
    return { inputShape: [h, w, c] };
  };
  const layers = spec.layers;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const next = layers[i + 1];
    switch (l.kind) {
      case 'conv2d': {
        if (l.padding !== 0 && (l.stride !== 1 || l.padding * 2 !== l.kernel - 1)) {
          throw new Error(
            `TF.js has no conv2d with padding ${l.padding} for a ${l.kernel}x${l.kernel} kernel at stride ${l.stride}.`,
          );
        }
        model.add(
          tfl.layers.conv2d({
            ...input(),
            filters: l.filters,
            kernelSize: l.kernel,
            strides: l.stride,
            padding: l.padding ? 'same' : 'valid',
          }),
        );
        break;
      }
      case 'dense':
        // The softmax layer that ends every classifier is fused into the last dense layer.
        model.add(
          tfl.layers.dense({ ...input(), units: l.units, activation: next?.kind === 'softmax' ? 'softmax' : 'linear' }),
        );
        if (next?.kind === 'softmax') i++;
        break;
      case 'maxpool':
        model.add(tfl.layers.maxPooling2d({ ...input(), poolSize: l.size, strides: l.stride }));
        break;
      case 'avgpool':
        model.add(tfl.layers.averagePooling2d({ ...input(), poolSize: l.size, strides: l.stride }));
        break;
      case 'flatten':
        model.add(tfl.layers.flatten({ ...input() }));
        break;
      case 'dropout':
        model.add(tfl.layers.dropout({ ...input(), rate: l.rate }));
        break;
      case 'relu':
        model.add(tfl.layers.activation({ ...input(), activation: 'relu' }));
        break;
      case 'leakyRelu':
        model.add(tfl.layers.leakyReLU({ ...input(), alpha: l.alpha }));
        break;
      case 'sigmoid':
      case 'tanh':
        model.add(tfl.layers.activation({ ...input(), activation: l.kind }));
        break;
      case 'softmax':
        model.add(tfl.layers.activation({ ...input(), activation: 'softmax' }));
        break;
    }
  }
  return model;
}

function buildOptimizer(o: OptimizerConfig): tf.Optimizer {
  switch (o.kind) {
    case 'adam':
      return tf.train.adam(o.learningRate, o.beta1, o.beta2, o.epsilon);
    case 'sgd':
      return o.momentum
        ? tf.train.momentum(o.learningRate, o.momentum, Boolean(o.nesterov))
        : tf.train.sgd(o.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(o.learningRate, o.alpha, o.momentum ?? 0, o.epsilon);
  }
}

/** Normalised images [N, H, W, C] and one-hot labels, as tensors on the GPU. */
function toTensors(set: ImageDataset, count: number, classes: number): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const mean = set.mean ?? 0;
  const std = set.std ?? 1;
  const n = Math.min(count, set.count);
  const xs = new Float32Array(n * set.pixels);
  for (let i = 0; i < xs.length; i++) xs[i] = (set.images[i] / 255 - mean) / std;
  const side = Math.round(Math.sqrt(set.pixels));
  const labels = Int32Array.from(set.labels.subarray(0, n));
  const x = tf.tensor4d(xs, [n, side, side, 1]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat()) as tf.Tensor2D;
  return { x, y };
}

const elapsed = (t0: number) => performance.now() - t0;

export async function runTfjs(
  config: TfjsRunConfig,
  train: ImageDataset,
  test: ImageDataset,
  log: (s: string) => void,
): Promise<TfjsResult> {
  await tf.setBackend('webgpu');
  await tf.ready();
  const backend = tf.getBackend();
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  const classes = 10;
  const B = config.batchSize;
  const trainT = toTensors(train, train.count, classes);
  const testT = toTensors(test, test.count, classes);
  const stepsPerEpoch = Math.ceil(train.count / B);
  const totalSteps = stepsPerEpoch * config.epochs;
  const compile = (m: tfl.Sequential, opt: tf.Optimizer) =>
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  // Warm-up: a throwaway copy fits three batches, so every shader is compiled before timing.
  const t0 = performance.now();
  {
    const warm = buildModel(config.model);
    compile(warm, buildOptimizer(config.optimizer));
    const n = Math.min(train.count, 3 * B);
    const wx = trainT.x.slice(0, n);
    const wy = trainT.y.slice(0, n);
    await warm.fit(wx, wy, { batchSize: B, epochs: 1, shuffle: true, verbose: 0 });
    const ev = warm.evaluate(testT.x.slice(0, B), testT.y.slice(0, B), { batchSize: B }) as tf.Scalar[];
    await Promise.all(ev.map((t) => t.data()));
    tf.dispose([wx, wy, ...ev]);
    warm.dispose();
  }
  const msWarmup = elapsed(t0);

  const model = buildModel(config.model);
  const optimizer = buildOptimizer(config.optimizer);
  compile(model, optimizer);
  let step = 0;
  const callbacks: tfl.CustomCallbackArgs = {};
  if (config.schedule.kind !== 'constant') {
    const base = config.optimizer.learningRate;
    callbacks.onBatchBegin = async () => {
      (optimizer as unknown as { learningRate: number }).learningRate = learningRateAt(
        config.schedule,
        base,
        step,
        totalSteps,
        stepsPerEpoch,
      );
    };
  }
  callbacks.onBatchEnd = async () => {
    step++;
  };
  const perEpoch: TfjsEpoch[] = [];
  let msTrain = 0;
  for (let e = 0; e < config.epochs; e++) {
    const t = performance.now();
    // fit resolves after its epoch-end logs are read back, i.e. after the GPU finished the epoch.
    await model.fit(trainT.x, trainT.y, {
      batchSize: B,
      epochs: 1,
      shuffle: true,
      verbose: 0,
      callbacks,
      yieldEvery: 'never',
    });
    msTrain += elapsed(t);
    const ev = model.evaluate(testT.x, testT.y, { batchSize: 1000 }) as tf.Scalar[];
    const [loss, acc] = await Promise.all(ev.map(async (s) => (await s.data())[0]));
    tf.dispose(ev);
    perEpoch.push({ epoch: e + 1, testAccuracy: acc, testLoss: loss, msTrain: Math.round(msTrain) });
    log(
      `[tfjs] epoch ${e + 1}: test accuracy ${(acc * 100).toFixed(2)}%, ${(msTrain / ((e + 1) * stepsPerEpoch)).toFixed(2)} ms/step`,
    );
  }
  tf.dispose([trainT.x, trainT.y, testT.x, testT.y]);
  model.dispose();
  return {
    backend,
    adapter: info ? { vendor: info.vendor ?? '', architecture: info.architecture ?? '' } : null,
    steps: totalSteps,
    stepsPerEpoch,
    msPerStep: msTrain / totalSteps,
    msTotal: msTrain,
    msWarmup,
    testAccuracy: perEpoch[perEpoch.length - 1]?.testAccuracy ?? NaN,
    perEpoch,
  };
}
