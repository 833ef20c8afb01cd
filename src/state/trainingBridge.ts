/**
 * The one way into the trainer Worker (see .dependency-cruiser.cjs): the app's shared trainer
 * client, and dedicated trainer Workers for pages that must not share it (the home page's live run).
 */
import { createTrainerClient, type TrainerClient, type WorkerLike } from '../worker/client';
import type { WorkerEvent } from '../worker/protocol';
import { appStore } from './store';

export type { TrainerClient };

/** How often the page pings the Worker, and how long a silence counts as a dead Worker. */
const HEARTBEAT_MS = 2000;
const SILENCE_MS = 30_000;

export interface PageTrainerClient {
  request: TrainerClient['request'];
  /** Events from the current Worker and every later one. */
  onEvent(listener: (event: WorkerEvent) => void): () => void;
  /** Called after a Worker died and a new one was started in its place, with why it died (a clause: "it was shut down"). */
  onWorkerRestart(listener: (reason: string) => void): () => void;
  terminate(): void;
}

let client: TrainerClient | null = null;
const eventListeners = new Set<(event: WorkerEvent) => void>();
const restartListeners = new Set<(reason: string) => void>();

function start(): TrainerClient {
  const { setWorkerStatus } = appStore.getState();
  const c = createTrainerClient(undefined, { heartbeatMs: HEARTBEAT_MS, silenceMs: SILENCE_MS });
  client = c;
  setWorkerStatus({ kind: 'starting' });
  c.request({ type: 'hello' }).then(
    (reply) => setWorkerStatus({ kind: 'ready', gpu: reply.gpu, gpuError: reply.gpuError }),
    (e: Error) => {
      if (client !== c) return; // it died and was replaced: the new one reports
      setWorkerStatus({ kind: 'failed', reason: e.message });
      client = null; // the next call starts a fresh Worker
    },
  );
  c.onEvent((event) => {
    if (event.type === 'gpuLost') setWorkerStatus({ kind: 'ready', gpu: null, gpuError: `GPU lost: ${event.message}` });
    eventListeners.forEach((l) => l(event));
  });
  c.onDeath((reason) => {
    if (client !== c) return;
    start();
    restartListeners.forEach((l) => l(reason));
  });
  installWorkerHook();
  return c;
}

const pageClient: PageTrainerClient = {
  request: ((message) => (client ?? start()).request(message)) as TrainerClient['request'],
  onEvent(listener) {
    eventListeners.add(listener);
    return () => eventListeners.delete(listener);
  },
  onWorkerRestart(listener) {
    restartListeners.add(listener);
    return () => restartListeners.delete(listener);
  },
  terminate() {
    client?.terminate();
    client = null;
  },
};

/**
 * The page's one trainer Worker: started on first use, greeted with `hello` so the status banner
 * can say whether the Worker has the GPU too, and restarted after a crash.
 *
 * Callers get a stable client whose event subscriptions outlive any one Worker: when a Worker
 * dies (terminated from elsewhere, or silent past the heartbeat's limit) a new one starts at
 * once and `onWorkerRestart` listeners hear why, so the train page can resume the run from the
 * checkpoint it kept (see src/ui/train/WorkerRestart.tsx).
 */
export function trainerClient(): PageTrainerClient {
  if (!client) start();
  return pageClient;
}

/** Test-only: `window.__gpuLearnWorker` is the current Worker, when the URL has `test-hooks`. */
function installWorkerHook(): void {
  const w = window as { __gpuLearnWorker?: WorkerLike };
  if ('__gpuLearnWorker' in w) return;
  if (!new URLSearchParams(location.search).has('test-hooks') && !location.hash.includes('test-hooks')) return;
  Object.defineProperty(w, '__gpuLearnWorker', { get: () => client?.worker ?? null });
}

/** Starts a trainer Worker of the caller's own; terminate() it when done, which frees its GPU device. */
export function openDedicatedTrainer(): TrainerClient {
  return createTrainerClient();
}
