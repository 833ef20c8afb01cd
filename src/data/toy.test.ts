import { describe, expect, it } from 'vitest';
import { LINEAR_MARGIN, linearSetLine, toyPerceptronSet, type ToySet } from './toy';

const rows = (set: ToySet) =>
  Array.from({ length: set.count }, (_, i) => [set.inputs[2 * i], set.inputs[2 * i + 1], set.targets[i]]);

/** Classic perceptron rule; returns the training accuracy after `epochs` passes. */
function perceptronAccuracy(set: ToySet, epochs: number): number {
  let w0 = 0;
  let w1 = 0;
  let b = 0;
  const predict = (i: number) => (w0 * set.inputs[2 * i] + w1 * set.inputs[2 * i + 1] + b > 0 ? 1 : 0);
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < set.count; i++) {
      const err = set.targets[i] - predict(i);
      w0 += err * set.inputs[2 * i];
      w1 += err * set.inputs[2 * i + 1];
      b += err;
    }
  }
  let correct = 0;
  for (let i = 0; i < set.count; i++) if (predict(i) === set.targets[i]) correct++;
  return correct / set.count;
}

describe('toyPerceptronSet truth tables', () => {
  it('gives the AND table over the four corners of the unit square', () => {
    expect(rows(toyPerceptronSet('and'))).toEqual([
      [0, 0, 0],
      [0, 1, 0],
      [1, 0, 0],
      [1, 1, 1],
    ]);
  });

  it('gives the OR table', () => {
    expect(rows(toyPerceptronSet('or')).map((r) => r[2])).toEqual([0, 1, 1, 1]);
  });

  it('gives the XOR table, which a single perceptron cannot fit', () => {
    const xor = toyPerceptronSet('xor');
    expect(rows(xor).map((r) => r[2])).toEqual([0, 1, 1, 0]);
    expect(perceptronAccuracy(xor, 100)).toBeLessThan(1);
    expect(perceptronAccuracy(toyPerceptronSet('and'), 100)).toBe(1);
  });

  it('returns fresh arrays, so a caller mutating one set does not change the next', () => {
    toyPerceptronSet('and').targets[0] = 5;
    expect(toyPerceptronSet('and').targets[0]).toBe(0);
  });
});

describe('toyPerceptronSet linear', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    const a = toyPerceptronSet('linear', { seed: 7, count: 32 });
    expect(toyPerceptronSet('linear', { seed: 7, count: 32 })).toEqual(a);
    expect(toyPerceptronSet('linear', { seed: 8, count: 32 }).inputs).not.toEqual(a.inputs);
  });

  it('has 64 points by default, inside [-1, 1]^2, with balanced 0/1 classes', () => {
    const set = toyPerceptronSet('linear');
    expect(set.count).toBe(64);
    expect(set.inputs.length).toBe(128);
    expect(set.inputs.every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(set.targets.filter((t) => t === 1).length).toBe(32);
    expect(set.targets.filter((t) => t === 0).length).toBe(32);
  });

  it('puts every point on its class side of the seed line, at least the margin away', () => {
    for (const seed of [1, 2, 3, 99]) {
      const line = linearSetLine(seed);
      for (const [x, y, t] of rows(toyPerceptronSet('linear', { seed, count: 200 }))) {
        const side = line.nx * x + line.ny * y + line.offset;
        expect(Math.abs(side)).toBeGreaterThanOrEqual(LINEAR_MARGIN);
        expect(side > 0 ? 1 : 0).toBe(t);
      }
    }
  });

  it('is learned perfectly by a perceptron', () => {
    expect(perceptronAccuracy(toyPerceptronSet('linear', { seed: 5, count: 100 }), 200)).toBe(1);
  });

  it('rejects a count that is not a whole number from 2 to 100000', () => {
    expect(() => toyPerceptronSet('linear', { count: 1 })).toThrow(RangeError);
    expect(() => toyPerceptronSet('linear', { count: 2.5 })).toThrow(/whole number/);
  });
});
