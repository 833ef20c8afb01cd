import { describe, expect, it } from 'vitest';
import { autoTestInterval, midEpochTestImages, stepsPerEpochFor, testPoints } from './testInterval';

describe('the test interval chosen from the run length', () => {
  it('gives a 2-epoch run of 3,000 images in batches of 128 (46 steps) a test every 4 steps', () => {
    const spe = stepsPerEpochFor(3000, 128);
    expect(spe).toBe(23);
    const n = autoTestInterval(spe, 2);
    expect(n).toBe(4);
    expect(testPoints(n, spe, 2)).toBe(12);
  });

  it('gives a very short run a few points instead of one', () => {
    // 600 images in batches of 128: 4 steps, one epoch: a test after every step.
    expect(autoTestInterval(stepsPerEpochFor(600, 128), 1)).toBe(1);
    expect(testPoints(1, 4, 1)).toBe(4);
    expect(testPoints(autoTestInterval(3, 1), 3, 1)).toBe(3);
    expect(testPoints(autoTestInterval(7, 1), 7, 1)).toBe(4);
  });

  it('aims for 20 to 50 points on runs of 100 steps or more, and at least 3 on shorter ones', () => {
    for (const spe of [1, 3, 4, 7, 20, 23, 46, 93, 200, 469, 938, 1875, 60000]) {
      for (const epochs of [1, 2, 3, 5, 10, 25]) {
        const total = spe * epochs;
        const interval = autoTestInterval(spe, epochs);
        const points = testPoints(interval, spe, epochs);
        const what = `${spe} steps per epoch × ${epochs}`;
        expect(points, what).toBeLessThanOrEqual(50);
        if (total >= 100) expect(points, what).toBeGreaterThanOrEqual(20);
        else expect(points, what).toBeGreaterThanOrEqual(Math.min(total, 3));
      }
    }
  });

  it('tests no more often than every 4 steps, unless the run would get fewer than 3 points', () => {
    for (const spe of [12, 20, 23, 46, 93, 200]) {
      for (const epochs of [1, 2, 3]) {
        const interval = autoTestInterval(spe, epochs);
        if (interval > 0) expect(interval, `${spe} × ${epochs}`).toBeGreaterThanOrEqual(4);
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

describe('the test images a mid-epoch test uses', () => {
  it('is 500 on a run long enough to afford it', () => {
    // 60,000 images in batches of 64 for 3 epochs: 2,814 steps, a test every 113.
    const spe = stepsPerEpochFor(60000, 64);
    expect(midEpochTestImages(autoTestInterval(spe, 3), spe, 3, 64)).toBe(500);
  });

  it('is fewer on a short run, so the tests stay a fifth of the images trained', () => {
    // 3,000 images in batches of 128 for 2 epochs: 46 steps, a test every 4 steps, 10 tests.
    const spe = stepsPerEpochFor(3000, 128);
    const interval = autoTestInterval(spe, 2);
    expect(testPoints(interval, spe, 2) - 2).toBe(10);
    // 0.2 × 46 × 128 / 10 = 117.8: 110 (in tens).
    expect(midEpochTestImages(interval, spe, 2, 128)).toBe(110);
    // 600 images in batches of 128, one epoch: 4 steps, 3 tests: 0.2 × 512 / 3 = 34, raised to the floor of 100.
    expect(midEpochTestImages(1, 4, 1, 128)).toBe(100);
  });

  it('is the full 500 when there are no mid-epoch tests', () => {
    expect(midEpochTestImages(0, 100, 40, 64)).toBe(500);
  });
});
