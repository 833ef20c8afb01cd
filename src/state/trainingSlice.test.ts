import { describe, expect, it } from 'vitest';
import { configFromPreset } from '../config';
import { createAppStore } from './store';
import { MAX_LOSS_POINTS, decimate } from './trainingSlice';

describe('the training slice', () => {
  it('keeps the loss chart under its point budget however long training runs, ending at the last step', () => {
    const store = createAppStore();
    for (let chunk = 0; chunk < 100; chunk++) {
      store
        .getState()
        .appendLoss(Array.from({ length: 97 }, (_, i) => ({ step: chunk * 97 + i, loss: 1, accuracy: 0.5 })));
    }
    const series = store.getState().training.lossSeries;
    expect(series.length).toBeLessThanOrEqual(MAX_LOSS_POINTS);
    expect(series.length).toBeGreaterThan(MAX_LOSS_POINTS / 2);
    expect(series[series.length - 1].step).toBe(9699);
    expect(series.every((p, i) => i === 0 || p.step > series[i - 1].step)).toBe(true);
  });

  it('averages neighbouring points when decimating', () => {
    const d = decimate([
      { step: 0, loss: 2, accuracy: 0 },
      { step: 1, loss: 4, accuracy: 1 },
      { step: 2, loss: 6, accuracy: 1 },
    ]);
    expect(d).toEqual([
      { step: 1, loss: 3, accuracy: 0.5 },
      { step: 2, loss: 6, accuracy: 1 },
    ]);
  });

  it('keeps the job it was given when the charts are cleared, so a saved model still names its recipe', () => {
    const store = createAppStore();
    const { model, training } = configFromPreset('mlp');
    const { trainSubset: _subset, ...recipe } = training;
    const job = {
      config: { model, ...recipe },
      dataset: 'mnist' as const,
      trainSubset: 1200,
      backend: 'auto' as const,
    };
    store.getState().setTrainingJob(job);
    store.getState().resetTraining();
    expect(store.getState().trainingJob).toBe(job);
  });
});
