import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conv2dBackward, conv2dForward, conv2dGeometry } from '../engine/ops/conv2d/cpu';
import type { ConvInput } from './parse';
import { convBackwardSteps, convForwardSteps, padInput } from './convSteps';
import { valuesAt } from './trace';
import { matrixOf, relDiff } from './testing';

/** Random valid conv problems: input up to 12x12, kernel up to 5x5 fitting the padded input. */
const problem: fc.Arbitrary<ConvInput> = fc
  .record({
    H: fc.integer({ min: 1, max: 12 }),
    W: fc.integer({ min: 1, max: 12 }),
    K: fc.integer({ min: 1, max: 5 }),
    pad: fc.integer({ min: 0, max: 4 }),
    stride: fc.integer({ min: 1, max: 6 }),
  })
  .filter(({ H, W, K, pad }) => K <= H + 2 * pad && K <= W + 2 * pad)
  .chain(({ H, W, K, pad, stride }) =>
    fc.record({ x: matrixOf(H, W), k: matrixOf(K, K) }).chain(({ x, k }) => {
      const g = conv2dGeometry(1, [1, H, W], 1, K, stride, pad);
      return matrixOf(g.outHeight, g.outWidth).map((grad): ConvInput => ({
        x,
        k,
        pad,
        stride,
        mode: 'backward',
        grad,
      }));
    }),
  );

function reference(p: ConvInput) {
  const g = conv2dGeometry(1, [1, p.x.rows, p.x.cols], 1, p.k.rows, p.stride, p.pad);
  const x = Float64Array.from(p.x.data);
  const w = Float64Array.from(p.k.data);
  const y = conv2dForward(x, w, new Float64Array(1), g);
  const grads = conv2dBackward(x, w, Float64Array.from(p.grad!.data), g);
  return { g, y, ...grads };
}

describe('conv forward steps', () => {
  it('end with exactly the CPU reference output, for random sizes, padding and strides', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const trace = convForwardSteps(p);
        const ref = reference(p);
        expect(trace.steps).toHaveLength(ref.g.outHeight * ref.g.outWidth * p.k.rows * p.k.rows);
        expect(valuesAt(trace, trace.steps.length).out).toEqual(Array.from(ref.y));
      }),
      { numRuns: 60 },
    );
  });

  it('slide the window over the padded input, with the current numbers in the size formula', () => {
    const p: ConvInput = {
      x: { rows: 2, cols: 2, data: [1, 2, 3, 4] },
      k: { rows: 3, cols: 3, data: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
      pad: 1,
      stride: 1,
      mode: 'forward',
      grad: null,
    };
    const trace = convForwardSteps(p);
    expect(trace.notes).toContain('Height and width: out = floor((2 + 2·1 − 3) / 1) + 1 = 2');
    // Output (0,1)'s window starts at padded column 1: cells 1,2,3 / 5,6,7 / 9,10,11 of the 4x4 grid.
    expect(trace.steps[9].marks).toContainEqual({ grid: 'x', kind: 'area', cells: [1, 2, 3, 5, 6, 7, 9, 10, 11] });
    expect(trace.steps[17].formula).toBe('out[0,1] = 0·1 + 0·2 + 0·3 + 1·4 + 2·5 + 0·6 + 3·7 + 4·8 + 0·9 = 67');
    expect(padInput(p.x, 1)).toEqual([0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0]);
  });
});

describe('conv backward steps', () => {
  it('add up to the CPU reference input and kernel gradients', () => {
    fc.assert(
      fc.property(problem, (p) => {
        const trace = convBackwardSteps(p);
        const ref = reference(p);
        const end = valuesAt(trace, trace.steps.length);
        // dx is scattered window by window while the reference gathers: same terms, other order.
        expect(relDiff(end.dx, ref.dx)).toBeLessThan(1e-12);
        expect(end.dk).toEqual(Array.from(ref.dw));
      }),
      { numRuns: 60 },
    );
  });

  it('give each input pixel the sum of the kernel cells that touched it, for dy of ones', () => {
    const p: ConvInput = {
      x: { rows: 3, cols: 3, data: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
      k: { rows: 2, cols: 2, data: [1, 2, 3, 4] },
      pad: 0,
      stride: 1,
      mode: 'backward',
      grad: null,
    };
    const end = valuesAt(convBackwardSteps(p), Infinity);
    expect(end.dx).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    expect(end.dk).toEqual([12, 16, 24, 28]);
  });
});
