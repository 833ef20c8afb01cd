import { useId, type ReactNode } from 'react';
import { editorCells } from '../../viz/matrixText';

function join(rows: string[][]): string {
  return rows.map((r) => r.join(',')).join(';');
}

interface Props {
  /** Field name in the draft (and the URL), e.g. 'a'. */
  field: string;
  label: string;
  text: string;
  onChange: (text: string) => void;
  maxRows: number;
  maxCols: number;
  /** When false the shape is fixed (the upstream gradient must match the output). */
  resizable?: boolean;
  /** Shown instead of the text when the field is empty (e.g. the gradient's default of ones). */
  placeholderRows?: string;
  extraButtons?: ReactNode;
}

const randomValue = () => String(Math.floor(Math.random() * 11) - 5);

/** Edits one matrix: a cell per value, a text box for pasting ROWS, resize and random buttons. */
export function MatrixEditor({
  field,
  label,
  text,
  onChange,
  maxRows,
  maxCols,
  resizable = true,
  placeholderRows,
  extraButtons,
}: Props) {
  const id = useId();
  const shown = text.trim() === '' && placeholderRows ? placeholderRows : text;
  // Cells only for text within the limits: a link can carry a million values.
  const cells = editorCells(shown, maxRows, maxCols);
  const rows = cells.ok ? cells.rows : [];
  const nRows = cells.nRows;
  const nCols = cells.nCols;

  const setCell = (r: number, c: number, v: string) => {
    const next = rows.map((row) => row.slice());
    next[r][c] = v.replace(/[,;]/g, '');
    onChange(join(next));
  };
  const resize = (dr: number, dc: number) => {
    const R = Math.max(1, Math.min(maxRows, nRows + dr));
    const C = Math.max(1, Math.min(maxCols, nCols + dc));
    onChange(join(Array.from({ length: R }, (_, r) => Array.from({ length: C }, (_, c) => rows[r]?.[c] ?? '0'))));
  };
  const randomize = () => onChange(join(rows.map((row) => row.map(randomValue))));

  return (
    <fieldset className="viz-editor" data-testid={`editor-${field}`}>
      <legend>
        {label}{' '}
        <span className="muted">
          ({nRows}×{nCols})
        </span>
      </legend>
      {cells.ok ? (
        <div className="viz-editor-cells" style={{ gridTemplateColumns: `repeat(${nCols}, 3.4rem)` }}>
          {rows.map((row, r) =>
            Array.from({ length: nCols }, (_, c) => (
              <input
                key={`${r}-${c}`}
                className="viz-editor-cell"
                value={row[c] ?? ''}
                inputMode="decimal"
                aria-label={`${label}, row ${r + 1}, column ${c + 1}`}
                data-testid={`edit-${field}-${r}-${c}`}
                onChange={(e) => setCell(r, c, e.target.value)}
              />
            )),
          )}
        </div>
      ) : (
        <p className="viz-editor-too-big" data-testid={`editor-too-big-${field}`}>
          {cells.reason}
        </p>
      )}
      <label className="viz-editor-text" htmlFor={id}>
        Rows as text (<code>;</code> between rows, <code>,</code> between values)
      </label>
      <input
        id={id}
        className="viz-editor-rows mono"
        value={shown}
        spellCheck={false}
        data-testid={`rows-${field}`}
        onChange={(e) => onChange(e.target.value)}
      />
      <div className="viz-editor-buttons">
        {resizable && cells.ok && (
          <>
            <button type="button" className="button small" onClick={() => resize(1, 0)} disabled={nRows >= maxRows}>
              + Row
            </button>
            <button type="button" className="button small" onClick={() => resize(-1, 0)} disabled={nRows <= 1}>
              − Row
            </button>
            <button type="button" className="button small" onClick={() => resize(0, 1)} disabled={nCols >= maxCols}>
              + Column
            </button>
            <button type="button" className="button small" onClick={() => resize(0, -1)} disabled={nCols <= 1}>
              − Column
            </button>
          </>
        )}
        {cells.ok && (
          <button type="button" className="button small" onClick={randomize} data-testid={`random-${field}`}>
            Random
          </button>
        )}
        {extraButtons}
      </div>
    </fieldset>
  );
}
