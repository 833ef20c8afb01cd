import { beforeEach, describe, expect, it } from 'vitest';
import { createAppStore } from './store';

let store: ReturnType<typeof createAppStore>;
const s = () => store.getState();

beforeEach(() => {
  store = createAppStore();
});

describe('the kernel editor slice', () => {
  it('starts on the first kernel with no drafts and nothing edited in training', () => {
    expect(s().editor).toEqual({ selected: null, drafts: {}, inUse: [] });
  });

  it('keeps a draft per kernel while another kernel is selected', () => {
    s().setKernelDraft('matmul', 'edited matmul');
    s().selectKernel('relu_forward');
    s().setKernelDraft('relu_forward', 'edited relu');
    expect(s().editor.selected).toBe('relu_forward');
    expect(s().editor.drafts).toEqual({ matmul: 'edited matmul', relu_forward: 'edited relu' });
  });

  it('drops only the reset kernel’s draft', () => {
    s().setKernelDraft('matmul', 'a');
    s().setKernelDraft('relu_forward', 'b');
    s().resetKernelDraft('matmul');
    expect(s().editor.drafts).toEqual({ relu_forward: 'b' });
  });

  it('records which kernels training runs in edited form, leaving the drafts alone', () => {
    s().setKernelDraft('matmul', 'a');
    s().setKernelsInUse(['matmul']);
    expect(s().editor.inUse).toEqual(['matmul']);
    expect(s().editor.drafts).toEqual({ matmul: 'a' });
  });

  it('lives beside the model config: editing kernels does not touch the network', () => {
    const config = s().config;
    s().setKernelDraft('matmul', 'a');
    expect(s().config).toBe(config);
  });
});
