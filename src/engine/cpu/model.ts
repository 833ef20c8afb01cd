/**
 * A CPU reference trainer step over a whole ModelSpec: forward with saved activations, backward to
 * parameter gradients, and the loss. Slow but exact; the GPU executor is tested against it and the
 * CPU-fallback trainer runs it.
 *
 * Layer semantics: flatten is the identity on memory (NCHW is already C,H,W-contiguous per sample);
 * dense flattens its input implicitly for the same reason; dropout is the identity unless training;
 * a softmax LAST layer always outputs probabilities, but with the 'softmaxCrossEntropy' loss it is
 * fused into the loss during backprop (gradient (probs − onehot)/batch on its input logits).
 */
import type { LayerSpec, ModelSpec, Shape } from '../layers';
import { activationBackward, activationForward } from '../ops/activation/cpu';
import { conv2dBackward, conv2dForward, conv2dGeometry } from '../ops/conv2d/cpu';
import { denseBackward, denseForward } from '../ops/matmul/cpu';
import { dropoutBackward, dropoutForward } from '../ops/dropout/cpu';
import { meanSquaredError, rowArgmax, softmax, softmaxBackward, softmaxCrossEntropy } from '../ops/loss/cpu';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward, pool2dGeometry } from '../ops/pool/cpu';
import { type FloatArray, allocLike, expectInteger, expectLength } from './tensor';

/** Trainable parameters of one dense or conv2d layer (dense weight [in, out]; conv weight [outC, inC, k, k]). */
export interface LayerParams<T extends FloatArray = FloatArray> {
  weight: T;
  bias: T;
}

/** Parameters indexed by layer index; undefined for layers without parameters. */
export type ModelParams<T extends FloatArray = FloatArray> = (LayerParams<T> | undefined)[];

export interface ForwardOptions {
  /** Dropout is active only while training. */
  training: boolean;
  /** Seed and step select the dropout masks (see dropout.ts); both default to 0. */
  seed?: number;
  step?: number;
}

/** What a layer keeps from the forward pass for its backward pass (besides its input and output). */
export interface LayerSaved {
  argmax?: Int32Array;
  mask?: Uint8Array;
}

export interface ForwardResult<T extends FloatArray> {
  /** shapes[i] is the per-sample shape of activations[i]; shapes[0] is model.input. */
  shapes: Shape[];
  /** activations[0] is the input x; activations[i + 1] is the output of layer i. */
  activations: T[];
  /** saved[i] holds layer i's argmax (maxpool) or mask (dropout while training). */
  saved: LayerSaved[];
  /** The last activation: probabilities if the last layer is softmax. */
  output: T;
  training: boolean;
}

