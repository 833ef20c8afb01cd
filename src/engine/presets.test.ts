import { describe, expect, it } from 'vitest';
import { PRESET_NAMES, PRESETS } from './presets';
import { inferModel, parameterShapes } from './shapes';
import { initParameters } from './init';
import { learningRateAt } from './schedules';

describe('PRESETS', () => {
  it.each(PRESET_NAMES)('%s passes shape inference with no error', (name) => {
    const preset = PRESETS[name];
    const analysis = inferModel(preset.model);
    expect(analysis.totals.firstError).toBeUndefined();
    expect(analysis.totals.ok).toBe(true);
    expect(preset.name).toBe(name);
    expect(preset.description.length).toBeGreaterThan(100);
  });

  it.each(PRESET_NAMES)('%s can be initialised and has a learning rate at every step', (name) => {
    const { model, training } = PRESETS[name];
    expect(initParameters(model, training.seed).size).toBe(parameterShapes(model).length);
    const total = 10 * training.epochs;
    for (let k = 0; k < total; k++)
      expect(learningRateAt(training.schedule, training.optimizer.learningRate, k, total, 10)).toBeGreaterThan(0);
  });

  it('pytorch-cnn keeps 28×28 with padding 1, so its first dense layer sees 64·14·14 = 12544 inputs', () => {
    const analysis = inferModel(PRESETS['pytorch-cnn'].model);
    const firstDense = analysis.layers.find((l) => l.layer.kind === 'dense')!;
    expect(firstDense.inputShape).toEqual([12544]);
    // By hand: conv 1·9·32+32 = 320, conv 32·9·64+64 = 18,496, dense 12544·128+128 = 1,605,760, dense 128·10+10 = 1,290.
    expect(analysis.totals.params).toBe(320 + 18_496 + 1_605_760 + 1_290);
    expect(analysis.totals.params).toBe(1_625_866);
  });

  it('keras-small-cnn has 320 + 346,176 + 650 = 347,146 parameters', () => {
    // conv 1·9·32+32 = 320; 26×26 pooled to 13×13×32 = 5408; dense 5408·64+64 = 346,176; dense 64·10+10 = 650.
    expect(inferModel(PRESETS['keras-small-cnn'].model).totals.params).toBe(347_146);
  });

  it("keras-cnn matches the Keras example's published 34,826 parameters", () => {
    expect(inferModel(PRESETS['keras-cnn'].model).totals.params).toBe(34_826);
  });

  it('mlp has 784·128+128 + 128·10+10 = 101,770 parameters', () => {
    expect(inferModel(PRESETS.mlp.model).totals.params).toBe(101_770);
  });

  it('fast-cnn shrinks 28 → 24 → 12 → 10 → 5 before its dense layers', () => {
    const analysis = inferModel(PRESETS['fast-cnn'].model);
    expect(analysis.layers.find((l) => l.layer.kind === 'flatten')!.outputShape).toEqual([32 * 5 * 5]);
    // conv 25·24+24 = 624, conv 24·9·32+32 = 6,944, dense 800·256+256 = 205,056, dense 256·10+10 = 2,570.
    expect(analysis.totals.params).toBe(624 + 6_944 + 205_056 + 2_570);
  });

  it('perceptron is one sigmoid neuron on two inputs trained with MSE on the AND set', () => {
    const p = PRESETS.perceptron;
    expect(inferModel(p.model).totals.params).toBe(3);
    expect(p.model.loss).toBe('mse');
    expect(p.dataset).toBe('toy-and');
  });

  it('gives every preset its own copy of shared layer objects', () => {
    expect(PRESETS['keras-cnn'].model.input).not.toBe(PRESETS.mlp.model.input);
    expect(PRESETS['keras-cnn'].model.layers.at(-1)).not.toBe(PRESETS.mlp.model.layers.at(-1));
  });
});
