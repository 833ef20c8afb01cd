/**
 * Single-channel 2-D convolution (cross-correlation, zero padding) one multiply-add at a time.
 * Forward: the kernel window slides over the padded input. Backward: every product of the forward
 * pass sends one contribution to the input gradient dx and one to the kernel gradient dk.
 */
import type { ConvInput, Matrix } from './parse';
import { filled, slideOutSize } from './parse';
import { TraceBuilder, at, cells, empty, fmt, term, uncoveredCells, type GridSpec, type VizTrace } from './trace';

interface ConvShape {
  H: number;
  W: number;
  K: number;
  pad: number;
  stride: number;
  OH: number;
  OW: number;
  PH: number;
  PW: number;
}

function shapeOf(input: ConvInput): ConvShape {
  const { x, k, pad, stride } = input;
  return {
    H: x.rows,
    W: x.cols,
    K: k.rows,
    pad,
    stride,
    OH: slideOutSize(x.rows, k.rows, stride, pad),
    OW: slideOutSize(x.cols, k.rows, stride, pad),
    PH: x.rows + 2 * pad,
    PW: x.cols + 2 * pad,
  };
}

/** The zero-padded input as a flat row-major array of the padded size. */
export function padInput(x: Matrix, pad: number): number[] {
  const PW = x.cols + 2 * pad;
  const out = new Array<number>((x.rows + 2 * pad) * PW).fill(0);
  for (let r = 0; r < x.rows; r++)
    for (let c = 0; c < x.cols; c++) out[(r + pad) * PW + c + pad] = x.data[r * x.cols + c];
  return out;
}

/** The output-size formula with the current numbers, for both axes. */
export function convSizeNotes(s: ConvShape): string[] {
  const line = (axis: string, n: number, out: number) =>
    `${axis}: out = floor((${n} + 2·${s.pad} − ${s.K}) / ${s.stride}) + 1 = ${out}`;
  const general = 'Output size: out = floor((H + 2·pad − k) / stride) + 1.';
  return s.H === s.W
    ? [general, line('Height and width', s.H, s.OH)]
    : [general, line('Height', s.H, s.OH), line('Width', s.W, s.OW)];
}

function windowCells(s: ConvShape, oy: number, ox: number): number[] {
  const out: number[] = [];
  for (let ky = 0; ky < s.K; ky++)
    for (let kx = 0; kx < s.K; kx++) out.push((oy * s.stride + ky) * s.PW + ox * s.stride + kx);
  return out;
}

/** All the steps of the forward pass or of the backward pass, as the input's mode says. */
export function convSteps(input: ConvInput): VizTrace {
  return input.mode === 'backward' ? convBackwardSteps(input) : convForwardSteps(input);
}

function baseGrids(input: ConvInput, s: ConvShape): GridSpec[] {
  const padded = s.pad > 0 ? `, padded to ${s.PH}×${s.PW}` : '';
  return [
    {
      id: 'x',
      label: `Input x (${s.H}×${s.W}${padded})`,
      rows: s.PH,
      cols: s.PW,
      kind: 'input',
      padding: s.pad,
      testIdPrefix: 'conv-x',
      unused: uncoveredCells(s.PH, s.PW, s.K, s.stride, s.OH, s.OW),
    },
    {
      id: 'k',
      label: `Kernel k (${s.K}×${s.K})`,
      rows: s.K,
      cols: s.K,
      kind: 'input',
      testIdPrefix: 'conv-k',
      before: input.mode === 'forward' ? '⋆' : undefined,
    },
  ];
}

/** One step per product of a window (padding products are 0); an output cell is filled in at its window's last product. */
export function convForwardSteps(input: ConvInput): VizTrace {
  const s = shapeOf(input);
  const xp = padInput(input.x, s.pad);
  const w = input.k.data;
  const grids: GridSpec[] = [
    ...baseGrids(input, s),
    {
      id: 'out',
      label: `Output (${s.OH}×${s.OW})`,
      rows: s.OH,
      cols: s.OW,
      kind: 'output',
      testIdPrefix: 'conv-out',
      before: '=',
    },
  ];
  const t = new TraceBuilder({ x: cells(xp), k: cells(w), out: empty(s.OH * s.OW) });
  for (let oy = 0; oy < s.OH; oy++) {
    for (let ox = 0; ox < s.OW; ox++) {
      const area = windowCells(s, oy, ox);
      let sum = 0;
      const terms: string[] = [];
      for (let ky = 0; ky < s.K; ky++) {
        for (let kx = 0; kx < s.K; kx++) {
          const py = oy * s.stride + ky;
          const px = ox * s.stride + kx;
          const v = xp[py * s.PW + px];
          const wv = w[ky * s.K + kx];
          const inPadding = py < s.pad || px < s.pad || py >= s.pad + s.H || px >= s.pad + s.W;
          sum += v * wv;
          terms.push(`${term(v)}·${term(wv)}`);
          const last = ky === s.K - 1 && kx === s.K - 1;
          if (last) t.set('out', oy * s.OW + ox, sum);
          t.push({
            phase: 'Forward: slide the kernel over the input',
            formula: `${at('out', oy, ox)} = ${terms.join(' + ')} = ${fmt(sum)}`,
            narration:
              `Window at row ${oy * s.stride}, column ${ox * s.stride} of the padded input. ` +
              `Kernel cell ${ky},${kx} (${fmt(wv)}) times ${inPadding ? 'a padding zero' : `input ${fmt(v)}`} is ${fmt(v * wv)}; ` +
              (last
                ? `the window sum is ${fmt(sum)}, so ${at('out', oy, ox)} = ${fmt(sum)}.`
                : `the running sum is ${fmt(sum)}.`),
            marks: [
              { grid: 'x', kind: 'area', cells: area },
              { grid: 'x', kind: 'focus', cells: [py * s.PW + px] },
              { grid: 'k', kind: 'focus', cells: [ky * s.K + kx] },
              { grid: 'out', kind: 'target', cells: [oy * s.OW + ox] },
            ],
          });
        }
      }
    }
  }
  return { grids, initial: t.initial, steps: t.steps, notes: convSizeNotes(s) };
}

