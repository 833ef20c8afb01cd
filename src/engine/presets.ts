/**
 * The named starting points offered in the builder, as plain data. Each mirrors a well-known
 * reference (PyTorch's and Keras' MNIST examples, a fast one-epoch CNN, a single perceptron) so a
 * student can compare what they see here with published results.
 */
import type { LayerSpec, ModelSpec } from './layers';
import { OPTIMIZER_DEFAULTS, type OptimizerConfig } from './ops/optimizer/cpu';
import type { ScheduleConfig } from './schedules';
import type { TrainingRecipe } from './recipe';

export type PresetName = 'pytorch-cnn' | 'keras-small-cnn' | 'keras-cnn' | 'mlp' | 'fast-cnn' | 'perceptron';

/** A preset's training recipe. */
export type PresetTraining = TrainingRecipe;

export interface Preset {
  name: PresetName;
  title: string;
  /** One plain-English paragraph for a student. */
  description: string;
  model: ModelSpec;
  training: PresetTraining;
  dataset: 'mnist' | 'toy-and';
}

// Builders return fresh objects so editing one preset's copy can never change another preset.
const mnistInput = (): number[] => [1, 28, 28];
const SEED = 1;

const conv = (filters: number, kernel: number, padding = 0): LayerSpec => ({
  kind: 'conv2d',
  filters,
  kernel,
  stride: 1,
  padding,
});
const maxpool2 = (): LayerSpec => ({ kind: 'maxpool', size: 2, stride: 2 });
const dense = (units: number): LayerSpec => ({ kind: 'dense', units });
const relu = (): LayerSpec => ({ kind: 'relu' });
const flatten = (): LayerSpec => ({ kind: 'flatten' });
const softmax = (): LayerSpec => ({ kind: 'softmax' });
const dropout = (rate: number): LayerSpec => ({ kind: 'dropout', rate });
const adam = (learningRate = 0.001): OptimizerConfig => ({ ...OPTIMIZER_DEFAULTS.adam, learningRate });
const constant = (): ScheduleConfig => ({ kind: 'constant' });

