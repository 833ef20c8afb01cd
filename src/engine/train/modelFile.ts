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

/** A positive whole number of floats at most `max`, or a non-negative one where `zero` is allowed. */
function isCount(v: unknown, max: number, zero = true): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v <= max && (zero ? v >= 0 : v > 0);
}

/**
 * Checks the header's claims against the bytes: every layer's floats start inside the data, end
 * inside it, and the layers tile the data exactly (no overlap, no gap, nothing left over).
 * Returns a sentence naming the first problem, or null.
 */
function layoutProblem(layers: unknown[], floats: number): string | null {
  const seen = new Set<number>();
  const ranges: { name: string; start: number; end: number }[] = [];
  for (const [i, raw] of layers.entries()) {
    const l = raw as Partial<ModelFileLayer> | null;
    if (typeof l !== 'object' || l === null) return `entry ${i + 1} of the layer list is not a layer`;
    if (!isCount(l.index, 10_000)) return `entry ${i + 1} of the layer list has no valid layer number`;
    const name = `layer ${l.index + 1}`;
    if (seen.has(l.index)) return `${name} is listed twice`;
    seen.add(l.index);
    if (l.kind !== 'dense' && l.kind !== 'conv2d') return `${name} has an unknown kind of layer`;
    if (!isCount(l.weights, floats, false) || !isCount(l.biases, floats))
      return `${name} claims ${String(l.weights)} weights and ${String(l.biases)} biases, more than the file holds or not a whole number`;
    if (typeof l.offset !== 'number' || !Number.isInteger(l.offset))
      return `${name}'s weights start at ${String(l.offset)}, which is not a position in the file`;
    if (l.offset < 0) return `${name}'s weights start at position ${l.offset}, before the start of the weights`;
    const end = l.offset + l.weights + l.biases;
    if (end > floats)
      return `${name}'s weights run past the end of the file (to number ${end.toLocaleString('en-US')} of ${floats.toLocaleString('en-US')})`;
    ranges.push({ name, start: l.offset, end });
  }
  ranges.sort((a, b) => a.start - b.start);
  let at = 0;
  for (const r of ranges) {
    if (r.start < at) return `${r.name}'s weights overlap the layer stored before it`;
    if (r.start > at) return `there are unused numbers before ${r.name}'s weights`;
    at = r.end;
  }
  if (at !== floats) return `the file has ${(floats - at).toLocaleString('en-US')} numbers that belong to no layer`;
  return null;
}

/** Why `version` cannot be read, or null for a version this build reads. */
function versionProblem(version: unknown): string | null {
  if (typeof version === 'number' && Number.isInteger(version) && version > MODEL_FILE_VERSION)
    return `This model file was saved by a newer version of GPU Learn (format ${version}). Reload the page to get the newest version.`;
  if (version === MODEL_FILE_VERSION) return null;
  return (
    `This model file has the format version ${JSON.stringify(version) ?? 'missing'}, which GPU Learn never writes ` +
    `(${MODEL_FILE_VERSION === 1 ? 'it has only ever written version 1' : `it writes versions 1 to ${MODEL_FILE_VERSION}`}). ` +
    'Save the model again and load the new file.'
  );
}

const damaged = (what: string) =>
  `The model file is damaged: ${what}. Nothing was loaded; save the model again and load the new file.`;

/**
 * Reads a file's bytes back; never throws. The WHOLE file is checked before anything is returned:
 * magic, header, format version, every layer's position and size against the data, and every
 * value (a NaN or infinite weight is refused), so a loaded file either fits or changes nothing.
 */
export function decodeModelFile(input: ArrayBuffer | Uint8Array): ModelFileResult {
  try {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MODEL_FILE_MAGIC)
      return { ok: false, message: NOT_OURS };
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getUint32(8, true);
    if (12 + headerLength > bytes.length) return { ok: false, message: damaged('its description is cut off') };
    let header: ModelFileHeader;
    try {
      header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
    } catch {
      return { ok: false, message: damaged('its description cannot be read') };
    }
    if (typeof header !== 'object' || header === null || header.format !== 'gpulearn-model')
      return { ok: false, message: NOT_OURS };
    const version = versionProblem(header.version);
    if (version) return { ok: false, message: version };
    if (!Array.isArray(header.layers) || typeof header.model !== 'object' || header.model === null)
      return { ok: false, message: damaged('it has no list of layers or no network description') };
    if (!isCount(header.step, Number.MAX_SAFE_INTEGER))
      return {
        ok: false,
        message: damaged(`its training step (${JSON.stringify(header.step)}) is not a whole number`),
      };
    const dataStart = Math.ceil((12 + headerLength) / 4) * 4;
    const dataBytes = bytes.length - dataStart;
    if (dataBytes < 0 || dataBytes % 4 !== 0)
      return { ok: false, message: damaged('its weights are cut off in the middle of a number') };
    const floats = dataBytes / 4;
    const layout = layoutProblem(header.layers, floats);
    if (layout) return { ok: false, message: damaged(layout) };
    // Copy into an aligned buffer (the file's bytes may start anywhere).
    const data = new Float32Array(bytes.slice(dataStart).buffer);
    const parameters: LayerParameterMap = new Map();
    for (const l of header.layers) {
      const weight = data.slice(l.offset, l.offset + l.weights);
      const bias = data.slice(l.offset + l.weights, l.offset + l.weights + l.biases);
      const bad = firstNonFinite(weight) ?? firstNonFinite(bias);
      if (bad !== null) {
        return {
          ok: false,
          message:
            `The model file holds a weight that is not a number (${bad}) in layer ${l.index + 1}, so it cannot be ` +
            `trained or tested. Nothing was loaded; save the model again from a run that did not diverge.`,
        };
      }
      parameters.set(l.index, { weight, bias });
    }
    return { ok: true, file: { header, parameters } };
  } catch {
    return { ok: false, message: damaged('part of it is missing or changed') };
  }
}

/** 'NaN' or '±Infinity' for the first value that is not finite, else null. */
function firstNonFinite(values: Float32Array): string | null {
  for (const v of values) if (!Number.isFinite(v)) return String(v);
  return null;
}

const LAYER_KIND_NAMES: Record<string, string> = { conv2d: 'convolution', dense: 'dense' };

/** "layer 3 (dense)"; a kind this app does not know is quoted as the file spells it. */
function describeLayer(kind: string, index: number): string {
  const name = Object.hasOwn(LAYER_KIND_NAMES, kind)
    ? LAYER_KIND_NAMES[kind]
    : `"${kind}", a kind this app does not know`;
  return `layer ${index + 1} (${name})`;
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
