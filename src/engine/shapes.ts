/**
 * Shape inference, parameter counts, FLOPs and memory estimates for a `ModelSpec`.
 * `inferModel` never throws: any problem, even a malformed spec from a hand-edited URL, comes back
 * as a plain-English error on the layer that caused it, so the builder can show it in place.
 *
 * FLOP conventions (per image, forward pass; a multiply-add counts as 2 FLOPs; exp, division and
 * comparisons count 1 each):
 *   dense    2·in·out + out (bias)
 *   conv2d   2·(inC·k·k)·(outC·outH·outW) + outC·outH·outW (bias); padded taps count like real ones
 *   maxpool  (size² − 1) comparisons per output element
 *   avgpool  size² per output element (size² − 1 adds and one multiply by 1/size²)
 *   relu 1, leakyRelu 2 (compare, multiply), sigmoid 4 and tanh 4 (negate/exp/add/divide) per element
 *   softmax  5 per element (max, subtract, exp, sum, divide)
 *   dropout  1 per element (the training-time multiply by mask/(1 − rate)); flatten 0
 */
import type { LayerSpec, ModelSpec, Shape } from './layers';
import { OPTIMIZER_DEFAULTS, optimizerStateSlots, type OptimizerConfig, type OptimizerKind } from './ops/optimizer/cpu';

/** Upper bounds that keep a model trainable in a browser tab; each has an error message. */
export const MODEL_LIMITS = {
  maxInputDim: 4096,
  maxUnits: 65536,
  maxFilters: 1024,
  maxKernel: 11,
  maxPoolSize: 16,
  maxStride: 16,
  maxTotalParams: 50_000_000,
  /** Per image per layer: 4M floats = 16 MB, already 1 GB for a batch of 64. */
  maxActivationElements: 4 * 1024 * 1024,
} as const;

/** What inference found for one layer; shapes are null where they could not be computed. */
export interface LayerAnalysis {
  index: number;
  layer: LayerSpec;
  inputShape: Shape | null;
  outputShape: Shape | null;
  params: number;
  flopsPerImage: number;
  /** Bytes of this layer's f32 output per image (flatten is a view: 0). */
  activationBytesPerImage: number;
  error?: string;
}

export interface ModelAnalysis {
  layers: LayerAnalysis[];
  /** Shape of the whole model's output, or null when there is an error. */
  outputShape: Shape | null;
  totals: {
    params: number;
    flopsPerImage: number;
    activationBytesPerImage: number;
    ok: boolean;
    /** index -1 means the model itself (its input shape or loss), not a layer. */
    firstError?: { index: number; message: string };
  };
}

/** Message on every layer after the first problem. */
export const DEPENDS_ON_EARLIER_ERROR = 'depends on an earlier layer that has a problem';

type LayerResult = { output: Shape; params: number; flops: number } | { error: string };

const LOSSES = ['softmaxCrossEntropy', 'mse'];

