/**
 * The kernel editor's state, kept outside React so drafts survive leaving the page (to watch
 * training) and coming back: the selected kernel, the edited text per kernel, and which kernels
 * training currently runs in edited form (as the Worker last reported).
 */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { ALL_KERNELS, kernelByName } from '../../engine/ops';

export interface EditorState {
  selected: string;
  /** Edited source per kernel name; a kernel without an entry shows its built-in source. */
  drafts: Record<string, string>;
  /** Kernels training runs in edited form. */
  inUse: string[];
  select: (name: string) => void;
  setDraft: (name: string, source: string) => void;
  resetDraft: (name: string) => void;
  setInUse: (names: string[]) => void;
}

export const editorStore = createStore<EditorState>()((set) => ({
  selected: ALL_KERNELS[0].name,
  drafts: {},
  inUse: [],
  select: (selected) => set({ selected }),
  setDraft: (name, source) => set((s) => ({ drafts: { ...s.drafts, [name]: source } })),
  resetDraft: (name) =>
    set((s) => {
      const drafts = { ...s.drafts };
      delete drafts[name];
      return { drafts };
    }),
  setInUse: (inUse) => set({ inUse }),
}));

export function useEditorState<T>(selector: (s: EditorState) => T): T {
  return useStore(editorStore, selector);
}

/** The text the editor shows for a kernel: its draft, else the built-in source. */
export function draftOf(state: Pick<EditorState, 'drafts'>, name: string): string {
  return state.drafts[name] ?? kernelByName(name).builtinSource;
}

/** How many lines differ between two texts (a line-level LCS; kernels are a few hundred lines). */
export function changedLineCount(a: string, b: string): { added: number; removed: number } {
  if (a === b) return { added: 0, removed: 0 };
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  if (n * m > 4_000_000) return { added: m, removed: n };
  let prev = new Uint16Array(m + 1);
  let cur = new Uint16Array(m + 1);
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    [prev, cur] = [cur, prev];
  }
  const common = prev[m];
  return { added: m - common, removed: n - common };
}
