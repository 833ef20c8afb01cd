/**
 * The app's one zustand store, built from slices on `zustand/vanilla` so it can be used and reset
 * outside React (tests, the URL sync). Each slice owns one feature's state and actions.
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { createGpuSlice, type GpuSlice } from './gpuSlice';
import { createDataSlice, type DataSlice } from './dataSlice';
import { createTrainingSlice, type TrainingSlice } from './trainingSlice';
import { createModelSlice, type ModelSlice } from './modelSlice';
import { createEditorSlice, type EditorSlice } from './editorSlice';

export type AppState = GpuSlice & DataSlice & TrainingSlice & ModelSlice & EditorSlice;

/** Creates a fresh store (the app makes one; tests make their own). */
export function createAppStore() {
  return createStore<AppState>()((...a) => ({
    ...createGpuSlice(...a),
    ...createDataSlice(...a),
    ...createTrainingSlice(...a),
    ...createModelSlice(...a),
    ...createEditorSlice(...a),
  }));
}

export const appStore = createAppStore();

/** React hook: select a piece of the app state. */
export function useAppState<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}
