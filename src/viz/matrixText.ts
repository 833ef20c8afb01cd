/**
 * The editor's view of ROWS text as typed (it may be invalid): split into cells only when it is
 * small enough to draw. A link can carry megabytes of text, so nothing here draws, copies or
 * spreads more than the page's limits allow, and nothing passes an input-sized array as
 * arguments to a call (that overflows the stack at around 100,000 elements).
 */
import { LIMITS } from './parse';

export type EditorCells =
  | { ok: true; rows: string[][]; nRows: number; nCols: number }
  | { ok: false; nRows: number; nCols: number; length: number; reason: string };

/** Rows and the widest row's values, counted by one scan of the text (no split, no spread). */
export function textShape(text: string): { rows: number; cols: number } {
  const trimmed = text.trim().replace(/;+\s*$/, '');
  if (trimmed === '') return { rows: 1, cols: 1 };
  let rows = 1;
  let cols = 1;
  let inRow = 1;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed.charCodeAt(i);
    if (ch === 59 /* ; */) {
      rows++;
      inRow = 1;
    } else if (ch === 44 /* , */) {
      inRow++;
      if (inRow > cols) cols = inRow;
    }
  }
  return { rows, cols };
}

/**
 * The cells to draw for `text`, or why there are none: more than maxRows x maxCols values, or
 * more characters than the parser reads. The text itself is kept as typed (nothing is lost).
 */
export function editorCells(text: string, maxRows: number, maxCols: number): EditorCells {
  const { rows: nRows, cols: nCols } = textShape(text);
  if (text.length > LIMITS.maxTextLength || nRows > maxRows || nCols > maxCols) {
    const size =
      text.length > LIMITS.maxTextLength ? `${text.length.toLocaleString('en')} characters` : `${nRows}×${nCols}`;
    return {
      ok: false,
      nRows,
      nCols,
      length: text.length,
      reason: `This text is ${size}: too big to show as cells (the most is ${maxRows}×${maxCols}, in at most ${LIMITS.maxTextLength} characters). Fix it in the text box, or go back to the example.`,
    };
  }
  // Cells as typed: a trailing `;` (the start of a new row) shows one empty row, if there is room.
  const trimmed = text.trim().replace(/;+\s*$/, '');
  const rows = trimmed === '' ? [['']] : trimmed.split(';').map((r) => r.split(',').map((v) => v.trim()));
  if (/;\s*$/.test(text) && trimmed !== '' && rows.length < maxRows) rows.push(['']);
  return { ok: true, rows, nRows: rows.length, nCols };
}