function product(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

function expectImage(layer: LayerSpec, index: number, shape: Shape): void {
  if (shape.length !== 3) {
    throw new RangeError(`layer ${index} (${layer.kind}) needs a [channels, height, width] input, got [${shape}]`);
  }
}

/** Output shape of one layer (without the batch dimension); throws RangeError when it cannot apply. */
function layerOutputShape(layer: LayerSpec, index: number, inShape: Shape): Shape {
  switch (layer.kind) {
    case 'dense':
      return [layer.units];
    case 'conv2d': {
      expectImage(layer, index, inShape);
      const g = conv2dGeometry(1, inShape, layer.filters, layer.kernel, layer.stride, layer.padding);
      return [g.outChannels, g.outHeight, g.outWidth];
    }
    case 'maxpool':
    case 'avgpool': {
      expectImage(layer, index, inShape);
      const g = pool2dGeometry(1, inShape, layer.size, layer.stride);
      return [g.channels, g.outHeight, g.outWidth];
    }
    case 'flatten':
      return [product(inShape)];
    default:
      // dropout, activations and softmax keep the shape.
      return inShape;
  }
}

/** Per-sample shapes of every activation: [model.input, output of layer 0, ..., output of the last layer]. */
export function modelActivationShapes(model: ModelSpec): Shape[] {
  const shapes: Shape[] = [model.input];
  model.layers.forEach((layer, i) => shapes.push(layerOutputShape(layer, i, shapes[i])));
  return shapes;
}

/** The expected [weight, bias] lengths of a layer with parameters, or undefined for one without. */
function paramLengths(layer: LayerSpec, inShape: Shape): [number, number] | undefined {
  if (layer.kind === 'dense') return [product(inShape) * layer.units, layer.units];
  if (layer.kind === 'conv2d') return [layer.filters * inShape[0] * layer.kernel * layer.kernel, layer.filters];
  return undefined;
}

function layerParams<T extends FloatArray>(
  model: ModelSpec,
  params: ModelParams<T>,
  index: number,
  inShape: Shape,
): LayerParams<T> {
  const lengths = paramLengths(model.layers[index], inShape);
  const p = params[index];
  if (!lengths || !p) throw new RangeError(`layer ${index} (${model.layers[index].kind}) has no parameters`);
  expectLength(`layer ${index} weight`, p.weight, lengths[0]);
  expectLength(`layer ${index} bias`, p.bias, lengths[1]);
  return p;
}

function layerForward<T extends FloatArray>(
  model: ModelSpec,
  params: ModelParams<T>,
  index: number,
  input: T,
  inShape: Shape,
  batch: number,
  opts: ForwardOptions,
): { output: T; saved: LayerSaved } {
  const layer = model.layers[index];
  switch (layer.kind) {
    case 'dense': {
      const p = layerParams(model, params, index, inShape);
      return { output: denseForward(input, p.weight, p.bias, batch, product(inShape), layer.units), saved: {} };
    }
    case 'conv2d': {
      const p = layerParams(model, params, index, inShape);
      const g = conv2dGeometry(batch, inShape, layer.filters, layer.kernel, layer.stride, layer.padding);
      return { output: conv2dForward(input, p.weight, p.bias, g), saved: {} };
    }
    case 'maxpool': {
      const { y, argmax } = maxPoolForward(input, pool2dGeometry(batch, inShape, layer.size, layer.stride));
      return { output: y, saved: { argmax } };
    }
    case 'avgpool':
      return { output: avgPoolForward(input, pool2dGeometry(batch, inShape, layer.size, layer.stride)), saved: {} };
    case 'flatten':
      return { output: input, saved: {} };
    case 'dropout': {
      if (!opts.training) return { output: input, saved: {} };
      const { y, mask } = dropoutForward(input, layer.rate, opts.seed ?? 0, opts.step ?? 0, index);
      return { output: y, saved: { mask } };
    }
    case 'relu':
    case 'sigmoid':
    case 'tanh':
      return { output: activationForward(layer.kind, input), saved: {} };
    case 'leakyRelu':
      return { output: activationForward('leakyRelu', input, layer.alpha), saved: {} };
    case 'softmax':
      return { output: softmax(input, batch, product(inShape)), saved: {} };
  }
}

/** Runs the model on x ([batch, ...model.input]) and keeps every activation for backwardModel. */
export function forwardModel<T extends FloatArray>(
  model: ModelSpec,
  params: ModelParams<T>,
  x: T,
  batch: number,
  opts: ForwardOptions,
): ForwardResult<T> {
  expectInteger('batch', batch, 0);
  const shapes = modelActivationShapes(model);
  expectLength('forwardModel x', x, batch * product(model.input));
  const activations: T[] = [x];
  const saved: LayerSaved[] = [];
  for (let i = 0; i < model.layers.length; i++) {
    const { output, saved: s } = layerForward(model, params, i, activations[i], shapes[i], batch, opts);
    activations.push(output);
    saved.push(s);
  }
  return { shapes, activations, saved, output: activations[activations.length - 1], training: opts.training };
}

/** Gradient w.r.t. layer `index`'s input given dOut w.r.t. its output; writes its parameter gradients into grads. */
function layerBackward<T extends FloatArray>(
  model: ModelSpec,
  params: ModelParams<T>,
  forward: ForwardResult<T>,
  index: number,
  dOut: T,
  batch: number,
  grads: ModelParams<T>,
): T {
  const layer = model.layers[index];
  const input = forward.activations[index];
  const output = forward.activations[index + 1];
  const inShape = forward.shapes[index];
  switch (layer.kind) {
    case 'dense': {
      const p = layerParams(model, params, index, inShape);
      const { dx, dw, db } = denseBackward(input, p.weight, dOut, batch, product(inShape), layer.units);
      grads[index] = { weight: dw, bias: db };
      return dx;
    }
    case 'conv2d': {
      const p = layerParams(model, params, index, inShape);
      const g = conv2dGeometry(batch, inShape, layer.filters, layer.kernel, layer.stride, layer.padding);
      const { dx, dw, db } = conv2dBackward(input, p.weight, dOut, g);
      grads[index] = { weight: dw, bias: db };
      return dx;
    }
    case 'maxpool': {
      const g = pool2dGeometry(batch, inShape, layer.size, layer.stride);
      const argmax = forward.saved[index].argmax;
      if (!argmax) throw new Error(`layer ${index} (maxpool) has no saved argmax`);
      return maxPoolBackward(dOut, argmax, g, input.length);
    }
    case 'avgpool':
      return avgPoolBackward(dOut, pool2dGeometry(batch, inShape, layer.size, layer.stride));
    case 'flatten':
      return dOut;
    case 'dropout': {
      if (!forward.training) return dOut; // identity in eval mode
      const mask = forward.saved[index].mask;
      if (!mask) throw new Error(`layer ${index} (dropout) has no saved mask`);
      return dropoutBackward(dOut, mask, layer.rate);
    }
    case 'relu':
    case 'sigmoid':
    case 'tanh':
      return activationBackward(layer.kind, input, output, dOut);
    case 'leakyRelu':
      return activationBackward('leakyRelu', input, output, dOut, layer.alpha);
    case 'softmax':
      return softmaxBackward(output, dOut, batch, product(inShape));
  }
}

export interface BackwardResult<T extends FloatArray> {
  /** Parameter gradients indexed by layer, shaped like params; undefined for layers without parameters. */
  grads: ModelParams<T>;
  /** Gradient w.r.t. the model input x. */
  dInput: T;
}

/**
 * Backpropagates dOutput, the loss gradient w.r.t. the output of layer `fromLayer` (default: the
 * last layer, i.e. forward.output), through layers fromLayer..0.
 */
export function backwardModel<T extends FloatArray>(
  model: ModelSpec,
  params: ModelParams<T>,
  forward: ForwardResult<T>,
  dOutput: T,
  batch: number,
  fromLayer = model.layers.length - 1,
): BackwardResult<T> {
  if (!Number.isInteger(fromLayer) || fromLayer < -1 || fromLayer >= model.layers.length) {
    throw new RangeError(`backwardModel: fromLayer ${fromLayer} is not a layer index`);
  }
  expectLength('backwardModel dOutput', dOutput, forward.activations[fromLayer + 1].length);
  const grads: ModelParams<T> = new Array(model.layers.length).fill(undefined);
  let d = dOutput;
  for (let i = fromLayer; i >= 0; i--) d = layerBackward(model, params, forward, i, d, batch, grads);
  return { grads, dInput: d };
}

export interface LossAndGradients<T extends FloatArray> {
  /** Mean loss over the batch. */
  loss: number;
  /** Rows whose predicted class matches the label (or the target's argmax for mse; see lossAndGradients). */
  correct: number;
  grads: ModelParams<T>;
  forward: ForwardResult<T>;
}

/** The mse targets as a [batch, outFeatures] array: used as given, or one-hot encoded from batch labels. */
function mseTargets(targets: ArrayLike<number>, batch: number, features: number): ArrayLike<number> {
  if (targets.length === batch * features) return targets;
  if (targets.length !== batch) {
    throw new RangeError(`mse targets: expected ${batch * features} values or ${batch} labels, got ${targets.length}`);
  }
  const onehot = new Float64Array(batch * features);
  for (let b = 0; b < batch; b++) {
    const label = targets[b];
    if (!Number.isInteger(label) || label < 0 || label >= features) {
      throw new RangeError(`mse label ${label} at row ${b} is not a class in [0, ${features})`);
    }
    onehot[b * features + label] = 1;
  }
  return onehot;
}

/** Is the prediction of row b right? argmax match, or for a single output, both sides of 0.5. */
function rowCorrect(pred: ArrayLike<number>, target: ArrayLike<number>, b: number, features: number): boolean {
  if (features === 1) return pred[b] >= 0.5 === target[b] >= 0.5;
  return rowArgmax(pred, b, features) === rowArgmax(target, b, features);
}

/**
 * One training step's loss and parameter gradients.
 * 'softmaxCrossEntropy': `labelsOrTargets` holds one class per row; a final softmax layer is fused
 *   into the loss, otherwise the model output is taken as logits.
 * 'mse': `labelsOrTargets` holds batch·outFeatures targets, or batch class labels to one-hot encode.
 */
export function lossAndGradients<T extends FloatArray>(
  model: ModelSpec,
  params: ModelParams<T>,
  x: T,
  labelsOrTargets: ArrayLike<number>,
  batch: number,
  opts: ForwardOptions,
): LossAndGradients<T> {
  const forward = forwardModel(model, params, x, batch, opts);
  const last = model.layers.length - 1;
  if (model.loss === 'softmaxCrossEntropy') {
    const fused = last >= 0 && model.layers[last].kind === 'softmax';
    const logitsLayer = fused ? last - 1 : last; // the layer whose output is the logits
    const logits = forward.activations[logitsLayer + 1];
    const classes = product(forward.shapes[logitsLayer + 1]);
    const ce = softmaxCrossEntropy(logits, labelsOrTargets, batch, classes);
    const { grads } = backwardModel(model, params, forward, ce.dLogits, batch, logitsLayer);
    return { loss: ce.loss, correct: ce.correct, grads, forward };
  }
  const features = product(forward.shapes[last + 1]);
  const targets = mseTargets(labelsOrTargets, batch, features);
  const { loss, dPred } = meanSquaredError(forward.output, targets);
  const { grads } = backwardModel(model, params, forward, dPred, batch);
  let correct = 0;
  for (let b = 0; b < batch; b++) if (rowCorrect(forward.output, targets, b, features)) correct++;
  return { loss, correct, grads, forward };
}

/** Zero-filled parameter arrays shaped for the model (a convenient start for tests and accumulators). */
export function zeroParams<T extends FloatArray>(model: ModelSpec, like: T): ModelParams<T> {
  const shapes = modelActivationShapes(model);
  return model.layers.map((layer, i) => {
    const lengths = paramLengths(layer, shapes[i]);
    return lengths ? { weight: allocLike(like, lengths[0]), bias: allocLike(like, lengths[1]) } : undefined;
  });
}
