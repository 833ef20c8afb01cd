/**
 * Where the Train view's network comes from: a builder link (`#/train?c=…`, decoded by src/config)
 * or one of the presets. Also the one-line summary shown for it and the job it trains.
 */
import { configFromPreset, decodeConfig, type Config } from '../../config';
import type { LayerSpec } from '../../engine/layers';
import { PRESETS, type PresetName } from '../../engine/presets';
import { inferModel } from '../../engine/shapes';
import type { DatasetName, TrainingJob } from '../../worker/protocol';

export interface ModelSource {
  /** 'link' or a preset name. */
  id: 'link' | PresetName;
  title: string;
  config: Config;
  dataset: DatasetName;
  /** The encoded config, for the link back to the builder (link sources only). */
  encoded?: string;
}

/** The source a `c=` link describes, with the decoder's sentences when parts were unusable. */
export function sourceFromLink(encoded: string | null): { source: ModelSource | null; errors: string[] } {
  if (!encoded) return { source: null, errors: [] };
  const r = decodeConfig(encoded);
  if (r.errors.length && !r.partial) return { source: null, errors: r.errors };
  const c = r.config;
  const title = c.preset ? `${PRESETS[c.preset].title} (from the builder)` : 'Your network from the builder';
  return { source: { id: 'link', title, config: c, dataset: datasetFor(c), encoded }, errors: r.errors };
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

/** "Conv 32×3×3 → ReLU → … · 347,146 weights · Adam, learning rate 0.001, batch 64" */
export function summarise(config: Config): string {
  const a = inferModel(config.model);
  const t = config.training;
  const opt = t.optimizer.kind === 'sgd' ? 'SGD' : t.optimizer.kind === 'adam' ? 'Adam' : 'RMSprop';
  return [
    config.model.layers.map(layerText).join(' → '),
    `${a.totals.params.toLocaleString('en-US')} weights`,
    `${opt}, learning rate ${t.optimizer.learningRate}, batch ${t.batchSize}`,
  ].join(' · ');
}

/** The job for a source with the page's choices (subset, epochs, mid-epoch evaluation). */
export function jobFor(
  source: ModelSource,
  choices: { epochs: number; trainSubset: number; testSubset?: number; evaluateEverySteps: number },
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
    evaluateSubset: 500,
    backend: 'auto',
  };
}
