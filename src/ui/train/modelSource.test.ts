import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, PRESETS } from '../../engine/presets';
import { configFromPreset, decodeConfig, encodeConfig, type Config } from '../../config';
import { createAppStore } from '../../state/store';
import { linkedNetwork } from '../../state/modelSlice';
import {
  DEFAULT_TRAIN_SUBSET,
  jobFor,
  sourceFromLink,
  sourceFromPreset,
  startingChoices,
  summarise,
  whyNotTrainable,
  type ModelSource,
} from './modelSource';

/** What the Train page reads for a `#/train?c=…` link: decoded once and applied to the store, as the URL sync does. */
function openLink(text: string) {
  const store = createAppStore();
  store.getState().applyConfigLink({ text, decoded: decodeConfig(text) });
  return sourceFromLink(linkedNetwork(store.getState()));
}

const CHOICES = { epochs: 1, trainSubset: 1000, testSubset: 500, evaluateEverySteps: 25 };

describe('the training job a preset starts', () => {
  it.each(PRESET_NAMES.map((n) => [n]))(
    '%s: carries every field of the recipe the trainer reads, the init scheme included',
    (name) => {
      const job = jobFor(sourceFromPreset(name), CHOICES);
      const { trainSubset: _subset, epochs: _epochs, ...recipe } = PRESETS[name].training;
      expect(job.config).toMatchObject(recipe);
      expect(job.config.init).toBe(PRESETS[name].training.init);
      expect(job.config.epochs).toBe(1);
    },
  );

  it("uses PyTorch's init for the presets tuned with it, as the benchmark does", () => {
    expect(jobFor(sourceFromPreset('fast-cnn'), CHOICES).config.init).toBe('pytorch');
    expect(jobFor(sourceFromPreset('pytorch-cnn'), CHOICES).config.init).toBe('pytorch');
  });
});

describe('whether a network can be sent to training', () => {
  const mnist = (layers: Config['model']['layers'], input = [1, 28, 28]): Config => {
    const c = configFromPreset('mlp');
    return { ...c, preset: undefined, model: { ...c.model, input, layers } };
  };
  const fromLink = (c: Config) => openLink(encodeConfig(c)).source!;

  it('accepts every preset', () => {
    for (const name of PRESET_NAMES) expect(whyNotTrainable(sourceFromPreset(name)), name).toBeNull();
  });

  it('refuses a link whose layers do not fit, naming the layer and the fix', () => {
    const c = mnist([{ kind: 'dense', units: 32 }, { kind: 'flatten' }, { kind: 'dense', units: 10 }]);
    const reason = whyNotTrainable(fromLink(c));
    expect(reason).toMatch(/^Layer 1 \(Dense 32\) does not fit: /);
    expect(reason).toContain('Add a Flatten layer before it');
  });

  it('refuses an MNIST network with the wrong input or the wrong number of outputs', () => {
    const layers: Config['model']['layers'] = [{ kind: 'flatten' }, { kind: 'dense', units: 10 }];
    // (Links cannot carry such an input: the config schema replaces it. A source built in code can.)
    const wide: ModelSource = { id: 'link', title: 't', config: mnist(layers, [1, 32, 32]), dataset: 'mnist' };
    expect(whyNotTrainable(wide)).toBe(
      'MNIST images are 1×28×28 (one channel of 28 by 28 pixels), but this network takes 1×32×32.',
    );
    expect(whyNotTrainable(fromLink(mnist([{ kind: 'flatten' }, { kind: 'dense', units: 5 }])))).toBe(
      'MNIST has 10 digits, so the network must end with 10 scores, but it ends with 5.',
    );
  });

  it('accepts a builder link of a network that fits MNIST', () => {
    expect(whyNotTrainable(fromLink(mnist([{ kind: 'flatten' }, { kind: 'dense', units: 10 }])))).toBeNull();
  });
});

describe('whether a toy-data network can be sent to training', () => {
  it('refuses a perceptron link that ends with more than one number', () => {
    const c = configFromPreset('perceptron');
    const link = openLink(encodeConfig({ ...c, model: { ...c.model, layers: [{ kind: 'dense', units: 3 }] } }));
    expect(whyNotTrainable(link.source!)).toBe(
      'The AND table has one answer per example, so the network must end with 1 number, but it ends with 3.',
    );
  });
});

describe('the one-line summary of a network', () => {
  it('counts the weights of a network that fits, and does not guess for one that does not', () => {
    expect(summarise(sourceFromPreset('mlp').config)).toContain('101,770 weights');
    const c = configFromPreset('mlp');
    const broken = { ...c, model: { ...c.model, layers: [{ kind: 'dense' as const, units: 32 }] } };
    expect(summarise(broken)).toContain('weights not known until the layers fit');
    expect(summarise(broken)).not.toContain('0 weights');
  });
});

describe('the network a link opens the Train page on', () => {
  it("is the link's network, with its text kept for the way back to the builder", () => {
    const text = encodeConfig(configFromPreset('keras-small-cnn'));
    const { source, errors } = openLink(text);
    expect(errors).toEqual([]);
    expect(source?.id).toBe('link');
    expect(source?.config.model).toEqual(configFromPreset('keras-small-cnn').model);
    expect(source?.encoded).toBe(text);
  });

  it("honours the link's training subset on first load (and its epochs, at most 3 on MNIST)", () => {
    const c = configFromPreset('mlp');
    const { source } = openLink(encodeConfig({ ...c, training: { ...c.training, trainSubset: 1200, epochs: 2 } }));
    expect(startingChoices(source!)).toEqual({ epochs: 2, trainSubset: 1200 });
    const job = jobFor(source!, { ...CHOICES, trainSubset: startingChoices(source!).trainSubset! });
    expect(job.trainSubset).toBe(1200);
  });

  it('starts a preset, which names no subset, on the default number of images', () => {
    expect(startingChoices(sourceFromPreset('mlp')).trainSubset).toBeUndefined();
    expect(DEFAULT_TRAIN_SUBSET).toBe(6000);
  });

  it('shows nothing from a link that cannot be read, with the reason', () => {
    const { source, errors } = openLink('not-a-network');
    expect(source).toBeNull();
    expect(errors.length).toBeGreaterThan(0);
  });

  it('offers no link network on a route without a link', () => {
    expect(sourceFromLink(linkedNetwork(createAppStore().getState()))).toEqual({ source: null, errors: [] });
  });
});
