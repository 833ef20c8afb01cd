import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  adler32,
  configFromJsonFile,
  configToJsonFile,
  decodeConfig,
  encodeConfig,
  fromBase64Url,
  toBase64Url,
} from './codec';
import { configFromPreset } from './defaults';
import { hostileLinks } from './hostileLinks';
import { configSchema, type Config } from './schema';
import { configArbitrary } from './arbitraries';

describe('encodeConfig and decodeConfig', () => {
  it('give back an equal config for random valid configs', () => {
    fc.assert(
      fc.property(configArbitrary, (config) => {
        const result = decodeConfig(encodeConfig(config));
        expect(result.errors).toEqual([]);
        expect(result.partial).toBe(false);
        expect(result.config).toEqual(config);
      }),
      { numRuns: 300 },
    );
  });

  it('never throw and always return a valid config, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.base64String()), (text) => {
        const result = decodeConfig(text);
        expect(configSchema.safeParse(result.config).success).toBe(true);
        if (result.errors.length === 0) expect(text.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('never throw on valid links with random characters changed or cut off', () => {
    const good = encodeConfig(configFromPreset('fast-cnn'));
    fc.assert(
      fc.property(fc.nat(good.length - 1), fc.constantFrom(...'ABCxyz019-_'), fc.nat(good.length), (at, ch, cut) => {
        const changed = (good.slice(0, at) + ch + good.slice(at + 1)).slice(0, cut);
        const result = decodeConfig(changed);
        expect(configSchema.safeParse(result.config).success).toBe(true);
        // A change in the unused low bits of the last character decodes to the same bytes: that is no damage.
        const sameBytes = String(fromBase64Url(changed)) === String(fromBase64Url(good));
        if (!sameBytes) expect(result.errors.length).toBeGreaterThan(0);
        else expect(result.config).toEqual(configFromPreset('fast-cnn'));
      }),
      { numRuns: 300 },
    );
  });

  it('fits a 10-layer model with its training settings in under 600 URL-safe characters', () => {
    const config: Config = configFromPreset('fast-cnn');
    expect(config.model.layers.length).toBeGreaterThanOrEqual(10);
    const text = encodeConfig(config);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    // Links stay safe in chat apps and slide tools up to about 2,000 characters.
    expect(text.length).toBeLessThan(600);
  });

  it('fits the largest allowed model (24 layers, every option set) in under 1,500 characters', () => {
    const config: Config = {
      ...configFromPreset('fast-cnn'),
      model: {
        input: [1, 28, 28],
        loss: 'softmaxCrossEntropy',
        layers: Array.from({ length: 24 }, (_, i) => ({
          kind: 'conv2d',
          filters: 100 + i,
          kernel: 3,
          stride: 1,
          padding: 1,
        })),
      },
      classroom: { lockSeed: true, hide: ['presets', 'seed'], lock: ['layers'], presenter: true, startView: 'train' },
      view: { focus: 'diagram' },
    };
    expect(encodeConfig(config).length).toBeLessThan(1500);
  });

  it('encodes equal configs to the same text', () => {
    expect(encodeConfig(configFromPreset('mlp'))).toBe(encodeConfig(configFromPreset('mlp')));
  });

  it.each(hostileLinks().map((h) => [h.name, h] as const))(
    'explains %s in plain English without throwing',
    (_name, hostile) => {
      const result = decodeConfig(hostile.text);
      expect(result.errors.length).toBeGreaterThan(0);
      expect(result.errors[0]).toMatch(hostile.says);
      expect(result.partial).toBe(hostile.partial ?? false);
      expect(configSchema.safeParse(result.config).success).toBe(true);
      for (const sentence of result.errors) expect(sentence).toMatch(/^[A-Z…].*[.]$/s);
    },
  );

  it('keeps the training settings of a link whose layer is invalid, and says so', () => {
    const config = configFromPreset('mlp');
    const raw = JSON.parse(JSON.stringify(config));
    raw.model.layers[1].units = 1e6;
    raw.training.batchSize = 37;
    raw.training.seed = 12345;
    const result = decodeConfig(encodeConfigUnchecked(raw));
    expect(result.config.training.batchSize).toBe(37);
    expect(result.config.training.seed).toBe(12345);
    expect(result.config.model).toEqual(configFromPreset('mlp').model);
    expect(result.partial).toBe(true);
    expect(result.errors).toEqual([
      'Layer 2 (Dense): the number of units must be a whole number from 1 to 4,096, but the link has 1000000.',
      'Kept from the link: the optimizer, the schedule, the batch size, the epochs and the seed. ' +
        'Replaced: the model (showing the "Multi-layer perceptron" preset instead).',
    ]);
  });
});

describe('base64url helpers', () => {
  it('round-trip every byte value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(fromBase64Url(toBase64Url(bytes))).toEqual(bytes);
      }),
    );
  });

  it('reject text with characters outside base64url', () => {
    expect(fromBase64Url('ab+c')).toBeNull();
    expect(fromBase64Url('abcde')).toBeNull();
  });

  it('compute the Adler-32 checksum of "Wikipedia" as 0x11E60398', () => {
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
  });
});

describe('JSON files', () => {
  it('read back what they write', () => {
    fc.assert(
      fc.property(configArbitrary, (config) => {
        expect(configFromJsonFile(configToJsonFile(config))).toEqual({ config, errors: [], partial: false });
      }),
      { numRuns: 50 },
    );
  });

  it('explain a file that is not JSON', () => {
    expect(configFromJsonFile('{ oops').errors[0]).toMatch(/file is not valid JSON/);
  });

  it('apply the same bounds as links and say "file"', () => {
    const raw = JSON.parse(configToJsonFile(configFromPreset('mlp')));
    raw.training.optimizer.learningRate = 10;
    const result = configFromJsonFile(JSON.stringify(raw));
    expect(result.errors[0]).toBe('The learning rate must be a number from 0.000001 to 1, but the file has 10.');
    expect(result.config.training.optimizer.learningRate).toBe(0.001);
    expect(result.partial).toBe(true);
  });
});

function encodeConfigUnchecked(raw: unknown): string {
  return encodeConfig(raw as Config);
}
