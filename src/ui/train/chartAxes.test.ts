import { describe, expect, it } from 'vitest';
import { accuracyAxis } from './chartAxes';

describe('the accuracy axis', () => {
  it('stops at 100% and starts at the round step below the lowest accuracy, with even ticks', () => {
    expect(accuracyAxis([83.2, 91.5, 97.9])).toEqual({ domain: [80, 100], ticks: [80, 85, 90, 95, 100] });
    expect(accuracyAxis([62, 88])).toEqual({ domain: [60, 100], ticks: [60, 70, 80, 90, 100] });
    expect(accuracyAxis([12, 88])).toEqual({ domain: [0, 100], ticks: [0, 20, 40, 60, 80, 100] });
    expect(accuracyAxis([42, 88])).toEqual({ domain: [40, 100], ticks: [40, 60, 80, 100] });
  });

  it('never goes past 100% or below 0%, even at 100% accuracy or with nothing yet', () => {
    expect(accuracyAxis([100, 100]).domain).toEqual([95, 100]);
    expect(accuracyAxis([]).domain).toEqual([0, 100]);
    expect(accuracyAxis([]).ticks).toEqual([0, 20, 40, 60, 80, 100]);
    for (const v of [0, 3, 55.5, 99.99, 100]) {
      const { domain, ticks } = accuracyAxis([v]);
      expect(domain[1]).toBe(100);
      expect(Math.max(...ticks)).toBe(100);
      expect(Math.min(...ticks)).toBe(domain[0]);
      expect(domain[0]).toBeLessThanOrEqual(v);
      const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
      expect(new Set(gaps).size).toBe(1);
    }
  });

  it('ignores points that are not numbers', () => {
    expect(accuracyAxis([Number.NaN, 93]).domain).toEqual([90, 100]);
  });
});
