/**
 * Connects the training view to the trainer Worker: starts, pauses, resumes and stops jobs, and
 * folds the Worker's event stream into the store. Progress is buffered and flushed a few times a
 * second, so a fast GPU sending hundreds of steps per second never floods React with renders.
 */
import { appStore } from '../../state/store';
import { trainerClient } from '../workerClient';
import { mnistBaseUrl } from '../data/mnistCache';
import type { TrainingJob, WorkerEvent } from '../../worker/protocol';
import type { StepMetric } from '../../engine/train/gpuTrainer';
import type { ProgressEvent } from '../../engine/train/session';

const FLUSH_MS = 250;

let subscribed = false;
let pendingMetrics: StepMetric[] = [];
let pendingProgress: ProgressEvent | null = null;
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function flush(): void {
  flushTimer = null;
  const s = appStore.getState();
  if (pendingMetrics.length) s.appendLoss(pendingMetrics);
  pendingMetrics = [];
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
      });
      return;
    }
    case 'trainingEnded': {
      flush();
      const end = event.end;
      const status = end.kind === 'finished' ? 'finished' : end.kind === 'stopped' ? 'stopped' : end.kind === 'diverged' ? 'diverged' : 'failed';
      s.patchTraining({ status, step: event.step, message: end.kind === 'diverged' || end.kind === 'failed' ? end.message : null });
      return;
    }
    case 'gpuLost':
      s.patchTraining({ message: `The GPU was lost (${event.message}). Your settings and charts are kept; press Start to train again.` });
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
  try {
    const reply = await trainerClient().request({ type: 'startTraining', job: { ...job, dataBaseUrl: mnistBaseUrl() } });
    appStore.getState().patchTraining({ status: 'running', info: reply.info, dataProgress: null });
  } catch (e) {
    appStore.getState().patchTraining({ status: 'failed', message: (e as Error).message });
  }
}

/** Pauses after the steps already on the GPU finish. */
export async function pauseTraining(): Promise<void> {
  await trainerClient().request({ type: 'pauseTraining' });
  appStore.getState().patchTraining({ status: 'paused' });
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
  appStore.getState().resetTraining();
}
