/**
 * Starts WebGPU on the main thread (for the status banner and quick checks) once per page load,
 * and keeps the store's GPU status true when the device is lost.
 */
import { acquireGpu, WebGpuUnavailableError, type GpuContext } from '../engine/kernel/device';
import { appStore } from '../state/store';

let booting: Promise<GpuContext | null> | null = null;

/** Acquires the main-thread GPU once; later calls return the same promise. */
export function bootGpu(): Promise<GpuContext | null> {
  booting ??= acquireMainThreadGpu();
  return booting;
}

async function acquireMainThreadGpu(): Promise<GpuContext | null> {
  const { setGpuStatus } = appStore.getState();
  try {
    const ctx = await acquireGpu(navigator.gpu);
    setGpuStatus({ kind: 'ready', adapter: ctx.summary });
    void ctx.lost.then((info) => {
      booting = null; // the next bootGpu() call makes a new device
      setGpuStatus({ kind: 'lost', adapter: ctx.summary, reason: info.message || String(info.reason) });
    });
    return ctx;
  } catch (e) {
    const reason = e instanceof WebGpuUnavailableError ? e.message : `WebGPU could not start: ${(e as Error).message}`;
    setGpuStatus({ kind: 'unavailable', reason });
    booting = null;
    return null;
  }
}
