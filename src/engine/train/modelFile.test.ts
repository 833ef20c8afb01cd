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

/** A valid MLP file taken apart: its header (to edit) and its float data (to edit). */
function parts() {
  const bytes = encodeModelFile(mlp, initParameters(mlp, 3), { step: 12 });
  const headerLength = new DataView(bytes.buffer).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength)));
  const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
  return { header, data: new Float32Array(bytes.slice(dataStart).buffer) };
}

/** Builds a file's bytes from a header (any JSON) and float data, as encodeModelFile lays them out. */
function build(header: unknown, data: Float32Array, magic = 'GPULEARN'): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const bytes = new Uint8Array(dataStart + data.byteLength);
  bytes.set(new TextEncoder().encode(magic).subarray(0, 8), 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), dataStart);
  return bytes;
}

type Craft = (h: ReturnType<typeof parts>['header'], d: Float32Array) => Float32Array | void;

/** The corpus: crafted files whose layer counts still match the network, each with what its refusal must say. */
const CORPUS: [string, Craft, RegExp][] = [
  [
    'a negative offset',
    (h) => void (h.layers[1].offset = -5),
    /layer 4's weights start at position -5, before the start/,
  ],
  [
    'an offset past the end',
    (h) => void (h.layers[0].offset = 10_000_000),
    /layer 2's weights run past the end of the file/,
  ],
  [
    'an offset one float too far',
    (h) => void (h.layers[1].offset += 1),
    /layer 4's weights run past the end|unused numbers/,
  ],
  ['overlapping layers', (h) => void (h.layers[1].offset -= 10), /overlap the layer stored before it/],
  ['two layers at the same place', (h) => void (h.layers[1].offset = h.layers[0].offset), /overlap/],
  ['a fractional offset', (h) => void (h.layers[0].offset = 0.5), /start at 0.5, which is not a position/],
  ['a text offset', (h) => void (h.layers[0].offset = '0'), /start at 0, which is not a position/],
  ['a missing offset', (h) => void delete h.layers[0].offset, /start at undefined, which is not a position/],
  ['a huge weight count', (h) => void (h.layers[0].weights = 2 ** 40), /claims 1099511627776 weights/],
  ['a negative bias count', (h) => void (h.layers[0].biases = -1), /claims .* -1 biases/],
  ['a NaN count', (h) => void (h.layers[0].weights = null), /claims null weights/],
  ['a layer listed twice', (h) => void h.layers.push({ ...h.layers[0] }), /layer 2 is listed twice/],
  ['an unknown layer kind', (h) => void (h.layers[0].kind = 'lstm'), /unknown kind of layer/],
  ['a layer that is not an object', (h) => void (h.layers[0] = 7), /entry 1 of the layer list is not a layer/],
  ['floats left over at the end', (_, d) => Float32Array.of(...d, 1, 2, 3), /3 numbers that belong to no layer/],
  ['weights cut off', (_, d) => d.subarray(0, d.length - 100), /layer 4's weights run past the end of the file/],
  ['a NaN weight', (_, d) => void (d[17] = NaN), /weight that is not a number \(NaN\) in layer 2/],
  ['an infinite weight', (_, d) => void (d[d.length - 1] = Infinity), /not a number \(Infinity\) in layer 4/],
  ['a negative infinite bias', (h, d) => void (d[h.layers[0].weights] = -Infinity), /\(-Infinity\) in layer 2/],
  ['version -5', (h) => void (h.version = -5), /format version -5, which GPU Learn never writes/],
  ['version 0', (h) => void (h.version = 0), /format version 0, which GPU Learn never writes/],
  ['version 1.5', (h) => void (h.version = 1.5), /format version 1.5, which GPU Learn never writes/],
  ['version "1"', (h) => void (h.version = '1'), /format version "1", which GPU Learn never writes/],
  ['no version', (h) => void delete h.version, /format version missing/],
  ['version 999', (h) => void (h.version = 999), /saved by a newer version of GPU Learn \(format 999\)/],
  ['a negative step', (h) => void (h.step = -3), /training step \(-3\) is not a whole number/],
  ['no layer list', (h) => void (h.layers = 'all of them'), /no list of layers/],
  ['another format', (h) => void (h.format = 'onnx'), /not a GPU Learn model file/],
];

describe('a crafted model file', () => {
  it.each(CORPUS)('is refused, with a sentence naming the problem, for %s', (_, craft, says) => {
    const { header, data } = parts();
    const d = craft(header, data) ?? data;
    const r = decodeModelFile(build(header, d));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(says);
    expect(!r.ok && r.message).toMatch(/\.$/);
  });

  it('is refused for the wrong magic, a header longer than the file, a header that is not JSON, and a cut-off number', () => {
    const { header, data } = parts();
    expect(decodeModelFile(build(header, data, 'GPULEARX'))).toMatchObject({
      message: expect.stringMatching(/not a GPU Learn model file/),
    });
    const long = build(header, data);
    new DataView(long.buffer).setUint32(8, long.length, true);
    expect(decodeModelFile(long)).toMatchObject({ message: expect.stringMatching(/description is cut off/) });
    const garbled = build(header, data);
    garbled[12] = 0x7b + 1;
    expect(decodeModelFile(garbled)).toMatchObject({ message: expect.stringMatching(/description cannot be read/) });
    const ragged = build(header, data);
    expect(decodeModelFile(ragged.subarray(0, ragged.length - 2))).toMatchObject({
      message: expect.stringMatching(/cut off in the middle of a number/),
    });
  });

  it('is read when only its layers are stored in another order, since each says where its floats are', () => {
    const { header, data } = parts();
    const [a, b] = header.layers;
    // Store the second parametrised layer's floats first, then the first's.
    const sizeA = a.weights + a.biases;
    const sizeB = b.weights + b.biases;
    const moved = new Float32Array(data.length);
    moved.set(data.subarray(sizeA, sizeA + sizeB), 0);
    moved.set(data.subarray(0, sizeA), sizeB);
    header.layers = [
      { ...a, offset: sizeB },
      { ...b, offset: 0 },
    ];
    const r = decodeModelFile(build(header, moved));
    if (!r.ok) throw new Error(r.message);
    expect(r.file.parameters.get(a.index)!.weight).toEqual(data.subarray(0, a.weights));
    expect(incompatibility(r.file, mlp)).toBeNull();
  });
});
