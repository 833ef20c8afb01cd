/**
 * The home page's live run: its own trainer Worker (not the app's shared one, so the home run can
 * never stop, replace or pollute a run the user started in the training view), a short job on the
 * starter slice, and a small store the page renders from. Stopping terminates the Worker, which
 * frees its GPU device at once.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { openDedicatedTrainer, type TrainerClient } from '../../state/trainingBridge';
import type { WorkerEvent } from '../../worker/protocol';
import type { PredictedImage } from '../../worker/dashboardProtocol';
import { adapterLabel } from '../../engine/kernel/device';
import { homeJob, homeRunPlan, type HomeRunPlan } from './runPlan';

export type HomeRunPhase = 'idle' | 'starting' | 'running' | 'paused' | 'finished' | 'failed';

export interface HomeRunState {
  phase: HomeRunPhase;
  plan: HomeRunPlan | null;
  adapterName: string | null;
  /** Training loss of every step so far. */
  loss: { step: number; loss: number }[];
  /** Accuracy on the test images, measured every few steps. */
  accuracy: { step: number; accuracy: number }[];
  step: number;
  /** The first test digits with the network's latest answers. */
  predictions: PredictedImage[] | null;
  predictionsStep: number;
  message: string | null;
}

export const PREDICTION_COUNT = 10;
/** Chart updates at most this often, so a fast GPU never floods React with renders. */
const FLUSH_MS = 250;

export function initialHomeRunState(): HomeRunState {
  return {
    phase: 'idle',
    plan: null,
    adapterName: null,
    loss: [],
    accuracy: [],
    step: 0,
    predictions: null,
    predictionsStep: -1,
    message: null,
  };
}

export interface HomeTrainer {
  store: StoreApi<HomeRunState>;
  /** Starts (or restarts) the run; resolves once the first step is under way or it failed. */
  start(): Promise<void>;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Ends the run and the Worker for good. */
  dispose(): void;
}

export interface HomeTrainerOptions {
  /** The starter slice's folder URL. */
  dataBaseUrl: string;
  createClient?: () => TrainerClient;
}

/** Creates the controller; nothing starts until start(). */
export function createHomeTrainer(options: HomeTrainerOptions): HomeTrainer {
  const store = createStore<HomeRunState>()(initialHomeRunState);
  const createClient = options.createClient ?? openDedicatedTrainer;
  let client: TrainerClient | null = null;
  let disposed = false;
  let run = 0;
  let pendingLoss: { step: number; loss: number }[] = [];
  let lastStep = 0;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  let predicting = false;
  let predictAgain = false;
  let pausing = false;
  let resumeWhenPaused = false;

  const patch = (p: Partial<HomeRunState>) => store.setState(p);

  function flush(): void {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (!pendingLoss.length && lastStep === store.getState().step) return;
    const s = store.getState();
    patch({ loss: pendingLoss.length ? [...s.loss, ...pendingLoss] : s.loss, step: lastStep });
    pendingLoss = [];
  }

  /** Asks for the first test digits' answers; one request at a time, the latest step wins. */
  function refreshPredictions(c: TrainerClient, forRun: number): void {
    if (predicting) {
      predictAgain = true;
      return;
    }
    predicting = true;
    c.request({ type: 'dashboard', request: { op: 'testPredictions', limit: PREDICTION_COUNT } }).then(
      (reply) => {
        predicting = false;
        if (forRun !== run || reply.result.op !== 'testPredictions') return;
        if (reply.result.step >= store.getState().predictionsStep)
          patch({ predictions: reply.result.items, predictionsStep: reply.result.step });
        if (predictAgain) {
          predictAgain = false;
          refreshPredictions(c, forRun);
        }
      },
      () => {
        predicting = false; // the run ended or the Worker was stopped: the last answers stay
      },
    );
  }

  function onEvent(event: WorkerEvent, c: TrainerClient, forRun: number): void {
    if (forRun !== run) return;
    switch (event.type) {
      case 'trainingProgress': {
        const p = event.progress;
        for (const m of p.metrics) pendingLoss.push({ step: m.step, loss: m.loss });
        lastStep = p.step;
        if (p.checkpoint) {
          flush();
          const cp = p.checkpoint;
          patch({ accuracy: [...store.getState().accuracy, { step: cp.step, accuracy: cp.accuracy }] });
          refreshPredictions(c, forRun);
        }
        flushTimer ??= setTimeout(flush, FLUSH_MS);
        return;
      }
      case 'trainingEnded': {
        flush();
        const end = event.end;
        if (end.kind === 'finished') {
          patch({ phase: 'finished', step: event.step });
          refreshPredictions(c, forRun);
        } else if (end.kind === 'diverged' || end.kind === 'failed') {
          patch({ phase: 'failed', message: end.message });
        }
        return;
      }
      case 'gpuLost':
        patch({ phase: 'failed', message: `The GPU was lost (${event.message}). Press Train again to start over.` });
        return;
      case 'error':
        if (store.getState().phase === 'running') patch({ message: event.message });
        return;
      default:
        return;
    }
  }

  async function start(): Promise<void> {
    if (disposed) return;
    const thisRun = ++run;
    client?.terminate();
    const c = createClient();
    client = c;
    pendingLoss = [];
    lastStep = 0;
    predicting = false;
    predictAgain = false;
    pausing = false;
    resumeWhenPaused = false;
    store.setState({ ...initialHomeRunState(), phase: 'starting' });
    c.onEvent((e) => onEvent(e, c, thisRun));
    try {
      const hello = await c.request({ type: 'hello' });
      if (thisRun !== run) return;
      const plan = homeRunPlan(hello.gpu);
      patch({ plan, adapterName: hello.gpu ? adapterLabel(hello.gpu) : null });
      const started = await c.request({ type: 'startTraining', job: homeJob(plan, options.dataBaseUrl) });
      if (thisRun !== run) return;
      // The trainer's own count is the truth for the chart's width and the step read-out.
      patch({ plan: { ...plan, totalSteps: started.info.totalSteps } });
      if (store.getState().phase === 'starting') patch({ phase: 'running' });
      // The untrained network's guesses, so the digits visibly change as it learns.
      refreshPredictions(c, thisRun);
    } catch (e) {
      if (thisRun !== run) return;
      patch({ phase: 'failed', message: `The live run could not start: ${(e as Error).message}` });
    }
  }

  /** Pauses; the phase says 'paused' once the Worker has reported its last steps, so nothing more arrives. */
  async function pause(): Promise<void> {
    const c = client;
    if (!c || pausing || store.getState().phase !== 'running') return;
    pausing = true;
    const forRun = run;
    await c.request({ type: 'pauseTraining' }).catch(() => undefined);
    pausing = false;
    if (forRun !== run || store.getState().phase !== 'running') return;
    flush();
    if (resumeWhenPaused) {
      resumeWhenPaused = false;
      await c.request({ type: 'resumeTraining' }).catch(() => undefined);
      return;
    }
    patch({ phase: 'paused' });
  }

  async function resume(): Promise<void> {
    if (pausing) {
      resumeWhenPaused = true;
      return;
    }
    if (!client || store.getState().phase !== 'paused') return;
    patch({ phase: 'running' });
    await client.request({ type: 'resumeTraining' }).catch(() => undefined);
  }

  function dispose(): void {
    disposed = true;
    run++;
    if (flushTimer) clearTimeout(flushTimer);
    client?.terminate();
    client = null;
  }

  return { store, start, pause, resume, dispose };
}
