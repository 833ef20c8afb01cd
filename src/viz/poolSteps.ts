/**
 * Max and average pooling one window at a time. Forward: each window gives one output (the first
 * largest value in row-major order, as cpu/pool.ts picks it, or the mean). Backward: each output's
 * gradient goes to the cell that won the window (max) or is split evenly over the window (avg).
 */
import type { PoolInput } from './parse';
import { filled, slideOutSize } from './parse';
import { TraceBuilder, at, cells, empty, fmt, term, uncoveredCells, type GridSpec, type VizTrace } from './trace';

interface PoolShape {
  H: number;
  W: number;
  size: number;
  stride: number;
  OH: number;
  OW: number;
}

function shapeOf(input: PoolInput): PoolShape {
  return {
    H: input.x.rows,
    W: input.x.cols,
    size: input.size,
    stride: input.stride,
    OH: slideOutSize(input.x.rows, input.size, input.stride, 0),
    OW: slideOutSize(input.x.cols, input.size, input.stride, 0),
  };
}

/** Flat input indices of the window of output (oy, ox), row-major. */
function windowCells(s: PoolShape, oy: number, ox: number): number[] {
  const out: number[] = [];
  for (let ky = 0; ky < s.size; ky++)
    for (let kx = 0; kx < s.size; kx++) out.push((oy * s.stride + ky) * s.W + ox * s.stride + kx);
  return out;
}

/** The first largest value's index (strictly greater replaces), as cpu/pool.ts decides ties. */
function argmaxOf(x: readonly number[], window: number[]): number {
  let best = window[0];
  for (const i of window) if (x[i] > x[best]) best = i;
  return best;
}

function sizeNotes(s: PoolShape): string[] {
  const line = (axis: string, n: number, out: number) =>
    `${axis}: out = floor((${n} − ${s.size}) / ${s.stride}) + 1 = ${out}`;
  const general = 'Output size: out = floor((H − size) / stride) + 1 (no padding).';
  return s.H === s.W
    ? [general, line('Height and width', s.H, s.OH)]
    : [general, line('Height', s.H, s.OH), line('Width', s.W, s.OW)];
}

const rcOf = (i: number, cols: number) => `${Math.floor(i / cols)},${i % cols}`;

/** All the steps of the forward or backward pass, as the input's mode says. */
export function poolSteps(input: PoolInput): VizTrace {
  return input.mode === 'backward' ? poolBackwardSteps(input) : poolForwardSteps(input);
}

/** One step per window: the window, the value chosen (max) or the mean (avg), written to the output. */
export function poolForwardSteps(input: PoolInput): VizTrace {
  const s = shapeOf(input);
  const x = input.x.data;
  const area = s.size * s.size;
  const opName = input.op === 'max' ? 'Max' : 'Average';
  const grids: GridSpec[] = [
    {
      id: 'x',
      label: `Input x (${s.H}×${s.W})`,
      rows: s.H,
      cols: s.W,
      kind: 'input',
      testIdPrefix: 'pool-x',
      unused: uncoveredCells(s.H, s.W, s.size, s.stride, s.OH, s.OW),
    },
    {
      id: 'out',
      label: `${opName} pool output (${s.OH}×${s.OW})`,
      rows: s.OH,
      cols: s.OW,
      kind: 'output',
      testIdPrefix: 'pool-out',
      before: '→',
    },
  ];
  const t = new TraceBuilder({ x: cells(x), out: empty(s.OH * s.OW) });
  for (let oy = 0; oy < s.OH; oy++) {
    for (let ox = 0; ox < s.OW; ox++) {
      const win = windowCells(s, oy, ox);
      const values = win.map((i) => x[i]);
      const o = oy * s.OW + ox;
      const where = `the ${s.size}×${s.size} window at row ${oy * s.stride}, column ${ox * s.stride}`;
      if (input.op === 'max') {
        const best = argmaxOf(x, win);
        t.set('out', o, x[best]);
        t.push({
          phase: 'Forward: max pooling',
          formula: `${at('out', oy, ox)} = max(${values.map(fmt).join(', ')}) = ${fmt(x[best])}`,
          narration: `In ${where}, the largest value is ${fmt(x[best])} at row ${rcOf(best, s.W).replace(',', ', column ')}, so ${at('out', oy, ox)} = ${fmt(x[best])}.`,
          marks: [
            { grid: 'x', kind: 'area', cells: win },
            { grid: 'x', kind: 'chosen', cells: [best] },
            { grid: 'out', kind: 'target', cells: [o] },
          ],
        });
      } else {
        let sum = 0;
        for (const v of values) sum += v;
        const mean = sum / area;
        t.set('out', o, mean);
        t.push({
          phase: 'Forward: average pooling',
          formula: `${at('out', oy, ox)} = (${values.map(term).join(' + ')}) / ${area} = ${fmt(sum)} / ${area} = ${fmt(mean)}`,
          narration: `In ${where}, the values add up to ${fmt(sum)}; divided by ${area} cells that is ${fmt(mean)}, so ${at('out', oy, ox)} = ${fmt(mean)}.`,
          marks: [
            { grid: 'x', kind: 'area', cells: win },
            { grid: 'x', kind: 'focus', cells: win },
            { grid: 'out', kind: 'target', cells: [o] },
          ],
        });
      }
    }
  }
  return { grids, initial: t.initial, steps: t.steps, notes: sizeNotes(s) };
}

