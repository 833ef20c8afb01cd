/**
 * Deterministic weight initialisation. Every layer draws from its own counter-based stream
 * (RandomStream.init * 1000 + layerIndex), so adding a layer never changes the others' weights and
 * the same seed always rebuilds the same network.
 */
import type { LayerSpec, ModelSpec } from './layers';
import { RandomStream, SeededRandom } from './rng';
import { parameterShapes, type ParameterShape } from './shapes';

/**
 * 'auto': He-normal before ReLU-like activations, Glorot-uniform otherwise; 'he' / 'glorot' force
 * one; 'pytorch': PyTorch's default for Conv2d and Linear (kaiming_uniform with a = √5, which is
 * U(±1/√fan_in) for weights, and the same bound for biases).
 */
export type InitScheme = 'auto' | 'he' | 'glorot' | 'pytorch';

export interface LayerParameters {
  /** Layout from `parameterShapes`: dense [in, out], conv2d [outC, inC, k, k]. */
  weight: Float32Array;
  bias: Float32Array;
}

/** The random stream a layer's initial weights come from. */
export function initStream(layerIndex: number): number {
  return RandomStream.init * 1000 + layerIndex;
}

/**
 * The activation that acts on a parametrised layer's output: the first activation after it,
 * looking through shape-only layers (dropout, flatten, pooling) which don't change which
 * nonlinearity the weights feed; null when another dense/conv layer, softmax or the end comes first.
 */
export function followingActivation(layers: LayerSpec[], layerIndex: number): LayerSpec | null {
  for (let i = layerIndex + 1; i < layers.length; i++) {
    const kind = layers[i].kind;
    if (kind === 'dropout' || kind === 'flatten' || kind === 'maxpool' || kind === 'avgpool') continue;
    if (kind === 'relu' || kind === 'leakyRelu' || kind === 'sigmoid' || kind === 'tanh') return layers[i];
    return null;
  }
  return null;
}

/**
 * Standard deviation of He (Kaiming) normal init, fan_in mode: gain / sqrt(fan_in), with PyTorch's
 * gain for ReLU, sqrt(2), or for leaky ReLU with slope a, sqrt(2 / (1 + a²)).
 */
export function heNormalStd(fanIn: number, leakySlope = 0): number {
  return Math.sqrt(2 / (1 + leakySlope * leakySlope)) / Math.sqrt(fanIn);
}

/** Bound of Glorot (Xavier) uniform init: weights are U(-b, b) with b = sqrt(6 / (fan_in + fan_out)). */
export function glorotUniformBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

/**
 * Initial parameters for every dense/conv layer, keyed by layer index; biases are zero.
 * 'auto' uses He-normal when the layer feeds a ReLU or leaky ReLU and Glorot-uniform otherwise
 * (sigmoid, tanh, softmax, none); 'he' and 'glorot' force one scheme. Throws on an invalid model.
 */
export function initParameters(
  model: ModelSpec,
  seed: number,
  scheme: InitScheme = 'auto',
): Map<number, LayerParameters> {
  const result = new Map<number, LayerParameters>();
  for (const shape of parameterShapes(model)) {
    if (scheme === 'pytorch') {
      result.set(shape.layerIndex, pytorchDefault(shape, seed));
      continue;
    }
    const next = followingActivation(model.layers, shape.layerIndex);
    const useHe = scheme === 'he' || (scheme === 'auto' && (next?.kind === 'relu' || next?.kind === 'leakyRelu'));
    const slope = next?.kind === 'leakyRelu' ? next.alpha : 0;
    result.set(shape.layerIndex, {
      weight: useHe ? heWeights(shape, seed, slope) : glorotWeights(shape, seed),
      bias: new Float32Array(shape.biasCount),
    });
  }
  return result;
}

function heWeights(shape: ParameterShape, seed: number, slope: number): Float32Array {
  const rng = new SeededRandom(seed, initStream(shape.layerIndex));
  const std = heNormalStd(shape.fanIn, slope);
  const w = new Float32Array(shape.weightCount);
  for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
  return w;
}

function glorotWeights(shape: ParameterShape, seed: number): Float32Array {
  const rng = new SeededRandom(seed, initStream(shape.layerIndex));
  const bound = glorotUniformBound(shape.fanIn, shape.fanOut);
  const w = new Float32Array(shape.weightCount);
  // next() is in [0, 1) with 24 bits, so 2u - 1 is in [-1, 1) and the f32 result stays within the bound.
  for (let i = 0; i < w.length; i++) w[i] = bound * (2 * rng.next() - 1);
  return w;
}

/** PyTorch's default: weights and biases U(−b, b) with b = 1/√fan_in (bias from its own stream offset). */
function pytorchDefault(shape: ParameterShape, seed: number): LayerParameters {
  const rng = new SeededRandom(seed, initStream(shape.layerIndex));
  const bound = 1 / Math.sqrt(shape.fanIn);
  const weight = new Float32Array(shape.weightCount);
  for (let i = 0; i < weight.length; i++) weight[i] = bound * (2 * rng.next() - 1);
  const bias = new Float32Array(shape.biasCount);
  for (let i = 0; i < bias.length; i++) bias[i] = bound * (2 * rng.next() - 1);
  return { weight, bias };
}
