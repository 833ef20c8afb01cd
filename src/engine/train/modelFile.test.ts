import { describe, expect, it } from 'vitest';
import { decodeModelFile, encodeModelFile, incompatibility } from './modelFile';
import { initParameters } from '../init';
import { PRESETS } from '../presets';
import type { ModelSpec } from '../layers';

const mlp = PRESETS.mlp.model;

describe('the saved-model file', () => {
  it('gives back exactly the weights, step and config it was given', () => {
    const params = initParameters(mlp, 7);
    const bytes = encodeModelFile(mlp, params, { step: 42, config: { v: 1, preset: 'mlp' }, testAccuracy: 0.9 });
    const r = decodeModelFile(bytes);
    if (!r.ok) throw new Error(r.message);
    expect(r.file.header.step).toBe(42);
    expect(r.file.header.config).toEqual({ v: 1, preset: 'mlp' });
    expect(r.file.header.model).toEqual(mlp);
    expect([...r.file.parameters.keys()]).toEqual([...params.keys()]);
    for (const [i, p] of params) {
      expect(r.file.parameters.get(i)!.weight).toEqual(p.weight);
      expect(r.file.parameters.get(i)!.bias).toEqual(p.bias);
    }
    expect(incompatibility(r.file, mlp)).toBeNull();
  });

  it('reads a file whose bytes sit at an odd offset inside a bigger buffer', () => {
    const params = initParameters(mlp, 1);
    const bytes = encodeModelFile(mlp, params, { step: 1 });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const r = decodeModelFile(shifted.subarray(3));
    expect(r.ok && r.file.parameters.get(1)!.weight[5]).toBe(params.get(1)!.weight[5]);
  });

  it('refuses weights from a network with different layer sizes, saying which layer differs', () => {
    const wider: ModelSpec = {
      ...mlp,
      layers: mlp.layers.map((l) => (l.kind === 'dense' && l.units === 128 ? { kind: 'dense', units: 64 } : l)),
    };
    const r = decodeModelFile(encodeModelFile(wider, initParameters(wider, 1), { step: 0 }));
    if (!r.ok) throw new Error(r.message);
    const why = incompatibility(r.file, mlp);
    expect(why).toMatch(
      /different network: layer 2 \(dense\) has 50,176 weights in the file but 100,352 in this network/,
    );
  });

  it('refuses weights from a network with other kinds of layers', () => {
    const cnn = PRESETS['keras-small-cnn'].model;
    const r = decodeModelFile(encodeModelFile(cnn, initParameters(cnn, 1), { step: 0 }));
    if (!r.ok) throw new Error(r.message);
    expect(incompatibility(r.file, mlp)).toMatch(/different network/);
  });

  it('says a foreign or cut-off file is not a model file instead of throwing', () => {
    expect(decodeModelFile(new TextEncoder().encode('hello world, not a model'))).toEqual({
      ok: false,
      message: expect.stringMatching(/not a GPU Learn model file/),
    });
    const bytes = encodeModelFile(mlp, initParameters(mlp, 1), { step: 0 });
    expect(decodeModelFile(bytes.subarray(0, bytes.length - 8))).toEqual({
      ok: false,
      message: expect.stringMatching(/damaged/),
    });
    expect(decodeModelFile(new Uint8Array(0)).ok).toBe(false);
  });
});
