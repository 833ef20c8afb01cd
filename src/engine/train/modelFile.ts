/**
 * The saved-model file (`.gpulearn`): a trained network in one file, so it can be loaded back to
 * keep training or to evaluate. Layout (all little-endian):
 *
 *   8 bytes   ASCII "GPULEARN"
 *   4 bytes   u32 length H of the header
 *   H bytes   UTF-8 JSON header: format version, the model, the shareable config (opaque here),
 *             the training step, and one entry per parametrised layer (kind, weight/bias counts
 *             and where its floats start)
 *   padding   zero bytes up to a multiple of 4
 *   rest      float32 weights and biases, layer after layer
 *
 * Decoding never throws: a broken or foreign file comes back as a sentence.
 */
import type { ModelSpec } from '../layers';
import { parameterShapes } from '../shapes';
import type { LayerParameterMap } from './gpuTrainer';

export const MODEL_FILE_MAGIC = 'GPULEARN';
export const MODEL_FILE_VERSION = 1;
export const MODEL_FILE_EXTENSION = '.gpulearn';

export interface ModelFileLayer {
  index: number;
  kind: 'dense' | 'conv2d';
  weights: number;
  biases: number;
  /** Offset in floats from the start of the float data. */
  offset: number;
}

export interface ModelFileHeader {
  format: 'gpulearn-model';
  version: number;
  model: ModelSpec;
  /** The shareable config (src/config) the model was trained with; stored as-is. */
  config?: unknown;
  /** Optimizer steps the weights were trained for. */
  step: number;
  /** Test accuracy when saved (for the file's description only). */
  testAccuracy?: number | null;
  layers: ModelFileLayer[];
}

export interface ModelFile {
  header: ModelFileHeader;
  parameters: LayerParameterMap;
}

export type ModelFileResult = { ok: true; file: ModelFile } | { ok: false; message: string };

/** Writes weights (by layer index) and a description into one file's bytes. */
export function encodeModelFile(
  model: ModelSpec,
  parameters: LayerParameterMap,
  meta: { step: number; config?: unknown; testAccuracy?: number | null },
): Uint8Array {
  const layers: ModelFileLayer[] = [];
  let floats = 0;
  for (const s of parameterShapes(model)) {
    const p = parameters.get(s.layerIndex);
    if (!p || p.weight.length !== s.weightCount || p.bias.length !== s.biasCount) {
      throw new Error(`Layer ${s.layerIndex + 1} has no parameters of the right size to save.`);
    }
    layers.push({ index: s.layerIndex, kind: s.kind, weights: s.weightCount, biases: s.biasCount, offset: floats });
    floats += s.weightCount + s.biasCount;
  }
  const header: ModelFileHeader = {
    format: 'gpulearn-model',
    version: MODEL_FILE_VERSION,
    model,
    config: meta.config,
    step: meta.step,
    testAccuracy: meta.testAccuracy ?? null,
    layers,
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = Math.ceil((12 + json.length) / 4) * 4;
  const bytes = new Uint8Array(dataStart + floats * 4);
  bytes.set(new TextEncoder().encode(MODEL_FILE_MAGIC), 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  const data = new Float32Array(bytes.buffer, dataStart, floats);
  for (const l of layers) {
    const p = parameters.get(l.index)!;
    data.set(p.weight, l.offset);
    data.set(p.bias, l.offset + l.weights);
  }
  return bytes;
}

const NOT_OURS =
  'This is not a GPU Learn model file (it should end in .gpulearn and come from the "Save weights" button).';
const DAMAGED =
  'The model file is damaged: part of it is missing or changed. Save the model again and load the new file.';

/** Reads a file's bytes back; never throws. */
export function decodeModelFile(input: ArrayBuffer | Uint8Array): ModelFileResult {
  try {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MODEL_FILE_MAGIC)
      return { ok: false, message: NOT_OURS };
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getUint32(8, true);
    if (12 + headerLength > bytes.length) return { ok: false, message: DAMAGED };
    let header: ModelFileHeader;
    try {
      header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as ModelFileHeader;
    } catch {
      return { ok: false, message: DAMAGED };
    }
    if (header?.format !== 'gpulearn-model' || !Array.isArray(header.layers) || !header.model)
      return { ok: false, message: NOT_OURS };
    if (header.version > MODEL_FILE_VERSION) {
      return {
        ok: false,
        message: `This model file was saved by a newer version of GPU Learn (format ${header.version}). Reload the page to get the newest version.`,
      };
    }
    const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
    const floats = (bytes.length - dataStart) / 4;
    const needed = header.layers.reduce((n, l) => Math.max(n, l.offset + l.weights + l.biases), 0);
    if (!Number.isInteger(floats) || floats !== needed) return { ok: false, message: DAMAGED };
    // Copy into an aligned buffer (the file's bytes may start anywhere).
    const data = new Float32Array(bytes.slice(bytes.byteOffset + dataStart - bytes.byteOffset, bytes.length).buffer);
    const parameters: LayerParameterMap = new Map();
    for (const l of header.layers) {
      parameters.set(l.index, {
        weight: data.slice(l.offset, l.offset + l.weights),
        bias: data.slice(l.offset + l.weights, l.offset + l.weights + l.biases),
      });
    }
    return { ok: true, file: { header, parameters } };
  } catch {
    return { ok: false, message: DAMAGED };
  }
}

function describeLayer(kind: string, index: number): string {
  return `layer ${index + 1} (${kind === 'conv2d' ? 'convolution' : 'dense'})`;
}

/**
 * Null when the file's weights fit `model` (same parametrised layers with the same sizes), else a
 * sentence saying what differs and what to do.
 */
export function incompatibility(file: ModelFile, model: ModelSpec): string | null {
  let shapes;
  try {
    shapes = parameterShapes(model);
  } catch {
    return 'The network on this page has a problem, so no weights can be loaded into it.';
  }
  const advice = ' Pick the network the file was saved from, then load it again.';
  const layers = file.header.layers;
  if (layers.length !== shapes.length) {
    return (
      `This file holds weights for a different network: it has ${layers.length} layers with weights, this network has ${shapes.length}.` +
      advice
    );
  }
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i];
    const l = layers[i];
    if (l.index !== s.layerIndex || l.kind !== s.kind) {
      return (
        `This file holds weights for a different network: its ${describeLayer(l.kind, l.index)} does not match this network's ${describeLayer(s.kind, s.layerIndex)}.` +
        advice
      );
    }
    if (l.weights !== s.weightCount || l.biases !== s.biasCount) {
      const n = (x: number) => x.toLocaleString('en-US');
      return (
        `This file holds weights for a different network: ${describeLayer(s.kind, s.layerIndex)} has ${n(l.weights)} weights in the file but ${n(s.weightCount)} in this network.` +
        advice
      );
    }
  }
  return null;
}
