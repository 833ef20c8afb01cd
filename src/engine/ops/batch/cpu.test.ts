import { describe, expect, it } from 'vitest';
import { gatherBatch } from './cpu';

describe('gatherBatch', () => {
  // Three 2-pixel "images" with labels 7, 8, 9.
  const images = new Uint8Array([0, 255, 51, 102, 153, 204]);
  const labels = new Uint8Array([7, 8, 9]);

  it('gathers images and labels in the order of the indices', () => {
    const { x, y } = gatherBatch(images, labels, [2, 0, 2], 2, 0, 1);
    expect(Array.from(y)).toEqual([9, 7, 9]);
    expect(Array.from(x)).toEqual([0.6, 0.8, 0, 1, 0.6, 0.8].map(Math.fround));
  });

  it('normalises with the MNIST mean and std by default', () => {
    const { x } = gatherBatch(images, labels, [0], 2);
    expect(x).toBeInstanceOf(Float32Array);
    expect(x[0]).toBeCloseTo(-0.1307 / 0.3081, 6); // ≈ −0.4242
    expect(x[1]).toBeCloseTo(0.8693 / 0.3081, 6); // ≈ 2.8215
  });

  it('maps 0 to −1 and 255 to 1 with mean 0.5 and std 0.5', () => {
    expect(Array.from(gatherBatch(images, labels, [0], 2, 0.5, 0.5).x)).toEqual([-1, 1]);
  });

  it('rounds to f32 after each step, (f32(p) / 255 − mean) / std, for every byte value', () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const { x } = gatherBatch(
      all,
      new Uint8Array(256),
      Array.from(all, (_, i) => i),
      1,
    );
    const t = new Float32Array(3); // each store into t rounds to f32, as a WGSL f32 operation would
    for (let p = 0; p < 256; p++) {
      t[0] = p / 255;
      t[1] = t[0] - Math.fround(0.1307);
      t[2] = t[1] / Math.fround(0.3081);
      expect(x[p]).toBe(t[2]);
    }
  });

  it('throws a RangeError for an index outside the data', () => {
    expect(() => gatherBatch(images, labels, [3], 2)).toThrow(RangeError);
    expect(() => gatherBatch(images, labels, [-1], 2)).toThrow(RangeError);
  });
});
