/**
 * The GPU training executor: allocates every buffer once (buffers.ts), then records whole
 * training steps — gather, forward, loss (which also moves the step counters on), backward, ONE
 * optimizer dispatch (encode.ts) — many steps per compute pass and per submit, with no CPU work
 * between steps (one step is recorded once and replayed, recording.ts). Per-step numbers (step
 * index, learning rate, Adam's bias corrections) live in GPU buffers, so nothing has to be
 * written between steps. Loss and accuracy land in a ring buffer read back after each submit
 * without stalling the next one. Which layer's work runs inside which kernel is decided in
 * fusion.ts; which kernels each layer runs, in layerKernels.ts.
 */
import type { KernelRunner } from '../kernel/runner';
import { seededPermutation } from '../rng';
import { initParameters } from '../init';
import { EVALUATE } from '../ops/loss/specs';
import { CONV2D_BACKWARD_WEIGHT } from '../ops/conv2d/specs';
import { GATHER_BATCH } from '../ops/batch/specs';
import { planModel, type ExecutionPlan } from './plan';
import type { Dataset, ImageDataset } from './data';
import { decideFusion, type FusionPlan } from './fusion';
import {
  chooseLayerKernels,
  kernelChoices,
  kernelsInUse,
  type GpuTrainerOptions,
  type LayerGeometry,
} from './layerKernels';
import { COPY_DST, allocateTrainerBuffers, writeTyped, type TrainerBuffers } from './buffers';
import { act, type EncodeContext } from './encodeShared';
import { encodeBackward, encodeForward, encodeLoss, encodeStep } from './encode';
import { recordDispatches, replayStep, type RecordedDispatch } from './recording';
import { TrainingSetupError, type TrainingConfig } from './config';
import { MATMUL } from '../ops/matmul/specs';
import { evaluateUniforms } from '../ops/loss/abi';
import { gatherEvalUniforms } from '../ops/batch/abi';

export { TrainingSetupError, type TrainingConfig } from './config';
export type { DenseProduct, GpuTrainerOptions } from './layerKernels';

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
  /** Who does whose work, layer by layer, with the note the layer-cost panel shows (fusion.ts). */
  fusion: FusionPlan;
  /** Layers whose forward pass another layer's kernel does (no pass of their own to time). */
  forwardInOtherKernel: ReadonlySet<number>;
  /** Plain-English notes on work this trainer moved between layers' kernels, by layer index. */
  fusionNotes: ReadonlyMap<number, string>;
}

/** Parameters by layer index, as init.ts makes them and save files store them. */
export type LayerParameterMap = Map<number, { weight: Float32Array; bias: Float32Array }>;

