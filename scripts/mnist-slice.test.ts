import { describe, expect, it } from 'vitest';
import { sliceIdx, STARTER_COUNTS } from './mnist-slice.mjs';

/** A small IDX file of `count` items of `rows`×`cols` bytes, item i filled with the value i. */
function idxImages(count: number, rows: number, cols: number): Uint8Array {
  const buf = new Uint8Array(16 + count * rows * cols);
  const view = new DataView(buf.buffer);
  view.setUint32(0, 0x00000803);
  view.setUint32(4, count);
  view.setUint32(8, rows);
  view.setUint32(12, cols);
  for (let i = 0; i < count; i++) buf.fill(i, 16 + i * rows * cols, 16 + (i + 1) * rows * cols);
  return buf;
}

describe('sliceIdx', () => {
  it('keeps the header with the new count and exactly the first items of an image file', () => {
    const out = sliceIdx(idxImages(5, 2, 3), 2);
    const view = new DataView(out.buffer);
    expect(out.length).toBe(16 + 2 * 6);
    expect(view.getUint32(0)).toBe(0x00000803);
    expect([view.getUint32(4), view.getUint32(8), view.getUint32(12)]).toEqual([2, 2, 3]);
    expect(Array.from(out.subarray(16))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it('slices a label file (one dimension) to its first labels', () => {
    const labels = new Uint8Array([0, 0, 0x08, 0x01, 0, 0, 0, 4, 7, 2, 1, 0]);
    expect(Array.from(sliceIdx(labels, 3))).toEqual([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]);
  });

  it('reads a buffer that is a view into a larger one', () => {
    const file = idxImages(3, 1, 2);
    const padded = new Uint8Array(file.length + 10);
    padded.set(file, 10);
    expect(Array.from(sliceIdx(padded.subarray(10), 1))).toEqual(Array.from(sliceIdx(file, 1)));
  });

  it('refuses more items than the file holds, a count below one, and a damaged header', () => {
    expect(() => sliceIdx(idxImages(2, 1, 1), 3)).toThrow('holds 2 items, fewer than the 3');
    expect(() => sliceIdx(idxImages(2, 1, 1), 0)).toThrow('whole number');
    expect(() => sliceIdx(new Uint8Array([0, 0, 8]), 1)).toThrow('too short');
    expect(() => sliceIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1]), 1)).toThrow('damaged');
  });

  it('keeps a starter slice small enough to download at once but big enough to learn from', () => {
    expect(STARTER_COUNTS.train).toBeGreaterThanOrEqual(1000);
    expect(STARTER_COUNTS.train * 784).toBeLessThan(2_000_000);
    expect(STARTER_COUNTS.test).toBeGreaterThanOrEqual(100);
  });
});
