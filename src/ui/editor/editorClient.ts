/**
 * The page's way to the Worker's kernel editing (compile, test, benchmark, swap, revert), and the
 * recovery when the Worker's GPU device is lost: say so, get a new device, and report it.
 */
import { trainerClient } from '../../state/trainingBridge';
import { appStore } from '../../state/store';
import type { KernelEditRequest, KernelEditResultOf } from '../../worker/kernelEditingProtocol';
import type { WorkerEvent } from '../../worker/protocol';

/** Sends one kernel-editing request to the trainer Worker and returns its typed result. */
export async function kernelEdit<R extends KernelEditRequest>(request: R): Promise<KernelEditResultOf<R['op']>> {
  const reply = await trainerClient().request({ type: 'kernelEdit', request });
  return reply.result as KernelEditResultOf<R['op']>;
}

/** Listens to the Worker's unasked messages (device lost, kernels restored, ...). */
export function onWorkerEvent(listener: (event: WorkerEvent) => void): () => void {
  return trainerClient().onEvent(listener);
}

/**
 * Asks the Worker for a new GPU device (its old one was lost) and updates the status banner.
 * Resolves with a sentence for the page.
 */
export async function reacquireWorkerGpu(): Promise<string> {
  const reply = await trainerClient().request({ type: 'hello' });
  appStore.getState().setWorkerStatus({ kind: 'ready', gpu: reply.gpu, gpuError: reply.gpuError });
  return reply.gpu
    ? `A new GPU device is ready (${[reply.gpu.vendor, reply.gpu.architecture].filter(Boolean).join(' · ')}).`
    : `No new GPU device could be made: ${reply.gpuError ?? 'unknown reason'}.`;
}