export class GpuTrainer {
  readonly plan: ExecutionPlan;
  /** Who does whose work, layer by layer (fusion.ts), for the kernels picked at set-up. */
  readonly fusion: FusionPlan;
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
  private readonly buffers: TrainerBuffers;
  private readonly geometry: ReadonlyMap<number, LayerGeometry>;
  /** What the encoders record against. */
  private readonly ctx: EncodeContext;
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
    const { geometry, scratch } = chooseLayerKernels(plan, B, options);
    this.geometry = geometry;
    this.fusion = decideFusion(config.model.layers, kernelChoices(plan, geometry));
    this.buffers = allocateTrainerBuffers(this.device, plan, config, train, test, {
      batch: B,
      totalSteps: this.totalSteps,
      stepsPerEpoch: this.stepsPerEpoch,
      metricSlots: this.metricSlots,
      scratch,
    });
    this.ctx = {
      runner,
      plan,
      config,
      train,
      batch: B,
      metricSlots: this.metricSlots,
      buffers: this.buffers,
      geometry,
      fusion: this.fusion,
    };
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
      for (const spec of kernelsInUse(trainer.geometry, trainer.buffers.transposeScratch !== null))
        await runner.ready(spec);
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
    writeTyped(this.device, this.buffers.params, flat);
  }

  /** Zeroes momentum/Adam state and sets the step counter (to resume a run, pass its step). */
  resetOptimizerState(step = 0): void {
    const enc = this.device.createCommandEncoder();
    enc.clearBuffer(this.buffers.optState);
    this.device.queue.submit([enc.finish()]);
    this.globalStep = step;
    this.epochOfPerm = -1;
  }

  /** Reads all parameters back, by layer index. */
  async readParameters(): Promise<LayerParameterMap> {
    const [data] = await this.runner.readBuffers([
      { buffer: this.buffers.params, byteLength: this.plan.paramFloats * 4 },
    ]);
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
    encoder.copyBufferToBuffer(this.buffers.metrics, slot0 * 8, staging, 0, firstRun * 8);
    if (firstRun < n) encoder.copyBufferToBuffer(this.buffers.metrics, 0, staging, firstRun * 8, (n - firstRun) * 8);
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
    if (!test || !this.buffers.testImages || !this.buffers.testLabels)
      throw new TrainingSetupError('No test set to evaluate on.');
    const B = this.batch;
    const count = Math.max(1, Math.min(test.count, limit));
    const batches = Math.ceil(count / B);
    const encoder = this.device.createCommandEncoder({ label: 'evaluate' });
    encoder.clearBuffer(this.buffers.confusion);
    const pass = encoder.beginComputePass({ label: 'evaluate' });
    const classes = this.plan.classes;
    for (let j = 0; j < batches; j++) {
      this.runner.dispatch(
        pass,
        GATHER_BATCH,
        {
          images: this.buffers.testImages,
          labels: this.buffers.testLabels,
          x_out: this.buffers.activations[0],
          y_out: this.buffers.labelBatch,
        },
        gatherEvalUniforms({ batch: B, pixels: test.pixels, count, offset: j * B, mean: test.mean, std: test.std }),
      );
      encodeForward(this.ctx, pass, false);
      this.runner.dispatch(
        pass,
        EVALUATE,
        {
          logits: act(this.ctx, this.plan.lossInput, false),
          labels: this.buffers.labelBatch,
          confusion: this.buffers.confusion,
          loss_out: this.buffers.evalLoss,
        },
        evaluateUniforms(B, classes, j),
      );
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
    const [conf, losses] = await this.runner.readBuffers([
      { buffer: this.buffers.confusion, byteLength: classes * classes * 4 },
      { buffer: this.buffers.evalLoss, byteLength: batches * 4 },
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
      const dispatches = recordDispatches((pass) => {
        this.dispatchesPerStep = encodeStep(this.ctx, pass);
      });
      this.recordedStep = { generation: this.runner.generation, dispatches };
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
      input: this.buffers.activations[0],
      labels: this.buffers.labelBatch,
      output: act(this.ctx, this.plan.lossInput, false),
      testImages: this.buffers.testImages,
      testLabels: this.buffers.testLabels,
      encodeForward: (pass, training, only) => encodeForward(this.ctx, pass, training, only),
      // Timing a layer must not move the training's step counters.
      encodeLoss: (pass) => encodeLoss(this.ctx, pass, false),
      encodeBackward: (pass, only) => encodeBackward(this.ctx, pass, only),
      fusion: this.fusion,
      forwardInOtherKernel: this.fusion.forwardInOtherKernel,
      fusionNotes: this.fusion.kernelNotes,
    };
  }

  /** Frees every GPU buffer the trainer made. */
  destroy(): void {
    for (const b of this.buffers.all) b.destroy();
    this.buffers.all.length = 0;
    this.runner.clearDispatchCache();
  }

  /** Live GPU buffers owned by this trainer (for leak checks). */
  get bufferCount(): number {
    return this.buffers.all.length;
  }

  private startEpoch(epoch: number, stepInEpoch: number): void {
    if (this.buffers.perm && this.train.kind === 'images') {
      writeTyped(this.device, this.buffers.perm, seededPermutation(this.train.count, this.config.seed, epoch));
    }
    this.device.queue.writeBuffer(this.buffers.trainState, 0, new Uint32Array([this.globalStep, stepInEpoch, 0, 0]));
    this.epochOfPerm = epoch;
  }
}
