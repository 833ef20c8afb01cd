/**
 * The home page's looping convolution: which positions of a stepper trace (src/viz) it shows, one
 * output cell at a time, and how a tick moves on. Pure, so the loop is tested without timers.
 */
import type { VizTrace } from '../../viz/trace';

/** The written cells of a step (its 'target' marks), as a key. */
function targetKey(trace: VizTrace, position: number): string {
  const step = trace.steps[position - 1];
  return step.marks
    .filter((m) => m.kind === 'target')
    .map((m) => `${m.grid}:${m.cells.join(',')}`)
    .join('|');
}

/**
 * Positions (counts of steps done) where one output cell is complete: the last step before the
 * written cell changes, and the very last step.
 */
export function cellEnds(trace: VizTrace): number[] {
  const n = trace.steps.length;
  const ends: number[] = [];
  for (let p = 1; p <= n; p++) if (p === n || targetKey(trace, p) !== targetKey(trace, p + 1)) ends.push(p);
  return ends;
}

/**
 * The loop: the empty output first, then each finished cell, then the finished result held for
 * `hold` more ticks before starting over.
 */
export function loopFrames(trace: VizTrace, hold: number): number[] {
  const ends = cellEnds(trace);
  const last = ends[ends.length - 1] ?? 0;
  return [0, ...ends, ...new Array<number>(Math.max(0, hold)).fill(last)];
}

/** The frame after `frame` in a loop of `count` frames. */
export function nextFrame(frame: number, count: number): number {
  return count > 0 ? (frame + 1) % count : 0;
}
