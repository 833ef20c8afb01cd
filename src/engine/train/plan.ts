/**
 * Turns a ModelSpec into an execution plan for the GPU: which activation buffer each layer reads
 * and writes, where every weight and bias lives inside the ONE flat parameter buffer, and which
 * layers need an input gradient. Which layers run no kernel at all (flatten, a ReLU fused into
 * the conv before it, the final softmax fused into the loss) is decided in fusion.ts; the plan
 * lays out the memory that follows (an alias shares its input's slot). Pure and GPU-free, so it
 * is tested on its own and shared by the trainer and the per-layer cost panel.
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
  /** No kernel: the output is the input's memory (flatten, fused ReLU, fused softmax; fusion.ts says why). */
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
  /**
   * dense with a ReLU fused into it (fusion.ts) whose backward pass it runs itself: where
   * dL/d(pre-activation) = dL/dy · (y > 0) is written in backward.
   */
  preActivationGradient?: TensorSlot;
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
      step = { ...base, role: 'alias', output: current };
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
          };
          if (f.fusedRelu && !f.reluBackwardInDropout) step.preActivationGradient = newSlot(outputShape, true);
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
          };
          break;
        }
        case 'maxpool':
        case 'avgpool':
          step = { ...base, role: layer.kind, output: newSlot(outputShape) };
          break;
        case 'dropout':
          step = { ...base, role: 'dropout', output: newSlot(outputShape) };
          break;
        default:
          step = { ...base, role: 'activation', output: newSlot(outputShape) };
          break;
      }
    }
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