/** Infers every layer's shapes, parameters and costs; never throws. */
export function inferModel(model: ModelSpec): ModelAnalysis {
  const spec = (typeof model === 'object' && model !== null ? model : {}) as Partial<ModelSpec>;
  const layers: unknown[] = Array.isArray(spec.layers) ? spec.layers : [];
  const result: LayerAnalysis[] = [];
  let firstError: { index: number; message: string } | undefined;
  const modelError =
    checkInput(spec.input) ??
    checkLoss(spec.loss) ??
    (Array.isArray(spec.layers) ? null : 'The model has no list of layers.');
  if (modelError) firstError = { index: -1, message: modelError };

  let shape: Shape | null = firstError ? null : [...(spec.input as Shape)];
  let params = 0;
  let flops = 0;
  let bytes = 0;
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index] as LayerSpec;
    if (firstError || shape === null) {
      result.push(emptyAnalysis(index, layer, null, DEPENDS_ON_EARLIER_ERROR));
      continue;
    }
    const step = analyseLayer(layer, shape, index === layers.length - 1);
    let error = 'error' in step ? step.error : undefined;
    if (!('error' in step)) {
      const elements = product(step.output);
      if (elements > MODEL_LIMITS.maxActivationElements) {
        error =
          `This layer outputs ${fmt(elements)} numbers per image (${shapeText(step.output)}), more than the ` +
          `${fmt(MODEL_LIMITS.maxActivationElements)} that fit in GPU memory. Use fewer filters or add pooling.`;
      } else if (params + step.params > MODEL_LIMITS.maxTotalParams) {
        error =
          `This layer brings the model to ${fmt(params + step.params)} parameters; the limit is ` +
          `${fmt(MODEL_LIMITS.maxTotalParams)}. Use fewer units or filters, or add pooling before Flatten.`;
      }
    }
    if (error !== undefined || 'error' in step) {
      const message = error ?? 'unknown problem';
      firstError = { index, message };
      result.push(emptyAnalysis(index, layer, shape, message));
      shape = null;
      continue;
    }
    const activationBytesPerImage = layer.kind === 'flatten' ? 0 : product(step.output) * 4;
    result.push({
      index,
      layer,
      inputShape: shape,
      outputShape: step.output,
      params: step.params,
      flopsPerImage: step.flops,
      activationBytesPerImage,
    });
    params += step.params;
    flops += step.flops;
    bytes += activationBytesPerImage;
    shape = step.output;
  }

  if (!firstError && shape !== null && spec.loss === 'softmaxCrossEntropy' && (shape.length !== 1 || shape[0] < 2)) {
    const message =
      `The cross-entropy loss needs the model to end with a flat list of at least 2 class scores, ` +
      `but it ends with ${shapeText(shape)}. End the model with Flatten and a Dense layer with one unit per class.`;
    const last = result.length - 1;
    firstError = { index: last, message };
    if (last >= 0) result[last] = { ...result[last], error: message };
  }
  const ok = firstError === undefined;
  return {
    layers: result,
    outputShape: ok ? shape : null,
    totals: { params, flopsPerImage: flops, activationBytesPerImage: bytes, ok, ...(firstError ? { firstError } : {}) },
  };
}

function emptyAnalysis(index: number, layer: LayerSpec, inputShape: Shape | null, error: string): LayerAnalysis {
  return {
    index,
    layer,
    inputShape,
    outputShape: null,
    params: 0,
    flopsPerImage: 0,
    activationBytesPerImage: 0,
    error,
  };
}

function checkInput(input: unknown): string | null {
  if (!Array.isArray(input) || (input.length !== 1 && input.length !== 3)) {
    return 'The input shape must be [features] or [channels, height, width].';
  }
  for (const d of input) {
    if (!Number.isInteger(d) || d < 1 || d > MODEL_LIMITS.maxInputDim) {
      return `Every input size must be a whole number from 1 to ${MODEL_LIMITS.maxInputDim}; got ${shapeText(input)}.`;
    }
  }
  return null;
}

function checkLoss(loss: unknown): string | null {
  return LOSSES.includes(loss as string) ? null : `The loss must be one of ${LOSSES.join(', ')}.`;
}

/** Checks `value` is an integer in [min, max]; returns a message naming `what` otherwise. */
function checkInt(value: unknown, what: string, min: number, max: number): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value))
    return `${what} must be a whole number (got ${String(value)}).`;
  if (value < min || value > max) return `${what} must be between ${min} and ${fmt(max)} (got ${value}).`;
  return null;
}

