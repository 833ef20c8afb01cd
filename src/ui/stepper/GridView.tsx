import type { Cell, GridSpec, Mark, MarkKind } from '../../viz/trace';
import { fmt } from '../../viz/trace';

const MARK_WORDS: Record<MarkKind, string> = {
  area: 'in use',
  focus: 'multiplied now',
  target: 'being written',
  chosen: 'chosen',
};

/** Cell size shrinks for wide grids so a 20-column padded input still fits a laptop screen. */
function cellSize(cols: number): string {
  if (cols <= 6) return '2.9rem';
  if (cols <= 10) return '2.4rem';
  return '2rem';
}

interface Props {
  spec: GridSpec;
  values: readonly Cell[];
  marks: Mark[];
  /** Index of a cell the reader picked (outlined). */
  picked?: number | null;
  onPick?: (index: number) => void;
}

/** One matrix drawn as a CSS grid: highlights from the step's marks, padding cells dimmed. */
export function GridView({ spec, values, marks, picked, onPick }: Props) {
  const kinds = new Map<number, MarkKind[]>();
  for (const m of marks) {
    if (m.grid !== spec.id) continue;
    for (const i of m.cells) kinds.set(i, [...(kinds.get(i) ?? []), m.kind]);
  }
  const p = spec.padding ?? 0;
  const isPad = (r: number, c: number) => p > 0 && (r < p || c < p || r >= spec.rows - p || c >= spec.cols - p);
  return (
    <figure className={`viz-grid-figure viz-${spec.kind}`}>
      <figcaption className="viz-grid-label">{spec.label}</figcaption>
      <div
        className="viz-grid"
        role="table"
        aria-label={spec.label}
        style={{
          gridTemplateColumns: `repeat(${spec.cols}, minmax(${cellSize(spec.cols)}, max-content))`,
          ['--cell' as string]: cellSize(spec.cols),
        }}
      >
        {Array.from({ length: spec.rows }, (_, r) => (
          <div role="row" className="viz-row" key={r}>
            {Array.from({ length: spec.cols }, (_, c) => {
              const i = r * spec.cols + c;
              const v = values[i];
              const k = kinds.get(i) ?? [];
              const cls = [
                'viz-cell',
                ...k.map((x) => `is-${x}`),
                isPad(r, c) ? 'is-pad' : '',
                picked === i ? 'is-picked' : '',
                onPick ? 'is-pickable' : '',
              ]
                .filter(Boolean)
                .join(' ');
              const text = v === null || v === undefined ? '' : fmt(v);
              const label = `${spec.id} row ${r} column ${c}${isPad(r, c) ? ' (padding)' : ''}: ${text || 'not computed yet'}${k.length ? `, ${k.map((x) => MARK_WORDS[x]).join(', ')}` : ''}`;
              return (
                <div
                  role="cell"
                  key={c}
                  className={cls}
                  data-testid={spec.testIdPrefix ? `${spec.testIdPrefix}-${r}-${c}` : undefined}
                  aria-label={label}
                  title={onPick ? 'Show which GPU thread computes this cell' : undefined}
                  tabIndex={onPick ? 0 : undefined}
                  onClick={onPick ? () => onPick(i) : undefined}
                  onKeyDown={
                    onPick
                      ? (e) => {
                          if (e.key === 'Enter' || e.key === ' ') {
                            e.preventDefault();
                            onPick(i);
                          }
                        }
                      : undefined
                  }
                >
                  {text}
                </div>
              );
            })}
          </div>
        ))}
      </div>
    </figure>
  );
}
