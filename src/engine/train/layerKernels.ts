/**
 * The kernels each layer runs, picked by its shape at set-up (matmul, matmul_small or
 * matmul_large for each dense product, a split along K, the conv kernels and their tiles), and
 * the scratch space they need. What fusion depends on of these goes to fusion.ts as plain data.
 */
import { MATMUL_REDUCE } from '../ops/matmul/specs';
import { TRANSPOSE } from '../ops/transpose/specs';
import { AVGPOOL_BACKWARD, AVGPOOL_FORWARD, MAXPOOL_BACKWARD, MAXPOOL_FORWARD } from '../ops/pool/specs';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD } from '../ops/activation/specs';
import { EVALUATE, MSE_LOSS, SOFTMAX_CROSS_ENTROPY } from '../ops/loss/specs';
import { GATHER_BATCH } from '../ops/batch/specs';
import { OPTIMIZER } from '../ops/optimizer/specs';
import {
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_FORWARD,
  CONV2D_FORWARD_LARGE,
  CONV2D_WEIGHT_REDUCE,
  conv2dBackwardInputKernelFor,
  conv2dForwardKernelFor,
} from '../ops/conv2d/specs';
import { conv2dGeometry, type Conv2dGeometry } from '../ops/conv2d/cpu';
import { pool2dGeometry, type Pool2dGeometry } from '../ops/pool/cpu';
import type { ExecutionPlan } from './plan';
import { decideFusion, type KernelChoice } from './fusion';
import type { KernelOverrides, KernelSpec } from '../kernel/spec';
import { MATMUL, MATMUL_LARGE, MATMUL_SMALL } from '../ops/matmul/specs';
import { matmulKernelFor } from '../ops/matmul/choose';
import { matmulPartialLength, matmulSplitK, type MatmulCall } from '../ops/matmul/abi';
import { DROPOUT_BACKWARD, DROPOUT_FORWARD } from '../ops/dropout/specs';
import { conv2dWeightPartialLength, conv2dWeightOverridesFor, conv2dWeightSplitK } from '../ops/conv2d/abi';

export interface GpuTrainerOptions {
  /**
   * Which forward kernel each conv layer uses, by its shape. The default, conv2dForwardKernelFor,
   * picks by measured speed on a big GPU, which leaves the large kernel to layers with many
   * output positions; tests pass their own to run it on a layer small enough for a software GPU.
   */
  convForwardKernel?: (g: Conv2dGeometry) => KernelSpec;
  /**
   * matmul's workgroup sizes for each dense product run by matmul (undefined, the default: its
   * own). For tile experiments (bench/train.ts --dense-tiles): tile sizes change no sum, so no
   * result. No other shape beat the default on pytorch-cnn's dense layer (bench/README.md).
   */
  denseTiles?: (
    product: DenseProduct,
    M: number,
    N: number,
    K: number,
    options: { transposeA?: boolean; transposeB?: boolean; splitK?: number },
  ) => KernelOverrides | undefined;
  /** Which matmul kernel each dense product (C of M x N, K deep) uses; matmulKernelFor by default. */
  denseKernel?: (M: number, N: number, K: number, options: { transposeB?: boolean }) => KernelSpec;
}

/** A dense layer's three products: y = x·W + b, [dW; db] = [Xᵀ; 1ᵀ]·dY, dX = dY·Wᵀ. */
export type DenseProduct = 'forward' | 'weightGrad' | 'inputGrad';

export interface LayerGeometry {
  conv?: Conv2dGeometry;
  splitK?: number;
  pool?: Pool2dGeometry;
  /** dense: the forward matmul (split along K when the output is small). */
  denseForward?: MatmulCall;
  /** dense: the matmul kernel for each of its three products, chosen by size (matmulKernelFor). */
  denseKernels?: { forward: KernelSpec; weightGrad: KernelSpec; inputGrad: KernelSpec };
  /** dense: matmul's workgroup sizes for each product where not its defaults (GpuTrainerOptions.denseTiles; same sums, same bits). */
  denseTiles?: { forward?: KernelOverrides; weightGrad?: KernelOverrides; inputGrad?: KernelOverrides };
  /** conv2d: its forward and input-gradient kernels, chosen by shape (conv2dForwardKernelFor, ...). */
  convForward?: KernelSpec;
  convInputGrad?: KernelSpec;
  /** conv2d: the weight gradient's workgroup sizes when not the kernel's defaults (a variant, see conv2dWeightOverridesFor). */
  weightGradTiles?: KernelOverrides;
}

/** Floats of scratch the chosen kernels need, each buffer shared by all layers. */
export interface ScratchSizes {
  /** conv weight-gradient partial sums (split along K). */
  convPartial: number;
  /** matmul split-K partial sums. */
  matmulPartial: number;
  /** matmul_large's transposed A. */
  transpose: number;
}

