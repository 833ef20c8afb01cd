/**
 * Where the Train view's network comes from: a builder link (`#/train?c=…`, decoded once by the
 * URL sync into the store, see linkedNetwork in src/state/modelSlice) or one of the presets. Also
 * the one-line summary shown for it, the run settings it starts with, and the job it trains.
 */
import { configFromPreset, type Config } from '../../config';
import type { LayerSpec } from '../../engine/layers';
import { PRESETS, type PresetName } from '../../engine/presets';
import { inferModel } from '../../engine/shapes';
import type { LinkedNetwork } from '../../state/modelSlice';
import type { DatasetName, TrainingJob } from '../../worker/protocol';

export interface ModelSource {
  /** 'link' or a preset name. */
  id: 'link' | PresetName;
  title: string;
  config: Config;
  dataset: DatasetName;
  /** The link's `c=` text, for the link back to the builder (link sources only). */
  encoded?: string;
}

/** The source the route's link gave (as the store holds it), with the decoder's sentences when parts were unusable. */
export function sourceFromLink(link: LinkedNetwork | null): { source: ModelSource | null; errors: string[] } {
  if (!link) return { source: null, errors: [] };
  const c = link.config;
  if (!c) return { source: null, errors: link.errors };
  const title = c.preset ? `${PRESETS[c.preset].title} (from the builder)` : 'Your network from the builder';
  return {
    source: { id: 'link', title, config: c, dataset: datasetFor(c), encoded: link.text },
    errors: link.errors,
  };
}

/** Training images a run uses when the network's recipe names no subset. */
export const DEFAULT_TRAIN_SUBSET = 6000;

/**
 * The run settings the page starts with for a source: its recipe's epochs (at most 3 on MNIST, so
 * a first run ends soon) and its recipe's training subset, when it names one.
 */
export function startingChoices(source: ModelSource): { epochs: number; trainSubset: number | undefined } {
  const { epochs, trainSubset } = source.config.training;
  return { epochs: source.dataset === 'mnist' ? Math.min(epochs, 3) : epochs, trainSubset };
}

/** A preset as a source. */
export function sourceFromPreset(name: PresetName): ModelSource {
  const p = PRESETS[name];
  return {
    id: name,
    title: p.title,
    config: configFromPreset(name),
    dataset: p.dataset === 'mnist' ? 'mnist' : 'toy-and',
  };
}

function datasetFor(c: Config): DatasetName {
  return c.model.input.length === 3 ? 'mnist' : 'toy-and';
}

function layerText(l: LayerSpec): string {
  switch (l.kind) {
    case 'dense':
      return `Dense ${l.units}`;
    case 'conv2d':
      return `Conv ${l.filters}×${l.kernel}×${l.kernel}${l.padding ? ` pad ${l.padding}` : ''}${l.stride > 1 ? ` stride ${l.stride}` : ''}`;
    case 'maxpool':
      return `Max pool ${l.size}`;
    case 'avgpool':
      return `Average pool ${l.size}`;
    case 'dropout':
      return `Dropout ${l.rate}`;
    case 'flatten':
      return 'Flatten';
    case 'relu':
      return 'ReLU';
    case 'leakyRelu':
      return 'Leaky ReLU';
    case 'sigmoid':
      return 'Sigmoid';
    case 'tanh':
      return 'Tanh';
    case 'softmax':
      return 'Softmax';
  }
}

const dims = (shape: readonly number[] | null) => (shape ? shape.join('×') : 'nothing usable');
const sameShape = (a: readonly number[] | null, b: readonly number[]) =>
  a !== null && a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Why the source's network cannot be trained on its data set, in plain words, or null when it can:
 * its layers' shapes must fit together (src/engine/shapes), and its input and output must match
 * the data (MNIST: 1×28×28 images, 10 digits; the AND table: 2 inputs, 1 answer).
 */
export function whyNotTrainable(source: ModelSource): string | null {
  const model = source.config.model;
  const analysis = inferModel(model);
  const problem = analysis.totals.firstError;
  if (problem) {
    const layer = model.layers[problem.index];
    return problem.index >= 0 && layer
      ? `Layer ${problem.index + 1} (${layerText(layer)}) does not fit: ${problem.message}`
      : `The network cannot be built: ${problem.message}`;
  }
  const out = analysis.outputShape;
  if (source.dataset === 'mnist') {
    if (!sameShape(model.input, [1, 28, 28]))
      return `MNIST images are 1×28×28 (one channel of 28 by 28 pixels), but this network takes ${dims(model.input)}.`;
    if (!sameShape(out, [10]))
      return `MNIST has 10 digits, so the network must end with 10 scores, but it ends with ${dims(out)}.`;
  } else {
    if (!sameShape(model.input, [2]))
      return `The AND table has 2 inputs per example, but this network takes ${dims(model.input)}.`;
    if (!sameShape(out, [1]))
      return `The AND table has one answer per example, so the network must end with 1 number, but it ends with ${dims(out)}.`;
  }
  return null;
}

/** "Conv 32×3×3 → ReLU → … · 347,146 weights · Adam, learning rate 0.001, batch 64" */
export function summarise(config: Config): string {
  const a = inferModel(config.model);
  const t = config.training;
  const opt = t.optimizer.kind === 'sgd' ? 'SGD' : t.optimizer.kind === 'adam' ? 'Adam' : 'RMSprop';
  return [
    config.model.layers.map(layerText).join(' → '),
    a.totals.ok ? `${a.totals.params.toLocaleString('en-US')} weights` : 'weights not known until the layers fit',
    `${opt}, learning rate ${t.optimizer.learningRate}, batch ${t.batchSize}`,
  ].join(' · ');
}

/** The job for a source with the page's choices (subset, epochs, mid-epoch evaluation). */
export function jobFor(
  source: ModelSource,
  choices: {
    epochs: number;
    trainSubset: number;
    testSubset?: number;
    evaluateEverySteps: number;
    /** Test images per mid-epoch test (default 500). */
    evaluateSubset?: number;
  },
): Omit<TrainingJob, 'dataBaseUrl'> {
  // The whole recipe but the subset and epochs (chosen here), so no field is left behind: listing
  // fields one by one once dropped the init scheme, and fast-cnn and pytorch-cnn then trained from
  // He-normal weights in the browser instead of PyTorch's init as in the benchmark.
  const { trainSubset: _subset, epochs: _epochs, ...recipe } = source.config.training;
  const isMnist = source.dataset === 'mnist';
  return {
    config: { model: source.config.model, ...recipe, epochs: choices.epochs },
    dataset: source.dataset,
    trainSubset: isMnist ? choices.trainSubset : undefined,
    testSubset: isMnist ? choices.testSubset : undefined,
    evaluateEverySteps: isMnist && choices.evaluateEverySteps > 0 ? choices.evaluateEverySteps : undefined,
    evaluateSubset: choices.evaluateSubset ?? 500,
    backend: 'auto',
  };
}
