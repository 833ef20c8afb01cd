import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  convQuery,
  formatRows,
  matmulQuery,
  parseConvQuery,
  parseMatmulQuery,
  parsePoolQuery,
  parseRows,
  poolQuery,
  type Matrix,
  type Parsed,
} from './parse';

const q = (s: string) => new URLSearchParams(s);

function errorOf<T>(p: Parsed<T>) {
  if (p.ok) throw new Error(`expected an error, got ${JSON.stringify(p.value)}`);
  return p.error;
}

const value = fc.oneof(
  fc.integer({ min: -999, max: 999 }),
  fc.double({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true }),
);
const matrix = (maxSide: number) =>
  fc
    .record({ rows: fc.integer({ min: 1, max: maxSide }), cols: fc.integer({ min: 1, max: maxSide }) })
    .chain(({ rows, cols }) =>
      fc
        .array(value, { minLength: rows * cols, maxLength: rows * cols })
        .map((data): Matrix => ({ rows, cols, data: data.map((v) => (v === 0 ? 0 : v)) })),
    );

describe('parseRows', () => {
  it('reads rows separated by semicolons and values by commas, with negatives and decimals', () => {
    expect(parseRows('1,-2.5;3, .5', 'a', 'A', 8, 8)).toEqual({
      ok: true,
      value: { rows: 2, cols: 2, data: [1, -2.5, 3, 0.5] },
    });
  });

  it('reads back exactly what formatRows wrote, for any matrix', () => {
    fc.assert(
      fc.property(matrix(8), (m) => {
        expect(parseRows(formatRows(m), 'a', 'A', 8, 8)).toEqual({ ok: true, value: m });
      }),
    );
  });

  it('names the row that is ragged', () => {
    const e = errorOf(parseRows('1,2;3', 'a', 'matrix A', 8, 8));
    expect(e.code).toBe('ragged');
    expect(e.message).toContain('row 2 has 1');
  });

  it.each([
    ['abc', 'not-a-number'],
    ['1,2;3,x', 'not-a-number'],
    ['0x10', 'not-a-number'],
    ['NaN', 'not-a-number'],
    ['Infinity', 'not-a-number'],
    ['1e999', 'out-of-range'],
    ['2000000', 'out-of-range'],
    ['', 'empty'],
    ['   ', 'empty'],
    [';;', 'empty'],
    ['1,,2', 'empty'],
    ['1'.repeat(3000), 'too-long'],
    ['1;2;3;4;5;6;7;8;9', 'too-big'],
    ['1,2,3,4,5,6,7,8,9', 'too-big'],
  ])('refuses %j with a %s error and a sentence', (text, code) => {
    const e = errorOf(parseRows(text, 'a', 'matrix A', 8, 8));
    expect(e.code).toBe(code);
    expect(e.field).toBe('a');
    expect(e.message).toMatch(/^[A-Z“0-9].*[.]$/s);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const p = parseRows(text, 'x', 'the input', 12, 12);
        if (p.ok) expect(p.value.data.every(Number.isFinite)).toBe(true);
        else expect(p.error.message.length).toBeGreaterThan(10);
      }),
    );
  });

  it('accepts the typographic minus sign students paste from slides', () => {
    expect(parseRows('\u22123', 'a', 'A', 8, 8)).toEqual({ ok: true, value: { rows: 1, cols: 1, data: [-3] } });
  });
});

describe('matmul links', () => {
  it('uses the example matrices when the link has no query', () => {
    const p = parseMatmulQuery(q(''));
    expect(p.ok && p.value.a).toEqual({ rows: 2, cols: 3, data: [1, 2, 3, 4, 5, 6] });
    expect(p.ok && p.value.b).toEqual({ rows: 3, cols: 2, data: [7, 8, 9, 10, 11, 12] });
  });

  it("names both sizes when A's columns differ from B's rows", () => {
    const e = errorOf(parseMatmulQuery(q('a=1,2;3,4&b=1,2,3')));
    expect(e.code).toBe('shape-mismatch');
    expect(e.message).toContain('A has 2 columns but B has 1 row');
  });

  it('refuses matrices over 8x8', () => {
    const big = Array.from({ length: 9 }, () => '1').join(',');
    expect(errorOf(parseMatmulQuery(q(`a=${big}&b=1`))).code).toBe('too-big');
  });

  it('refuses an upstream gradient that does not have the output shape', () => {
    const e = errorOf(parseMatmulQuery(q('a=1,2&b=3;4&mode=backward&g=1,1')));
    expect(e.field).toBe('g');
    expect(e.message).toContain('1×1');
  });

  it('round-trips through its canonical query, gradient and mode included', () => {
    fc.assert(
      fc.property(matrix(LIMITS.matmul), fc.integer({ min: 1, max: 8 }), fc.boolean(), (a, n, backward) => {
        const b: Matrix = { rows: a.cols, cols: n, data: Array.from({ length: a.cols * n }, (_, i) => i - 3) };
        const grad: Matrix = { rows: a.rows, cols: n, data: Array.from({ length: a.rows * n }, (_, i) => i % 3) };
        const input = {
          a,
          b,
          mode: backward ? ('backward' as const) : ('forward' as const),
          grad: backward ? grad : null,
        };
        const back = parseMatmulQuery(q(matmulQuery(input)));
        expect(back.ok).toBe(true);
        if (back.ok) expect(matmulQuery(back.value)).toBe(matmulQuery(input));
        if (back.ok) expect(back.value.a).toEqual(a);
      }),
    );
  });
});

