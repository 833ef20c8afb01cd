import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmul, matmulBackward } from '../engine/ops/matmul/cpu';
import { matmulBackwardSteps, matmulForwardSteps, matmulSteps } from './matmulSteps';
import { valuesAt } from './trace';
import { matrixOf } from './testing';

const dims = fc.record({
  M: fc.integer({ min: 1, max: 8 }),
  K: fc.integer({ min: 1, max: 8 }),
  N: fc.integer({ min: 1, max: 8 }),
});
const problem = dims.chain(({ M, K, N }) => fc.tuple(matrixOf(M, K), matrixOf(K, N), matrixOf(M, N)));

describe('matmul forward steps', () => {
  it('end with exactly the CPU reference C = A·B, for random shapes up to 8x8', () => {
    fc.assert(
      fc.property(problem, ([a, b]) => {
        const trace = matmulForwardSteps(a, b);
        const ref = matmul(Float64Array.from(a.data), Float64Array.from(b.data), a.rows, a.cols, b.cols);
        expect(trace.steps).toHaveLength(a.rows * a.cols * b.cols);
        expect(valuesAt(trace, trace.steps.length).c).toEqual(Array.from(ref));
      }),
    );
  });

  it('fill each output cell only at its last multiply-add, leaving it empty before', () => {
    fc.assert(
      fc.property(problem, ([a, b]) => {
        const trace = matmulForwardSteps(a, b);
        const K = a.cols;
        trace.steps.forEach((step, i) => {
          const cell = Math.floor(i / K);
          expect(step.values.c.filter((v) => v !== null)).toHaveLength(cell + 1 - (i % K === K - 1 ? 0 : 1));
        });
      }),
    );
  });

  it('show the running sum with every product, as in C[1,0] = 4·9 + 5·2 + 6·3 = 64', () => {
    const trace = matmulForwardSteps(
      { rows: 2, cols: 3, data: [1, 2, 3, 4, 5, 6] },
      { rows: 3, cols: 2, data: [7, 8, 9, 10, 11, 12] },
    );
    // C[1,0] is the third output cell; its steps are 6, 7, 8.
    expect(trace.steps[6].formula).toBe('C[1,0] = 4·7 = 28');
    expect(trace.steps[8].formula).toBe('C[1,0] = 4·7 + 5·9 + 6·11 = 139');
    expect(trace.steps[8].marks).toContainEqual({ grid: 'a', kind: 'area', cells: [3, 4, 5] });
    expect(trace.steps[8].marks).toContainEqual({ grid: 'b', kind: 'area', cells: [0, 2, 4] });
    expect(trace.steps[8].marks).toContainEqual({ grid: 'c', kind: 'target', cells: [2] });
  });

  it('write negative factors in brackets', () => {
    const trace = matmulForwardSteps({ rows: 1, cols: 1, data: [-2] }, { rows: 1, cols: 1, data: [3] });
    expect(trace.steps[0].formula).toBe('C[0,0] = (-2)·3 = -6');
  });
});

describe('matmul backward steps', () => {
  it('end with the CPU reference gradients dA = dC·Bᵀ and dB = Aᵀ·dC', () => {
    fc.assert(
      fc.property(problem, ([a, b, g]) => {
        const trace = matmulBackwardSteps(a, b, g);
        const ref = matmulBackward(
          Float64Array.from(a.data),
          Float64Array.from(b.data),
          Float64Array.from(g.data),
          a.rows,
          a.cols,
          b.cols,
        );
        const end = valuesAt(trace, trace.steps.length);
        expect(end.dA).toEqual(Array.from(ref.dA));
        expect(end.dB).toEqual(Array.from(ref.dB));
        expect(trace.steps).toHaveLength(2 * a.rows * a.cols * b.cols);
      }),
    );
  });

  it('use an upstream gradient of all ones when none is given', () => {
    const a = { rows: 1, cols: 2, data: [1, 2] };
    const b = { rows: 2, cols: 2, data: [3, 4, 5, 6] };
    const end = valuesAt(matmulSteps({ a, b, mode: 'backward', grad: null }), Infinity);
    // dA = 1·Bᵀ rows summed: [3+4, 5+6]; dB = Aᵀ·[1 1] = [[1,1],[2,2]]
    expect(end.dA).toEqual([7, 11]);
    expect(end.dB).toEqual([1, 1, 2, 2]);
  });
});
