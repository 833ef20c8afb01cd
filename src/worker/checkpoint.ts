/**
 * Keeps the last completed epoch of the running job (its weights and step) so training can go on
 * after the GPU device is lost: a driver reset, a laptop waking from sleep, or another tab taking
 * the GPU. Resuming rebuilds the same job on a new device from these weights, at that step.
 * (Optimizer moments are not kept: Adam's running averages restart, which costs a few noisy steps.)
 */
import type { LayerParameterMap } from '../engine/train/gpuTrainer';
import type { JobModel } from './trainingJob';
import type { TrainingJob } from './protocol';
import type { CheckpointInfo, RecoveryRequest, RecoveryResult } from './recoveryProtocol';
import type { AdapterSummary } from '../engine/kernel/device';
import type { TrainingStarted } from './protocol';

export interface TrainingCheckpoint {
  job: TrainingJob;
  step: number;
  epoch: number;
  parameters: LayerParameterMap;
}

/** Reads the weights of a job's model, from the GPU or the CPU trainer. */
export async function readModelParameters(model: JobModel): Promise<LayerParameterMap | null> {
  if (model.gpu) return model.gpu.readParameters();
  if (model.cpu) return model.cpu.readParameters();
  return null;
}

/** The job that continues `checkpoint`: same config and data, its weights, its step. */
export function resumeJob(checkpoint: TrainingCheckpoint): TrainingJob {
  return { ...checkpoint.job, initialParameters: checkpoint.parameters, startStep: checkpoint.step };
}

export interface RecoveryDeps {
  /** Starts a job as startTraining does (stopping any running one); resolves once it runs. */
  startJob: (job: TrainingJob) => Promise<TrainingStarted>;
  /** The adapter of the trainer's device (acquiring a new one if the old one was lost). */
  adapter: () => Promise<AdapterSummary | null>;
  /** Destroys the trainer's device (test hook). */
  destroyDevice: () => Promise<void>;
}

/** The worker's checkpoint keeper and the handler of 'recovery' requests. */
export function createRecovery(deps: RecoveryDeps) {
  let latest: TrainingCheckpoint | null = null;
  let testHooks = false;

  const info = (): CheckpointInfo | null => (latest ? { step: latest.step, epoch: latest.epoch } : null);

  return {
    /** A new job (not a resume) forgets the previous job's checkpoint. */
    jobStarted(job: TrainingJob): void {
      if (job.startStep === undefined) latest = null;
    },
    /** Called at each epoch end, while no steps are in flight; returns the checkpoint it keeps. */
    async epochEnded(
      job: TrainingJob,
      model: JobModel | null,
      step: number,
      stepsPerEpoch: number,
    ): Promise<TrainingCheckpoint | null> {
      const parameters = model ? await readModelParameters(model) : null;
      if (parameters) latest = { job, step, epoch: Math.round(step / stepsPerEpoch), parameters };
      return parameters ? latest : null;
    },
    get checkpoint(): CheckpointInfo | null {
      return info();
    },
    async handle(request: RecoveryRequest): Promise<RecoveryResult> {
      switch (request.op) {
        case 'status':
          return { op: 'status', checkpoint: info() };
        case 'resume': {
          if (!latest) throw new Error('There is no finished epoch to resume from yet; press Start to train again.');
          const gpu = await deps.adapter();
          const step = latest.step;
          const started = await deps.startJob(resumeJob(latest));
          return { op: 'resume', info: started, step, gpu };
        }
        case 'enableTestHooks':
          testHooks = true;
          return { op: 'ack' };
        case 'loseDevice':
          if (!testHooks) throw new Error('Test hooks are off in this worker.');
          await deps.destroyDevice();
          return { op: 'ack' };
      }
    },
  };
}
