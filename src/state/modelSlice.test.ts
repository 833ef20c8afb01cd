import { beforeEach, describe, expect, it } from 'vitest';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { createModelSlice, HISTORY_LIMIT, type ModelSlice } from './modelSlice';
import { configFromPreset, configSchema, defaultConfig, MAX_LAYERS } from '../config';

let store: StoreApi<ModelSlice>;
const s = () => store.getState();
const kinds = () => s().config.model.layers.map((l) => l.kind);

beforeEach(() => {
  store = createStore<ModelSlice>()((...a) => createModelSlice(...a));
  s().resetConfig(configFromPreset('mlp'));
});

describe('model slice edits', () => {
  it('starts from the default config', () => {
    const fresh = createStore<ModelSlice>()((...a) => createModelSlice(...a));
    expect(fresh.getState().config).toEqual(defaultConfig());
  });

  it('adds a layer with its default options before the final Softmax, image layers before Flatten, or at a position', () => {
    s().addLayer('conv2d');
    expect(s().config.model.layers[0]).toEqual({ kind: 'conv2d', filters: 16, kernel: 3, stride: 1, padding: 0 });
    s().addLayer('relu');
    expect(kinds()).toEqual(['conv2d', 'flatten', 'dense', 'relu', 'dense', 'relu', 'softmax']);
    s().addLayer('tanh', 0);
    expect(kinds()).toEqual(['tanh', 'conv2d', 'flatten', 'dense', 'relu', 'dense', 'relu', 'softmax']);
  });

  it('calls a network edited away from its preset a custom one, and undo brings the name back', () => {
    expect(s().config.preset).toBe('mlp');
    s().setTrainingConfig({ seed: 5 });
    expect(s().config.preset).toBe('mlp');
    s().updateLayer(1, { units: 64 });
    expect(s().config.preset).toBeUndefined();
    s().updateLayer(1, { units: 128 });
    expect(s().config.preset).toBeUndefined();
    s().undoConfig();
    s().undoConfig();
    expect(s().config.preset).toBe('mlp');
  });

  it('removes, moves and duplicates layers', () => {
    s().removeLayer(2);
    expect(kinds()).toEqual(['flatten', 'dense', 'dense', 'softmax']);
    s().moveLayer(0, 2);
    expect(kinds()).toEqual(['dense', 'dense', 'flatten', 'softmax']);
    s().duplicateLayer(0);
    expect(kinds()).toEqual(['dense', 'dense', 'dense', 'flatten', 'softmax']);
    expect(s().config.model.layers[1]).not.toBe(s().config.model.layers[0]);
  });

  it('ignores moves and removals outside the list', () => {
    const before = s().config;
    s().moveLayer(0, 99);
    s().removeLayer(-1);
    s().duplicateLayer(5);
    expect(s().config).toBe(before);
    expect(s().configHistory.past).toHaveLength(0);
  });

  it('never holds more than the maximum number of layers', () => {
    for (let i = 0; i < 40; i++) s().addLayer('relu');
    expect(s().config.model.layers).toHaveLength(MAX_LAYERS);
  });

  it('ignores an update that breaks a bound, so the config stays valid', () => {
    s().updateLayer(1, { units: 1e6 });
    s().setTrainingConfig({ batchSize: 0 }, 'batch');
    expect(s().config.model.layers[1]).toEqual({ kind: 'dense', units: 128 });
    expect(s().config.training.batchSize).toBe(128);
    expect(configSchema.safeParse(s().config).success).toBe(true);
  });

  it('changes a layer kind to a fresh layer of the new kind', () => {
    s().setLayerKind(1, 'dropout');
    expect(s().config.model.layers[1]).toEqual({ kind: 'dropout', rate: 0.25 });
  });

  it('loads a preset but keeps the classroom options', () => {
    s().setClassroom({ presenter: true });
    s().loadPreset('keras-cnn');
    expect(s().config.model).toEqual(configFromPreset('keras-cnn').model);
    expect(s().config.preset).toBe('keras-cnn');
    expect(s().config.classroom).toEqual({ presenter: true });
  });

  it('removes the classroom options when all are turned off', () => {
    s().setClassroom({ lockSeed: true, hide: ['seed'] });
    s().setClassroom({ lockSeed: false, hide: [] });
    expect(s().config.classroom).toBeUndefined();
  });

  it('switches between MNIST and the toy set with the matching loss', () => {
    s().setDataset('toy');
    expect(s().config.model.input).toEqual([2]);
    expect(s().config.model.loss).toBe('mse');
    s().setDataset('mnist');
    expect(s().config.model.input).toEqual([1, 28, 28]);
    expect(s().config.model.loss).toBe('softmaxCrossEntropy');
  });

  it('removes the training subset when it is set to undefined', () => {
    s().setTrainingConfig({ trainSubset: 1000 });
    expect(s().config.training.trainSubset).toBe(1000);
    s().setTrainingConfig({ trainSubset: undefined });
    expect('trainSubset' in s().config.training).toBe(false);
  });
});

describe('model slice undo and redo', () => {
  it('undoes and redoes edits in order', () => {
    s().addLayer('relu');
    s().removeLayer(0);
    const afterBoth = s().config;
    s().undoConfig();
    expect(kinds()).toEqual(['flatten', 'dense', 'relu', 'dense', 'relu', 'softmax']);
    s().undoConfig();
    expect(s().config).toEqual(configFromPreset('mlp'));
    s().undoConfig();
    expect(s().config).toEqual(configFromPreset('mlp'));
    s().redoConfig();
    s().redoConfig();
    expect(s().config).toEqual(afterBoth);
  });

  it('makes one undo step of repeated small edits to the same field', () => {
    s().updateLayer(1, { units: 1 });
    s().updateLayer(1, { units: 12 });
    s().updateLayer(1, { units: 128 + 1 });
    s().updateLayer(3, { units: 5 });
    expect(s().configHistory.past).toHaveLength(2);
    s().undoConfig();
    expect(s().config.model.layers[1]).toEqual({ kind: 'dense', units: 129 });
    s().undoConfig();
    expect(s().config.model.layers[1]).toEqual({ kind: 'dense', units: 128 });
  });

  it('clears redo after a new edit', () => {
    s().addLayer('relu');
    s().undoConfig();
    s().addLayer('tanh');
    expect(s().configHistory.future).toHaveLength(0);
  });

  it('keeps at most HISTORY_LIMIT undo steps', () => {
    for (let i = 0; i < HISTORY_LIMIT + 20; i++) s().setTrainingConfig({ seed: i + 1 });
    expect(s().configHistory.past).toHaveLength(HISTORY_LIMIT);
  });

  it('marks edits as small, big or history for the URL sync', () => {
    s().updateLayer(1, { units: 5 });
    expect(s().configChange.kind).toBe('small');
    s().addLayer('relu');
    expect(s().configChange.kind).toBe('big');
    s().undoConfig();
    expect(s().configChange.kind).toBe('history');
  });

  it('clears a load error on the next edit, and can load the salvaged parts', () => {
    const salvaged = configFromPreset('perceptron');
    s().setConfigLoadError({ source: 'link', errors: ['bad'], salvaged });
    s().applySalvagedConfig();
    expect(s().config).toEqual(salvaged);
    expect(s().configLoadError).toBeNull();
    s().undoConfig();
    expect(s().config).toEqual(configFromPreset('mlp'));
  });
});