function analyseLayer(layer: LayerSpec, input: Shape, isLast: boolean): LayerResult {
  if (typeof layer !== 'object' || layer === null) return { error: 'This layer is not a layer description.' };
  const size = product(input);
  switch (layer.kind) {
    case 'dense': {
      if (input.length !== 1) {
        return {
          error: `Dense needs a flat list of numbers, but it receives ${shapeText(input)}. Add a Flatten layer before it.`,
        };
      }
      const bad = checkInt(layer.units, 'Units', 1, MODEL_LIMITS.maxUnits);
      if (bad) return { error: bad };
      const inF = input[0];
      const out = layer.units;
      return { output: [out], params: inF * out + out, flops: 2 * inF * out + out };
    }
    case 'conv2d': {
      if (input.length !== 3) return { error: needsImage('Conv2D', input) };
      const bad =
        checkInt(layer.filters, 'Filters', 1, MODEL_LIMITS.maxFilters) ??
        checkInt(layer.kernel, 'Kernel size', 1, MODEL_LIMITS.maxKernel) ??
        checkInt(layer.stride, 'Stride', 1, MODEL_LIMITS.maxStride) ??
        checkInt(layer.padding, 'Padding', 0, Math.max(0, (layer.kernel as number) - 1));
      if (bad) return { error: bad };
      const [c, h, w] = input;
      const { kernel: k, stride: s, padding: p, filters } = layer;
      if (k > h + 2 * p || k > w + 2 * p) {
        return {
          error:
            `The ${k}×${k} kernel is larger than its ${h}×${w} input` +
            (p > 0 ? ` (${h + 2 * p}×${w + 2 * p} with padding ${p}). ` : '. ') +
            'Use a smaller kernel, add padding, or remove an earlier pooling layer.',
        };
      }
      const oh = Math.floor((h + 2 * p - k) / s) + 1;
      const ow = Math.floor((w + 2 * p - k) / s) + 1;
      const outputs = filters * oh * ow;
      return {
        output: [filters, oh, ow],
        params: c * k * k * filters + filters,
        flops: 2 * c * k * k * outputs + outputs,
      };
    }
    case 'maxpool':
    case 'avgpool': {
      const name = layer.kind === 'maxpool' ? 'Max pooling' : 'Average pooling';
      if (input.length !== 3) return { error: needsImage(name, input) };
      const bad =
        checkInt(layer.size, 'Pool size', 1, MODEL_LIMITS.maxPoolSize) ??
        checkInt(layer.stride, 'Stride', 1, MODEL_LIMITS.maxStride);
      if (bad) return { error: bad };
      const [c, h, w] = input;
      const { size: k, stride: s } = layer;
      if (k > h || k > w) {
        return {
          error: `The ${k}×${k} pooling window is larger than its ${h}×${w} input. Use a smaller window or remove an earlier pooling layer.`,
        };
      }
      const outputs = c * (Math.floor((h - k) / s) + 1) * (Math.floor((w - k) / s) + 1);
      const perOutput = layer.kind === 'maxpool' ? k * k - 1 : k * k;
      return {
        output: [c, Math.floor((h - k) / s) + 1, Math.floor((w - k) / s) + 1],
        params: 0,
        flops: perOutput * outputs,
      };
    }
    case 'flatten':
      return { output: [size], params: 0, flops: 0 };
    case 'dropout': {
      const r = layer.rate;
      if (typeof r !== 'number' || !(r >= 0 && r < 1)) {
        return {
          error: `The dropout rate is the fraction of values dropped: it must be at least 0 and below 1 (got ${String(r)}).`,
        };
      }
      return { output: [...input], params: 0, flops: size };
    }
    case 'relu':
      return { output: [...input], params: 0, flops: size };
    case 'leakyRelu': {
      const a = layer.alpha;
      if (typeof a !== 'number' || !(a >= 0 && a <= 1)) {
        return { error: `The leaky ReLU slope must be between 0 and 1 (got ${String(a)}).` };
      }
      return { output: [...input], params: 0, flops: 2 * size };
    }
    case 'sigmoid':
    case 'tanh':
      return { output: [...input], params: 0, flops: 4 * size };
    case 'softmax':
      if (!isLast)
        return { error: 'Softmax can only be the last layer: it turns the final scores into probabilities.' };
      if (input.length !== 1)
        return {
          error: `Softmax needs a flat list of scores, but it receives ${shapeText(input)}. Add Flatten and a Dense layer before it.`,
        };
      return { output: [...input], params: 0, flops: 5 * size };
    default:
      return { error: `Unknown layer kind "${String((layer as { kind?: unknown }).kind)}".` };
  }
}

