import { describe, expect, it } from 'vitest';
import { linePath, niceTop, thin } from './lossCurve';

const box = { width: 110, height: 60, pad: 5 };

describe('the home loss chart', () => {
  it('rounds the scale up to the next half', () => {
    expect(niceTop(2.31)).toBe(2.5);
    expect(niceTop(2.5)).toBe(2.5);
    expect(niceTop(0.1)).toBe(0.5);
    expect(niceTop(0)).toBe(0.5);
  });

  it('maps step 0 to the left edge, the last step to the right, 0 to the bottom and the top to the top', () => {
    const { d, top } = linePath(
      [
        { x: 0, y: 2 },
        { x: 5, y: 1 },
        { x: 10, y: 0 },
      ],
      box,
      10,
    );
    expect(top).toBe(2);
    expect(d).toBe('M5 5 L55 30 L105 55');
  });

  it('leaves room on the right for steps still to come and clamps values outside the scale', () => {
    expect(linePath([{ x: 5, y: 9 }], box, 20, 1).d).toBe('M30 5');
    expect(linePath([{ x: 5, y: -1 }], box, 20, 1).d).toBe('M30 55');
    expect(linePath([], box, 20).d).toBe('');
  });

  it('averages neighbours down to at most the given number of points, keeping the last step', () => {
    const points = Array.from({ length: 10 }, (_, i) => ({ x: i + 1, y: i }));
    const out = thin(points, 4);
    expect(out).toEqual([
      { x: 3, y: 1 },
      { x: 6, y: 4 },
      { x: 9, y: 7 },
      { x: 10, y: 9 },
    ]);
    expect(thin(points, 20)).toEqual(points);
  });
});
