import { describe, expect, it } from 'vitest';
import { denseBackward, denseForward, matmul, matmulBackward } from './cpu';
import { numericalGradient, randomArray, weightedSum } from '../../cpu/gradcheck';
import { maxAbsDiff, relativeError } from '../../cpu/tensor';

/** Row-major transpose of an [rows, cols] matrix. */
function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

describe('matmul', () => {
  it('multiplies two 2x2 matrices like the hand calculation', () => {
    const c = matmul(new Float64Array([1, 2, 3, 4]), new Float64Array([5, 6, 7, 8]), 2, 2, 2);
    expect(Array.from(c)).toEqual([19, 22, 43, 50]);
  });

  it('gives C[1,0] = 4·9 + 5·2 + 6·3 = 64 in the matmul stepper example', () => {
    const a = new Float64Array([1, 2, 3, 4, 5, 6]); // [2, 3]
    const b = new Float64Array([9, 1, 2, 0, 3, 1]); // [3, 2]
    const c = matmul(a, b, 2, 3, 2);
    expect(c[1 * 2 + 0]).toBe(64);
    expect(Array.from(c)).toEqual([22, 4, 64, 10]);
  });

  it('returns the element type it was given', () => {
    expect(matmul(new Float32Array(6), new Float32Array(6), 2, 3, 2)).toBeInstanceOf(Float32Array);
    expect(matmul(new Float64Array(6), new Float64Array(6), 2, 3, 2)).toBeInstanceOf(Float64Array);
  });

  it('satisfies (A·B)ᵀ = Bᵀ·Aᵀ on a non-square product', () => {
    const [M, K, N] = [3, 5, 4];
    const a = randomArray(M * K, 1);
    const b = randomArray(K * N, 2);
    const lhs = transpose(matmul(a, b, M, K, N), M, N);
    const rhs = matmul(transpose(b, K, N), transpose(a, M, K), N, K, M);
    expect(maxAbsDiff(lhs, rhs)).toBeLessThan(1e-14);
  });

  it('rejects operands whose lengths do not match M, K and N', () => {
    expect(() => matmul(new Float32Array(5), new Float32Array(6), 2, 3, 2)).toThrow(RangeError);
    expect(() => matmul(new Float32Array(6), new Float32Array(5), 2, 3, 2)).toThrow(RangeError);
  });
});

describe('matmulBackward', () => {
  it('matches central finite differences for dA and dB', () => {
    const [M, K, N] = [3, 4, 5];
    const a = randomArray(M * K, 11);
    const b = randomArray(K * N, 12);
    const r = randomArray(M * N, 13); // dC: the loss is sum(C ⊙ r)
    const { dA, dB } = matmulBackward(a, b, r, M, K, N);
    const numA = numericalGradient((v) => weightedSum(matmul(v, b, M, K, N), r), a);
    const numB = numericalGradient((v) => weightedSum(matmul(a, v, M, K, N), r), b);
    expect(relativeError(dA, numA)).toBeLessThan(1e-6);
    expect(relativeError(dB, numB)).toBeLessThan(1e-6);
  });
});

describe('denseForward', () => {
  it('computes x·W + bias with W stored [in, out]', () => {
    // x = [1, 2]; W = [[1, 0, 2], [3, 1, 0]]; y = [1+6, 0+2, 2+0] + bias
    const y = denseForward(
      new Float64Array([1, 2]),
      new Float64Array([1, 0, 2, 3, 1, 0]),
      new Float64Array([0.5, -1, 0]),
      1,
      2,
      3,
    );
    expect(Array.from(y)).toEqual([7.5, 1, 2]);
  });

  it('adds the bias to every row of the batch', () => {
    const y = denseForward(new Float32Array(2 * 3), new Float32Array(3 * 2), new Float32Array([4, -2]), 2, 3, 2);
    expect(Array.from(y)).toEqual([4, -2, 4, -2]);
  });
});

describe('denseBackward', () => {
  it('matches central finite differences for dx, dw and db', () => {
    const [batch, inF, outF] = [4, 3, 5];
    const x = randomArray(batch * inF, 21);
    const w = randomArray(inF * outF, 22);
    const bias = randomArray(outF, 23);
    const r = randomArray(batch * outF, 24);
    const { dx, dw, db } = denseBackward(x, w, r, batch, inF, outF);
    const numX = numericalGradient((v) => weightedSum(denseForward(v, w, bias, batch, inF, outF), r), x);
    const numW = numericalGradient((v) => weightedSum(denseForward(x, v, bias, batch, inF, outF), r), w);
    const numB = numericalGradient((v) => weightedSum(denseForward(x, w, v, batch, inF, outF), r), bias);
    expect(relativeError(dx, numX)).toBeLessThan(1e-6);
    expect(relativeError(dw, numW)).toBeLessThan(1e-6);
    expect(relativeError(db, numB)).toBeLessThan(1e-6);
  });
});
