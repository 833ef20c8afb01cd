import { describe, expect, it } from 'vitest';
import { ALL_KERNELS, kernelByName } from '../../engine/ops';
import { changedLineCount, draftOf, selectedKernel } from './drafts';

describe('what the kernel editor shows', () => {
  it('shows the first kernel of the table until one is selected', () => {
    expect(selectedKernel({ selected: null })).toBe(ALL_KERNELS[0].name);
    expect(selectedKernel({ selected: 'matmul' })).toBe('matmul');
  });

  it("shows a kernel's draft, else its built-in source", () => {
    const name = ALL_KERNELS[0].name;
    expect(draftOf({ drafts: {} }, name)).toBe(kernelByName(name).builtinSource);
    expect(draftOf({ drafts: { [name]: 'edited' } }, name)).toBe('edited');
  });

  it('counts changed lines: none for the same text, one added and one removed for a changed line', () => {
    expect(changedLineCount('a\nb\nc', 'a\nb\nc')).toEqual({ added: 0, removed: 0 });
    expect(changedLineCount('a\nb\nc', 'a\nB\nc')).toEqual({ added: 1, removed: 1 });
    expect(changedLineCount('a\nc', 'a\nb\nc')).toEqual({ added: 1, removed: 0 });
  });
});