/** One step per output: its gradient goes to the window's winner (max) or is shared evenly (avg). */
export function poolBackwardSteps(input: PoolInput): VizTrace {
  const s = shapeOf(input);
  const x = input.x.data;
  const area = s.size * s.size;
  const g = input.grad ?? filled(s.OH, s.OW, 1);
  const grids: GridSpec[] = [
    {
      id: 'x',
      label: `Input x (${s.H}×${s.W})`,
      rows: s.H,
      cols: s.W,
      kind: 'input',
      testIdPrefix: 'pool-x',
      unused: uncoveredCells(s.H, s.W, s.size, s.stride, s.OH, s.OW),
    },
    {
      id: 'g',
      label: `dy, the upstream gradient (${s.OH}×${s.OW})`,
      rows: s.OH,
      cols: s.OW,
      kind: 'input',
      testIdPrefix: 'pool-dy',
    },
    {
      id: 'dx',
      label: `dx, gradient for the input (${s.H}×${s.W})`,
      rows: s.H,
      cols: s.W,
      kind: 'output',
      testIdPrefix: 'pool-dx',
    },
  ];
  const t = new TraceBuilder({ x: cells(x), g: cells(g.data), dx: cells(new Array<number>(s.H * s.W).fill(0)) });
  for (let oy = 0; oy < s.OH; oy++) {
    for (let ox = 0; ox < s.OW; ox++) {
      const win = windowCells(s, oy, ox);
      const o = oy * s.OW + ox;
      const d = g.data[o];
      if (input.op === 'max') {
        const best = argmaxOf(x, win);
        const before = t.get('dx', best) ?? 0;
        const now = t.add('dx', best, d);
        t.push({
          phase: 'Backward: max pooling routes each gradient to the winner',
          formula: `${at('dx', Math.floor(best / s.W), best % s.W)} += ${at('dy', oy, ox)} = ${term(d)}:  ${fmt(before)} → ${fmt(now)}`,
          narration:
            `Output ${oy},${ox} came from the input at ${rcOf(best, s.W)} (the largest value, ${fmt(x[best])}), so all of its gradient ${fmt(d)} goes there; ` +
            `the other cells of the window get nothing from it.`,
          marks: [
            { grid: 'x', kind: 'area', cells: win },
            { grid: 'x', kind: 'chosen', cells: [best] },
            { grid: 'g', kind: 'focus', cells: [o] },
            { grid: 'dx', kind: 'area', cells: win },
            { grid: 'dx', kind: 'target', cells: [best] },
          ],
        });
      } else {
        const share = d / area;
        for (const i of win) t.add('dx', i, share);
        t.push({
          phase: 'Backward: average pooling shares each gradient evenly',
          formula: `each of the ${area} window cells += ${at('dy', oy, ox)} / ${area} = ${term(d)} / ${area} = ${fmt(share)}`,
          narration: `Every input of output ${oy},${ox}'s window counted equally, so each of the ${area} cells receives ${fmt(d)} / ${area} = ${fmt(share)}.`,
          marks: [
            { grid: 'x', kind: 'area', cells: win },
            { grid: 'g', kind: 'focus', cells: [o] },
            { grid: 'dx', kind: 'target', cells: win },
          ],
        });
      }
    }
  }
  return {
    grids,
    initial: t.initial,
    steps: t.steps,
    notes: [
      ...sizeNotes(s),
      'Backward pass: the gradient dx starts at 0. Where windows overlap, a cell adds up what every window sends it; cells no window covers stay 0.',
    ],
  };
}
