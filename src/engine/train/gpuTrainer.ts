/**
 * The GPU training executor: allocates every buffer once (the dataset as u8, one flat buffer for
 * all parameters, one for their gradients, one for optimizer state, one per activation), then
 * records whole training steps — gather, forward, loss (which also moves the step counters on),
 * backward, ONE optimizer dispatch — many steps per compute pass and per submit, with no CPU work
 * between steps. Per-step numbers (step index, learning rate, Adam's bias corrections) live in
 * GPU buffers, so nothing has to be written between steps. Loss and accuracy land in a ring
 * buffer read back after each submit without stalling the next one.
 */
import type { KernelRunner, BufferRef } from '../kernel/runner';
import type { TrainingRecipe } from '../recipe';
import { learningRateAt } from '../schedules';
import { optimizerStateSize } from '../ops/optimizer/cpu';
import { initParameters } from '../init';
import { seededPermutation } from '../rng';
import { TRANSPOSE } from '../ops/transpose/specs';
import { MATMUL_REDUCE } from '../ops/matmul/specs';
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
import { AVGPOOL_BACKWARD, AVGPOOL_FORWARD, MAXPOOL_BACKWARD, MAXPOOL_FORWARD } from '../ops/pool/specs';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD } from '../ops/activation/specs';
import { EVALUATE, MSE_LOSS, SOFTMAX_CROSS_ENTROPY } from '../ops/loss/specs';
import { GATHER_BATCH } from '../ops/batch/specs';
import { OPTIMIZER } from '../ops/optimizer/specs';
import { planModel, type ExecutionPlan, type LayerStep, type ParamRange, type TensorSlot } from './plan';
import { packBytesToWords, type Dataset, type ImageDataset } from './data';
import type { ModelSpec } from '../layers';
import type { KernelOverrides, KernelSpec } from '../kernel/spec';
import { MATMUL, MATMUL_LARGE, MATMUL_SMALL } from '../ops/matmul/specs';
import { matmulKernelFor } from '../ops/matmul/choose';
import { matmulPartialLength, matmulSplitK, matmulUniforms, type MatmulCall, type MatmulGate } from '../ops/matmul/abi';
import { conv2dUniforms } from '../ops/conv2d/abi';
import { DROPOUT_BACKWARD, DROPOUT_FORWARD } from '../ops/dropout/specs';
import { activationUniforms } from '../ops/activation/abi';
import { dropoutBackwardUniforms, dropoutForwardUniforms } from '../ops/dropout/abi';
import { conv2dWeightPartialLength, conv2dWeightOverridesFor, conv2dWeightSplitK } from '../ops/conv2d/abi';
import { maxPoolBackwardUniforms, maxPoolForwardUniforms, poolUniforms } from '../ops/pool/abi';
import { evaluateUniforms, mseLossUniforms, softmaxCrossEntropyUniforms } from '../ops/loss/abi';
import { gatherEvalUniforms, gatherTrainUniforms } from '../ops/batch/abi';
import { adamStepTable, learningRateTable, optimizerUniforms } from '../ops/optimizer/abi';

const STORAGE = 0x80;
const COPY_SRC = 0x04;
const COPY_DST = 0x08;

/** What the trainer needs: the model and its recipe (a training-set subset is applied to the data beforehand). */
export interface TrainingConfig extends Omit<TrainingRecipe, 'trainSubset'> {
  model: ModelSpec;
}

/** Loss and correct count of one training step, as read back from the metrics ring. */
export interface StepMetric {
  step: number;
  loss: number;
  /** Fraction of the batch classified correctly. */
  accuracy: number;
}

export interface EvaluationResult {
  loss: number;
  accuracy: number;
  /** classes × classes counts: [label * classes + predicted]. */
  confusion: Uint32Array;
  count: number;
}

/** What the dashboard's inference and timing code may use of a trainer (see dashboardHooks). */
export interface TrainerHooks {
  device: GPUDevice;
  /** The network input activation, [batch, ...input]. */
  input: GPUBuffer;
  /** u32 labels of the batch. */
  labels: GPUBuffer;
  /** The tensor the loss reads (logits), [batch, classes], with dropout off. */
  output: GPUBuffer;
  testImages: GPUBuffer | null;
  testLabels: GPUBuffer | null;
  encodeForward(pass: GPUComputePassEncoder, training: boolean, only?: number): number;
  encodeLoss(pass: GPUComputePassEncoder): number;
  encodeBackward(pass: GPUComputePassEncoder, only?: number): number;
  /** Layers whose forward pass another layer's kernel does (no pass of their own to time). */
  forwardInOtherKernel: ReadonlySet<number>;
  /** Plain-English notes on work this trainer moved between layers' kernels, by layer index. */
  fusionNotes: ReadonlyMap<number, string>;
}

/** Parameters by layer index, as init.ts makes them and save files store them. */
export type LayerParameterMap = Map<number, { weight: Float32Array; bias: Float32Array }>;

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

export class TrainingSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingSetupError';
  }
}

interface LayerGeometry {
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
  /** conv2d: the 2x2, stride-2 max pooling right after it, which its forward kernel does too. */
  fusedPool?: LayerStep;
  /** dense split along K: the dropout right after it (and its ReLU), which its reduce pass does in training. */
  fusedDropout?: LayerStep;
  /**
   * dense: the backward pass of the dropout or fused ReLU right before it, which its input
   * gradient (matmul_small's gate) does: `gate` is read by element, dX is written to `target`.
   */
  inputGradGate?: { gate: MatmulGate; buffer: GPUBuffer; target: TensorSlot };
}

export class GpuTrainer {
  readonly plan: ExecutionPlan;
  /** The recorded training step (see stepProgram) and the runner generation it was recorded at. */
  private recordedStep: { generation: number; dispatches: RecordedDispatch[] } | null = null;
  readonly batch: number;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly metricSlots: number;
  /** Optimizer steps recorded so far (the GPU's train_state[0] once submitted work completes). */
  globalStep = 0;
  /** Dispatches recorded per training step (for the benchmark's dispatchesPerStep). */
  dispatchesPerStep = 0;

