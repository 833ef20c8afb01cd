import { describe, expect, it } from 'vitest';
import { LIMITS } from './parse';
import { editorCells, textShape } from './matrixText';

/** A rows x cols ROWS text of zeros. */
const zeros = (rows: number, cols: number) =>
  Array.from({ length: rows }, () => Array.from({ length: cols }, () => '0').join(',')).join(';');

describe('textShape', () => {
  it('counts rows and the widest row, like the parser splits them', () => {
    expect(textShape('1,2,3;4,5,6')).toEqual({ rows: 2, cols: 3 });
    expect(textShape('1;2,3,4;5')).toEqual({ rows: 3, cols: 3 });
    expect(textShape('1,2;3,4;')).toEqual({ rows: 2, cols: 2 });
    expect(textShape('')).toEqual({ rows: 1, cols: 1 });
  });

  it('counts 150,000 rows without overflowing the stack', () => {
    const text = '1;'.repeat(150_000) + '1';
    expect(() => textShape(text)).not.toThrow();
    expect(textShape(text)).toEqual({ rows: 150_001, cols: 1 });
  });
});

describe('editorCells', () => {
  it('splits a matrix within the limits into its cells, keeping invalid text as typed', () => {
    expect(editorCells('1,2;3,x', 8, 8)).toEqual({
      ok: true,
      rows: [
        ['1', '2'],
        ['3', 'x'],
      ],
      nRows: 2,
      nCols: 2,
    });
  });

  // Hostile sizes from links: each must be refused without building an input-sized list of cells.
  it.each([
    ['a 1000x1000 matrix', zeros(1000, 1000), '1,999,999 characters'],
    ['150,000 rows', '1;'.repeat(150_000) + '1', '300,001 characters'],
    ['150,000 columns in one row', '1,'.repeat(150_000) + '1', '300,001 characters'],
    ['9 rows, one over the limit', zeros(9, 1), '9×1'],
    ['9 columns, one over the limit', zeros(1, 9), '1×9'],
    ['1000 empty rows within the text limit', ';1'.repeat(999), '1000×1'],
  ])('refuses %s with a sentence that names the size and the limit', (_name, text, size) => {
    const cells = editorCells(text, 8, 8);
    expect(cells.ok).toBe(false);
    if (cells.ok) return;
    expect(cells.reason).toContain(size);
    expect(cells.reason).toContain('8×8');
    expect(cells.reason).toContain(`${LIMITS.maxTextLength} characters`);
  });

  it('draws a matrix exactly at the limits', () => {
    const cells = editorCells(zeros(8, 8), 8, 8);
    expect(cells.ok && cells.rows.length).toBe(8);
    expect(cells.ok && cells.rows.every((r) => r.length === 8)).toBe(true);
  });
});

describe('editorCells for typing', () => {
  it('shows one new empty row after a trailing semicolon, however many are typed', () => {
    const one = editorCells('1,2;', 8, 8);
    expect(one.ok && one.rows).toEqual([['1', '2'], ['']]);
    const many = editorCells('1,2' + ';'.repeat(1500), 8, 8);
    expect(many.ok && many.rows).toEqual([['1', '2'], ['']]);
  });
});
