/**
 * The page's side of the trainer Worker: typed requests answered by Promises (matched by
 * requestId), a subscription for messages the worker sends on its own, and terminate().
 *
 * A Worker can die without a word: `worker.terminate()` called from elsewhere (a test, a tool)
 * fires no event, and a Worker the browser kills may fire none either. So the client wraps the
 * Worker's own terminate (a call from anywhere counts as a death) and, where asked, sends a
 * heartbeat and counts a Worker that stays silent too long as dead. A death fails every pending
 * request and calls the `onDeath` listeners once; the caller decides whether to start another.
 */
import {
  REPLY_TYPE,
  type MainToWorker,
  type ReplyTo,
  type RequestOf,
  type RequestType,
  type WorkerEvent,
  type WorkerToMain,
} from './protocol';

/** The part of a Worker the client uses, so tests can pass a fake. */
export interface WorkerLike {
  postMessage(message: MainToWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerToMain>) => void): void;
  addEventListener(type: 'error', listener: (event: ErrorEvent) => void): void;
  terminate(): void;
}

export interface TrainerClientOptions {
  /** Send a ping this often (ms) while alive; 0 or left out: no heartbeat. */
  heartbeatMs?: number;
  /** Count the Worker as dead when nothing at all has come from it for this long (ms). */
  silenceMs?: number;
  /** Clock and timers, for tests. */
  now?: () => number;
}

export interface TrainerClient {
  /** Sends a request; resolves with its reply, rejects on an error reply or termination. */
  request<T extends RequestType>(message: RequestOf<T> & { type: T }): Promise<ReplyTo<T>>;
  /** Calls `listener` for every message the worker sends unasked; returns an unsubscribe function. */
  onEvent(listener: (event: WorkerEvent) => void): () => void;
  /** Stops the worker; pending requests reject. */
  terminate(): void;
  /** Calls `listener` once if the Worker dies (terminated from elsewhere, or silent too long), with why. */
  onDeath(listener: (reason: string) => void): void;
  /** The Worker itself (the page's test hook terminates it to simulate a crash). */
  readonly worker: WorkerLike;
}

interface Pending {
  expect: string;
  resolve: (reply: WorkerToMain) => void;
  reject: (error: Error) => void;
}

/** The real module Worker (Vite bundles trainer.worker.ts as its own chunk from this pattern). */
function createTrainerWorker(): WorkerLike {
  return new Worker(new URL('./trainer.worker.ts', import.meta.url), { type: 'module', name: 'trainer' }) as WorkerLike;
}

/** Starts the trainer Worker (or the given stand-in) and returns a typed client for it. */
export function createTrainerClient(
  createWorker: () => WorkerLike = createTrainerWorker,
  options: TrainerClientOptions = {},
): TrainerClient {
  const worker = createWorker();
  const pending = new Map<number, Pending>();
  const listeners = new Set<(event: WorkerEvent) => void>();
  const deathListeners = new Set<(reason: string) => void>();
  const now = options.now ?? (() => performance.now());
  let nextId = 1;
  let terminated = false;
  let lastHeard = now();
  let heartbeat: ReturnType<typeof setInterval> | null = null;

  const terminateWorker = worker.terminate.bind(worker);
  /**
   * The Worker is gone without our asking: fail what waits, stop the heartbeat, tell the listeners.
   * `reason` is a clause such as "it was shut down".
   */
  const die = (reason: string) => {
    if (terminated) return;
    terminated = true;
    if (heartbeat) clearInterval(heartbeat);
    failAll(new Error(`The training worker stopped: ${reason}.`));
    deathListeners.forEach((l) => l(reason));
    deathListeners.clear();
    listeners.clear();
  };
  worker.terminate = () => {
    terminateWorker();
    die('it was shut down');
  };

  const emit = (event: WorkerEvent) => listeners.forEach((l) => l(event));

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  worker.addEventListener('message', (event) => {
    lastHeard = now();
    const msg = event.data;
    const id = 'requestId' in msg ? msg.requestId : undefined;
    const waiting = id === undefined ? undefined : pending.get(id);
    if (!waiting) {
      if (!('requestId' in msg) || msg.type === 'error') emit(msg as WorkerEvent);
      return;
    }
    pending.delete(id!);
    if (msg.type === 'error') waiting.reject(new Error(msg.message));
    else if (msg.type !== waiting.expect)
      waiting.reject(new Error(`Expected "${waiting.expect}" but the worker replied "${msg.type}"`));
    else waiting.resolve(msg);
  });

  // A worker that fails to load or throws at top level answers nothing: fail what waits on it.
  worker.addEventListener('error', (event) => {
    const message = `Trainer worker failed: ${event.message || 'could not start'}`;
    failAll(new Error(message));
    emit({ type: 'error', message });
  });

  if (options.heartbeatMs && options.heartbeatMs > 0) {
    const silenceMs = options.silenceMs ?? 30_000;
    heartbeat = setInterval(() => {
      if (now() - lastHeard > silenceMs) die(`it gave no answer for ${Math.round(silenceMs / 1000)} s`);
      else request({ type: 'ping' }).catch(() => undefined);
    }, options.heartbeatMs);
  }

  function request<T extends RequestType>(message: RequestOf<T> & { type: T }): Promise<ReplyTo<T>> {
    if (terminated) return Promise.reject(new Error('The trainer worker was terminated'));
    const requestId = nextId++;
    return new Promise<ReplyTo<T>>((resolve, reject) => {
      pending.set(requestId, {
        expect: REPLY_TYPE[message.type],
        resolve: resolve as (r: WorkerToMain) => void,
        reject,
      });
      worker.postMessage({ ...message, requestId } as MainToWorker);
    });
  }

  return {
    // Cast: tsc cannot relate two identical generic signatures over conditional types.
    request: request as TrainerClient['request'],
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    terminate() {
      if (terminated) return;
      terminated = true;
      if (heartbeat) clearInterval(heartbeat);
      terminateWorker();
      failAll(new Error('The trainer worker was terminated'));
      listeners.clear();
      deathListeners.clear();
    },
    onDeath(listener) {
      if (!terminated) deathListeners.add(listener);
    },
    worker,
  };
}