  private readonly device: GPUDevice;
  private readonly buffers: GPUBuffer[] = [];
  private readonly activations: GPUBuffer[];
  private readonly gradients: GPUBuffer[];
  private readonly params: GPUBuffer;
  private readonly grads: GPUBuffer;
  private readonly optState: GPUBuffer;
  private readonly trainState: GPUBuffer;
  private readonly lrTable: GPUBuffer;
  private readonly adamTable: GPUBuffer | null;
  private readonly metrics: GPUBuffer;
  private readonly perm: GPUBuffer | null;
  private readonly trainImages: GPUBuffer | null;
  private readonly trainLabels: GPUBuffer;
  private readonly testImages: GPUBuffer | null;
  private readonly testLabels: GPUBuffer | null;
  private readonly labelBatch: GPUBuffer;
  private readonly confusion: GPUBuffer;
  private readonly evalLoss: GPUBuffer;
  private readonly masks = new Map<number, GPUBuffer>();
  private readonly argmaxes = new Map<number, GPUBuffer>();
  private readonly partial: GPUBuffer | null;
  private readonly matmulPartial: GPUBuffer | null;
  private readonly transposeScratch: GPUBuffer | null;
  private readonly geometry = new Map<number, LayerGeometry>();
  private readonly forwardInOtherKernel = new Set<number>();
  private readonly fusionNotes = new Map<number, string>();
  /** Layers whose backward pass (a dropout's, or a dense layer's ReLU's) the next layer's input gradient does (gateInputGradients). */
  private readonly backwardInNextKernel = new Set<number>();
  private epochOfPerm = -1;