function needsImage(name: string, input: Shape): string {
  return (
    `${name} needs an image-shaped input [channels, height, width], but it receives a flat list ${shapeText(input)}. ` +
    'Put image layers before Flatten and Dense layers.'
  );
}

function product(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

function shapeText(shape: unknown): string {
  return Array.isArray(shape) ? `[${shape.map(String).join(', ')}]` : String(shape);
}

function fmt(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Bytes of the MNIST set held for training: 70,000 u8 images of 784 pixels plus 70,000 u8 labels. */
export const MNIST_DATASET_BYTES = 60000 * 784 + 10000 * 784 + 60000 + 10000;

export interface TrainingMemoryEstimate {
  params: number;
  gradients: number;
  optimizerState: number;
  /** batch × (input + every layer's output saved for backward + one gradient per layer output). */
  activations: number;
  dataset: number;
  total: number;
}

/** Estimated bytes a training run needs (all tensors f32; layers with errors count as zero). */
export function estimateTrainingMemory(
  model: ModelSpec,
  batch: number,
  optimizer: OptimizerConfig | OptimizerKind,
  datasetBytes: number = MNIST_DATASET_BYTES,
): TrainingMemoryEstimate {
  const analysis = inferModel(model);
  const config = typeof optimizer === 'string' ? OPTIMIZER_DEFAULTS[optimizer] : optimizer;
  const paramBytes = analysis.totals.params * 4;
  const inputBytes = Array.isArray(model.input) && checkInput(model.input) === null ? product(model.input) * 4 : 0;
  const activations = batch * (inputBytes + 2 * analysis.totals.activationBytesPerImage);
  const optimizerState = optimizerStateSlots(config) * paramBytes;
  return {
    params: paramBytes,
    gradients: paramBytes,
    optimizerState,
    activations,
    dataset: datasetBytes,
    total: paramBytes * 2 + optimizerState + activations + datasetBytes,
  };
}

/** Shapes of one parametrised layer's tensors, in the layouts the engine stores them. */
export interface ParameterShape {
  layerIndex: number;
  kind: 'dense' | 'conv2d';
  /** dense: [in, out]; conv2d: [outC, inC, k, k]. */
  weight: Shape;
  bias: Shape;
  weightCount: number;
  biasCount: number;
  /** Inputs and outputs one weight connects, as PyTorch's init computes them (conv: channels × k²). */
  fanIn: number;
  fanOut: number;
}

/** Weight and bias shapes of every dense/conv layer; throws if the model has an error. */
export function parameterShapes(model: ModelSpec): ParameterShape[] {
  const analysis = inferModel(model);
  if (!analysis.totals.ok) {
    const e = analysis.totals.firstError!;
    throw new Error(`parameterShapes: the model is invalid (layer ${e.index}: ${e.message})`);
  }
  const shapes: ParameterShape[] = [];
  for (const a of analysis.layers) {
    const layer = a.layer;
    const input = a.inputShape!;
    if (layer.kind === 'dense') {
      const inF = input[0];
      shapes.push({
        layerIndex: a.index,
        kind: 'dense',
        weight: [inF, layer.units],
        bias: [layer.units],
        weightCount: inF * layer.units,
        biasCount: layer.units,
        fanIn: inF,
        fanOut: layer.units,
      });
    } else if (layer.kind === 'conv2d') {
      const inC = input[0];
      const k = layer.kernel;
      shapes.push({
        layerIndex: a.index,
        kind: 'conv2d',
        weight: [layer.filters, inC, k, k],
        bias: [layer.filters],
        weightCount: layer.filters * inC * k * k,
        biasCount: layer.filters,
        fanIn: inC * k * k,
        fanOut: layer.filters * k * k,
      });
    }
  }
  return shapes;
}
