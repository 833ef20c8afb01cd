import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, PRESETS } from '../engine/presets';
import { inferModel } from '../engine/shapes';
import type { LayerKind } from '../engine/layers';

// Every layer kind, spelled out here because state may not import the builder's UI tables; the
// Record type makes a new kind a type error until it is listed.
const EVERY_KIND: Record<LayerKind, true> = {
  conv2d: true,
  maxpool: true,
  avgpool: true,
  flatten: true,
  dense: true,
  dropout: true,
  relu: true,
  leakyRelu: true,
  sigmoid: true,
  tanh: true,
  softmax: true,
};
const LAYER_KINDS = Object.keys(EVERY_KIND) as LayerKind[];
import { insertionHint, insertionIndex } from './layerInsertion';
import { newLayer } from './modelSlice';

const withAdded = (name: (typeof PRESET_NAMES)[number], kind: (typeof LAYER_KINDS)[number]) => {
  const layers = [...PRESETS[name].model.layers];
  layers.splice(insertionIndex(layers, kind), 0, newLayer(kind));
  return { ...PRESETS[name].model, layers };
};

describe('where a new layer goes', () => {
  it('puts layers before the final Softmax and image layers before Flatten', () => {
    const mlp = PRESETS.mlp.model.layers; // flatten, dense, relu, dense, softmax
    expect(insertionIndex(mlp, 'relu')).toBe(4);
    expect(insertionIndex(mlp, 'dense')).toBe(4);
    expect(insertionIndex(mlp, 'softmax')).toBe(4);
    expect(insertionIndex(mlp, 'conv2d')).toBe(0);
    expect(insertionIndex(mlp, 'maxpool')).toBe(0);
    expect(insertionIndex(PRESETS.perceptron.model.layers, 'tanh')).toBe(2);
    expect(insertionIndex([], 'dense')).toBe(0);
  });

  it('puts a layer after the selected one when a layer is selected', () => {
    const mlp = PRESETS.mlp.model.layers;
    expect(insertionIndex(mlp, 'conv2d', 2)).toBe(3);
    expect(insertionIndex(mlp, 'relu', 4)).toBe(5);
    expect(insertionIndex(mlp, 'relu', 99)).toBe(5);
    expect(insertionIndex(mlp, 'relu', -1)).toBe(4);
    expect(insertionIndex(mlp, 'relu', null)).toBe(4);
  });

  it('keeps every MNIST preset ready to train for every kind but a second Softmax', () => {
    for (const name of PRESET_NAMES.filter((n) => PRESETS[n].dataset === 'mnist')) {
      const ready = LAYER_KINDS.filter((kind) => inferModel(withAdded(name, kind)).totals.ok);
      expect(ready, name).toEqual(LAYER_KINDS.filter((k) => k !== 'softmax'));
      const second = inferModel(withAdded(name, 'softmax')).totals.firstError?.message;
      expect(second, name).toMatch(/Softmax can only be the last layer/);
    }
  });

  it('keeps the perceptron ready for every kind that works on 2 numbers', () => {
    const ready = LAYER_KINDS.filter((kind) => inferModel(withAdded('perceptron', kind)).totals.ok);
    expect(ready).toEqual(['flatten', 'dense', 'dropout', 'relu', 'leakyRelu', 'sigmoid', 'tanh', 'softmax']);
  });

  it('says where the next layer goes', () => {
    expect(insertionHint(PRESETS.mlp.model.layers, null)).toMatch(/^New layers go before the final Softmax; Conv2D/);
    expect(insertionHint(PRESETS.mlp.model.layers, 1)).toBe('New layers go after layer 2, the selected one.');
    expect(insertionHint(PRESETS.perceptron.model.layers, null)).toMatch(/^New layers go to the end of the list/);
  });
});
