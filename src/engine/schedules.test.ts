import { describe, expect, it } from 'vitest';
import { learningRateAt, SCHEDULE_DEFAULTS, type ScheduleConfig } from './schedules';

describe('learningRateAt', () => {
  it('keeps a constant schedule at the base rate', () => {
    expect(learningRateAt({ kind: 'constant' }, 0.03, 0, 100, 10)).toBe(0.03);
    expect(learningRateAt({ kind: 'constant' }, 0.03, 99, 100, 10)).toBe(0.03);
  });

  it('halves a step schedule every 10 optimizer steps, like StepLR(step_size=10, gamma=0.5) stepped per batch', () => {
    const s: ScheduleConfig = { kind: 'step', everySteps: 10, gamma: 0.5 };
    expect(learningRateAt(s, 0.1, 0, 100, 7)).toBe(0.1);
    expect(learningRateAt(s, 0.1, 9, 100, 7)).toBe(0.1);
    expect(learningRateAt(s, 0.1, 10, 100, 7)).toBeCloseTo(0.05, 15);
    expect(learningRateAt(s, 0.1, 25, 100, 7)).toBeCloseTo(0.025, 15);
  });

  it('decays a step schedule at epoch boundaries when given everyEpochs', () => {
    const s: ScheduleConfig = { kind: 'step', everyEpochs: 2, gamma: 0.1 };
    expect(learningRateAt(s, 1, 199, 1000, 100)).toBe(1); // last step of epoch 1
    expect(learningRateAt(s, 1, 200, 1000, 100)).toBeCloseTo(0.1, 15); // first step of epoch 2
    expect(learningRateAt(s, 1, 399, 1000, 100)).toBeCloseTo(0.1, 15);
    expect(learningRateAt(s, 1, 400, 1000, 100)).toBeCloseTo(0.01, 15);
    // The default decays every epoch.
    expect(learningRateAt(SCHEDULE_DEFAULTS.step, 1, 100, 1000, 100)).toBeCloseTo(0.1, 15);
  });

  describe('one-cycle, like OneCycleLR(max_lr=0.01, pct_start=0.25, div_factor=25, final_div_factor=1e4)', () => {
    const s: ScheduleConfig = {
      kind: 'oneCycle',
      maxLearningRate: 0.01,
      pctStart: 0.25,
      divFactor: 25,
      finalDivFactor: 1e4,
    };
    const initial = 0.01 / 25; // 4e-4
    const minimum = initial / 1e4; // 4e-8

    it('starts at max/divFactor and ignores the base rate', () => {
      expect(learningRateAt(s, 123, 0, 100, 10)).toBeCloseTo(initial, 15);
    });

    it('reaches the maximum at step pctStart·T − 1 and is halfway up in the middle of the warm-up', () => {
      // T = 100: phase 1 ends at step 24; step 12 is pct 0.5, where cos(π/2) + 1 = 1 gives the mean.
      expect(learningRateAt(s, 0, 24, 100, 10)).toBeCloseTo(0.01, 15);
      expect(learningRateAt(s, 0, 12, 100, 10)).toBeCloseTo((0.01 + initial) / 2, 15);
      expect(learningRateAt(s, 0, 6, 100, 10)).toBeLessThan((0.01 + initial) / 2);
    });

    it('anneals from the maximum to max/div/finalDiv over the rest, halfway at the middle of phase two', () => {
      // T = 200: phase 1 ends at 49, phase 2 runs 49 → 199, so step 124 is pct 0.5.
      expect(learningRateAt(s, 0, 124, 200, 10)).toBeCloseTo((0.01 + minimum) / 2, 15);
      expect(learningRateAt(s, 0, 199, 200, 10)).toBeCloseTo(minimum, 18);
      // Phase 2 starts from step pctStart·T − 1 (PyTorch's convention), so step 50 is 1/150 of the way down.
      expect(learningRateAt(s, 0, 50, 200, 10)).toBeCloseTo(
        minimum + ((0.01 - minimum) / 2) * (1 + Math.cos(Math.PI / 150)),
        15,
      );
    });

    it('rises monotonically then falls monotonically', () => {
      const lrs = Array.from({ length: 100 }, (_, k) => learningRateAt(s, 0, k, 100, 10));
      for (let k = 1; k <= 24; k++) expect(lrs[k]).toBeGreaterThan(lrs[k - 1]);
      for (let k = 25; k < 100; k++) expect(lrs[k]).toBeLessThan(lrs[k - 1]);
    });

    it('handles a warm-up of zero length and steps past the end without producing NaN', () => {
      const tiny: ScheduleConfig = { ...s, pctStart: 0.5 };
      expect(learningRateAt(tiny, 0, 0, 2, 1)).toBeCloseTo(0.01, 15);
      expect(learningRateAt(tiny, 0, 1, 2, 1)).toBeCloseTo(minimum, 18);
      expect(learningRateAt(s, 0, 150, 100, 10)).toBeCloseTo(minimum, 18);
    });
  });
});
