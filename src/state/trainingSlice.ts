import type { StateCreator } from 'zustand/vanilla';
import type { TrainingJob, TrainingStarted } from '../worker/protocol';
import type { StepMetric } from '../engine/train/gpuTrainer';

export type TrainingStatus =
  'idle' | 'preparing' | 'running' | 'paused' | 'finished' | 'stopped' | 'failed' | 'diverged' | 'loaded';

/** A mid-epoch test accuracy on a small test subset. */
export interface CheckpointPoint {
  step: number;
  accuracy: number;
  loss: number;
  /** Test images it was measured on. */
  count: number;
}

/** The latest evaluation on the whole test set (after an epoch, or of loaded weights). */
export interface EvaluationSummary {
  step: number;
  accuracy: number;
  loss: number;
  count: number;
}

export interface LossPoint {
  step: number;
  loss: number;
  accuracy: number;
}

export interface EpochPoint {
  epoch: number;
  step: number;
  trainLoss: number;
  testLoss: number | null;
  testAccuracy: number | null;
  elapsedMs: number;
}

export interface TrainingSlice {
  training: {
    status: TrainingStatus;
    info: TrainingStarted | null;
    /** Training loss per step, decimated so a chart of any length stays smooth. */
    lossSeries: LossPoint[];
    epochs: EpochPoint[];
    step: number;
    epoch: number;
    imagesPerSecond: number;
    stepsPerSubmit: number;
    elapsedMs: number;
    confusion: number[] | null;
    checkpoints: CheckpointPoint[];
    evaluation: EvaluationSummary | null;
    /** Increases whenever the weights the dashboard shows may have changed (epoch end, pause, finish, load). */
    modelVersion: number;
    /** Name of the saved-model file the weights came from, if any. */
    loadedFrom: string | null;
    message: string | null;
    dataProgress: { loadedBytes: number; totalBytes: number } | null;
  };
  /**
   * The job last started or loaded: what "Save weights" describes and what a Worker restart
   * resumes. Kept beside `training`, not in it, so clearing the charts keeps it.
   */
  trainingJob: Omit<TrainingJob, 'dataBaseUrl'> | null;
  setTrainingJob: (job: Omit<TrainingJob, 'dataBaseUrl'> | null) => void;
  patchTraining: (patch: Partial<TrainingSlice['training']>) => void;
  appendLoss: (metrics: StepMetric[]) => void;
  resetTraining: () => void;
}

/** Points kept per chart: beyond this, pairs of neighbouring points are merged. */
export const MAX_LOSS_POINTS = 1500;

const initial: TrainingSlice['training'] = {
  status: 'idle',
  info: null,
  lossSeries: [],
  epochs: [],
  step: 0,
  epoch: 0,
  imagesPerSecond: 0,
  stepsPerSubmit: 0,
  elapsedMs: 0,
  confusion: null,
  checkpoints: [],
  evaluation: null,
  modelVersion: 0,
  loadedFrom: null,
  message: null,
  dataProgress: null,
};

/** Halves a series by averaging neighbours, keeping the later step of each pair. */
export function decimate(points: LossPoint[]): LossPoint[] {
  const out: LossPoint[] = [];
  for (let i = 0; i + 1 < points.length; i += 2) {
    const a = points[i];
    const b = points[i + 1];
    out.push({ step: b.step, loss: (a.loss + b.loss) / 2, accuracy: (a.accuracy + b.accuracy) / 2 });
  }
  if (points.length % 2 === 1) out.push(points[points.length - 1]);
  return out;
}

export const createTrainingSlice: StateCreator<TrainingSlice, [], [], TrainingSlice> = (set) => ({
  training: initial,
  trainingJob: null,
  setTrainingJob: (trainingJob) => set({ trainingJob }),
  patchTraining: (patch) => set((s) => ({ training: { ...s.training, ...patch } })),
  appendLoss: (metrics) =>
    set((s) => {
      let series = s.training.lossSeries.concat(
        metrics.map((m) => ({ step: m.step, loss: m.loss, accuracy: m.accuracy })),
      );
      while (series.length > MAX_LOSS_POINTS) series = decimate(series);
      return { training: { ...s.training, lossSeries: series } };
    }),
  // The version keeps counting across resets, so views never mistake a new model for an old one.
  resetTraining: () => set((s) => ({ training: { ...initial, modelVersion: s.training.modelVersion + 1 } })),
});