  private constructor(
    readonly runner: KernelRunner,
    readonly config: TrainingConfig,
    readonly train: Dataset,
    readonly test: ImageDataset | null,
    plan: ExecutionPlan,
    options: GpuTrainerOptions = {},
  ) {
    this.device = runner.device;
    const convForwardFor = options.convForwardKernel ?? conv2dForwardKernelFor;
    const denseKernelFor = options.denseKernel ?? matmulKernelFor;
    this.plan = plan;
    const B = config.batchSize;
    this.batch = B;
    if (train.kind === 'vectors' && B !== train.count) {
      throw new TrainingSetupError(`The toy data set is used whole: the batch size must be ${train.count}.`);
    }
    this.stepsPerEpoch = Math.max(1, Math.floor(train.count / B));
    if (train.count < B)
      throw new TrainingSetupError(`The batch size (${B}) is larger than the training set (${train.count} examples).`);
    this.totalSteps = this.stepsPerEpoch * config.epochs;
    this.metricSlots = 4096;
    const limits = this.device.limits;

    const f32 = (n: number, label: string, usage = STORAGE | COPY_SRC | COPY_DST) => this.alloc(n * 4, label, usage);
    const checkSize = (bytes: number, what: string) => {
      if (bytes > limits.maxStorageBufferBindingSize) {
        throw new TrainingSetupError(
          `${what} needs ${(bytes / 2 ** 20).toFixed(0)} MiB in one buffer, more than this GPU allows ` +
            `(maxStorageBufferBindingSize = ${(limits.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB). Use a smaller batch or layer.`,
        );
      }
    };
    for (const slot of plan.slots) checkSize(slot.size * B * 4, `Layer output ${slot.shape.join('×')} at batch ${B}`);
    checkSize(plan.paramFloats * 4, 'The parameters');

    this.activations = plan.slots.map((s) => f32(s.gradientOnly ? 4 : s.size * B, `activation ${s.id}`));
    this.gradients = plan.slots.map((s) => f32(s.size * B, `gradient ${s.id}`));
    this.params = f32(plan.paramFloats, 'parameters');
    this.grads = f32(plan.paramFloats, 'gradients');
    this.optState = f32(Math.max(4, optimizerStateSize(config.optimizer, plan.paramFloats)), 'optimizer state');
    this.trainState = this.alloc(16, 'train_state', STORAGE | COPY_DST | COPY_SRC);
    const lrs = Array.from({ length: this.totalSteps }, (_, s) =>
      learningRateAt(config.schedule, config.optimizer.learningRate, s, this.totalSteps, this.stepsPerEpoch),
    );
    this.lrTable = this.upload(learningRateTable(lrs), 'lr_table');
    this.adamTable =
      config.optimizer.kind === 'adam' ? this.upload(adamStepTable(config.optimizer, lrs), 'adam_table') : null;
    this.metrics = f32(this.metricSlots * 2, 'metrics');
    this.labelBatch = this.alloc(Math.max(16, B * 4), 'labels of the batch', STORAGE | COPY_DST | COPY_SRC);

    if (train.kind === 'images') {
      checkSize(train.images.length, 'The training images');
      this.trainImages = this.upload(packBytesToWords(train.images), 'train images');
      this.trainLabels = this.upload(packBytesToWords(train.labels), 'train labels');
      this.perm = this.alloc(train.count * 4, 'shuffle order', STORAGE | COPY_DST);
    } else {
      this.trainImages = null;
      this.perm = null;
      // The whole toy set is the batch: write it once into the input activation.
      writeTyped(this.device, this.activations[0], train.inputs);
      this.trainLabels = this.upload(train.targets, 'toy targets');
    }
    this.testImages = test ? this.upload(packBytesToWords(test.images), 'test images') : null;
    this.testLabels = test ? this.upload(packBytesToWords(test.labels), 'test labels') : null;
    this.confusion = this.alloc(
      Math.max(16, plan.classes * plan.classes * 4),
      'confusion',
      STORAGE | COPY_SRC | COPY_DST,
    );
    this.evalLoss = f32(test ? Math.ceil(test.count / B) : 1, 'evaluation loss');

    let partialFloats = 0;
    let matmulPartialFloats = 0;
    let transposeFloats = 0;
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
          relu: step.fusedRelu,
          splitK: matmulSplitK(B, units, inF),
        };
        const denseKernels = {
          forward: denseKernelFor(B, units, inF, {}),
          weightGrad: denseKernelFor(inF + 1, units, B, {}),
          inputGrad: denseKernelFor(B, inF, units, { transposeB: true }),
        };
        // matmul_large reads its A (x forward, dY for the input gradient) transposed, from scratch.
        if (denseKernels.forward === MATMUL_LARGE) transposeFloats = Math.max(transposeFloats, B * inF);
        if (denseKernels.inputGrad === MATMUL_LARGE && step.needsInputGradient)
          transposeFloats = Math.max(transposeFloats, B * units);
        // Only matmul splits through scratch and a reduce pass: matmul_small sums the K chunks
        // itself, and a product big enough for matmul_large is never split.
        if (denseKernels.forward === MATMUL)
          matmulPartialFloats = Math.max(matmulPartialFloats, matmulPartialLength(call));
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
        this.geometry.set(step.index, { denseForward: call, denseKernels, denseTiles });
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
        partialFloats = Math.max(partialFloats, conv2dWeightPartialLength(g, splitK));
        this.geometry.set(step.index, {
          conv: g,
          splitK,
          weightGradTiles,
          convForward: convForwardFor(g),
          convInputGrad: conv2dBackwardInputKernelFor(g),
        });
      } else if ((step.layer.kind === 'maxpool' || step.layer.kind === 'avgpool') && step.role !== 'alias') {
        const g = pool2dGeometry(B, step.inputShape as [number, number, number], step.layer.size, step.layer.stride);
        this.geometry.set(step.index, { pool: g });
        if (step.layer.kind === 'maxpool')
          this.argmaxes.set(step.index, this.alloc(step.output.size * B * 4, `argmax ${step.index}`));
      } else if (step.role === 'dropout') {
        this.masks.set(step.index, this.alloc(step.output.size * B * 4, `dropout mask ${step.index}`));
      }
    }
    this.fusePoolsIntoConvs();
    this.fuseDropoutsIntoDenseReduces();
    this.gateInputGradients();
    this.partial = partialFloats > 0 ? f32(partialFloats, 'conv weight-gradient partial sums') : null;
    this.matmulPartial = matmulPartialFloats > 0 ? f32(matmulPartialFloats, 'matmul split-K partial sums') : null;
    this.transposeScratch = transposeFloats > 0 ? f32(transposeFloats, 'transposed matmul input') : null;
  }

  /**
   * A 2x2, stride-2 max pooling right after a convolution that runs conv2d_forward_large (a fused
   * ReLU between is fine) is done by that kernel (its pool flag), with a dropout folded into the
   * pooling: the full-size output is never written or read back, and the step runs no pooling
   * kernel forward. The pooling's winners carry the ReLU (none where it zeroed the window), so the
   * convolution's backward pass runs without the ReLU mask. Same values and gradients, bit for bit
   * (a window the ReLU zeroed names no winner instead of its first cell, which got no gradient either).
   */
  private fusePoolsIntoConvs(): void {
    const steps = this.plan.steps;
    for (const step of steps) {
      const geo = this.geometry.get(step.index);
      if (step.role !== 'conv2d' || geo?.convForward !== CONV2D_FORWARD_LARGE) continue;
      const next = this.nextKernelStep(step);
      if (next?.role !== 'maxpool' || next.layer.kind !== 'maxpool' || next.input.id !== step.output.id) continue;
      if (next.layer.size !== 2 || next.layer.stride !== 2) continue;
      geo.fusedPool = next;
      this.forwardInOtherKernel.add(next.index);
      const dropout = this.foldedDropout(next);
      this.fusionNotes.set(
        step.index,
        `Also does the 2×2 max pooling after it${dropout ? ' and the dropout after that' : ''} in the same kernel, so its full-size output is never written.`,
      );
      this.fusionNotes.set(
        next.index,
        'Its forward pass runs inside the convolution before it; its backward pass is its own.',
      );
      if (dropout)
        this.fusionNotes.set(
          dropout.step.index,
          "Done forward inside the convolution's kernel and backward inside the max pooling's.",
        );
    }
  }

  /**
   * A dropout right after a dense layer (a fused ReLU between is fine) whose forward pass is split
   * along K is done, in training, by that layer's reduce pass (matmul_reduce's dropout bit), with
   * the same mask and values: one dispatch less per step. The dense layer's own output is then never
   * written in training, and nothing reads it: dense2 reads the dropout's output, and the ReLU's
   * backward pass is in the dropout's mask (or there is no ReLU).
   */
  private fuseDropoutsIntoDenseReduces(): void {
    const steps = this.plan.steps;
    for (const step of steps) {
      const geo = this.geometry.get(step.index);
      const call = geo?.denseForward;
      if (step.role !== 'dense' || !call || geo.denseKernels!.forward !== MATMUL || (call.splitK ?? 1) <= 1) continue;
      const next = this.nextKernelStep(step);
      if (next?.role !== 'dropout' || next.input.id !== step.output.id) continue;
      if (step.fusedRelu && !next.foldsRelu) continue;
      geo.fusedDropout = next;
      this.forwardInOtherKernel.add(next.index);
      this.fusionNotes.set(
        step.index,
        'In training it also does the dropout after it, in the same pass that adds up its split sums.',
      );
      this.fusionNotes.set(
        next.index,
        `Done forward inside the dense layer's kernel${next.foldsRelu ? '; its mask also carries the ReLU before it, so that ReLU needs no backward pass' : ''}.`,
      );
    }
  }

  /**
   * A dense layer whose input gradient runs on matmul_small also does the backward pass of the
   * layer right before it, as it writes dX (matmul_small's gate): a dropout's (its mask and
   * 1 / (1 − rate)), or the ReLU fused into a dense layer before (its output > 0). That layer then
   * runs no backward kernel of its own for it: one dispatch less per step, the same values.
   */
  private gateInputGradients(): void {
    for (const step of this.plan.steps) {
      const geo = this.geometry.get(step.index);
      if (step.role !== 'dense' || !step.needsInputGradient || geo?.denseKernels?.inputGrad !== MATMUL_SMALL) continue;
      const prev = this.plan.steps.slice(0, step.index).findLast((s) => s.role !== 'alias');
      if (prev?.output.id !== step.input.id) continue;
      if (prev.role === 'dropout' && prev.layer.kind === 'dropout' && !prev.doneInPool) {
        geo.inputGradGate = {
          gate: { kind: 'dropout', rate: prev.layer.rate },
          buffer: this.masks.get(prev.index)!,
          target: prev.input,
        };
      } else if (prev.role === 'dense' && prev.fusedRelu && prev.preActivationGradient) {
        geo.inputGradGate = {
          gate: { kind: 'relu' },
          buffer: this.activations[step.input.id],
          target: prev.preActivationGradient,
        };
      } else {
        continue;
      }
      this.backwardInNextKernel.add(prev.index);
      const what = prev.role === 'dropout' ? 'the dropout before it' : 'the ReLU of the layer before it';
      this.addFusionNote(step.index, `Its input gradient also does the backward pass of ${what}, in the same kernel.`);
      this.addFusionNote(
        prev.index,
        prev.role === 'dropout'
          ? "Its backward pass runs inside the next layer's input-gradient kernel."
          : "The backward pass of its ReLU runs inside the next layer's input-gradient kernel.",
        prev.fusionNote,
      );
    }
  }

  /** Adds a sentence to a layer's note for the layer-cost panel (after the plan's own note, if any). */
  private addFusionNote(index: number, text: string, planNote?: string): void {
    const before = this.fusionNotes.get(index) ?? planNote;
    this.fusionNotes.set(index, before ? `${before} ${text}` : text);
  }

  /** The next step after `step` that runs a kernel of its own (past aliases such as a fused ReLU or a flatten). */
  private nextKernelStep(step: LayerStep): LayerStep | undefined {
    return this.plan.steps.slice(step.index + 1).find((s) => s.role !== 'alias');
  }

  /** Plans the model, compiles every kernel and uploads the data and the seeded initial weights. */
  static async create(
    runner: KernelRunner,
    config: TrainingConfig,
    train: Dataset,
    test: ImageDataset | null,
    options: GpuTrainerOptions = {},
  ): Promise<GpuTrainer> {
    const align = Math.max(1, runner.device.limits.minStorageBufferOffsetAlignment / 4);
    const plan = planModel(config.model, align);
    const trainer = new GpuTrainer(runner, config, train, test, plan, options);
    try {
      for (const spec of trainer.kernelsInUse()) await runner.ready(spec);
      for (const geo of trainer.geometry.values()) {
        if (geo.weightGradTiles) await runner.readyVariant(CONV2D_BACKWARD_WEIGHT, geo.weightGradTiles);
        for (const o of Object.values(geo.denseTiles ?? {})) if (o) await runner.readyVariant(MATMUL, o);
      }
    } catch (e) {
      trainer.destroy();
      throw e;
    }
    trainer.writeParameters(initParameters(config.model, config.seed, config.init ?? 'auto'));
    trainer.resetOptimizerState();
    return trainer;
  }

  /** The shared kernels plus the ones each layer picked for its shape at set-up. */
  private kernelsInUse(): KernelSpec[] {
    const specs = new Set(TRAINING_SPECS);
    for (const geo of this.geometry.values()) {
      for (const spec of [geo.convForward, geo.convInputGrad, ...Object.values(geo.denseKernels ?? {})])
        if (spec) specs.add(spec);
    }
    if (this.transposeScratch) specs.add(TRANSPOSE);
    return [...specs];
  }

  /** Uploads parameters by layer index (fresh init, a loaded save file, or a CPU copy). */
  writeParameters(map: LayerParameterMap): void {
    const flat = new Float32Array(this.plan.paramFloats);
    for (const step of this.plan.steps) {
      const p = map.get(step.index);
      if (!step.weight || !step.bias) continue;
      if (!p || p.weight.length !== step.weight.length || p.bias.length !== step.bias.length) {
        throw new TrainingSetupError(`Layer ${step.index + 1} has no parameters of the right size.`);
      }
      flat.set(p.weight, step.weight.offset);
      flat.set(p.bias, step.bias.offset);
    }
    writeTyped(this.device, this.params, flat);
  }

  /** Zeroes momentum/Adam state and sets the step counter (to resume a run, pass its step). */
  resetOptimizerState(step = 0): void {
    const enc = this.device.createCommandEncoder();
    enc.clearBuffer(this.optState);
    this.device.queue.submit([enc.finish()]);
    this.globalStep = step;
    this.epochOfPerm = -1;
  }

  /** Reads all parameters back, by layer index. */
  async readParameters(): Promise<LayerParameterMap> {
    const [data] = await this.runner.readBuffers([{ buffer: this.params, byteLength: this.plan.paramFloats * 4 }]);
    const flat = new Float32Array(data);
    const map: LayerParameterMap = new Map();
    for (const step of this.plan.steps) {
      if (!step.weight || !step.bias) continue;
      map.set(step.index, {
        weight: flat.slice(step.weight.offset, step.weight.offset + step.weight.length),
        bias: flat.slice(step.bias.offset, step.bias.offset + step.bias.length),
      });
    }
    return map;
  }

  get epoch(): number {
    return Math.floor(this.globalStep / this.stepsPerEpoch);
  }

  /**
   * Records and submits `n` training steps (never crossing an epoch boundary) and returns a
   * promise for their metrics; the promise resolves after the GPU finishes, so callers can
   * record the next chunk before awaiting this one.
   */
  submitSteps(n: number): Promise<StepMetric[]> {
    // Image data is reshuffled each epoch, so a submit stops at the epoch's end; a toy vector set
    // is the whole batch every step, so its "epochs" can run together.
    const left = this.train.kind === 'vectors' ? Infinity : this.stepsPerEpoch - (this.globalStep % this.stepsPerEpoch);
    n = Math.max(1, Math.min(n, left, this.totalSteps - this.globalStep, this.metricSlots / 2));
    if (this.globalStep >= this.totalSteps) return Promise.resolve([]);
    const epoch = this.epoch;
    const stepInEpoch = this.globalStep % this.stepsPerEpoch;
    if (stepInEpoch === 0 || this.epochOfPerm !== epoch) this.startEpoch(epoch, stepInEpoch);
    const first = this.globalStep;
    const encoder = this.device.createCommandEncoder({ label: `steps ${first}..${first + n - 1}` });
    const pass = encoder.beginComputePass({ label: 'training steps' });
    const program = this.stepProgram();
    for (let i = 0; i < n; i++) replayStep(pass, program);
    pass.end();
    const staging = this.device.createBuffer({
      size: n * 8,
      usage: 0x01 /* MAP_READ */ | COPY_DST,
      label: 'metrics readback',
    });
    const slot0 = first % this.metricSlots;
    const firstRun = Math.min(n, this.metricSlots - slot0);
    encoder.copyBufferToBuffer(this.metrics, slot0 * 8, staging, 0, firstRun * 8);
    if (firstRun < n) encoder.copyBufferToBuffer(this.metrics, 0, staging, firstRun * 8, (n - firstRun) * 8);
    this.device.queue.submit([encoder.finish()]);
    this.globalStep += n;
    const B = this.batch;
    return staging.mapAsync(0x0001).then(() => {
      const values = new Float32Array(staging.getMappedRange().slice(0));
      staging.unmap();
      staging.destroy();
      return Array.from({ length: n }, (_, i) => ({
        step: first + i,
        loss: values[2 * i],
        accuracy: values[2 * i + 1] / B,
      }));
    });
  }

  /** Evaluates on the test set (or its first `limit` images) on the GPU: loss, accuracy and the confusion matrix. */
  async evaluate(limit = Infinity): Promise<EvaluationResult> {
    const test = this.test;
    if (!test || !this.testImages || !this.testLabels) throw new TrainingSetupError('No test set to evaluate on.');
    const B = this.batch;
    const count = Math.max(1, Math.min(test.count, limit));
    const batches = Math.ceil(count / B);
    const encoder = this.device.createCommandEncoder({ label: 'evaluate' });
    encoder.clearBuffer(this.confusion);
    const pass = encoder.beginComputePass({ label: 'evaluate' });
    const classes = this.plan.classes;
    for (let j = 0; j < batches; j++) {
      this.runner.dispatch(
        pass,
        GATHER_BATCH,
        {
          images: this.testImages,
          labels: this.testLabels,
          x_out: this.activations[0],
          y_out: this.labelBatch,
        },
        gatherEvalUniforms({ batch: B, pixels: test.pixels, count, offset: j * B, mean: test.mean, std: test.std }),
      );
      this.encodeForward(pass, false);
      this.runner.dispatch(
        pass,
        EVALUATE,
        {
          logits: this.act(this.plan.lossInput, false),
          labels: this.labelBatch,
          confusion: this.confusion,
          loss_out: this.evalLoss,
        },
        evaluateUniforms(B, classes, j),
      );
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    const [conf, losses] = await this.runner.readBuffers([
      { buffer: this.confusion, byteLength: classes * classes * 4 },
      { buffer: this.evalLoss, byteLength: batches * 4 },
    ]);
    const confusion = new Uint32Array(conf);
    let correct = 0;
    let total = 0;
    for (let l = 0; l < classes; l++) {
      for (let p = 0; p < classes; p++) {
        total += confusion[l * classes + p];
        if (l === p) correct += confusion[l * classes + p];
      }
    }
    const lossSum = new Float32Array(losses).reduce((a, b) => a + b, 0);
    return { loss: lossSum / Math.max(1, total), accuracy: correct / Math.max(1, total), confusion, count: total };
  }

  /**
   * Records one whole training step (batch gather, forward, loss, backward, optimizer) into
   * `pass`, exactly as a submit does, for bench/stepProfile.ts. It advances the trainer's GPU
   * state like a real step but not `globalStep`: meant for a finished benchmark run only.
   */
  encodeStepForProfile(pass: GPUComputePassEncoder): void {
    replayStep(pass, this.stepProgram());
  }

  /**
   * One training step's dispatches, recorded once and replayed for every step. Recording through
   * runner.dispatch costs CPU time per dispatch (building bindings, uniforms and cache keys), which
   * for a small model is more than the GPU needs for it: recording mlp's step took longer than
   * running it on a big GPU, so the GPU waited on the CPU (bench/README.md has the figures).
   * Replaying is three calls per dispatch. Every step records the same calls (per-step values such as the
   * step number and learning rate live in GPU buffers), so the recording stays valid until the
   * runner's kernels change (a kernel swapped in the editor), which bumps runner.generation.
   */
  private stepProgram(): RecordedDispatch[] {
    if (!this.recordedStep || this.recordedStep.generation !== this.runner.generation) {
      const recorder = new RecordingPass();
      this.encodeStep(recorder as unknown as GPUComputePassEncoder);
      this.recordedStep = { generation: this.runner.generation, dispatches: recorder.dispatches };
    }
    return this.recordedStep.dispatches;
  }

  /**
   * Internals for the dashboard (engine/train/inference.ts, layerCost.ts): test-set inference and
   * per-layer timing record their own passes with the trainer's buffers and forward/backward code.
   */
  dashboardHooks(): TrainerHooks {
    return {
      device: this.device,
      input: this.activations[0],
      labels: this.labelBatch,
      output: this.act(this.plan.lossInput, false),
      testImages: this.testImages,
      testLabels: this.testLabels,
      encodeForward: (pass, training, only) => this.encodeForward(pass, training, only),
      // Timing a layer must not move the training's step counters.
      encodeLoss: (pass) => this.encodeLoss(pass, false),
      encodeBackward: (pass, only) => this.encodeBackward(pass, only),
      forwardInOtherKernel: this.forwardInOtherKernel,
      fusionNotes: this.fusionNotes,
    };
  }

  /** Frees every GPU buffer the trainer made. */
  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
    this.runner.clearDispatchCache();
  }

  /** Live GPU buffers owned by this trainer (for leak checks). */
  get bufferCount(): number {
    return this.buffers.length;
  }

  // ---------------------------------------------------------------------------------------------

  private alloc(bytes: number, label: string, usage = STORAGE | COPY_SRC | COPY_DST): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage, label });
    this.buffers.push(b);
    return b;
  }

  private upload(data: Float32Array | Uint32Array, label: string): GPUBuffer {
    const b = this.alloc(data.byteLength, label);
    writeTyped(this.device, b, data);
    return b;
  }

  private startEpoch(epoch: number, stepInEpoch: number): void {
    if (this.perm && this.train.kind === 'images') {
      writeTyped(this.device, this.perm, seededPermutation(this.train.count, this.config.seed, epoch));
    }
    this.device.queue.writeBuffer(this.trainState, 0, new Uint32Array([this.globalStep, stepInEpoch, 0, 0]));
    this.epochOfPerm = epoch;
  }

  private range(r: ParamRange, buffer: GPUBuffer): GPUBufferBinding {
    return { buffer, offset: r.offset * 4, size: r.length * 4 };
  }

  /** A dense layer's weights followed by its bias, as one range (see plan.ts). */
  private weightsAndBias(step: LayerStep, buffer: GPUBuffer): GPUBufferBinding {
    return { buffer, offset: step.weight!.offset * 4, size: (step.weight!.length + step.bias!.length) * 4 };
  }

  /** The buffer holding a tensor; at evaluation a dropout's output is its input (dropout is off). */
  private act(slot: TensorSlot, training: boolean): GPUBuffer {
    if (!training) {
      for (const s of this.plan.steps)
        if (s.role === 'dropout' && s.output.id === slot.id) return this.act(s.input, false);
    }
    return this.activations[slot.id];
  }

  private encodeStep(pass: GPUComputePassEncoder): void {
    let dispatches = 0;
    const count = () => dispatches++;
    const train = this.train;
    if (train.kind === 'images') {
      this.runner.dispatch(
        pass,
        GATHER_BATCH,
        {
          images: this.trainImages!,
          labels: this.trainLabels,
          perm: this.perm!,
          train_state: this.trainState,
          x_out: this.activations[0],
          y_out: this.labelBatch,
        },
        gatherTrainUniforms({
          batch: this.batch,
          pixels: train.pixels,
          count: train.count,
          mean: train.mean,
          std: train.std,
        }),
      );
      count();
    }
    dispatches += this.encodeForward(pass, true);
    // The loss kernel also advances the step counters: nothing after it reads them but the optimizer, which is told.
    dispatches += this.encodeLoss(pass, true);
    dispatches += this.encodeBackward(pass);
    this.runner.dispatch(
      pass,
      OPTIMIZER,
      {
        params: this.params,
        grads: this.grads,
        state: this.optState,
        train_state: this.trainState,
        lr_table: this.lrTable,
        ...(this.adamTable ? { adam_table: this.adamTable } : {}),
      },
      optimizerUniforms(this.config.optimizer, this.plan.paramFloats, true),
    );
    this.dispatchesPerStep = dispatches + 1;
  }

  /**
   * A matmul_large product whose A is stored plain ([M, K]): A is transposed into scratch first
   * and read from there, because matmul_large's transposed-A path is faster by more than the
   * transpose costs (bench/README.md has the figures).
   * The sums are the same either way. Such a product has enough tiles not to be split along K
   * (matmulSplitK), so it is always run whole. Returns the number of dispatches (2).
   */
  private dispatchLargePlainA(
    pass: GPUComputePassEncoder,
    a: GPUBuffer,
    b: GPUBuffer | GPUBufferBinding,
    c: GPUBuffer,
    call: MatmulCall,
  ): number {
    const scratch = this.transposeScratch!;
    this.runner.dispatch(pass, TRANSPOSE, { x: a, y: scratch }, { rows: call.M, cols: call.K });
    this.runner.dispatch(
      pass,
      MATMUL_LARGE,
      { A: scratch, B: b, C: c },
      matmulUniforms({ ...call, transposeA: true, splitK: 1 }),
    );
    return 2;
  }

  /** The dropout layer a max-pooling step does the work of (plan: foldedDropout), with its rate. */
  private foldedDropout(step: LayerStep): { step: LayerStep; rate: number } | undefined {
    const dropout = step.foldedDropout === undefined ? undefined : this.plan.steps[step.foldedDropout];
    return dropout?.layer.kind === 'dropout' ? { step: dropout, rate: dropout.layer.rate } : undefined;
  }

  /** Records the forward pass (or only layer `only`); returns the number of dispatches. */
  private encodeForward(pass: GPUComputePassEncoder, training: boolean, only?: number): number {
    const B = this.batch;
    let n = 0;
    for (const step of this.plan.steps) {
      if (only !== undefined && step.index !== only) continue;
      const x = this.act(step.input, training);
      const y = this.act(step.output, training);
      const layer = step.layer;
      switch (step.role) {
        case 'dense': {
          if (layer.kind !== 'dense') break;
          // y = x·W + b (+ ReLU), reading W and b from one range; split along K when y is small.
          const geo = this.geometry.get(step.index)!;
          const call = geo.denseForward!;
          const kernel = geo.denseKernels!.forward;
          const weights = this.weightsAndBias(step, this.params);
          const u = matmulUniforms(call);
          if (kernel === MATMUL_LARGE) {
            n += this.dispatchLargePlainA(pass, x, weights, y, call);
          } else if ((call.splitK ?? 1) > 1 && kernel === MATMUL) {
            this.runner.dispatch(
              pass,
              kernel,
              { A: x, B: weights, C: y, partial: this.matmulPartial! },
              u,
              geo.denseTiles?.forward,
            );
            const dropout = training ? geo.fusedDropout : undefined;
            if (dropout && dropout.layer.kind === 'dropout') {
              // The dropout after this layer happens here: C is its output, with its mask.
              const d = {
                rate: dropout.layer.rate,
                seed: this.config.seed,
                layerIndex: dropout.index,
                foldRelu: dropout.foldsRelu,
              };
              this.runner.dispatch(
                pass,
                MATMUL_REDUCE,
                {
                  partial: this.matmulPartial!,
                  bias: weights,
                  C: this.act(dropout.output, true),
                  mask: this.masks.get(dropout.index)!,
                  train_state: this.trainState,
                },
                matmulUniforms({ ...call, dropout: d }),
              );
            } else {
              this.runner.dispatch(pass, MATMUL_REDUCE, { partial: this.matmulPartial!, bias: weights, C: y }, u);
            }
            n += 2;
          } else {
            this.runner.dispatch(pass, kernel, { A: x, B: weights, C: y }, u, geo.denseTiles?.forward);
            n++;
          }
          break;
        }
        case 'conv2d': {
          const geo = this.geometry.get(step.index)!;
          const g = geo.conv!;
          const w = this.range(step.weight!, this.params);
          const bias = this.range(step.bias!, this.params);
          const pool = geo.fusedPool;
          if (pool) {
            // The pooling after it (and in training a dropout after that) happens here: y is the last one's output.
            const dropout = training ? this.foldedDropout(pool) : undefined;
            const out = this.act(dropout ? dropout.step.output : pool.output, training);
            const bound: Record<string, BufferRef> = { x, w, bias, y: out, argmax: this.argmaxes.get(pool.index)! };
            if (dropout)
              Object.assign(bound, { mask: this.masks.get(dropout.step.index)!, train_state: this.trainState });
            const poolDropout = dropout && {
              rate: dropout.rate,
              seed: this.config.seed,
              layerIndex: dropout.step.index,
            };
            this.runner.dispatch(
              pass,
              geo.convForward!,
              bound,
              conv2dUniforms(g, { relu: step.fusedRelu, pool: true, dropout: poolDropout }),
            );
          } else {
            this.runner.dispatch(
              pass,
              geo.convForward!,
              { x, w, bias, y },
              conv2dUniforms(g, { relu: step.fusedRelu }),
            );
          }
          n++;
          break;
        }
        case 'maxpool': {
          const geo = this.geometry.get(step.index)!;
          if (this.forwardInOtherKernel.has(step.index)) break; // the convolution before did it
          const pool = geo.pool!;
          const argmax = this.argmaxes.get(step.index)!;
          const dropout = this.foldedDropout(step);
          if (training && dropout) {
            // The dropout after the pooling happens here: y is its output, with its mask.
            const uniforms = maxPoolForwardUniforms(pool, {
              rate: dropout.rate,
              seed: this.config.seed,
              layerIndex: dropout.step.index,
            });
            const bound = {
              x,
              y: this.act(dropout.step.output, true),
              argmax,
              mask: this.masks.get(dropout.step.index)!,
              train_state: this.trainState,
            };
            this.runner.dispatch(pass, MAXPOOL_FORWARD, bound, uniforms);
          } else {
            this.runner.dispatch(pass, MAXPOOL_FORWARD, { x, y, argmax }, maxPoolForwardUniforms(pool));
          }
          n++;
          break;
        }
        case 'avgpool':
          this.runner.dispatch(pass, AVGPOOL_FORWARD, { x, y }, poolUniforms(this.geometry.get(step.index)!.pool!));
          n++;
          break;
        case 'activation':
          this.runner.dispatch(
            pass,
            ACTIVATION_FORWARD,
            { x, y },
            activationUniforms(activationKind(step), B * step.output.size, alphaOf(step)),
          );
          n++;
          break;
        case 'dropout':
          // doneInPool: the max-pooling layer before does it (see 'maxpool'); forwardInOtherKernel: a dense layer's reduce does (fuseDropoutsIntoDenseReduces).
          if (!training || layer.kind !== 'dropout' || step.doneInPool || this.forwardInOtherKernel.has(step.index))
            break;
          this.runner.dispatch(
            pass,
            DROPOUT_FORWARD,
            { x, y, mask: this.masks.get(step.index)!, train_state: this.trainState },
            dropoutForwardUniforms(B * step.output.size, layer.rate, this.config.seed, step.index, step.foldsRelu),
          );
          n++;
          break;
        case 'alias':
          break;
      }
    }
    return n;
  }

  /** Records the loss (and its gradient); advanceStep: also move the step counters on, as a training step does. */
  private encodeLoss(pass: GPUComputePassEncoder, advanceStep: boolean): number {
    const B = this.batch;
    const input = this.plan.lossInput;
    const common = { metrics: this.metrics, train_state: this.trainState };
    if (this.config.model.loss === 'softmaxCrossEntropy') {
      this.runner.dispatch(
        pass,
        SOFTMAX_CROSS_ENTROPY,
        {
          logits: this.activations[input.id],
          labels: this.labelBatch,
          dlogits: this.gradients[input.id],
          ...common,
        },
        softmaxCrossEntropyUniforms(B, this.plan.classes, this.metricSlots, advanceStep),
      );
    } else {
      const labelTargets = this.train.kind === 'images';
      this.runner.dispatch(
        pass,
        MSE_LOSS,
        {
          pred: this.activations[input.id],
          targets: labelTargets ? this.labelBatch : this.trainLabels,
          dpred: this.gradients[input.id],
          ...common,
        },
        mseLossUniforms(B, input.size, this.metricSlots, labelTargets, advanceStep),
      );
    }
    return 1;
  }

  /** Records the backward pass (or only layer `only`) into the flat gradient buffer; returns the number of dispatches. */
  private encodeBackward(pass: GPUComputePassEncoder, only?: number): number {
    const B = this.batch;
    let n = 0;
    for (let i = this.plan.steps.length - 1; i >= 0; i--) {
      const step = this.plan.steps[i];
      if (only !== undefined && step.index !== only) continue;
      const x = this.activations[step.input.id];
      const y = this.activations[step.output.id];
      const dy = this.gradients[step.output.id];
      const dx = this.gradients[step.input.id];
      const layer = step.layer;
      const needDx = step.needsInputGradient;
      switch (step.role) {
        case 'dense': {
          if (layer.kind !== 'dense') break;
          const inF = step.input.size;
          const geo = this.geometry.get(step.index)!;
          const kernels = geo.denseKernels!;
          let g = dy;
          // With reluBackwardInDropout the dropout after this layer already wrote dL/d(pre-activation) to dy.
          if (step.fusedRelu && !step.reluBackwardInDropout) {
            // dL/d(pre-ReLU) = dL/dy · (y > 0): y > 0 exactly where the pre-activation was > 0. The
            // next layer's input gradient may already have written it (gateInputGradients).
            g = this.gradients[step.preActivationGradient!.id];
            if (!this.backwardInNextKernel.has(step.index)) {
              this.runner.dispatch(
                pass,
                ACTIVATION_BACKWARD,
                { x: y, y, dy, dx: g },
                activationUniforms('relu', B * layer.units),
              );
              n++;
            }
          }
          // [dW; db] = [Xᵀ; 1ᵀ]·dY in one call: the extra row of ones sums dY over the batch.
          this.runner.dispatch(
            pass,
            kernels.weightGrad,
            { A: x, B: g, C: this.weightsAndBias(step, this.grads) },
            matmulUniforms({ M: inF + 1, K: B, N: layer.units, transposeA: true, onesRowA: true }),
            geo.denseTiles?.weightGrad,
          );
          n++;
          if (needDx) {
            // dX = dY·Wᵀ (W stored [in, out], read transposed).
            const call: MatmulCall = { M: B, K: layer.units, N: inF, transposeB: true };
            if (kernels.inputGrad === MATMUL_LARGE) {
              n += this.dispatchLargePlainA(pass, g, this.range(step.weight!, this.params), dx, call);
            } else {
              // With a gate, dX goes on through the backward pass of the layer before (gateInputGradients).
              const gate = geo.inputGradGate;
              const bound: Record<string, BufferRef> = {
                A: g,
                B: this.range(step.weight!, this.params),
                C: gate ? this.gradients[gate.target.id] : dx,
              };
              if (gate) bound.gate = gate.buffer;
              this.runner.dispatch(
                pass,
                kernels.inputGrad,
                bound,
                matmulUniforms({ ...call, gate: gate?.gate }),
                geo.denseTiles?.inputGrad,
              );
              n++;
            }
          }
          break;
        }
        case 'conv2d': {
          const geo = this.geometry.get(step.index)!;
          const g = geo.conv!;
          // With the pooling in the forward kernel, the pooling's winners already carry the ReLU.
          const relu = step.fusedRelu && !geo.fusedPool;
          if (needDx) {
            this.runner.dispatch(
              pass,
              geo.convInputGrad!,
              { dy, w: this.range(step.weight!, this.params), y, dx },
              conv2dUniforms(g, { relu }),
            );
            n++;
          }
          const u = conv2dUniforms(g, { relu, splitK: geo.splitK });
          const bound: Record<string, BufferRef> = {
            dy,
            x,
            y,
            dw: this.range(step.weight!, this.grads),
            db: this.range(step.bias!, this.grads),
          };
          if (geo.splitK! > 1) bound.partial = this.partial!;
          this.runner.dispatch(pass, CONV2D_BACKWARD_WEIGHT, bound, u, geo.weightGradTiles);
          n++;
          if (geo.splitK! > 1) {
            this.runner.dispatch(pass, CONV2D_WEIGHT_REDUCE, { partial: this.partial!, dw: bound.dw, db: bound.db }, u);
            n++;
          }
          break;
        }
        case 'maxpool': {
          if (!needDx) break;
          const pool = this.geometry.get(step.index)!.pool!;
          const argmax = this.argmaxes.get(step.index)!;
          const dropout = this.foldedDropout(step);
          if (dropout) {
            // The dropout after the pooling: its backward pass happens here, reading dy after it and its mask.
            const after = this.gradients[dropout.step.output.id];
            this.runner.dispatch(
              pass,
              MAXPOOL_BACKWARD,
              { dy: after, argmax, dx, mask: this.masks.get(dropout.step.index)! },
              maxPoolBackwardUniforms(pool, dropout.rate),
            );
          } else {
            this.runner.dispatch(pass, MAXPOOL_BACKWARD, { dy, argmax, dx }, maxPoolBackwardUniforms(pool));
          }
          n++;
          break;
        }
        case 'avgpool':
          if (!needDx) break;
          this.runner.dispatch(pass, AVGPOOL_BACKWARD, { dy, dx }, poolUniforms(this.geometry.get(step.index)!.pool!));
          n++;
          break;
        case 'activation':
          if (!needDx) break;
          this.runner.dispatch(
            pass,
            ACTIVATION_BACKWARD,
            { x, y, dy, dx },
            activationUniforms(activationKind(step), B * step.output.size, alphaOf(step)),
          );
          n++;
          break;
        case 'dropout':
          // doneInPool: the max-pooling layer before does it (see 'maxpool'); or the next layer's input gradient did.
          if (!needDx || layer.kind !== 'dropout' || step.doneInPool || this.backwardInNextKernel.has(step.index))
            break;
          this.runner.dispatch(
            pass,
            DROPOUT_BACKWARD,
            { dy, mask: this.masks.get(step.index)!, dx },
            dropoutBackwardUniforms(B * step.output.size, layer.rate),
          );
          n++;
          break;
        case 'alias':
          break;
      }
    }
    return n;
  }
}

