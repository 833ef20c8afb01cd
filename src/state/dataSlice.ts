import type { StateCreator } from 'zustand/vanilla';

export interface DatasetSummary {
  count: number;
  rows: number;
  cols: number;
  /** How many images carry each label 0..9. */
  labelCounts: number[];
}

export type DatasetLoad =
  | { kind: 'idle' }
  | { kind: 'loading'; loadedBytes: number; totalBytes: number; file: string }
  | { kind: 'loaded'; summary: DatasetSummary }
  | { kind: 'failed'; message: string };

export interface DataSlice {
  testSet: DatasetLoad;
  setTestSetLoad: (load: DatasetLoad) => void;
}

export const createDataSlice: StateCreator<DataSlice, [], [], DataSlice> = (set) => ({
  testSet: { kind: 'idle' },
  setTestSetLoad: (testSet) => set({ testSet }),
});
