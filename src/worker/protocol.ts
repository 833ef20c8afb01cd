/**
 * Every message between the page and the trainer Worker, as discriminated unions on `type`.
 * A request carries a `requestId` that its reply repeats; messages the worker sends on its own
 * (device lost, and later training progress/metrics) carry none. Training control
 * (start/pause/resume/stop) and its progress/metrics stream are added here as they arrive.
 */
import type { AdapterSummary } from '../engine/kernel/device';
import type { TrainingConfig } from '../engine/train/gpuTrainer';
import type { EpochEvent, ProgressEvent, SessionEnd } from '../engine/train/session';
import type { KernelEditRequest, KernelEditResult } from './kernelEditingProtocol';
import type { DashboardRequest, DashboardResult } from './dashboardProtocol';
import type { LayerParameterMap } from '../engine/train/gpuTrainer';
import type { RecoveryRequest, RecoveryResult } from './recoveryProtocol';
import type { KernelCheckResult } from '../engine/kernel/spec';

/** What to train on. 'mnist' is loaded by the worker from `dataBaseUrl`. */
export type DatasetName = 'mnist' | 'toy-and' | 'toy-or' | 'toy-xor';

export interface TrainingJob {
  config: TrainingConfig;
  dataset: DatasetName;
  /** First N training images (default: all 60,000). */
  trainSubset?: number;
  /** First N test images evaluated after each epoch (default: all 10,000). */
  testSubset?: number;
  /** Absolute URL of the folder with the prepared MNIST files. */
  dataBaseUrl: string;
  /** 'auto' uses the GPU when there is one, else the CPU reference. */
  backend?: 'auto' | 'gpu' | 'cpu';
  /** Start from these weights (a loaded file) instead of the seeded initialisation. */
  initialParameters?: LayerParameterMap;
  /** Also evaluate every N steps inside an epoch, on the first `evaluateSubset` test images. */
  evaluateEverySteps?: number;
  evaluateSubset?: number;
  /** Resume: continue from this completed step (with `initialParameters` from a checkpoint). */
  startStep?: number;
}

export interface TrainingStarted {
  backend: 'gpu' | 'cpu';
  stepsPerEpoch: number;
  totalSteps: number;
  paramCount: number;
  trainImages: number;
  testImages: number;
}

export type RequestId = number;

/** Page → worker. */
export type MainToWorker =
  /** Acquire the GPU (once) and report what it is. */
  | { type: 'hello'; requestId: RequestId }
  /** Run every kernel's check against its CPU reference; `seed` picks the random shapes. */
  | { type: 'runKernelChecks'; requestId: RequestId; seed?: number }
  /** Load the data, build the model on the GPU (or CPU) and start training; progress follows as events. */
  | { type: 'startTraining'; requestId: RequestId; job: TrainingJob }
  | { type: 'pauseTraining'; requestId: RequestId }
  | { type: 'resumeTraining'; requestId: RequestId }
  | { type: 'stopTraining'; requestId: RequestId }
  /** The kernel editor: compile, test, benchmark, swap into training, revert (see kernelEditingProtocol.ts). */
  | { type: 'kernelEdit'; requestId: RequestId; request: KernelEditRequest }
  /** The training dashboard: predictions, filters, save/load, CPU vs GPU, layer costs (see dashboardProtocol.ts). */
  | { type: 'dashboard'; requestId: RequestId; request: DashboardRequest }
  /** Checkpoints and resuming after a lost GPU device (see recoveryProtocol.ts). */
  | { type: 'recovery'; requestId: RequestId; request: RecoveryRequest }
  /** The page's heartbeat: answered at once, so a Worker that stopped answering is noticed. */
  | { type: 'ping'; requestId: RequestId };

/** Worker → page. */
export type WorkerToMain =
  /** Reply to hello: the adapter, or null with a sentence saying why WebGPU is unavailable. */
  | { type: 'ready'; requestId: RequestId; gpu: AdapterSummary | null; gpuError?: string }
  | { type: 'kernelChecks'; requestId: RequestId; results: KernelCheckResult[] }
  /** A request failed (with its id) or something broke outside any request (without). */
  | { type: 'error'; requestId?: RequestId; message: string }
  /** Unsolicited: the GPU device went away; a later hello acquires a new one. */
  | { type: 'gpuLost'; message: string }
  | { type: 'trainingStarted'; requestId: RequestId; info: TrainingStarted }
  | { type: 'ack'; requestId: RequestId }
  /** Unsolicited training events. */
  | { type: 'dataProgress'; loadedBytes: number; totalBytes: number; file: string }
  | { type: 'trainingProgress'; progress: ProgressEvent }
  | { type: 'trainingEpoch'; epoch: EpochEvent }
  | { type: 'trainingEnded'; end: SessionEnd; step: number }
  | { type: 'kernelEdited'; requestId: RequestId; result: KernelEditResult }
  | { type: 'dashboardResult'; requestId: RequestId; result: DashboardResult }
  | { type: 'recoveryResult'; requestId: RequestId; result: RecoveryResult }
  /** Unsolicited: edited kernels were taken out of training (e.g. the run diverged); the built-in ones run again. */
  | { type: 'kernelsRestored'; kernels: string[]; message: string }
  | { type: 'pong'; requestId: RequestId }
  /**
   * Unsolicited, at each epoch end: the weights the worker keeps to resume from. The page keeps a
   * copy too, so a new Worker can resume the run if this one dies.
   */
  | { type: 'checkpoint'; step: number; epoch: number; parameters: LayerParameterMap };

export type RequestType = MainToWorker['type'];

/** Which reply answers which request. */
interface ReplyTypes {
  hello: 'ready';
  runKernelChecks: 'kernelChecks';
  startTraining: 'trainingStarted';
  pauseTraining: 'ack';
  resumeTraining: 'ack';
  stopTraining: 'ack';
  kernelEdit: 'kernelEdited';
  dashboard: 'dashboardResult';
  recovery: 'recoveryResult';
  ping: 'pong';
}

/** A request as the caller writes it: the client fills in requestId. */
export type RequestOf<T extends RequestType> = Omit<Extract<MainToWorker, { type: T }>, 'requestId'>;

/** The successful reply to a request of type T. */
export type ReplyTo<T extends RequestType> = Extract<WorkerToMain, { type: ReplyTypes[T] }>;

/** A message the worker sends without being asked. */
export type WorkerEvent = Extract<
  WorkerToMain,
  {
    type:
      | 'gpuLost'
      | 'error'
      | 'dataProgress'
      | 'trainingProgress'
      | 'trainingEpoch'
      | 'trainingEnded'
      | 'kernelsRestored'
      | 'checkpoint';
  }
>;

/** The reply type expected for each request type (the runtime twin of ReplyTypes). */
export const REPLY_TYPE: { [T in RequestType]: ReplyTypes[T] } = {
  hello: 'ready',
  runKernelChecks: 'kernelChecks',
  startTraining: 'trainingStarted',
  pauseTraining: 'ack',
  resumeTraining: 'ack',
  stopTraining: 'ack',
  kernelEdit: 'kernelEdited',
  dashboard: 'dashboardResult',
  recovery: 'recoveryResult',
  ping: 'pong',
};