describe('conv links', () => {
  it('explains that a 3x3 kernel does not fit a 2x2 input without padding', () => {
    const e = errorOf(parseConvQuery(q('x=1,2;3,4&k=1,2,3;4,5,6;7,8,9&pad=0&stride=1')));
    expect(e.code).toBe('kernel-too-big');
    expect(e.message).toContain('3×3 kernel does not fit');
  });

  it('accepts the same kernel once padding makes room', () => {
    expect(parseConvQuery(q('x=1,2;3,4&k=1,2,3;4,5,6;7,8,9&pad=1&stride=1')).ok).toBe(true);
  });

  it.each([
    ['stride=0', 'stride', 'at least 1'],
    ['stride=-2', 'stride', 'at least 1'],
    ['stride=99', 'stride', 'at most 6'],
    ['stride=1.5', 'stride', 'whole number'],
    ['pad=-1', 'pad', 'at least 0'],
    ['pad=9', 'pad', 'at most 4'],
    ['pad=two', 'pad', 'whole number'],
  ])('refuses %s with a sentence about the %s', (setting, field, words) => {
    const e = errorOf(parseConvQuery(q(`x=1,2,3;4,5,6;7,8,9&k=1,1;1,1&${setting}`)));
    expect(e.field).toBe(field);
    expect(e.message).toContain(words);
  });

  it('refuses a kernel that is not square or over 5x5, and an input over 12x12', () => {
    expect(errorOf(parseConvQuery(q('x=1,2,3;4,5,6&k=1,2')))).toMatchObject({ code: 'not-square' });
    const six = Array.from({ length: 6 }, () => '1,1,1,1,1,1').join(';');
    expect(errorOf(parseConvQuery(q(`k=${six}`)))).toMatchObject({ field: 'k', code: 'too-big' });
    const thirteen = Array.from({ length: 13 }, () => '1').join(';');
    expect(errorOf(parseConvQuery(q(`x=${thirteen}`)))).toMatchObject({ field: 'x', code: 'too-big' });
  });

  it('round-trips through its canonical query', () => {
    const p = parseConvQuery(q('x=1,2,0;0,-1.5,3;2,1,0&k=1,0;0,-1&pad=1&stride=2&mode=backward&g=1,2;3,4'));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    const again = parseConvQuery(q(convQuery(p.value)));
    expect(again).toEqual(p);
  });
});

describe('pool links', () => {
  it('refuses text where the input should be', () => {
    expect(errorOf(parsePoolQuery(q('x=abc')))).toMatchObject({ field: 'x', code: 'not-a-number' });
  });

  it('defaults the stride to the window size', () => {
    const p = parsePoolQuery(q('x=1,2,3;4,5,6;7,8,9&size=3'));
    expect(p.ok && p.value.stride).toBe(3);
  });

  it('refuses a window larger than the input and an unknown operation', () => {
    expect(errorOf(parsePoolQuery(q('x=1,2;3,4&size=3'))).message).toContain('3×3 window does not fit');
    expect(errorOf(parsePoolQuery(q('x=1,2;3,4&op=median'))).field).toBe('op');
  });

  it('round-trips through its canonical query', () => {
    const p = parsePoolQuery(q('x=1,2,3;4,5,6;7,8,9&size=2&stride=1&op=avg&mode=backward&g=1,0;0,2'));
    expect(p.ok).toBe(true);
    if (p.ok) expect(parsePoolQuery(q(poolQuery(p.value)))).toEqual(p);
  });
});
