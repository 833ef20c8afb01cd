/**
 * The page's side of the trainer Worker: typed requests answered by Promises (matched by
 * requestId), a subscription for messages the worker sends on its own, and terminate().
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

export interface TrainerClient {
  /** Sends a request; resolves with its reply, rejects on an error reply or termination. */
  request<T extends RequestType>(message: RequestOf<T> & { type: T }): Promise<ReplyTo<T>>;
  /** Calls `listener` for every message the worker sends unasked; returns an unsubscribe function. */
  onEvent(listener: (event: WorkerEvent) => void): () => void;
  /** Stops the worker; pending requests reject. */
  terminate(): void;
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
export function createTrainerClient(createWorker: () => WorkerLike = createTrainerWorker): TrainerClient {
  const worker = createWorker();
  const pending = new Map<number, Pending>();
  const listeners = new Set<(event: WorkerEvent) => void>();
  let nextId = 1;
  let terminated = false;

  const emit = (event: WorkerEvent) => listeners.forEach((l) => l(event));

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  worker.addEventListener('message', (event) => {
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
      worker.terminate();
      failAll(new Error('The trainer worker was terminated'));
      listeners.clear();
    },
  };
}
