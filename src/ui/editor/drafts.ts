/**
 * What the kernel editor shows for the drafts kept in the store (src/state/editorSlice.ts): the
 * selected kernel, its text, and how far that text is from the built-in source.
 */
import { ALL_KERNELS, kernelByName } from '../../engine/ops';
import type { EditorSlice } from '../../state/editorSlice';

/** The kernel on screen: the one selected, else the first of the table. */
export function selectedKernel(editor: Pick<EditorSlice['editor'], 'selected'>): string {
  return editor.selected ?? ALL_KERNELS[0].name;
}

/** The text the editor shows for a kernel: its draft, else the built-in source. */
export function draftOf(state: Pick<EditorSlice['editor'], 'drafts'>, name: string): string {
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
