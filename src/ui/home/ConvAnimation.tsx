/**
 * A convolution that plays by itself on the home page: a 3×3 vertical-edge kernel slides over an
 * 8×8 picture of a 7, one output cell per tick, looping. The numbers come from the conv stepper's
 * own step generator (src/viz/convSteps.ts); "Step through it" opens that stepper with the same input.
 */
import { useEffect, useMemo, useState } from 'react';
import { convForwardSteps } from '../../viz/convSteps';
import { convQuery, type ConvInput, type Matrix } from '../../viz/parse';
import { fmt, valuesAt, type Cell, type Mark } from '../../viz/trace';
import { loopFrames, nextFrame } from './animationFrames';
import { usePageVisible } from './usePageVisible';

const SEVEN = [
  [0, 0, 0, 0, 0, 0, 0, 0],
  [0, 9, 9, 9, 9, 9, 9, 0],
  [0, 0, 0, 0, 0, 9, 8, 0],
  [0, 0, 0, 0, 9, 8, 0, 0],
  [0, 0, 0, 9, 8, 0, 0, 0],
  [0, 0, 9, 8, 0, 0, 0, 0],
  [0, 0, 9, 0, 0, 0, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0],
];
const EDGE = [
  [1, 0, -1],
  [1, 0, -1],
  [1, 0, -1],
];

const matrix = (rows: number[][]): Matrix => ({ rows: rows.length, cols: rows[0].length, data: rows.flat() });

/** The animated input, as the conv stepper's link carries it. */
export const HOME_CONV: ConvInput = {
  x: matrix(SEVEN),
  k: matrix(EDGE),
  pad: 0,
  stride: 1,
  mode: 'forward',
  grad: null,
};

/** Link to the conv stepper with the same image and kernel. */
export const HOME_CONV_HASH = `#/conv?${convQuery(HOME_CONV)}`;

const TICK_MS = 500;
const HOLD_TICKS = 5;

/**
 * A cell's background and whether its number is white. Image cells are grey up to half intensity
 * (dark numbers) and dark above it (white numbers), skipping the middle greys where neither text
 * colour has enough contrast; kernel and output cells are light red (positive) or blue (negative).
 */
export function cellLook(v: Cell, kind: 'image' | 'kernel' | 'output', scale: number): { bg?: string; light: boolean } {
  if (v === null) return { light: false };
  const t = Math.max(-1, Math.min(1, v / scale));
  if (kind === 'image') {
    const a = Math.abs(t);
    if (a < 0.5) return { bg: `rgba(17, 24, 39, ${(0.9 * a).toFixed(3)})`, light: false };
    return { bg: `rgba(17, 24, 39, ${(0.65 + 0.25 * (a - 0.5) * 2).toFixed(3)})`, light: true };
  }
  const alpha = (0.45 * Math.abs(t)).toFixed(3);
  return { bg: t >= 0 ? `rgba(185, 28, 28, ${alpha})` : `rgba(29, 78, 216, ${alpha})`, light: false };
}

function MiniGrid({
  label,
  rows,
  cols,
  values,
  marks,
  grid,
  kind,
  scale,
}: {
  label: string;
  rows: number;
  cols: number;
  values: readonly Cell[];
  marks: Mark[];
  grid: string;
  kind: 'image' | 'kernel' | 'output';
  scale: number;
}) {
  const marked = new Set(marks.filter((m) => m.grid === grid).flatMap((m) => m.cells));
  return (
    <figure className={`home-grid home-grid-${kind}`}>
      <figcaption>{label}</figcaption>
      <div
        className="home-grid-cells"
        style={{ gridTemplateColumns: `repeat(${cols}, var(--home-cell))` }}
        role="img"
        aria-label={`${label}, ${rows} by ${cols}`}
      >
        {values.map((v, i) => {
          const { bg, light } = cellLook(v, kind, scale);
          return (
            <span
              key={i}
              aria-hidden="true"
              className={`home-cell${marked.has(i) ? ' is-marked' : ''}${light ? ' is-dark' : ''}`}
              style={bg ? { ['--tint' as string]: bg } : undefined}
            >
              {v === null ? '' : fmt(v)}
            </span>
          );
        })}
      </div>
    </figure>
  );
}

/** The looping convolution with Play/Pause and a link to its stepper. */
export function ConvAnimation({ autoplay }: { autoplay: boolean }) {
  const trace = useMemo(() => convForwardSteps(HOME_CONV), []);
  const frames = useMemo(() => loopFrames(trace, HOLD_TICKS), [trace]);
  const [frame, setFrame] = useState(0);
  const [playing, setPlaying] = useState(autoplay);
  const visible = usePageVisible();
  const moving = playing && visible;

  useEffect(() => {
    if (!moving) return;
    const id = setInterval(() => setFrame((f) => nextFrame(f, frames.length)), TICK_MS);
    return () => clearInterval(id);
  }, [moving, frames.length]);

  const position = frames[frame];
  const values = valuesAt(trace, position);
  const step = position > 0 ? trace.steps[position - 1] : null;
  // The whole window and the cell it writes; the single product in focus flickers too fast to read.
  const marks = step ? step.marks.filter((m) => m.kind !== 'focus') : [];
  const outScale = useMemo(() => {
    const last = valuesAt(trace, trace.steps.length).out;
    return Math.max(1, ...last.map((v) => Math.abs(v ?? 0)));
  }, [trace]);
  const kernelMarks: Mark[] = step ? [{ grid: 'k', kind: 'area', cells: values.k.map((_, i) => i) }] : [];

  return (
    <section className="card home-conv" aria-labelledby="home-conv-title">
      <h2 id="home-conv-title">A convolution, one window at a time</h2>
      <p className="muted home-conv-lede">
        The 3×3 kernel slides over the picture of a 7. Each output number is the sum of nine products: large where the
        stroke has an edge, near zero on flat paper.
      </p>
      <div
        className="home-conv-grids"
        data-testid="home-conv-animation"
        data-step={position}
        data-frame={frame}
        data-playing={moving ? 'true' : 'false'}
      >
        <MiniGrid label="Image x" rows={8} cols={8} values={values.x} marks={marks} grid="x" kind="image" scale={9} />
        <span className="home-op" aria-hidden="true">
          ⋆
        </span>
        <MiniGrid
          label="Kernel k"
          rows={3}
          cols={3}
          values={values.k}
          marks={kernelMarks}
          grid="k"
          kind="kernel"
          scale={1}
        />
        <span className="home-op" aria-hidden="true">
          =
        </span>
        <MiniGrid
          label="Output"
          rows={6}
          cols={6}
          values={values.out}
          marks={marks}
          grid="out"
          kind="output"
          scale={outScale}
        />
      </div>
      <p className="home-formula mono" data-testid="home-conv-formula">
        {step ? step.formula : 'The output starts empty.'}
      </p>
      <div className="home-actions">
        <button
          type="button"
          className="button"
          data-testid="home-conv-toggle"
          aria-pressed={playing}
          onClick={() => setPlaying((p) => !p)}
        >
          {playing ? 'Pause' : 'Play'}
        </button>
        <a className="button" href={HOME_CONV_HASH} data-testid="home-open-conv">
          Step through it
        </a>
      </div>
    </section>
  );
}
