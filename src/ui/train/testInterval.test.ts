import { describe, expect, it } from 'vitest';
import { autoTestInterval, stepsPerEpochFor, testPoints } from './testInterval';

describe('the test interval chosen from the run length', () => {
  it('gives a 2-epoch run of 3,000 images in batches of 64 (92 steps) about 25 accuracy points', () => {
    const spe = stepsPerEpochFor(3000, 64);
    expect(spe).toBe(46);
    const n = autoTestInterval(spe, 2);
    expect(n).toBe(4);
    expect(testPoints(n, spe, 2)).toBe(24);
  });

  it('gives a short run a point after every step instead of none', () => {
    // 300 images in batches of 64: 4 steps, one epoch.
    expect(autoTestInterval(stepsPerEpochFor(300, 64), 1)).toBe(1);
    expect(testPoints(1, 4, 1)).toBe(4);
  });

  it('aims for 20 to 50 points whatever the step count (up to 25 epochs)', () => {
    for (const spe of [1, 3, 7, 20, 46, 93, 200, 469, 938, 1875, 60000]) {
      for (const epochs of [1, 2, 3, 5, 10, 25]) {
        const total = spe * epochs;
        const points = testPoints(autoTestInterval(spe, epochs), spe, epochs);
        expect(points, `${spe} steps per epoch × ${epochs}`).toBeGreaterThanOrEqual(Math.min(total, 20));
        expect(points, `${spe} steps per epoch × ${epochs}`).toBeLessThanOrEqual(50);
      }
    }
  });

  it('tests only after each epoch when the epochs alone give enough points', () => {
    expect(autoTestInterval(100, 40)).toBe(0);
    expect(testPoints(0, 100, 40)).toBe(40);
  });

  it('counts whole batches only, as the trainers do', () => {
    expect(stepsPerEpochFor(6000, 64)).toBe(93);
    expect(stepsPerEpochFor(10, 64)).toBe(1);
  });
});
