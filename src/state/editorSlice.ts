/**
 * The kernel editor's state, in the app store so drafts survive leaving the page (to watch
 * training) and coming back: the selected kernel, the edited text per kernel, and which kernels
 * training currently runs in edited form (as the Worker last reported).
 *
 * Kernel names only: the kernel table (with every WGSL source) stays out of the store, so the
 * first page load does not fetch it; the editor page resolves names against the table.
 */
import type { StateCreator } from 'zustand/vanilla';

export interface EditorSlice {
  editor: {
    /** The kernel on screen; null: the first kernel of the table. */
    selected: string | null;
    /** Edited source per kernel name; a kernel without an entry shows its built-in source. */
    drafts: Record<string, string>;
    /** Kernels training runs in edited form. */
    inUse: string[];
  };
  selectKernel: (name: string) => void;
  setKernelDraft: (name: string, source: string) => void;
  resetKernelDraft: (name: string) => void;
  setKernelsInUse: (names: string[]) => void;
}

export const createEditorSlice: StateCreator<EditorSlice, [], [], EditorSlice> = (set) => ({
  editor: { selected: null, drafts: {}, inUse: [] },
  selectKernel: (selected) => set((s) => ({ editor: { ...s.editor, selected } })),
  setKernelDraft: (name, source) =>
    set((s) => ({ editor: { ...s.editor, drafts: { ...s.editor.drafts, [name]: source } } })),
  resetKernelDraft: (name) =>
    set((s) => {
      const drafts = { ...s.editor.drafts };
      delete drafts[name];
      return { editor: { ...s.editor, drafts } };
    }),
  setKernelsInUse: (inUse) => set((s) => ({ editor: { ...s.editor, inUse } })),
});
