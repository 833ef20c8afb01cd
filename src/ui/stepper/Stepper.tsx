import { useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import type { GridSpec, VizTrace } from '../../viz/trace';
import { fmt, valuesAt } from '../../viz/trace';
import { GridView } from './GridView';
import './stepper.css';

const SPEEDS = [
  { label: 'Slow', ms: 1200 },
  { label: 'Medium', ms: 500 },
  { label: 'Fast', ms: 150 },
  { label: 'Very fast', ms: 30 },
];

interface Props {
  trace: VizTrace;
  /** Reports the step shown (0 = before the first step), e.g. for the GPU view. */
  onPosition?: (position: number) => void;
  /** Makes the cells of one grid pickable. */
  pick?: { grid: string; picked: number | null; onPick: (index: number) => void };
  /** Extra content under the grids. */
  children?: ReactNode;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** The widest number any cell of the trace shows, in characters (cells are all one width, so grids line up). */
function widestValue(trace: VizTrace): number {
  let widest = 1;
  const measure = (v: number | null | undefined) => {
    if (v !== null && v !== undefined) widest = Math.max(widest, fmt(v).length);
  };
  for (const g of trace.grids) trace.initial[g.id]?.forEach(measure);
  const last = trace.steps[trace.steps.length - 1];
  if (last) for (const g of trace.grids) last.values[g.id]?.forEach(measure);
  // Running sums appear only in the cells being written: measuring those covers every step cheaply.
  for (const step of trace.steps)
    for (const m of step.marks) if (m.kind === 'target') for (const i of m.cells) measure(step.values[m.grid]?.[i]);
  return widest;
}

/** Cell size class from the widest grid: big cells for small grids, smaller ones for a padded 20-wide input. */
function density(grids: GridSpec[]): 'roomy' | 'medium' | 'dense' {
  let cols = 0;
  for (const g of grids) cols = Math.max(cols, g.cols);
  return cols <= 6 ? 'roomy' : cols <= 10 ? 'medium' : 'dense';
}

/** Plays a trace: step controls, keyboard, play/pause with speed, scrubber, counter, narration, grids. */
export function Stepper({ trace, onPosition, pick, children }: Props) {
  const total = trace.steps.length;
  const [rawPosition, setPosition] = useState(0);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(SPEEDS[1].ms);
  const position = Math.min(rawPosition, total);
  const atEnd = position >= total;

  const go = (p: number) => setPosition(Math.max(0, Math.min(total, p)));

  useEffect(() => {
    onPosition?.(position);
  }, [position, onPosition]);

  useEffect(() => {
    if (!playing) return;
    const id = window.setInterval(() => {
      setPosition((p) => {
        if (p + 1 >= total) setPlaying(false);
        return Math.min(total, p + 1);
      });
    }, speed);
    return () => window.clearInterval(id);
  }, [playing, speed, total]);

  // A layout effect: the listener is in place in the same task as the render that shows the
  // stepper, so a key pressed the moment it appears is not lost (a passive effect runs after
  // paint, and a keypress could land in between: seen as a flaky e2e test on a loaded machine).
  useLayoutEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      const moves: Record<string, (p: number) => number> = {
        ArrowRight: (p) => p + 1,
        ArrowLeft: (p) => p - 1,
        Home: () => 0,
        End: () => total,
      };
      const move = moves[e.key];
      if (!move) return;
      e.preventDefault();
      setPlaying(false);
      setPosition((p) => Math.max(0, Math.min(total, move(Math.min(p, total)))));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [total]);

  const step = position > 0 ? trace.steps[position - 1] : null;
  const values = valuesAt(trace, position);
  const marks = step?.marks ?? [];
  const narration = step
    ? step.narration
    : `Nothing computed yet. There are ${total} steps; press Next or the right arrow key to take the first one.`;

  const togglePlay = () => {
    if (playing) return setPlaying(false);
    if (atEnd) setPosition(0);
    setPlaying(true);
  };

  const sectionRef = useRef<HTMLElement>(null);
  const barRef = useRef<HTMLDivElement>(null);
  const chars = useMemo(() => widestValue(trace), [trace]);
  const sizeClass = density(trace.grids);

  // The bar's height, so a cell scrolled into view stops below the bar when the bar sticks above the grids.
  useLayoutEffect(() => {
    const bar = barRef.current;
    const section = sectionRef.current;
    if (!bar || !section || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => section.style.setProperty('--viz-bar-h', `${bar.offsetHeight}px`));
    observer.observe(bar);
    return () => observer.disconnect();
  }, []);

  // After a step, the cell being written is brought on screen if it is not (nearest: no jump when it is).
  const shown = useRef(position);
  useEffect(() => {
    if (shown.current === position) return;
    shown.current = position;
    const target = sectionRef.current?.querySelector<HTMLElement>('.viz-grids .viz-cell.is-target');
    target?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [position]);

  const grids = trace.grids.map((g) => (
    <div className={`viz-grid-item viz-at-${g.id}`} key={g.id}>
      {g.before && trace.layout !== 'matmul' && (
        <span className="viz-op" aria-hidden="true">
          {g.before}
        </span>
      )}
      <GridView
        spec={g}
        values={values[g.id]}
        marks={marks}
        picked={pick?.grid === g.id ? pick.picked : undefined}
        onPick={pick?.grid === g.id ? pick.onPick : undefined}
      />
    </div>
  ));

  return (
    <section
      className={`card viz-stepper is-${sizeClass}`}
      aria-label="Step-by-step computation"
      ref={sectionRef}
      style={{ ['--chars' as string]: chars } as CSSProperties}
    >
      <div className="viz-bar" ref={barRef} data-testid="step-bar">
        <div className="viz-controls" role="group" aria-label="Step controls">
          <button
            type="button"
            className="button"
            data-testid="step-reset"
            onClick={() => {
              setPlaying(false);
              go(0);
            }}
            disabled={position === 0}
            aria-keyshortcuts="Home"
          >
            Reset
          </button>
          <button
            type="button"
            className="button"
            data-testid="step-prev"
            onClick={() => {
              setPlaying(false);
              go(position - 1);
            }}
            disabled={position === 0}
            aria-keyshortcuts="ArrowLeft"
          >
            ◀ Back
          </button>
          <button
            type="button"
            className="button primary viz-play"
            data-testid="step-play"
            onClick={togglePlay}
            aria-pressed={playing}
          >
            {playing ? 'Pause' : '▶ Play'}
          </button>
          <button
            type="button"
            className="button"
            data-testid="step-next"
            onClick={() => {
              setPlaying(false);
              go(position + 1);
            }}
            disabled={atEnd}
            aria-keyshortcuts="ArrowRight"
          >
            Next ▶
          </button>
          <button
            type="button"
            className="button"
            data-testid="step-end"
            onClick={() => {
              setPlaying(false);
              go(total);
            }}
            disabled={atEnd}
            aria-keyshortcuts="End"
          >
            End
          </button>
        </div>
        <div className="viz-scrub">
          <input
            type="range"
            min={0}
            max={total}
            value={position}
            onChange={(e) => {
              setPlaying(false);
              go(Number(e.target.value));
            }}
            aria-label="Step"
            aria-valuetext={`Step ${position} of ${total}`}
            data-testid="step-scrubber"
          />
          <span className="viz-counter" data-testid="step-counter">
            Step {position} of {total}
          </span>
          <label className="viz-speed">
            <span className="viz-speed-word">Speed</span>
            <select value={speed} onChange={(e) => setSpeed(Number(e.target.value))} data-testid="step-speed">
              {SPEEDS.map((s) => (
                <option key={s.ms} value={s.ms}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <div className="viz-explain">
          <p className="viz-phase">{step?.phase ?? 'Ready'}</p>
          <p className="viz-formula mono" data-testid="step-formula">
            {step?.formula ?? ' '}
          </p>
          <p className="viz-narration" aria-live="polite" data-testid="step-narration">
            {narration}
          </p>
        </div>
        <p className="viz-hint muted">Keys: → next, ← back, Home reset, End jump to the end.</p>
      </div>

      <div className="viz-stage">
        <div className={`viz-grids viz-layout-${trace.layout ?? 'flow'}`} data-testid="step-grids">
          {grids}
        </div>
        <ul className="viz-notes">
          {trace.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
        <Legend trace={trace} />
      </div>
      {children && <div className="viz-after">{children}</div>}
    </section>
  );
}

/** The colour key, listing only the highlights this trace uses. */
function Legend({ trace }: { trace: VizTrace }) {
  const used = useMemo(() => {
    const kinds = new Set<string>();
    for (const s of trace.steps) for (const m of s.marks) kinds.add(m.kind);
    if (trace.grids.some((g) => (g.padding ?? 0) > 0)) kinds.add('pad');
    if (trace.grids.some((g) => (g.unused?.length ?? 0) > 0)) kinds.add('unused');
    return kinds;
  }, [trace]);
  const entries: [string, string][] = [
    ['area', 'row, column or window in use'],
    ['focus', 'numbers used in this step'],
    ['target', 'cell being written'],
    ['chosen', 'the largest value of the window'],
    ['pad', 'zero padding around the input'],
    ['unused', 'not in any window: the stride steps over it'],
  ];
  return (
    <ul className="viz-legend" aria-label="Colour key" data-testid="step-legend">
      {entries
        .filter(([k]) => used.has(k))
        .map(([k, text]) => (
          <li key={k}>
            <span className={`viz-swatch is-${k}`} /> {text}
          </li>
        ))}
    </ul>
  );
}
