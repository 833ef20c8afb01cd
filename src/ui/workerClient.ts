/**
 * The page's one trainer Worker: started on first use, greeted with `hello` so the status banner
 * can say whether the Worker has the GPU too, and restarted after a crash.
 */
import { createTrainerClient, type TrainerClient } from '../worker/client';
import { appStore } from '../state/store';

let client: TrainerClient | null = null;

/** The shared trainer client (starts the Worker on first call). */
export function trainerClient(): TrainerClient {
  if (client) return client;
  const { setWorkerStatus } = appStore.getState();
  const c = createTrainerClient();
  client = c;
  setWorkerStatus({ kind: 'starting' });
  c.request({ type: 'hello' }).then(
    (reply) => setWorkerStatus({ kind: 'ready', gpu: reply.gpu, gpuError: reply.gpuError }),
    (e: Error) => {
      setWorkerStatus({ kind: 'failed', reason: e.message });
      if (client === c) client = null; // the next call starts a fresh Worker
    },
  );
  c.onEvent((event) => {
    if (event.type === 'gpuLost') setWorkerStatus({ kind: 'ready', gpu: null, gpuError: `GPU lost: ${event.message}` });
  });
  return c;
}
