/**
 * The trainer module Worker: owns the GPU device and the engine, and talks to the page only
 * through the messages in protocol.ts. The logic lives in trainerHost.ts; this file wires it to
 * the Worker's globals.
 */
import type { MainToWorker, WorkerToMain } from './protocol';
import { createTrainerHost } from './trainerHost';

/** The few DedicatedWorkerGlobalScope members we use (the project's TS lib is DOM, not WebWorker). */
interface WorkerScope {
  navigator: { gpu?: GPU };
  postMessage(message: WorkerToMain): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<MainToWorker>) => void): void;
  addEventListener(type: 'unhandledrejection', listener: (event: PromiseRejectionEvent) => void): void;
}

const scope = self as unknown as WorkerScope;
const post = (message: WorkerToMain) => scope.postMessage(message);

// navigator.gpu exists in a Worker exactly when the browser offers WebGPU in secure contexts.
const handle = createTrainerHost({ getGpu: () => scope.navigator.gpu, post });

scope.addEventListener('message', (event) => {
  void handle(event.data);
});

scope.addEventListener('unhandledrejection', (event) => {
  post({ type: 'error', message: `Unhandled error in the trainer: ${String(event.reason)}` });
});
