/**
 * The app's copy of MNIST, loaded once per page through the real loader and kept outside the
 * store (it is megabytes of bytes; the store only holds a summary).
 */
import { loadMnistSplit, type MnistSet } from '../../data/mnist';
import { appStore } from '../../state/store';
import type { DatasetSummary } from '../../state/dataSlice';

let testSet: Promise<MnistSet> | null = null;

/** Where the prepared data files are served, relative to the page (works from any static host). */
export function mnistBaseUrl(): string {
  return new URL('data/mnist/', document.baseURI).href;
}

/** Counts images per label so the page can show the class balance. */
export function summarise(set: MnistSet): DatasetSummary {
  const labelCounts = new Array<number>(10).fill(0);
  for (const l of set.labels) labelCounts[l]++;
  return { count: set.count, rows: set.rows, cols: set.cols, labelCounts };
}

/** Loads the 10,000-image test split once, reporting progress and errors to the store. */
export function loadTestSet(): Promise<MnistSet> {
  const { setTestSetLoad } = appStore.getState();
  testSet ??= loadMnistSplit('test', {
    baseUrl: mnistBaseUrl(),
    onProgress: (p) => setTestSetLoad({ kind: 'loading', ...p }),
  }).then(
    (set) => {
      setTestSetLoad({ kind: 'loaded', summary: summarise(set) });
      return set;
    },
    (e: unknown) => {
      testSet = null; // allow a retry
      setTestSetLoad({ kind: 'failed', message: (e as Error).message });
      throw e;
    },
  );
  if (appStore.getState().testSet.kind === 'idle')
    setTestSetLoad({ kind: 'loading', loadedBytes: 0, totalBytes: 0, file: '' });
  return testSet;
}
