import type { StateCreator } from 'zustand/vanilla';
import type { AdapterSummary } from '../engine/kernel/device';

export type GpuStatus =
  | { kind: 'checking' }
  | { kind: 'ready'; adapter: AdapterSummary }
  | { kind: 'unavailable'; reason: string }
  | { kind: 'lost'; reason: string; adapter: AdapterSummary };

export type WorkerStatus =
  | { kind: 'starting' }
  | { kind: 'ready'; gpu: AdapterSummary | null; gpuError?: string }
  | { kind: 'failed'; reason: string };

export interface GpuSlice {
  gpu: GpuStatus;
  worker: WorkerStatus;
  setGpuStatus: (status: GpuStatus) => void;
  setWorkerStatus: (status: WorkerStatus) => void;
}

export const createGpuSlice: StateCreator<GpuSlice, [], [], GpuSlice> = (set) => ({
  gpu: { kind: 'checking' },
  worker: { kind: 'starting' },
  setGpuStatus: (gpu) => set({ gpu }),
  setWorkerStatus: (worker) => set({ worker }),
});
