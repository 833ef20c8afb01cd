/** What the builder says about each layer kind: its name, a one-line explanation, and its options. */
import type { LayerKind, LayerSpec } from '../../engine/layers';
import { BOUNDS, type Bound } from '../../config';

export type LayerCategory = 'conv' | 'pool' | 'dense' | 'activation' | 'reshape' | 'regularize' | 'output';

export interface LayerField {
  key: string;
  label: string;
  bound: Bound;
}

export interface LayerInfo {
  label: string;
  /** A name short enough for a diagram box. */
  short?: string;
  /** One plain-English line for the palette. */
  explain: string;
  category: LayerCategory;
  fields: LayerField[];
}

/** Every layer kind the engine supports, in palette order. */
export const LAYER_INFO: Record<LayerKind, LayerInfo> = {
  conv2d: {
    label: 'Conv2D',
    category: 'conv',
    explain: 'Slides small learned filters over the image to find edges, strokes and shapes.',
    fields: [
      { key: 'filters', label: 'Filters', bound: BOUNDS.filters },
      { key: 'kernel', label: 'Kernel size', bound: BOUNDS.kernel },
      { key: 'stride', label: 'Stride', bound: BOUNDS.convStride },
      { key: 'padding', label: 'Padding', bound: BOUNDS.padding },
    ],
  },
  maxpool: {
    label: 'Max pooling',
    short: 'Max pool',
    category: 'pool',
    explain: 'Shrinks the image by keeping the largest value in each small window.',
    fields: [
      { key: 'size', label: 'Window', bound: BOUNDS.poolSize },
      { key: 'stride', label: 'Stride', bound: BOUNDS.poolStride },
    ],
  },
  avgpool: {
    label: 'Average pooling',
    short: 'Avg pool',
    category: 'pool',
    explain: 'Shrinks the image by averaging each small window.',
    fields: [
      { key: 'size', label: 'Window', bound: BOUNDS.poolSize },
      { key: 'stride', label: 'Stride', bound: BOUNDS.poolStride },
    ],
  },
  flatten: {
    label: 'Flatten',
    category: 'reshape',
    explain: 'Unrolls an image into one long list of numbers so Dense layers can read it.',
    fields: [],
  },
  dense: {
    label: 'Dense',
    category: 'dense',
    explain: 'Every output neuron looks at every input number with its own weight.',
    fields: [{ key: 'units', label: 'Units', bound: BOUNDS.units }],
  },
  dropout: {
    label: 'Dropout',
    category: 'regularize',
    explain: 'While training, switches off a random share of values so the network cannot rely on any one.',
    fields: [{ key: 'rate', label: 'Rate', bound: BOUNDS.dropoutRate }],
  },
  relu: {
    label: 'ReLU',
    category: 'activation',
    explain: 'Keeps positive values and turns negative ones into 0.',
    fields: [],
  },
  leakyRelu: {
    label: 'Leaky ReLU',
    category: 'activation',
    explain: 'Like ReLU, but lets a small slope of the negative values through.',
    fields: [{ key: 'alpha', label: 'Slope', bound: BOUNDS.leakyAlpha }],
  },
  sigmoid: {
    label: 'Sigmoid',
    category: 'activation',
    explain: 'Squashes every value into the range 0 to 1.',
    fields: [],
  },
  tanh: {
    label: 'Tanh',
    category: 'activation',
    explain: 'Squashes every value into the range −1 to 1.',
    fields: [],
  },
  softmax: {
    label: 'Softmax',
    category: 'output',
    explain: 'Turns the final scores into probabilities that add up to 1 (last layer only).',
    fields: [],
  },
};

export const LAYER_KINDS = Object.keys(LAYER_INFO) as LayerKind[];

/** A short description of one layer's settings, e.g. "32 filters, 3×3". */
export function layerSummary(layer: LayerSpec): string {
  switch (layer.kind) {
    case 'conv2d':
      return `${layer.filters} filters ${layer.kernel}×${layer.kernel}`;
    case 'maxpool':
    case 'avgpool':
      return `${layer.size}×${layer.size}`;
    case 'dense':
      return `${layer.units} units`;
    case 'dropout':
      return `rate ${layer.rate}`;
    case 'leakyRelu':
      return `slope ${layer.alpha}`;
    default:
      return '';
  }
}