/** Every preset, by name. */
export const PRESETS: Record<PresetName, Preset> = {
  'pytorch-cnn': {
    name: 'pytorch-cnn',
    title: 'PyTorch MNIST CNN',
    description:
      'The network from PyTorch\'s official MNIST example, with "same" padding so the image stays 28×28 until pooling. ' +
      'Two convolution layers learn small edge and stroke detectors, max pooling halves the image, dropout switches ' +
      'off random neurons so the network cannot rely on any single one, and two dense layers turn the features into ' +
      'a score for each digit. Plain SGD with momentum trains it to about 99% test accuracy in a few epochs.',
    model: {
      input: mnistInput(),
      layers: [
        conv(32, 3, 1),
        relu(),
        conv(64, 3, 1),
        relu(),
        maxpool2(),
        dropout(0.25),
        flatten(),
        dense(128),
        relu(),
        dropout(0.5),
        dense(10),
        softmax(),
      ],
      loss: 'softmaxCrossEntropy',
    },
    // SGD with momentum 0.9 at batch 64, as in the reference. A constant rate of 0.01 falls short of
    // the target after 3 epochs (so does eager PyTorch); a one-cycle schedule from 0.005 up to 0.05
    // and down to 5e-6, Nesterov momentum and PyTorch's default init reach it on every seed tried
    // (bench/sweeps/pytorch-cnn-3.txt; bench/README.md has the figures).
    training: {
      optimizer: { kind: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true },
      schedule: { kind: 'oneCycle', maxLearningRate: 0.05, pctStart: 0.25, divFactor: 10, finalDivFactor: 1000 },
      batchSize: 64,
      epochs: 3,
      seed: SEED,
      init: 'pytorch',
    },
    dataset: 'mnist',
  },
  'keras-small-cnn': {
    name: 'keras-small-cnn',
    title: 'Small Keras CNN',
    description:
      'A beginner-sized convolutional network like the ones in Keras tutorials: one layer of 32 small filters looks ' +
      'for local patterns, max pooling shrinks the result, and a dense layer of 64 neurons combines the patterns ' +
      'into a decision. It has about 350 thousand weights and reaches roughly 98–99% accuracy with the Adam optimizer.',
    model: {
      input: mnistInput(),
      layers: [conv(32, 3), relu(), maxpool2(), flatten(), dense(64), relu(), dense(10), softmax()],
      loss: 'softmaxCrossEntropy',
    },
    // Keras' defaults (Glorot init, Adam) with a one-cycle schedule peaking at 0.003: steady over three
    // seeds after 5 epochs, where a constant 0.001 wobbles from run to run (bench/sweeps; bench/README.md
    // has the figures).
    training: {
      optimizer: adam(0.001),
      schedule: { kind: 'oneCycle', maxLearningRate: 0.003, pctStart: 0.2, divFactor: 10, finalDivFactor: 100 },
      batchSize: 64,
      epochs: 5,
      seed: SEED,
      init: 'glorot',
    },
    dataset: 'mnist',
  },
  'keras-cnn': {
    name: 'keras-cnn',
    title: 'Keras MNIST convnet',
    description:
      'The "simple MNIST convnet" from the Keras examples: two rounds of convolution and pooling shrink the image ' +
      'to 5×5 while growing it to 64 feature maps, then dropout and a single dense layer pick the digit. With only ' +
      'about 35 thousand weights it still reaches about 99% accuracy, because convolution reuses the same small ' +
      'filters everywhere in the image.',
    model: {
      input: mnistInput(),
      layers: [
        conv(32, 3),
        relu(),
        maxpool2(),
        conv(64, 3),
        relu(),
        maxpool2(),
        flatten(),
        dropout(0.5),
        dense(10),
        softmax(),
      ],
      loss: 'softmaxCrossEntropy',
    },
    training: { optimizer: adam(), schedule: constant(), batchSize: 128, epochs: 10, seed: SEED },
    dataset: 'mnist',
  },
  mlp: {
    name: 'mlp',
    title: 'Multi-layer perceptron',
    description:
      'The classic fully connected network: the 28×28 image is unrolled into a list of 784 pixel values, one hidden ' +
      'layer of 128 ReLU neurons looks at all of them at once, and an output layer scores the ten digits. It ignores ' +
      'which pixels are neighbours, yet still gets about 97–98% right, a good baseline to compare the CNNs against.',
    model: {
      input: mnistInput(),
      layers: [flatten(), dense(128), relu(), dense(10), softmax()],
      loss: 'softmaxCrossEntropy',
    },
    training: { optimizer: adam(0.001), schedule: constant(), batchSize: 128, epochs: 5, seed: SEED },
    dataset: 'mnist',
  },
  'fast-cnn': {
    name: 'fast-cnn',
    title: 'Fast one-epoch CNN',
    description:
      'A compact CNN tuned to learn as much as possible in a single pass over the data. Large batches keep the GPU ' +
      'busy, and a one-cycle schedule warms the learning rate up for the first quarter of training and then slowly ' +
      'cools it down, which lets the network take big steps early and settle precisely at the end. Expect about 98–99% ' +
      'accuracy after just one epoch.',
    model: {
      input: mnistInput(),
      layers: [
        conv(24, 5),
        relu(),
        maxpool2(),
        conv(32, 3),
        relu(),
        maxpool2(),
        flatten(),
        dense(256),
        relu(),
        dense(10),
        softmax(),
      ],
      loss: 'softmaxCrossEntropy',
    },
    training: {
      optimizer: { ...OPTIMIZER_DEFAULTS.adam, learningRate: 0.01, beta1: 0.7, beta2: 0.9 },
      schedule: { kind: 'oneCycle', maxLearningRate: 0.01, pctStart: 0.25, divFactor: 25, finalDivFactor: 1e4 },
      batchSize: 256,
      epochs: 1,
      seed: SEED,
      // PyTorch's default init ends one epoch more accurate than He-normal (bench/sweeps; figures in bench/README.md).
      init: 'pytorch',
    },
    dataset: 'mnist',
  },
  perceptron: {
    name: 'perceptron',
    title: 'Single perceptron (AND)',
    description:
      'The smallest network there is: one neuron with two inputs, two weights and a bias, squashed by a sigmoid ' +
      'into a number between 0 and 1. It learns the logical AND of two bits from just four examples. Because AND ' +
      'can be separated by a straight line, one neuron is enough; watch the weights move until the output is near 1 ' +
      'only for the input (1, 1).',
    model: {
      input: [2],
      layers: [dense(1), { kind: 'sigmoid' }],
      loss: 'mse',
    },
    training: {
      optimizer: { kind: 'sgd', learningRate: 0.5, momentum: 0 },
      schedule: constant(),
      batchSize: 4,
      epochs: 200,
      seed: SEED,
    },
    dataset: 'toy-and',
  },
};

/** Preset names in the order the builder lists them. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