/** Picks every layer's kernels for batch `B`. */
export function chooseLayerKernels(
  plan: ExecutionPlan,
  B: number,
  options: GpuTrainerOptions = {},
): { geometry: Map<number, LayerGeometry>; scratch: ScratchSizes } {
  const convForwardFor = options.convForwardKernel ?? conv2dForwardKernelFor;
  const denseKernelFor = options.denseKernel ?? matmulKernelFor;
  const geometry = new Map<number, LayerGeometry>();
  const scratch: ScratchSizes = { convPartial: 0, matmulPartial: 0, transpose: 0 };
  // Whether a ReLU is fused needs no kernel choice: the model alone decides it.
  const fusion = decideFusion(plan.model.layers).layers;
  for (const step of plan.steps) {
    if (step.role === 'dense' && step.layer.kind === 'dense') {
      const inF = step.input.size;
      const units = step.layer.units;
      // An output big enough for matmul_large has enough 64x64 tiles that this is 1: no split.
      const call: MatmulCall = {
        M: B,
        K: inF,
        N: units,
        bias: true,
        biasInB: true,
        relu: fusion[step.index].fusedRelu,
        splitK: matmulSplitK(B, units, inF),
      };
      const denseKernels = {
        forward: denseKernelFor(B, units, inF, {}),
        weightGrad: denseKernelFor(inF + 1, units, B, {}),
        inputGrad: denseKernelFor(B, inF, units, { transposeB: true }),
      };
      // matmul_large reads its A (x forward, dY for the input gradient) transposed, from scratch.
      if (denseKernels.forward === MATMUL_LARGE) scratch.transpose = Math.max(scratch.transpose, B * inF);
      if (denseKernels.inputGrad === MATMUL_LARGE && step.needsInputGradient)
        scratch.transpose = Math.max(scratch.transpose, B * units);
      // Only matmul splits through scratch and a reduce pass: matmul_small sums the K chunks
      // itself, and a product big enough for matmul_large is never split.
      if (denseKernels.forward === MATMUL)
        scratch.matmulPartial = Math.max(scratch.matmulPartial, matmulPartialLength(call));
      const tilesFor = options.denseTiles ?? (() => undefined);
      const tiles = (
        product: DenseProduct,
        M: number,
        N: number,
        K: number,
        o: { transposeA?: boolean; transposeB?: boolean; splitK?: number },
      ) => (denseKernels[product] === MATMUL ? tilesFor(product, M, N, K, o) : undefined);
      const denseTiles = {
        forward: tiles('forward', B, units, inF, { splitK: call.splitK }),
        weightGrad: tiles('weightGrad', inF + 1, units, B, { transposeA: true }),
        inputGrad: tiles('inputGrad', B, inF, units, { transposeB: true }),
      };
      geometry.set(step.index, { denseForward: call, denseKernels, denseTiles });
    } else if (step.role === 'conv2d' && step.layer.kind === 'conv2d') {
      const l = step.layer;
      const g = conv2dGeometry(
        B,
        step.inputShape as [number, number, number],
        l.filters,
        l.kernel,
        l.stride,
        l.padding,
      );
      const weightGradTiles = conv2dWeightOverridesFor(g);
      const splitK = conv2dWeightSplitK(g, weightGradTiles);
      scratch.convPartial = Math.max(scratch.convPartial, conv2dWeightPartialLength(g, splitK));
      geometry.set(step.index, {
        conv: g,
        splitK,
        weightGradTiles,
        convForward: convForwardFor(g),
        convInputGrad: conv2dBackwardInputKernelFor(g),
      });
    } else if ((step.layer.kind === 'maxpool' || step.layer.kind === 'avgpool') && step.role !== 'alias') {
      const g = pool2dGeometry(B, step.inputShape as [number, number, number], step.layer.size, step.layer.stride);
      geometry.set(step.index, { pool: g });
    }
  }
  return { geometry, scratch };
}

/** What fusion.ts needs to know of the kernels picked, as plain data. */
export function kernelChoices(
  plan: ExecutionPlan,
  geometry: ReadonlyMap<number, LayerGeometry>,
): Map<number, KernelChoice> {
  const choices = new Map<number, KernelChoice>();
  for (const step of plan.steps) {
    const geo = geometry.get(step.index);
    if (!geo) continue;
    if (step.role === 'conv2d')
      choices.set(step.index, { convForwardCanPool: geo.convForward === CONV2D_FORWARD_LARGE });
    if (step.role === 'dense') {
      const call = geo.denseForward!;
      choices.set(step.index, {
        denseForwardReduce: geo.denseKernels!.forward === MATMUL && (call.splitK ?? 1) > 1,
        denseInputGradGates: step.needsInputGradient && geo.denseKernels!.inputGrad === MATMUL_SMALL,
      });
    }
  }
  return choices;
}

/**
 * The kernels every trainer may use; all are compiled (from their current source) before training.
 * The large-layer kernels (matmul_large, conv2d_*_large) are compiled only when a layer picks them
 * (kernelsInUse): a software GPU takes about a second to build each.
 */
const TRAINING_SPECS: KernelSpec[] = [
  MATMUL,
  MATMUL_REDUCE,
  CONV2D_FORWARD,
  CONV2D_BACKWARD_INPUT,
  CONV2D_BACKWARD_WEIGHT,
  CONV2D_WEIGHT_REDUCE,
  MAXPOOL_FORWARD,
  MAXPOOL_BACKWARD,
  AVGPOOL_FORWARD,
  AVGPOOL_BACKWARD,
  ACTIVATION_FORWARD,
  ACTIVATION_BACKWARD,
  DROPOUT_FORWARD,
  DROPOUT_BACKWARD,
  SOFTMAX_CROSS_ENTROPY,
  MSE_LOSS,
  EVALUATE,
  GATHER_BATCH,
  OPTIMIZER,
];

/** The shared kernels plus the ones each layer picked for its shape at set-up. */
export function kernelsInUse(geometry: ReadonlyMap<number, LayerGeometry>, transposes: boolean): KernelSpec[] {
  const specs = new Set(TRAINING_SPECS);
  for (const geo of geometry.values()) {
    for (const spec of [geo.convForward, geo.convInputGrad, ...Object.values(geo.denseKernels ?? {})])
      if (spec) specs.add(spec);
  }
  if (transposes) specs.add(TRANSPOSE);
  return [...specs];
}
