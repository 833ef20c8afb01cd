import type { Cell, GridSpec, Mark, MarkKind } from '../../viz/trace';
import { fmt } from '../../viz/trace';

const MARK_WORDS: Record<MarkKind, string> = {
  area: 'in use',
  focus: 'multiplied now',
  target: 'being written',
  chosen: 'chosen',
};

/** The highlights drawn as a moving frame, in paint order (the target's frame on top). */
const FRAME_KINDS: MarkKind[] = ['area', 'focus', 'chosen', 'target'];

interface Props {
  spec: GridSpec;
  values: readonly Cell[];
  marks: Mark[];
  /** Index of a cell the reader picked (outlined). */
  picked?: number | null;
  onPick?: (index: number) => void;
}

/** The bounding rectangle of `cells` when they fill it exactly (a row, a column, a window), else null. */
function rectOf(cells: number[], cols: number): { r: number; c: number; rs: number; cs: number } | null {
  if (cells.length === 0) return null;
  let r0 = Infinity;
  let r1 = -1;
  let c0 = Infinity;
  let c1 = -1;
  for (const i of cells) {
    const r = Math.floor(i / cols);
    const c = i % cols;
    if (r < r0) r0 = r;
    if (r > r1) r1 = r;
    if (c < c0) c0 = c;
    if (c > c1) c1 = c;
  }
  const rs = r1 - r0 + 1;
  const cs = c1 - c0 + 1;
  return new Set(cells).size === rs * cs ? { r: r0, c: c0, rs, cs } : null;
}

/**
 * One matrix drawn as a CSS grid of equal cells (their size comes from the stepper's --cw/--ch),
 * with the step's highlights on the cells and, for each kind of highlight, a frame that slides
 * from where it was to where it is now: the kernel window moving, a row of A and a column of B
 * stepping on. Padding and cells the stride leaves unused are drawn differently.
 */
export function GridView({ spec, values, marks, picked, onPick }: Props) {
  const kinds = new Map<number, MarkKind[]>();
  const frames = new Map<MarkKind, number[]>();
  for (const m of marks) {
    if (m.grid !== spec.id) continue;
    if (!frames.has(m.kind)) frames.set(m.kind, m.cells);
    for (const i of m.cells) {
      const list = kinds.get(i);
      if (list) list.push(m.kind);
      else kinds.set(i, [m.kind]);
    }
  }
  const unused = new Set(spec.unused ?? []);
  const p = spec.padding ?? 0;
  const isPad = (r: number, c: number) => p > 0 && (r < p || c < p || r >= spec.rows - p || c >= spec.cols - p);
  return (
    <figure className={`viz-grid-figure viz-${spec.kind}`} data-grid={spec.id}>
      <figcaption className="viz-grid-label">{spec.label}</figcaption>
      <div
        className="viz-grid"
        role="table"
        aria-label={spec.label}
        style={{ gridTemplateColumns: `repeat(${spec.cols}, var(--cw))`, gridAutoRows: 'var(--ch)' }}
      >
        {Array.from({ length: spec.rows }, (_, r) => (
          <div role="row" className="viz-row" key={r}>
            {Array.from({ length: spec.cols }, (_, c) => {
              const i = r * spec.cols + c;
              const v = values[i];
              const k = kinds.get(i) ?? [];
              const pad = isPad(r, c);
              const skipped = unused.has(i);
              const cls = [
                'viz-cell',
                ...k.map((x) => `is-${x}`),
                pad ? 'is-pad' : '',
                skipped ? 'is-unused' : '',
                picked === i ? 'is-picked' : '',
                onPick ? 'is-pickable' : '',
              ]
                .filter(Boolean)
                .join(' ');
              const text = v === null || v === undefined ? '' : fmt(v);
              const notes = [pad ? ' (padding)' : '', skipped ? ' (no window uses it)' : ''].join('');
              const label = `${spec.id} row ${r} column ${c}${notes}: ${text || 'not computed yet'}${k.length ? `, ${k.map((x) => MARK_WORDS[x]).join(', ')}` : ''}`;
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
        {FRAME_KINDS.map((kind) => {
          const rect = rectOf(frames.get(kind) ?? [], spec.cols);
          return (
            <span
              key={kind}
              aria-hidden="true"
              className={`viz-frame is-${kind}${rect ? '' : ' is-hidden'}`}
              style={
                rect
                  ? {
                      ['--r' as string]: rect.r,
                      ['--c' as string]: rect.c,
                      ['--rs' as string]: rect.rs,
                      ['--cs' as string]: rect.cs,
                    }
                  : undefined
              }
            />
          );
        })}
      </div>
    </figure>
  );
}
