/**
 * Connects the training view to the trainer Worker: starts, pauses, resumes and stops jobs, and
 * folds the Worker's event stream into the store. Progress is buffered and flushed a few times a
 * second, so a fast GPU sending hundreds of steps per second never floods React with renders.
 */
import { appStore } from '../../state/store';
import { trainerClient } from '../../state/trainingBridge';
import { mnistBaseUrl } from '../data/mnistCache';
import type { TrainingJob, WorkerEvent } from '../../worker/protocol';
import type { StepMetric } from '../../engine/train/gpuTrainer';
import type { ProgressEvent } from '../../engine/train/session';
import type { CheckpointPoint } from '../../state/trainingSlice';
import type { LayerParameterMap } from '../../engine/train/gpuTrainer';

// At most one chart update per second while training: smooth enough to watch, cheap for old laptops.
const FLUSH_MS = 1000;

let subscribed = false;
let pendingMetrics: StepMetric[] = [];
let pendingProgress: ProgressEvent | null = null;
let pendingCheckpoints: CheckpointPoint[] = [];

/** The job the current model came from (for saving it), or null; the store keeps it. */
export function currentTrainingJob(): Omit<TrainingJob, 'dataBaseUrl'> | null {
  return appStore.getState().trainingJob;
}
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function flush(): void {
  flushTimer = null;
  const s = appStore.getState();
  if (pendingMetrics.length) s.appendLoss(pendingMetrics);
  pendingMetrics = [];
  if (pendingCheckpoints.length) s.patchTraining({ checkpoints: [...s.training.checkpoints, ...pendingCheckpoints] });
  pendingCheckpoints = [];
  const p = pendingProgress;
  pendingProgress = null;
  if (p) {
    s.patchTraining({
      step: p.step,
      epoch: p.epoch,
      imagesPerSecond: p.imagesPerSecond,
      stepsPerSubmit: p.stepsPerSubmit,
      elapsedMs: p.elapsedMs,
    });
  }
}

function scheduleFlush(): void {
  flushTimer ??= setTimeout(flush, FLUSH_MS);
}

function onEvent(event: WorkerEvent): void {
  const s = appStore.getState();
  switch (event.type) {
    case 'dataProgress':
      s.patchTraining({ dataProgress: { loadedBytes: event.loadedBytes, totalBytes: event.totalBytes } });
      return;
    case 'trainingProgress':
      pendingMetrics.push(...event.progress.metrics);
      pendingProgress = event.progress;
      if (event.progress.checkpoint) {
        const c = event.progress.checkpoint;
        pendingCheckpoints.push({ step: c.step, accuracy: c.accuracy, loss: c.loss, count: c.count });
      }
      scheduleFlush();
      return;
    case 'trainingEpoch': {
      flush();
      const e = event.epoch;
      s.patchTraining({
        epochs: [
          ...s.training.epochs,
          {
            epoch: e.epoch,
            step: e.step,
            trainLoss: e.trainLoss,
            testLoss: e.test ? e.test.loss : null,
            testAccuracy: e.test ? e.test.accuracy : null,
            elapsedMs: e.elapsedMs,
          },
        ],
        confusion: e.test ? Array.from(e.test.confusion) : s.training.confusion,
        evaluation: e.test
          ? { step: e.step, accuracy: e.test.accuracy, loss: e.test.loss, count: e.test.count }
          : s.training.evaluation,
        modelVersion: s.training.modelVersion + 1,
      });
      return;
    }
    case 'trainingEnded': {
      // A User Timing mark, so profilers and the e2e long-task check can tell "while training" apart.
      performance.mark('gpulearn:training-ended');
      flush();
      const end = event.end;
      const status =
        end.kind === 'finished'
          ? 'finished'
          : end.kind === 'stopped'
            ? 'stopped'
            : end.kind === 'diverged'
              ? 'diverged'
              : 'failed';
      s.patchTraining({
        status,
        step: event.step,
        message: end.kind === 'diverged' || end.kind === 'failed' ? end.message : null,
        modelVersion: s.training.modelVersion + 1,
      });
      return;
    }
    case 'gpuLost':
      s.patchTraining({ message: `The GPU was lost (${event.message}). Your settings and charts are kept.` });
      return;
    case 'error':
      return;
  }
}

function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  trainerClient().onEvent(onEvent);
}

/** Starts a training job (stopping any running one); the chart starts empty. */
export async function startTraining(job: Omit<TrainingJob, 'dataBaseUrl'>): Promise<void> {
  ensureSubscribed();
  const s = appStore.getState();
  s.resetTraining();
  s.patchTraining({ status: 'preparing' });
  pendingMetrics = [];
  pendingProgress = null;
  pendingCheckpoints = [];
  s.setTrainingJob(job);
  try {
    const reply = await trainerClient().request({
      type: 'startTraining',
      job: { ...job, dataBaseUrl: mnistBaseUrl() },
    });
    performance.mark('gpulearn:training-started');
    appStore.getState().patchTraining({ status: 'running', info: reply.info, dataProgress: null });
  } catch (e) {
    appStore.getState().patchTraining({ status: 'failed', message: (e as Error).message });
  }
}

/** Pauses after the steps already on the GPU finish. */
export async function pauseTraining(): Promise<void> {
  await trainerClient().request({ type: 'pauseTraining' });
  // The worker answers after the last in-flight steps were reported: show them now, not later.
  if (flushTimer) clearTimeout(flushTimer);
  flush();
  const t = appStore.getState().training;
  appStore.getState().patchTraining({ status: 'paused', modelVersion: t.modelVersion + 1 });
}

export async function resumeTraining(): Promise<void> {
  await trainerClient().request({ type: 'resumeTraining' });
  appStore.getState().patchTraining({ status: 'running' });
}

/** Stops the job and clears the charts. */
export async function resetTraining(): Promise<void> {
  await trainerClient().request({ type: 'stopTraining' });
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  pendingMetrics = [];
  pendingProgress = null;
  pendingCheckpoints = [];
  appStore.getState().resetTraining();
}

/**
 * Builds the job's network with saved weights (no training) and evaluates it on the test set;
 * the dashboard then shows that model. All or nothing: the current run's weights, charts and
 * status change only once the worker has the new weights on the GPU; on failure nothing changes
 * and this throws with the worker's sentence.
 */
export async function loadTrainedModel(
  job: Omit<TrainingJob, 'dataBaseUrl'>,
  parameters: LayerParameterMap,
  fileName: string,
): Promise<void> {
  ensureSubscribed();
  const reply = await trainerClient().request({
    type: 'dashboard',
    request: { op: 'loadModel', job: { ...job, dataBaseUrl: mnistBaseUrl() }, parameters },
  });
  if (reply.result.op !== 'loadModel') throw new Error('The worker answered with something else.');
  appStore.getState().setTrainingJob({ ...job, initialParameters: parameters });
  const ev = reply.result.evaluation;
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = null;
  pendingMetrics = [];
  pendingProgress = null;
  pendingCheckpoints = [];
  const s = appStore.getState();
  s.resetTraining();
  const t = appStore.getState().training;
  appStore.getState().patchTraining({
    status: 'loaded',
    info: reply.result.info,
    dataProgress: null,
    evaluation: ev ? { step: 0, accuracy: ev.accuracy, loss: ev.loss, count: ev.count } : null,
    confusion: ev ? Array.from(ev.confusion) : null,
    message: null,
    loadedFrom: fileName,
    modelVersion: t.modelVersion + 1,
  });
}
