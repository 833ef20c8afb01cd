import { describe, expect, it } from 'vitest';
import { numericalGradient, randomArray, weightedSum } from '../../cpu/gradcheck';
import { meanSquaredError, softmax, softmaxBackward, softmaxCrossEntropy } from './cpu';
import { maxAbsDiff, relativeError } from '../../cpu/tensor';

describe('softmax', () => {
  it('gives rows that are positive and sum to one', () => {
    const p = softmax(randomArray(3 * 5, 71, -4, 4), 3, 5);
    for (let b = 0; b < 3; b++) {
      const row = Array.from(p.subarray(b * 5, b * 5 + 5));
      expect(row.every((v) => v > 0)).toBe(true);
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    }
  });

  it('is unchanged by adding a constant to a row, so huge logits do not overflow', () => {
    const small = softmax(new Float64Array([0, 1, 2]), 1, 3);
    const huge = softmax(new Float64Array([1000, 1001, 1002]), 1, 3);
    expect(Array.from(huge).every(Number.isFinite)).toBe(true);
    expect(maxAbsDiff(small, huge)).toBeLessThan(1e-15);
    // Hand value: e / (1 + e + e²) for the middle entry
    expect(small[1]).toBeCloseTo(Math.E / (1 + Math.E + Math.E * Math.E), 15);
  });

  it('has a backward pass that matches central finite differences', () => {
    const x = randomArray(2 * 4, 72, -2, 2);
    const r = randomArray(2 * 4, 73);
    const dx = softmaxBackward(softmax(x, 2, 4), r, 2, 4);
    const numeric = numericalGradient((v) => weightedSum(softmax(v, 2, 4), r), x);
    expect(relativeError(dx, numeric)).toBeLessThan(1e-6);
  });
});

describe('softmaxCrossEntropy', () => {
  it('gives loss ln(classes) and uniform probabilities when all logits are equal', () => {
    const { loss, probs } = softmaxCrossEntropy(new Float64Array(2 * 4).fill(3), [0, 2], 2, 4);
    expect(loss).toBeCloseTo(Math.log(4), 14);
    expect(Array.from(probs)).toEqual(new Array(8).fill(0.25));
  });

  it('stays finite for huge logits: loss of [1000, 0] with label 1 is 1000', () => {
    const { loss, dLogits } = softmaxCrossEntropy(new Float64Array([1000, 0]), [1], 1, 2);
    expect(loss).toBeCloseTo(1000, 10);
    expect(Array.from(dLogits)).toEqual([1, -1]);
  });

  it('counts rows whose argmax equals the label', () => {
    const logits = new Float64Array([2, 1, 0, 0, 5, 1, 0, 1, 3, 4, 0, 0]); // argmax 0, 1, 2, 0
    expect(softmaxCrossEntropy(logits, [0, 1, 0, 1], 4, 3).correct).toBe(2);
  });

  it('returns (probs − onehot) / batch as dLogits, matching central finite differences', () => {
    const [batch, classes] = [3, 5];
    const logits = randomArray(batch * classes, 74, -3, 3);
    const labels = new Uint8Array([4, 0, 2]);
    const { dLogits } = softmaxCrossEntropy(logits, labels, batch, classes);
    const numeric = numericalGradient((v) => softmaxCrossEntropy(v, labels, batch, classes).loss, logits);
    expect(relativeError(dLogits, numeric)).toBeLessThan(1e-6);
  });

  it('rejects labels that are not a class index', () => {
    expect(() => softmaxCrossEntropy(new Float64Array(3), [3], 1, 3)).toThrow(RangeError);
    expect(() => softmaxCrossEntropy(new Float64Array(3), [-1], 1, 3)).toThrow(RangeError);
    expect(() => softmaxCrossEntropy(new Float64Array(6), [0], 2, 3)).toThrow(RangeError);
  });
});

describe('meanSquaredError', () => {
  it('averages the squared error over all elements', () => {
    const { loss, dPred } = meanSquaredError(new Float64Array([1, 2, 0, 0]), [0, 0, 0, 2]);
    expect(loss).toBe((1 + 4 + 0 + 4) / 4);
    expect(Array.from(dPred)).toEqual([0.5, 1, 0, -1]); // 2 (pred − target) / 4
  });

  it('has a gradient that matches central finite differences', () => {
    const pred = randomArray(12, 75);
    const target = randomArray(12, 76);
    const { dPred } = meanSquaredError(pred, target);
    const numeric = numericalGradient((v) => meanSquaredError(v, target).loss, pred);
    expect(relativeError(dPred, numeric)).toBeLessThan(1e-6);
  });
});
