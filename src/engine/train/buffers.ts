/**
 * Every GPU buffer a trainer uses, made once at set-up: the dataset as u8 words, one flat buffer
 * for all parameters, one for their gradients, one for optimizer state, one per activation (and
 * its gradient), the per-step tables (learning rate, Adam's bias corrections), the metrics ring,
 * dropout masks, max-pooling winners and the scratch the chosen kernels need.
 */
import type { ImageDataset, Dataset } from './data';
import { packBytesToWords } from './data';
import { learningRateAt } from '../schedules';
import { optimizerStateSize } from '../ops/optimizer/cpu';
import type { ExecutionPlan } from './plan';
import type { ScratchSizes } from './layerKernels';
import { TrainingSetupError, type TrainingConfig } from './config';
import { adamStepTable, learningRateTable } from '../ops/optimizer/abi';

const STORAGE = 0x80;
export const COPY_SRC = 0x04;
export const COPY_DST = 0x08;

export interface TrainerBuffers {
  /** Every buffer made here, to free them together. */
  readonly all: GPUBuffer[];
  readonly activations: GPUBuffer[];
  readonly gradients: GPUBuffer[];
  readonly params: GPUBuffer;
  readonly grads: GPUBuffer;
  readonly optState: GPUBuffer;
  readonly trainState: GPUBuffer;
  readonly lrTable: GPUBuffer;
  readonly adamTable: GPUBuffer | null;
  readonly metrics: GPUBuffer;
  readonly perm: GPUBuffer | null;
  readonly trainImages: GPUBuffer | null;
  readonly trainLabels: GPUBuffer;
  readonly testImages: GPUBuffer | null;
  readonly testLabels: GPUBuffer | null;
  readonly labelBatch: GPUBuffer;
  readonly confusion: GPUBuffer;
  readonly evalLoss: GPUBuffer;
  /** Dropout masks, by the dropout's layer index. */
  readonly masks: ReadonlyMap<number, GPUBuffer>;
  /** Max pooling's winners, by the pooling's layer index. */
  readonly argmaxes: ReadonlyMap<number, GPUBuffer>;
  readonly partial: GPUBuffer | null;
  readonly matmulPartial: GPUBuffer | null;
  readonly transposeScratch: GPUBuffer | null;
}

export interface BufferSizes {
  batch: number;
  totalSteps: number;
  stepsPerEpoch: number;
  metricSlots: number;
  scratch: ScratchSizes;
}

/** queue.writeBuffer for any typed array (the WebGPU typings want an ArrayBuffer-backed view). */
export function writeTyped(device: GPUDevice, buffer: GPUBuffer, data: ArrayBufferView): void {
  device.queue.writeBuffer(buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
}

/**
 * Makes and fills every buffer. Throws TrainingSetupError where one would exceed the GPU's
 * binding size; on any throw the buffers made so far are freed.
 */
export function allocateTrainerBuffers(
  device: GPUDevice,
  plan: ExecutionPlan,
  config: TrainingConfig,
  train: Dataset,
  test: ImageDataset | null,
  sizes: BufferSizes,
): TrainerBuffers {
  const all: GPUBuffer[] = [];
  try {
    return make(device, plan, config, train, test, sizes, all);
  } catch (e) {
    for (const b of all) b.destroy();
    throw e;
  }
}

function make(
  device: GPUDevice,
  plan: ExecutionPlan,
  config: TrainingConfig,
  train: Dataset,
  test: ImageDataset | null,
  sizes: BufferSizes,
  all: GPUBuffer[],
): TrainerBuffers {
  const B = sizes.batch;
  const limits = device.limits;
  const alloc = (bytes: number, label: string, usage = STORAGE | COPY_SRC | COPY_DST): GPUBuffer => {
    const b = device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 16) * 16), usage, label });
    all.push(b);
    return b;
  };
  const upload = (data: Float32Array | Uint32Array, label: string): GPUBuffer => {
    const b = alloc(data.byteLength, label);
    writeTyped(device, b, data);
    return b;
  };
  const f32 = (n: number, label: string, usage = STORAGE | COPY_SRC | COPY_DST) => alloc(n * 4, label, usage);
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

  const activations = plan.slots.map((s) => f32(s.gradientOnly ? 4 : s.size * B, `activation ${s.id}`));
  const gradients = plan.slots.map((s) => f32(s.size * B, `gradient ${s.id}`));
  const params = f32(plan.paramFloats, 'parameters');
  const grads = f32(plan.paramFloats, 'gradients');
  const optState = f32(Math.max(4, optimizerStateSize(config.optimizer, plan.paramFloats)), 'optimizer state');
  const trainState = alloc(16, 'train_state', STORAGE | COPY_DST | COPY_SRC);
  const lrs = Array.from({ length: sizes.totalSteps }, (_, s) =>
    learningRateAt(config.schedule, config.optimizer.learningRate, s, sizes.totalSteps, sizes.stepsPerEpoch),
  );
  const lrTable = upload(learningRateTable(lrs), 'lr_table');
  const adamTable =
    config.optimizer.kind === 'adam' ? upload(adamStepTable(config.optimizer, lrs), 'adam_table') : null;
  const metrics = f32(sizes.metricSlots * 2, 'metrics');
  const labelBatch = alloc(Math.max(16, B * 4), 'labels of the batch', STORAGE | COPY_DST | COPY_SRC);

  let trainImages: GPUBuffer | null;
  let trainLabels: GPUBuffer;
  let perm: GPUBuffer | null;
  if (train.kind === 'images') {
    checkSize(train.images.length, 'The training images');
    trainImages = upload(packBytesToWords(train.images), 'train images');
    trainLabels = upload(packBytesToWords(train.labels), 'train labels');
    perm = alloc(train.count * 4, 'shuffle order', STORAGE | COPY_DST);
  } else {
    trainImages = null;
    perm = null;
    // The whole toy set is the batch: write it once into the input activation.
    writeTyped(device, activations[0], train.inputs);
    trainLabels = upload(train.targets, 'toy targets');
  }
  const testImages = test ? upload(packBytesToWords(test.images), 'test images') : null;
  const testLabels = test ? upload(packBytesToWords(test.labels), 'test labels') : null;
  const confusion = alloc(Math.max(16, plan.classes * plan.classes * 4), 'confusion', STORAGE | COPY_SRC | COPY_DST);
  const evalLoss = f32(test ? Math.ceil(test.count / B) : 1, 'evaluation loss');

  const masks = new Map<number, GPUBuffer>();
  const argmaxes = new Map<number, GPUBuffer>();
  for (const step of plan.steps) {
    if (step.role === 'maxpool') argmaxes.set(step.index, alloc(step.output.size * B * 4, `argmax ${step.index}`));
    else if (step.role === 'dropout')
      masks.set(step.index, alloc(step.output.size * B * 4, `dropout mask ${step.index}`));
  }
  const { scratch } = sizes;
  return {
    all,
    activations,
    gradients,
    params,
    grads,
    optState,
    trainState,
    lrTable,
    adamTable,
    metrics,
    perm,
    trainImages,
    trainLabels,
    testImages,
    testLabels,
    labelBatch,
    confusion,
    evalLoss,
    masks,
    argmaxes,
    partial: scratch.convPartial > 0 ? f32(scratch.convPartial, 'conv weight-gradient partial sums') : null,
    matmulPartial: scratch.matmulPartial > 0 ? f32(scratch.matmulPartial, 'matmul split-K partial sums') : null,
    transposeScratch: scratch.transpose > 0 ? f32(scratch.transpose, 'transposed matmul input') : null,
  };
}
