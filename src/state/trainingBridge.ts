/**
 * The one way into the trainer Worker (see .dependency-cruiser.cjs). Today it opens dedicated
 * trainer Workers for pages that must not share the app's one (the home page's live run); the
 * app's shared client in src/ui/workerClient.ts moves behind it with issue 23.
 */
import { createTrainerClient, type TrainerClient } from '../worker/client';

export type { TrainerClient };

/** Starts a trainer Worker of the caller's own; terminate() it when done, which frees its GPU device. */
export function openDedicatedTrainer(): TrainerClient {
  return createTrainerClient();
}
