/**
 * Turns a ModelSpec into an execution plan for the GPU: which activation buffer each layer reads
 * and writes, where every weight and bias lives inside the ONE flat parameter buffer, and which
 * layers need an input gradient. Which layers run no kernel at all (flatten, a ReLU fused into
 * the conv before it, the final softmax fused into the loss) is decided in fusion.ts; the plan
 * copies those decisions onto its steps. Pure and GPU-free, so it is tested on its own and shared
 * by the trainer and the per-layer cost panel.
 */
import type { LayerSpec, ModelSpec, Shape } from '../layers';
import { inferModel } from '../shapes';
import { decideFusion } from './fusion';

/** Elements of a shape (without the batch dimension). */
export function shapeSize(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export interface TensorSlot {
  /** Index into the plan's activation list; gradients use the same index. */
  id: number;
  /** Elements per example. */
  size: number;
  shape: Shape;
  /** Only a gradient lives here (no activation): e.g. dL/d(pre-ReLU) of a dense layer with a fused ReLU. */
  gradientOnly?: boolean;
}

export interface ParamRange {
  /** Offset in floats inside the flat parameter (and gradient) buffer. */
  offset: number;
  /** Number of floats. */
  length: number;
}

export type LayerRole =
  | 'dense'
  | 'conv2d'
  | 'maxpool'
  | 'avgpool'
  | 'activation'
  | 'dropout'
  /** No kernel: the output is the input's memory (flatten, fused ReLU, fused softmax). */
  | 'alias';

export interface LayerStep {
  index: number;
  layer: LayerSpec;
  role: LayerRole;
  input: TensorSlot;
  output: TensorSlot;
  inputShape: Shape;
  outputShape: Shape;
  weight?: ParamRange;
  bias?: ParamRange;
  /** conv2d and dense: a ReLU that follows is done inside this layer's kernels. */
  fusedRelu?: boolean;
  /** dense with a fused ReLU: where dL/d(pre-activation) = dL/dy · (y > 0) is written in backward. */
  preActivationGradient?: TensorSlot;
  /**
   * dense with a fused ReLU followed by dropout: the dropout's mask also drops where y = 0, so its
   * backward pass already gives dL/d(pre-activation) and this layer runs no ReLU backward.
   */
  reluBackwardInDropout?: boolean;
  /** dropout right after such a dense layer: its forward pass folds that ReLU into the mask. */
  foldsRelu?: boolean;
  /**
   * dropout right after a max-pooling layer (a flatten between is fine): the pooling's kernels do
   * this layer's work, its forward pass (in training) and its backward pass.
   */
  doneInPool?: boolean;
  /** maxpool: the index of such a dropout step after it. */
  foldedDropout?: number;
  /** Why this layer runs no kernel, for display ("fused into the convolution"). */
  aliasReason?: string;
  /** For display: part of this layer's work is done by a neighbour's kernel, or it does a neighbour's. */
  fusionNote?: string;
  /** False for the first layers: nothing below them has parameters, so dL/dx is not needed. */
  needsInputGradient: boolean;
}

export interface ExecutionPlan {
  model: ModelSpec;
  steps: LayerStep[];
  /** Distinct activation tensors; slot 0 is the network input. */
  slots: TensorSlot[];
  /** The tensor the loss reads: logits for cross-entropy, predictions for MSE. */
  lossInput: TensorSlot;
  classes: number;
  /** Floats in the flat parameter buffer (including alignment padding). */
  paramFloats: number;
  /** Real parameters (no padding). */
  paramCount: number;
}

export class PlanError extends Error {
  constructor(
    message: string,
    readonly layerIndex: number,
  ) {
    super(message);
    this.name = 'PlanError';
  }
}

/**
 * Builds the plan. `alignFloats` is the storage-buffer offset alignment in floats (256 bytes on
 * most GPUs = 64 floats), so every weight and bias can be bound as its own range.
 */
export function planModel(model: ModelSpec, alignFloats = 64): ExecutionPlan {
  const analysis = inferModel(model);
  if (!analysis.totals.ok) {
    const e = analysis.totals.firstError!;
    throw new PlanError(e.index >= 0 ? `Layer ${e.index + 1}: ${e.message}` : e.message, e.index);
  }
  const slots: TensorSlot[] = [{ id: 0, size: shapeSize(model.input), shape: model.input }];
  const newSlot = (shape: Shape, gradientOnly = false): TensorSlot => {
    const slot: TensorSlot = { id: slots.length, size: shapeSize(shape), shape };
    if (gradientOnly) slot.gradientOnly = true;
    slots.push(slot);
    return slot;
  };
  let offset = 0;
  let paramCount = 0;
  const reserve = (length: number): ParamRange => {
    const range = { offset, length };
    offset += Math.ceil(length / alignFloats) * alignFloats;
    paramCount += length;
    return range;
  };

  const layers = model.layers;
  // Which layer's work is done inside which kernel is decided in fusion.ts; the plan lays out the
  // memory that follows from it (an alias shares its input's slot, a pre-activation gradient slot).
  const fusion = decideFusion(layers).layers;
  const firstParamLayer = layers.findIndex((l) => l.kind === 'dense' || l.kind === 'conv2d');
  const steps: LayerStep[] = [];
  let current = slots[0];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const info = analysis.layers[i];
    const f = fusion[i];
    const inputShape = info.inputShape!;
    const outputShape = info.outputShape!;
    const base = {
      index: i,
      layer,
      input: current,
      inputShape,
      outputShape,
      needsInputGradient: firstParamLayer >= 0 && i > firstParamLayer,
    };
    let step: LayerStep;
    if (f.aliasReason !== undefined) {
      step = { ...base, role: 'alias', output: current, aliasReason: f.aliasReason };
    } else {
      switch (layer.kind) {
        case 'dense': {
          const fanIn = shapeSize(inputShape);
          // Weights [in, out] and bias [out] as ONE range: the matmul reads the bias right after the
          // weights, and the weight gradient gets the bias gradient as one extra row in the same call.
          const both = reserve(fanIn * layer.units + layer.units);
          step = {
            ...base,
            role: 'dense',
            output: newSlot(outputShape),
            weight: { offset: both.offset, length: fanIn * layer.units },
            bias: { offset: both.offset + fanIn * layer.units, length: layer.units },
            fusedRelu: f.fusedRelu,
          };
          if (f.reluBackwardInDropout) step.reluBackwardInDropout = true;
          else if (f.fusedRelu) step.preActivationGradient = newSlot(outputShape, true);
          break;
        }
        case 'conv2d': {
          const inC = inputShape[0];
          step = {
            ...base,
            role: 'conv2d',
            output: newSlot(outputShape),
            weight: reserve(layer.filters * inC * layer.kernel * layer.kernel),
            bias: reserve(layer.filters),
            fusedRelu: f.fusedRelu,
          };
          break;
        }
        case 'maxpool':
        case 'avgpool':
          step = { ...base, role: layer.kind, output: newSlot(outputShape) };
          break;
        case 'dropout':
          step = { ...base, role: 'dropout', output: newSlot(outputShape) };
          if (f.foldsRelu) step.foldsRelu = true;
          if (f.doneInPool) step.doneInPool = true;
          if (f.note !== undefined) step.fusionNote = f.note;
          break;
        default:
          step = { ...base, role: 'activation', output: newSlot(outputShape) };
          break;
      }
    }
    if (f.foldedDropout !== undefined) step.foldedDropout = f.foldedDropout;
    steps.push(step);
    current = step.output;
  }
  const outShape = analysis.outputShape!;
  return {
    model,
    steps,
    slots,
    lossInput: current,
    classes: shapeSize(outShape),
    paramFloats: Math.max(offset, alignFloats),
    paramCount,
  };
}
