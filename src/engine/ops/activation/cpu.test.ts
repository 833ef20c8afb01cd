import { describe, expect, it } from 'vitest';
import type { ActivationKind } from '../../layers';
import { activationBackward, activationForward } from './cpu';
import { numericalGradient, randomArray, weightedSum } from '../../cpu/gradcheck';
import { relativeError } from '../../cpu/tensor';

const kinds: ActivationKind[] = ['relu', 'leakyRelu', 'sigmoid', 'tanh'];

describe('activationForward', () => {
  it('computes relu and leakyRelu element-wise', () => {
    const x = new Float64Array([-2, 0, 3]);
    expect(Array.from(activationForward('relu', x))).toEqual([0, 0, 3]);
    expect(Array.from(activationForward('leakyRelu', x, 0.1))).toEqual([-0.2, 0, 3]);
    expect(Array.from(activationForward('leakyRelu', x))).toEqual([-0.02, 0, 3]);
  });

  it('computes sigmoid and tanh with their textbook values at 0 and ±ln 3', () => {
    const x = new Float64Array([0, Math.log(3), -Math.log(3)]);
    const s = activationForward('sigmoid', x);
    expect(s[0]).toBe(0.5);
    expect(s[1]).toBeCloseTo(0.75, 15); // 1 / (1 + 1/3)
    expect(s[2]).toBeCloseTo(0.25, 15);
    const t = activationForward('tanh', new Float64Array([0, Math.log(3) / 2]));
    expect(t[0]).toBe(0);
    expect(t[1]).toBeCloseTo(0.5, 15); // (3 − 1) / (3 + 1)
  });

  it('keeps sigmoid finite and saturated for huge inputs of either sign', () => {
    const s = activationForward('sigmoid', new Float32Array([-1000, 1000]));
    expect(Array.from(s)).toEqual([0, 1]);
  });

  it('returns the element type it was given', () => {
    for (const kind of kinds) {
      expect(activationForward(kind, new Float32Array(2))).toBeInstanceOf(Float32Array);
      expect(activationForward(kind, new Float64Array(2))).toBeInstanceOf(Float64Array);
    }
  });
});

describe('activationBackward', () => {
  it('uses relu′(0) = 0 and leakyRelu′(0) = alpha, like PyTorch', () => {
    const x = new Float64Array([0, 0]);
    const dy = new Float64Array([1, 2]);
    expect(Array.from(activationBackward('relu', x, activationForward('relu', x), dy))).toEqual([0, 0]);
    expect(Array.from(activationBackward('leakyRelu', x, x, dy, 0.25))).toEqual([0.25, 0.5]);
  });

  it.each(kinds)('matches central finite differences for %s', (kind) => {
    const alpha = 0.07;
    // Keep inputs away from the relu kink so the finite difference never straddles it.
    const x = randomArray(40, 61, -3, 3).map((v) => (Math.abs(v) < 0.01 ? v + 0.05 : v));
    const r = randomArray(40, 62);
    const y = activationForward(kind, x, alpha);
    const dx = activationBackward(kind, x, y, r, alpha);
    const numeric = numericalGradient((v) => weightedSum(activationForward(kind, v, alpha), r), x);
    expect(relativeError(dx, numeric)).toBeLessThan(1e-6);
  });
});
