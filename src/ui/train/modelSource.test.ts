import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, PRESETS } from '../../engine/presets';
import { jobFor, sourceFromPreset } from './modelSource';

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
