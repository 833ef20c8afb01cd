/**
 * Runs a training job to the end: submits chunks of steps while the previous chunk's metrics are
 * still on their way back (so the GPU never waits for the CPU), sizes chunks to the GPU's speed,
 * evaluates on the test set after each epoch, and stops cleanly on request, on a non-finite loss
 * (with a message naming the likely cause) or on an error. Shared by the Worker and the Node
 * benchmark; knows nothing about messages or the DOM.
 */
import type { EvaluationResult, StepMetric } from './gpuTrainer';

/** What a session needs from a trainer; GpuTrainer and an adapter over CpuTrainer provide it. */
export interface StepSource {
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  readonly batch: number;
  globalStep: number;
  submitSteps(n: number): Promise<StepMetric[]>;
  /** Evaluates on the test set, or on its first `limit` images. */
  evaluate(limit?: number): Promise<EvaluationResult> | EvaluationResult;
}

/** A mid-epoch evaluation on a small test subset (see SessionOptions.evaluateEverySteps). */
export interface Checkpoint {
  step: number;
  loss: number;
  accuracy: number;
  count: number;
}

export interface ProgressEvent {
  metrics: StepMetric[];
  epoch: number;
  step: number;
  totalSteps: number;
  stepsPerEpoch: number;
  imagesPerSecond: number;
  /** Steps recorded into each submit lately (> 1 means batched submission). */
  stepsPerSubmit: number;
  elapsedMs: number;
  /** Present on the event sent right after a mid-epoch evaluation. */
  checkpoint?: Checkpoint;
}

export interface EpochEvent {
  epoch: number;
  step: number;
  test: EvaluationResult | null;
  /** Mean training loss over the epoch's steps. */
  trainLoss: number;
  elapsedMs: number;
}

export type SessionEnd =
  | { kind: 'finished' }
  | { kind: 'stopped' }
  | { kind: 'diverged'; step: number; message: string }
  | { kind: 'failed'; message: string };

export interface SessionOptions {
  /** Aim for chunks of about this many milliseconds of GPU work (responsiveness vs overhead). */
  targetChunkMs?: number;
  maxStepsPerSubmit?: number;
  /** Evaluate on the test set after every epoch (default true); false also skips the epoch events (toy data). */
  evaluateEachEpoch?: boolean;
  learningRate?: number;
  /**
   * Also evaluate every N steps inside an epoch, on the first `evaluateSubset` test images. The
   * pipeline drains once for it (at the first chunk boundary past the N steps); chunks in between
   * stay batched.
   */
  evaluateEverySteps?: number;
  evaluateSubset?: number;
  onProgress?: (e: ProgressEvent) => void;
  onEpoch?: (e: EpochEvent) => void | Promise<void>;
  now?: () => number;
}

export interface SessionControl {
  /** True while the user has paused: no new steps are submitted. */
  isPaused(): boolean;
  /** Resolves on resume (or stop). */
  waitForResume(): Promise<void>;
  stopRequested(): boolean;
}

/** A control that is never paused or stopped (benchmarks, tests). */
export const RUN_TO_END: SessionControl = {
  isPaused: () => false,
  waitForResume: () => Promise.resolve(),
  stopRequested: () => false,
};

/** The message shown when the loss stops being a finite number. */
export function divergenceMessage(step: number, loss: number, learningRate?: number): string {
  const what = Number.isNaN(loss) ? 'not a number (NaN)' : 'infinite';
  const lr = learningRate !== undefined ? ` (it is ${learningRate})` : '';
  return (
    `Training stopped at step ${step + 1}: the loss became ${what}. The weights grew out of range, ` +
    `which almost always means the learning rate is too high${lr}. Try a learning rate 10 times smaller, then start again.`
  );
}

/** The first submit after the pipeline emptied (an evaluation) has at most this many steps. */
const RAMP_RESTART = 4;

