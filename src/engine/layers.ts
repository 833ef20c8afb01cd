/**
 * The model description the whole app shares: the builder edits it, the config schema serialises
 * it, shape inference checks it, and the CPU reference and GPU executor run it.
 */

/** Output activation applied element-wise. */
export type ActivationKind = 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh';

export type LayerSpec =
  | { kind: 'dense'; units: number }
  /** Square kernel; `padding` is zero padding on every side (0 = "valid"). */
  | { kind: 'conv2d'; filters: number; kernel: number; stride: number; padding: number }
  | { kind: 'maxpool'; size: number; stride: number }
  | { kind: 'avgpool'; size: number; stride: number }
  | { kind: 'flatten' }
  /** Inverted dropout: active only while training; `rate` is the fraction dropped. */
  | { kind: 'dropout'; rate: number }
  | { kind: 'relu' }
  | { kind: 'leakyRelu'; alpha: number }
  | { kind: 'sigmoid' }
  | { kind: 'tanh' }
  /** Only as the last layer; fused with cross-entropy during training. */
  | { kind: 'softmax' };

export type LayerKind = LayerSpec['kind'];

export type LossKind = 'softmaxCrossEntropy' | 'mse';

/** A shape without the batch dimension: [features] for flat data, [channels, height, width] for images. */
export type Shape = number[];

export interface ModelSpec {
  /** [1, 28, 28] for MNIST, [2] for the toy perceptron set. */
  input: Shape;
  layers: LayerSpec[];
  loss: LossKind;
}

/** Layers that own trainable parameters. */
export function hasParameters(layer: LayerSpec): layer is Extract<LayerSpec, { kind: 'dense' | 'conv2d' }> {
  return layer.kind === 'dense' || layer.kind === 'conv2d';
}

export function isActivation(layer: LayerSpec): layer is Extract<LayerSpec, { kind: ActivationKind }> {
  return layer.kind === 'relu' || layer.kind === 'leakyRelu' || layer.kind === 'sigmoid' || layer.kind === 'tanh';
}
