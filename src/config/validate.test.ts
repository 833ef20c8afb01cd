import { describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../engine/presets';
import { configFromPreset, defaultConfig } from './defaults';
import { validateConfig } from './validate';
import { BOUNDS, rangeText } from './schema';

describe('configFromPreset', () => {
  it.each(PRESET_NAMES)('gives a config for %s that validates without changes', (name) => {
    const config = configFromPreset(name);
    expect(config.preset).toBe(name);
    expect(validateConfig(JSON.parse(JSON.stringify(config)))).toEqual({ config, errors: [], partial: false });
  });

  it('returns a fresh copy each time, so editing one never changes another', () => {
    const a = configFromPreset('mlp');
    a.model.layers.push({ kind: 'relu' });
    expect(configFromPreset('mlp').model.layers).toHaveLength(5);
  });
});

describe('validateConfig', () => {
  it('fills every missing field from the default config', () => {
    expect(validateConfig({ v: 1 })).toEqual({ config: defaultConfig(), errors: [], partial: false });
  });

  it('fills missing layer options with defaults', () => {
    const result = validateConfig({ v: 1, model: { layers: [{ kind: 'conv2d' }, { kind: 'maxpool' }] } });
    expect(result.errors).toEqual([]);
    expect(result.config.model.layers).toEqual([
      { kind: 'conv2d', filters: 16, kernel: 3, stride: 1, padding: 0 },
      { kind: 'maxpool', size: 2, stride: 2 },
    ]);
  });

  it('replaces only the bad training field and keeps the rest', () => {
    const base = configFromPreset('mlp');
    const result = validateConfig({ ...base, training: { ...base.training, epochs: 0, seed: 99 } });
    expect(result.config.training.epochs).toBe(base.training.epochs);
    expect(result.config.training.seed).toBe(99);
    expect(result.config.model).toEqual(base.model);
    expect(result.errors[0]).toBe('The number of epochs must be a whole number from 1 to 200, but the link has 0.');
    expect(result.partial).toBe(true);
  });

  it('falls back to the model of the preset the link names', () => {
    const result = validateConfig({ v: 1, preset: 'perceptron', model: { layers: 'lots' } });
    expect(result.config.model).toEqual(configFromPreset('perceptron').model);
    expect(result.errors[0]).toBe('The list of layers must be a list of layers, but the link has "lots".');
  });

  it('rejects inputs other than MNIST and the toy set', () => {
    const result = validateConfig({ v: 1, model: { input: [3, 224, 224], layers: [] } });
    expect(result.errors[0]).toMatch(/^The model's input must be MNIST images \[1, 28, 28\]/);
  });

  it('drops invalid classroom options with a sentence naming the bad control', () => {
    const result = validateConfig({ v: 1, classroom: { hide: ['seed', 'everything'] } });
    expect(result.config.classroom).toBeUndefined();
    expect(result.errors[0]).toMatch(/^A name in the list of hidden controls must be one of: presets, layers/);
    expect(result.errors[0]).toMatch(/but the link has "everything"\.$/);
  });

  it('puts classroom control lists in a fixed order without repeats', () => {
    const result = validateConfig({ v: 1, classroom: { hide: ['seed', 'presets', 'seed'], presenter: true } });
    expect(result.config.classroom).toEqual({ hide: ['presets', 'seed'], presenter: true });
  });

  it('limits the number of error sentences and counts the rest', () => {
    const layers = Array.from({ length: 20 }, () => ({ kind: 'dense', units: -1 }));
    const result = validateConfig({ v: 1, model: { layers } });
    expect(result.errors.length).toBeLessThanOrEqual(8);
    expect(result.errors.some((e) => /^…and 15 more problems like these\.$/.test(e))).toBe(true);
  });

  it('names what a link had when a name is one of Object prototype keys', () => {
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const preset = validateConfig({ v: 1, preset: name });
      expect(preset.errors[0]).toBe(
        `The preset name must be one of: pytorch-cnn, keras-small-cnn, keras-cnn, mlp, fast-cnn, perceptron, but the link has "${name}".`,
      );
      const schedule = validateConfig({ v: 1, training: { schedule: { kind: name } } });
      expect(schedule.errors[0]).toBe(
        `The link asks for a learning-rate schedule called "${name}", which is not one of constant, step, oneCycle.`,
      );
      const optimizer = validateConfig({ v: 1, training: { optimizer: { kind: name, learningRate: 0.1 } } });
      expect(optimizer.errors[0]).toBe(
        `The link asks for an optimizer called "${name}", which is not one of sgd, adam, rmsprop.`,
      );
      const control = validateConfig({ v: 1, classroom: { lock: [name] } });
      expect(control.errors[0]).toMatch(
        new RegExp(`^A name in the list of locked controls must be one of: .*, but the link has "${name}"\\.$`),
      );
    }
  });

  it('ignores keys it does not know, including __proto__', () => {
    const raw = JSON.parse('{"v":1,"__proto__":{"polluted":true},"extra":1}');
    const result = validateConfig(raw);
    expect(result.errors).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(result.config)).not.toContain('extra');
  });
});

describe('rangeText', () => {
  it('describes whole-number and open ranges in words', () => {
    expect(rangeText(BOUNDS.units)).toBe('a whole number from 1 to 4,096');
    expect(rangeText(BOUNDS.learningRate)).toBe('a number from 0.000001 to 1');
    expect(rangeText(BOUNDS.gamma)).toBe('more than 0 and at most 1');
    expect(rangeText(BOUNDS.dropoutRate)).toBe('a number from 0 to 0.9');
  });
});
