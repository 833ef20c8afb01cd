import { describe, expect, it } from 'vitest';
import { DIGIT_SIDE, drawingToMnist } from './drawnDigit';

/** A w×h canvas with a filled rectangle of ink. */
function canvasWithRect(w: number, h: number, x0: number, y0: number, rw: number, rh: number): Uint8Array {
  const ink = new Uint8Array(w * h);
  for (let y = y0; y < y0 + rh; y++) for (let x = x0; x < x0 + rw; x++) ink[y * w + x] = 255;
  return ink;
}

function inkBox(img: Uint8Array) {
  let minX = 99,
    minY = 99,
    maxX = -1,
    maxY = -1,
    mass = 0,
    sx = 0,
    sy = 0;
  for (let y = 0; y < DIGIT_SIDE; y++) {
    for (let x = 0; x < DIGIT_SIDE; x++) {
      const v = img[y * DIGIT_SIDE + x];
      if (v > 0) {
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
      }
      mass += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  }
  return { w: maxX - minX + 1, h: maxY - minY + 1, cx: sx / mass, cy: sy / mass };
}

describe('turning a drawing into an MNIST-like digit', () => {
  it('returns nothing for an empty canvas', () => {
    expect(drawingToMnist(new Uint8Array(100 * 100), 100, 100)).toBeNull();
  });

  it('scales a small stroke in a corner up to a 20-pixel box and centres it by mass', () => {
    const img = drawingToMnist(canvasWithRect(280, 280, 10, 20, 30, 60), 280, 280)!;
    expect(img).toHaveLength(784);
    const box = inkBox(img);
    expect(box.h).toBe(20);
    expect(box.w).toBe(10); // the aspect ratio (1:2) is kept
    expect(Math.abs(box.cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(box.cy - 14)).toBeLessThanOrEqual(0.5);
  });

  it('centres by mass, not by the bounding box, as MNIST did', () => {
    // A thick bar at the top and a thin line under it: the mass sits near the top of the box.
    const ink = canvasWithRect(200, 200, 50, 20, 100, 40);
    for (let y = 60; y < 180; y++) ink[y * 200 + 100] = 255;
    const img = drawingToMnist(ink, 200, 200)!;
    const box = inkBox(img);
    expect(Math.abs(box.cy - 14)).toBeLessThanOrEqual(0.5);
    // So the heavy top is pulled to the middle: the digit starts far below row 4, where a box-centred one would.
    const firstInkRow = Math.floor(img.findIndex((v) => v > 0) / DIGIT_SIDE);
    expect(firstInkRow).toBeGreaterThan(8);
  });

  it('anti-aliases: a stroke thinner than a pixel after scaling becomes grey, not lost', () => {
    const ink = new Uint8Array(280 * 280);
    // Two one-pixel lines 100 apart, 280 tall: scaled by 1/14, each covers a fourteenth of a pixel's width.
    for (let y = 0; y < 280; y++) ink[y * 280 + 90] = ink[y * 280 + 190] = 255;
    const img = drawingToMnist(ink, 280, 280)!;
    const values = [...img].filter((v) => v > 0);
    expect(values.length).toBe(40);
    expect(Math.max(...values)).toBeLessThan(40);
  });
});