/**
 * Given dy (all ones when null), two passes over every (window, kernel cell) pair that touches a
 * real input: first dx[iy,ix] += dy[oy,ox]·k[ky,kx], then dk[ky,kx] += dy[oy,ox]·x[iy,ix].
 * Pairs in the padding are skipped: padding is not a real input, and it adds 0 to dk.
 */
export function convBackwardSteps(input: ConvInput): VizTrace {
  const s = shapeOf(input);
  const xp = padInput(input.x, s.pad);
  const w = input.k.data;
  const g = input.grad ?? filled(s.OH, s.OW, 1);
  const grids: GridSpec[] = [
    ...baseGrids(input, s),
    {
      id: 'g',
      label: `dy, the upstream gradient (${s.OH}×${s.OW})`,
      rows: s.OH,
      cols: s.OW,
      kind: 'input',
      testIdPrefix: 'conv-dy',
    },
    {
      id: 'dx',
      label: `dx, gradient for the input (${s.H}×${s.W})`,
      rows: s.H,
      cols: s.W,
      kind: 'output',
      testIdPrefix: 'conv-dx',
    },
    {
      id: 'dk',
      label: `dk, gradient for the kernel (${s.K}×${s.K})`,
      rows: s.K,
      cols: s.K,
      kind: 'output',
      testIdPrefix: 'conv-dk',
    },
  ];
  const t = new TraceBuilder({
    x: cells(xp),
    k: cells(w),
    g: cells(g.data),
    dx: cells(new Array<number>(s.H * s.W).fill(0)),
    dk: cells(new Array<number>(s.K * s.K).fill(0)),
  });
  for (const target of ['dx', 'dk'] as const) {
    for (let oy = 0; oy < s.OH; oy++) {
      for (let ox = 0; ox < s.OW; ox++) {
        const d = g.data[oy * s.OW + ox];
        for (let ky = 0; ky < s.K; ky++) {
          for (let kx = 0; kx < s.K; kx++) {
            const iy = oy * s.stride + ky - s.pad;
            const ix = ox * s.stride + kx - s.pad;
            if (iy < 0 || ix < 0 || iy >= s.H || ix >= s.W) continue;
            const pIndex = (iy + s.pad) * s.PW + ix + s.pad;
            const xv = xp[pIndex];
            const wv = w[ky * s.K + kx];
            const common = [
              { grid: 'g', kind: 'focus' as const, cells: [oy * s.OW + ox] },
              { grid: 'x', kind: 'area' as const, cells: windowCells(s, oy, ox) },
            ];
            if (target === 'dx') {
              const before = t.get('dx', iy * s.W + ix) ?? 0;
              const now = t.add('dx', iy * s.W + ix, d * wv);
              t.push({
                phase: 'Gradient for the input: dx',
                formula: `${at('dx', iy, ix)} += ${at('dy', oy, ox)}·${at('k', ky, kx)} = ${term(d)}·${term(wv)}:  ${fmt(before)} → ${fmt(now)}`,
                narration:
                  `Output ${oy},${ox} used input ${iy},${ix} with kernel cell ${ky},${kx}, so input ${iy},${ix} receives ` +
                  `${fmt(d)} × ${fmt(wv)} = ${fmt(d * wv)}; its gradient is now ${fmt(now)}.`,
                marks: [
                  ...common,
                  { grid: 'x', kind: 'focus', cells: [pIndex] },
                  { grid: 'k', kind: 'focus', cells: [ky * s.K + kx] },
                  { grid: 'dx', kind: 'target', cells: [iy * s.W + ix] },
                ],
              });
            } else {
              const before = t.get('dk', ky * s.K + kx) ?? 0;
              const now = t.add('dk', ky * s.K + kx, d * xv);
              t.push({
                phase: 'Gradient for the kernel: dk',
                formula: `${at('dk', ky, kx)} += ${at('dy', oy, ox)}·${at('x', iy, ix)} = ${term(d)}·${term(xv)}:  ${fmt(before)} → ${fmt(now)}`,
                narration:
                  `Kernel cell ${ky},${kx} met input ${iy},${ix} in output ${oy},${ox}'s window, so it receives ` +
                  `${fmt(d)} × ${fmt(xv)} = ${fmt(d * xv)}; its gradient is now ${fmt(now)}.`,
                marks: [
                  ...common,
                  { grid: 'x', kind: 'focus', cells: [pIndex] },
                  { grid: 'dk', kind: 'target', cells: [ky * s.K + kx] },
                ],
              });
            }
          }
        }
      }
    }
  }
  return {
    grids,
    initial: t.initial,
    steps: t.steps,
    notes: [
      ...convSizeNotes(s),
      'Backward pass: every product of the forward pass sends a contribution back. Gradients start at 0 and add up; window cells in the padding are skipped, because padding is not a real input.',
    ],
  };
}
