import { describe, expect, it } from 'vitest';
import { decodeConfig } from './codec';
import { encodeRawJson } from './hostileLinks';
import { migrate, type Migration } from './migrations';
import { defaultConfig } from './defaults';
import { validateConfig } from './validate';

/** A link in the pre-release v0 format: flat fields, the optimizer as a bare name. */
const V0 = {
  version: 0,
  input: [1, 28, 28],
  layers: [
    { kind: 'flatten' },
    { kind: 'dense', units: 32 },
    { kind: 'relu' },
    { kind: 'dense', units: 10 },
    { kind: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
  optimizer: 'sgd',
  lr: 0.05,
  batch: 32,
  epochs: 2,
  seed: 7,
};

describe('migrate', () => {
  it('upgrades a v0 link to the current format with the same model and settings', () => {
    const result = decodeConfig(encodeRawJson(JSON.stringify(V0)));
    expect(result.errors).toEqual([]);
    expect(result.config.v).toBe(1);
    expect(result.config.model.layers).toEqual(V0.layers);
    expect(result.config.training).toEqual({
      optimizer: { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: false, weightDecay: 0 },
      schedule: { kind: 'constant' },
      batchSize: 32,
      epochs: 2,
      seed: 7,
    });
  });

  it('still validates what a migration produced (a v0 learning rate of 10 is reported)', () => {
    const result = validateConfig({ ...V0, lr: 10 });
    expect(result.errors[0]).toBe('The learning rate must be a number from 0.000001 to 1, but the link has 10.');
    expect(result.config.model.layers).toEqual(V0.layers);
  });

  it('names the optimizer a v0 link asks for when GPU Learn does not have it, keeping the rest', () => {
    const corpus: unknown[] = [
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'toString',
      'valueOf',
      'nadam',
      'SGD',
      '',
      42,
    ];
    for (const optimizer of corpus) {
      const result = validateConfig({ ...V0, optimizer });
      const named = typeof optimizer === 'string' ? JSON.stringify(optimizer) : String(optimizer);
      expect(result.errors[0]).toBe(
        `The link asks for an optimizer called ${named}, which is not one of sgd, adam, rmsprop.`,
      );
      expect(result.partial).toBe(true);
      expect(result.config.model.layers).toEqual(V0.layers);
      expect(result.config.training.batchSize).toBe(32);
      expect(({} as Record<string, unknown>).learningRate).toBeUndefined();
    }
    // A v0 link without an optimizer meant Adam, as v0 did.
    const { optimizer: _omitted, ...withoutOptimizer } = V0;
    void _omitted;
    expect(validateConfig(withoutOptimizer).config.training.optimizer).toMatchObject({
      kind: 'adam',
      learningRate: 0.05,
    });
  });

  it('refuses learning rates too small to move a weight, with a sentence naming the value', () => {
    for (const lr of [1e-300, 5e-324, 1e-38, 1e-7, 9.99e-7]) {
      const result = validateConfig({ ...V0, lr });
      expect(result.errors[0]).toBe(
        `The learning rate must be a number from 0.000001 to 1, but the link has ${lr}: a step that small would not change the weights at all.`,
      );
      expect(result.config.training.optimizer).toEqual(defaultConfig().training.optimizer);
    }
    expect(validateConfig({ ...V0, lr: 1e-6 }).errors).toEqual([]);
    expect(validateConfig({ ...V0, lr: -1e-300 }).errors[0]).toBe(
      'The learning rate must be a number from 0.000001 to 1, but the link has -1e-300.',
    );
  });

  it('chains migrations one version at a time', () => {
    const seen: number[] = [];
    const chain: Record<number, Migration> = {
      0: (o) => {
        seen.push(0);
        return { ...o, v: 1, a: 1 };
      },
      1: (o) => {
        seen.push(1);
        return { ...o, v: 2, b: 2 };
      },
    };
    const result = migrate({ v: 0 }, { migrations: chain, current: 2 });
    expect(result).toEqual({ ok: true, value: { v: 2, a: 1, b: 2 }, fromVersion: 0 });
    expect(seen).toEqual([0, 1]);
  });

  it('reports a migration that throws instead of throwing', () => {
    const result = migrate(
      { v: 0 },
      {
        migrations: {
          0: () => {
            throw new Error('boom');
          },
        },
        current: 1,
      },
    );
    expect(result).toEqual({ ok: false, error: 'The link is in the old format 0 and could not be upgraded.' });
  });

  it('says a link from a newer version was made by a newer version of GPU Learn', () => {
    const result = migrate({ v: 2 });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^This link was made by a newer version of GPU Learn/);
  });

  it('rejects negative, fractional and missing versions', () => {
    for (const raw of [{ v: -1 }, { v: 0.5 }, {}, { v: '1' }]) expect(migrate(raw).ok).toBe(false);
  });
});