/** queue.writeBuffer for any typed array (the WebGPU typings want an ArrayBuffer-backed view). */
function writeTyped(device: GPUDevice, buffer: GPUBuffer, data: ArrayBufferView): void {
  device.queue.writeBuffer(buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
}

function activationKind(step: LayerStep): 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh' {
  const k = step.layer.kind;
  if (k === 'relu' || k === 'leakyRelu' || k === 'sigmoid' || k === 'tanh') return k;
  throw new Error(`Layer ${step.index + 1} is not an activation`);
}

function alphaOf(step: LayerStep): number {
  return step.layer.kind === 'leakyRelu' ? step.layer.alpha : 0.01;
}

/** One dispatch of a recorded step: what runner.dispatch put into the pass. */
interface RecordedDispatch {
  pipeline: GPUComputePipeline;
  bindGroups: [number, GPUBindGroup][];
  workgroups: [number, number, number];
}

/** A stand-in compute pass that keeps the calls made to it instead of encoding them. */
class RecordingPass {
  readonly dispatches: RecordedDispatch[] = [];
  private pipeline: GPUComputePipeline | null = null;
  private readonly groups = new Map<number, GPUBindGroup>();
  setPipeline(pipeline: GPUComputePipeline): void {
    this.pipeline = pipeline;
  }
  setBindGroup(index: number, group: GPUBindGroup): void {
    this.groups.set(index, group);
  }
  dispatchWorkgroups(x: number, y = 1, z = 1): void {
    if (!this.pipeline) throw new Error('recorded a dispatch with no pipeline set');
    this.dispatches.push({ pipeline: this.pipeline, bindGroups: [...this.groups], workgroups: [x, y, z] });
  }
}

function replayStep(pass: GPUComputePassEncoder, dispatches: RecordedDispatch[]): void {
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    for (const [index, group] of d.bindGroups) pass.setBindGroup(index, group);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
}