/** Runs `source` until its last step, a stop request, divergence or an error. */
export async function runSession(
  source: StepSource,
  control: SessionControl,
  options: SessionOptions = {},
): Promise<SessionEnd> {
  const now = options.now ?? (() => performance.now());
  const targetMs = options.targetChunkMs ?? 120;
  const maxChunk = options.maxStepsPerSubmit ?? 256;
  const spe = source.stepsPerEpoch;
  const start = now();
  let chunk = 1;
  // Submits ramp up (x2 each) from a few steps whenever nothing is in flight, at the start and
  // after each evaluation: the CPU records a submit's steps while the GPU runs the previous one,
  // so a big first submit would leave the GPU idle for its whole recording (a measurable share of
  // a fast-cnn epoch went that way). Doubling keeps the GPU fed while recording a step costs the CPU
  // up to half the GPU's time for it, as it does for mlp. bench/README.md has the figures.
  let rampCap = 1;
  let epochLossSum = 0;
  let epochLossCount = 0;
  let evaluatedEpochs = Math.floor(source.globalStep / spe);
  // At most two submits in flight: the GPU works on one while the CPU reads the other's metrics.
  const inFlight: { promise: Promise<StepMetric[]>; steps: number; submittedAt: number }[] = [];
  let lastDone = start;
  let msPerStep = 0;
  let lastProgress: ProgressEvent | null = null;
  const every = options.evaluateEverySteps && options.evaluateEverySteps > 0 ? options.evaluateEverySteps : Infinity;
  let lastCheckpoint = source.globalStep;

  const drain = async () => {
    while (inFlight.length) await inFlight.shift()!.promise.catch(() => []);
  };

  /** Reads the oldest chunk's metrics; returns an end state when the loss diverged. */
  const finishChunk = async (): Promise<SessionEnd | null> => {
    const head = inFlight.shift()!;
    const metrics = await head.promise;
    const t = now();
    const chunkMs = t - Math.max(lastDone, head.submittedAt);
    lastDone = t;
    if (metrics.length) msPerStep = chunkMs / metrics.length;
    for (const m of metrics) {
      if (!Number.isFinite(m.loss))
        return { kind: 'diverged', step: m.step, message: divergenceMessage(m.step, m.loss, options.learningRate) };
      epochLossSum += m.loss;
      epochLossCount++;
    }
    const step = metrics.length ? metrics[metrics.length - 1].step + 1 : source.globalStep;
    options.onProgress?.(
      (lastProgress = {
        metrics,
        epoch: Math.floor(Math.max(0, step - 1) / spe),
        step,
        totalSteps: source.totalSteps,
        stepsPerEpoch: spe,
        imagesPerSecond: msPerStep > 0 ? (source.batch * 1000) / msPerStep : 0,
        stepsPerSubmit: head.steps,
        elapsedMs: t - start,
      }),
    );
    // Grow or shrink chunks towards the target duration.
    // After the first (measuring) submit, at least two steps go into each submit.
    if (msPerStep > 0) chunk = Math.max(2, Math.min(maxChunk, Math.round(targetMs / msPerStep)));
    return null;
  };

  try {
    for (;;) {
      if (control.stopRequested()) {
        await drain();
        return { kind: 'stopped' };
      }
      const step = source.globalStep;
      // The test set is evaluated on the weights at the end of the epoch, before the next epoch starts.
      const evaluationDue =
        options.evaluateEachEpoch !== false && step > 0 && step % spe === 0 && evaluatedEpochs < step / spe;
      if (step > 0 && step % spe === 0) lastCheckpoint = Math.max(lastCheckpoint, step);
      const checkpointDue = !evaluationDue && step < source.totalSteps && step - lastCheckpoint >= every;
      if (step < source.totalSteps && !evaluationDue && !checkpointDue && inFlight.length < 2 && !control.isPaused()) {
        if (inFlight.length === 0) rampCap = Math.min(rampCap, RAMP_RESTART);
        const promise = source.submitSteps(Math.min(chunk, rampCap, source.totalSteps - step));
        const submitted = source.globalStep - step;
        rampCap = Math.max(RAMP_RESTART, 2 * submitted);
        inFlight.push({ promise, steps: submitted, submittedAt: now() });
        continue;
      }
      if (inFlight.length) {
        const end = await finishChunk();
        if (end) {
          await drain();
          return end;
        }
        continue;
      }
      if (evaluationDue) {
        const test = await source.evaluate();
        evaluatedEpochs = step / spe;
        await options.onEpoch?.({
          epoch: evaluatedEpochs - 1,
          step,
          test,
          trainLoss: epochLossSum / Math.max(1, epochLossCount),
          elapsedMs: now() - start,
        });
        epochLossSum = 0;
        epochLossCount = 0;
        continue;
      }
      if (checkpointDue) {
        const r = await source.evaluate(options.evaluateSubset ?? 500);
        lastCheckpoint = step;
        // (Assigned inside finishChunk, which TypeScript's narrowing cannot see.)
        const last = lastProgress as ProgressEvent | null;
        if (last) {
          options.onProgress?.({
            ...last,
            metrics: [],
            elapsedMs: now() - start,
            checkpoint: { step, loss: r.loss, accuracy: r.accuracy, count: r.count },
          });
        }
        continue;
      }
      if (step >= source.totalSteps) return { kind: 'finished' };
      await control.waitForResume();
    }
  } catch (e) {
    await drain();
    return { kind: 'failed', message: e instanceof Error ? e.message : String(e) };
  }
}
