/**
 * Messages for surviving a lost GPU device mid-training (see checkpoint.ts): ask what checkpoint
 * is kept, resume from it on a new device, and test-only hooks that lose the device on purpose.
 */
import type { AdapterSummary } from '../engine/kernel/device';
import type { TrainingStarted } from './protocol';

/** What the page learns about the kept checkpoint (the weights stay in the worker). */
export interface CheckpointInfo {
  /** Steps completed when it was taken (always an epoch boundary). */
  step: number;
  /** Epochs completed. */
  epoch: number;
}

export type RecoveryRequest =
  | { op: 'status' }
  /** Rebuilds the last job on a (new) GPU device from the checkpoint and continues training. */
  | { op: 'resume' }
  /** Test-only: allows `loseDevice` in this worker (the page sends it when its URL has `test-hooks`). */
  | { op: 'enableTestHooks' }
  /** Test-only: destroys the trainer's GPU device, as a driver crash or a sleeping laptop would. */
  | { op: 'loseDevice' };

export type RecoveryResult =
  | { op: 'status'; checkpoint: CheckpointInfo | null }
  | { op: 'resume'; info: TrainingStarted; step: number; gpu: AdapterSummary | null }
  | { op: 'ack' };
