/**
 * A corpus of broken and hostile link texts, shared by the unit tests and the e2e tests, each
 * with a phrase its error message must contain.
 */
import { strToU8, zlibSync } from 'fflate';
import { toBase64Url, encodeConfig } from './codec';
import { configFromPreset } from './defaults';

/** Encodes any JSON text the way links are encoded, valid config or not. */
export function encodeRawJson(json: string): string {
  return toBase64Url(zlibSync(strToU8(json), { level: 9 }));
}

function withChanges(change: (c: Record<string, unknown>) => void): string {
  const c = JSON.parse(JSON.stringify(configFromPreset('mlp'))) as Record<string, unknown>;
  change(c);
  return encodeRawJson(JSON.stringify(c));
}

type Layers = { model: { layers: Record<string, unknown>[] } };

export interface HostileLink {
  name: string;
  text: string;
  /** A phrase the first error sentence contains (case-insensitive). */
  says: RegExp;
  /** True when the valid parts (e.g. the training settings) must survive. */
  partial?: boolean;
}

/** Builds the corpus (a function, so each test gets fresh strings). */
export function hostileLinks(): HostileLink[] {
  const good = encodeConfig(configFromPreset('pytorch-cnn'));
  const mid = Math.floor(good.length / 2);
  const flipped = good.slice(0, mid) + (good[mid] === 'A' ? 'B' : 'A') + good.slice(mid + 1);
  return [
    { name: 'an empty link', text: '', says: /no network description/i },
    { name: 'text that is not base64', text: 'hello world!<>', says: /damaged/i },
    { name: 'a link cut in half', text: good.slice(0, mid), says: /damaged/i },
    { name: 'a link with one character changed', text: flipped, says: /damaged/i },
    { name: 'compressed text that is not JSON', text: encodeRawJson('not json {'), says: /damaged/i },
    {
      name: 'a link from a newer version',
      text: withChanges((c) => {
        c.v = 99;
      }),
      says: /newer version of GPU Learn/i,
    },
    {
      name: 'a learning rate of 10',
      text: withChanges((c) => {
        (c.training as { optimizer: { learningRate: number } }).optimizer.learningRate = 10;
      }),
      says: /learning rate must be a number from 0\.000001 to 1/i,
      partial: true,
    },
    {
      name: 'a million-unit layer',
      text: withChanges((c) => {
        (c as unknown as Layers).model.layers[1].units = 1e6;
      }),
      says: /layer 2 \(Dense\): the number of units must be a whole number from 1 to 4,096/i,
      partial: true,
    },
    {
      name: 'a negative number of units',
      text: withChanges((c) => {
        (c as unknown as Layers).model.layers[1].units = -5;
      }),
      says: /number of units/i,
      partial: true,
    },
    {
      name: 'units that are not a number',
      text: withChanges((c) => {
        (c as unknown as Layers).model.layers[1].units = 'NaN';
      }),
      says: /"NaN"/,
      partial: true,
    },
    {
      name: 'an infinite batch size',
      text: encodeRawJson(JSON.stringify(configFromPreset('mlp')).replace(/"batchSize":\d+/, '"batchSize":1e999')),
      says: /batch size/i,
      partial: true,
    },
    {
      name: 'script text as a layer kind',
      text: withChanges((c) => {
        (c as unknown as Layers).model.layers[0].kind = '<script>alert(1)</script>';
      }),
      says: /not a kind of layer/i,
      partial: true,
    },
    {
      name: 'script text as a preset name',
      text: withChanges((c) => {
        c.preset = '<img src=x onerror=alert(1)>';
      }),
      says: /preset name/i,
      partial: true,
    },
    {
      name: 'a thousand layers',
      text: withChanges((c) => {
        (c as unknown as Layers).model.layers = Array.from({ length: 1000 }, () => ({ kind: 'relu' }));
      }),
      says: /at most 24 layers/i,
      partial: true,
    },
    {
      name: 'a hundred thousand layers',
      text: withChanges((c) => {
        (c as unknown as Layers).model.layers = Array.from({ length: 100_000 }, () => ({ kind: 'relu' }));
      }),
      says: /far more data/i,
    },
    ...[1e-300, 5e-324, 1e-7].map((learningRate) => ({
      name: `a learning rate of ${learningRate}`,
      text: withChanges((c) => {
        (c.training as { optimizer: { learningRate: number } }).optimizer.learningRate = learningRate;
      }),
      says: new RegExp(`has ${String(learningRate).replace(/[-+.]/g, '\\$&')}: a step that small would not change`),
      partial: true,
    })),
    ...['__proto__', 'constructor', 'toString', 'nadam'].map((optimizer) => ({
      name: `an old-format link asking for an optimizer called ${optimizer}`,
      text: encodeRawJson(JSON.stringify({ version: 0, layers: [{ kind: 'flatten' }], optimizer, lr: 0.1 })),
      says: new RegExp(`optimizer called "${optimizer}", which is not one of sgd, adam, rmsprop`),
      partial: true,
    })),
    ...['__proto__', 'constructor', 'Dense', 'dense ', 'lstm'].map((kind) => ({
      name: `a layer of the unknown kind ${JSON.stringify(kind)}`,
      text: withChanges((c) => {
        (c as unknown as Layers).model.layers[1] = { kind, units: 10 };
      }),
      says: new RegExp(`layer 2 has the kind ${JSON.stringify(kind)}, which is not a kind of layer`, 'i'),
      partial: true,
    })),
    { name: 'a list instead of a config', text: encodeRawJson('[1,2,3]'), says: /does not contain/i },
    { name: 'a config without a version', text: encodeRawJson('{"model":{}}'), says: /no valid version/i },
    { name: 'a very long link', text: 'A'.repeat(20_000), says: /too long/i },
  ];
}
