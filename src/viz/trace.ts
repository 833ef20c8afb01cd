/**
 * The shape every step generator produces: the grids on screen, and a list of steps that each say
 * what is highlighted, what formula to show, a sentence to narrate, and every grid's values after
 * the step. Views only render these; they never compute.
 */

/** A cell's value; null means "not computed yet" (shown empty). */
export type Cell = number | null;

export interface GridSpec {
  /** Key into `values`, e.g. 'a', 'c', 'dA'. */
  id: string;
  /** Heading above the grid, e.g. 'A (2×3)'. */
  label: string;
  rows: number;
  cols: number;
  kind: 'input' | 'output';
  /** Width of a zero-padding border drawn differently (padded conv input). */
  padding?: number;
  /** Test id of cell (r, c) is `${testIdPrefix}-${r}-${c}`. */
  testIdPrefix?: string;
  /** Symbol shown between this grid and the one before it ('×', '='). */
  before?: string;
  /** Cells no window ever covers (the stride steps over them): drawn as unused. */
  unused?: number[];
}

/** area: the row/column/window in use; focus: the numbers multiplied now; target: the cell written. */
export type MarkKind = 'area' | 'focus' | 'target' | 'chosen';

export interface Mark {
  grid: string;
  kind: MarkKind;
  /** Flat row-major indices. */
  cells: number[];
}

export interface VizStep {
  /** Which part of the computation this step belongs to, e.g. 'Gradient for A: dA = dC · Bᵀ'. */
  phase: string;
  /** The running formula with numbers, e.g. 'C[1,0] = 4·9 + 5·2 = 46'. */
  formula: string;
  /** A plain-English sentence for the screen reader's live region. */
  narration: string;
  marks: Mark[];
  /** Every grid's values after this step (unchanged grids share arrays with the step before). */
  values: Record<string, readonly Cell[]>;
}

export interface VizTrace {
  grids: GridSpec[];
  /** Values before the first step. */
  initial: Record<string, readonly Cell[]>;
  steps: VizStep[];
  /** Sentences shown above the grids, e.g. the output-size formula with the current numbers. */
  notes: string[];
  /**
   * How to place the grids: 'flow' in a row (the default), or 'matmul' with B above C and A to
   * its left, so a row of A and a column of B meet at the cell of C they make.
   */
  layout?: 'flow' | 'matmul';
}

/**
 * Flat indices of a rows x cols grid that no window of side `size` covers when windows start at
 * 0, stride, 2·stride, … (outH x outW of them): the cells a stride larger than the window, or a
 * last window that does not reach the edge, leave unused.
 */
export function uncoveredCells(
  rows: number,
  cols: number,
  size: number,
  stride: number,
  outH: number,
  outW: number,
): number[] {
  const coveredRow = new Array<boolean>(rows).fill(false);
  const coveredCol = new Array<boolean>(cols).fill(false);
  for (let o = 0; o < outH; o++)
    for (let k = 0; k < size && o * stride + k < rows; k++) coveredRow[o * stride + k] = true;
  for (let o = 0; o < outW; o++)
    for (let k = 0; k < size && o * stride + k < cols; k++) coveredCol[o * stride + k] = true;
  const out: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) if (!coveredRow[r] || !coveredCol[c]) out.push(r * cols + c);
  return out;
}

/** The grid values after `position` steps (0 = before the first step). */
export function valuesAt(trace: VizTrace, position: number): Record<string, readonly Cell[]> {
  if (position <= 0) return trace.initial;
  return trace.steps[Math.min(position, trace.steps.length) - 1].values;
}

/** Numbers as students write them: integers without decimals, others with up to 4 significant digits. */
export function fmt(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  const rounded = Number(v.toPrecision(4));
  if (rounded === 0) return '0';
  if (Math.abs(rounded) >= 1e-4 && Math.abs(rounded) < 1e15) return String(rounded);
  return rounded.toExponential().replace('e+', 'e');
}

/** A number inside a formula: negatives in brackets, so `4·(-2)` reads right. */
export function term(v: number): string {
  return v < 0 ? `(${fmt(v)})` : fmt(v);
}

/** `X[r,c]` */
export function at(name: string, r: number, c: number): string {
  return `${name}[${r},${c}]`;
}

/**
 * Builds a trace step by step with copy-on-write grids: a grid is copied only when a step writes
 * to it, so long traces share most of their arrays.
 */
export class TraceBuilder {
  private readonly current: Record<string, Cell[]> = {};
  private readonly owned = new Set<string>();
  readonly steps: VizStep[] = [];
  readonly initial: Record<string, readonly Cell[]>;

  constructor(initial: Record<string, readonly Cell[]>) {
    for (const [k, v] of Object.entries(initial)) this.current[k] = v as Cell[];
    this.initial = { ...initial };
  }

  /** Writes one cell of a grid for the next step. */
  set(grid: string, index: number, value: Cell): void {
    if (!this.owned.has(grid)) {
      this.current[grid] = this.current[grid].slice();
      this.owned.add(grid);
    }
    this.current[grid][index] = value;
  }

  /** Adds to a cell (an empty cell counts as 0) and returns the new value. */
  add(grid: string, index: number, amount: number): number {
    const v = (this.current[grid][index] ?? 0) + amount;
    this.set(grid, index, v);
    return v;
  }

  get(grid: string, index: number): Cell {
    return this.current[grid][index];
  }

  /** Records a step with the values written since the last one. */
  push(step: Omit<VizStep, 'values'>): void {
    this.steps.push({ ...step, values: { ...this.current } });
    this.owned.clear();
  }
}

/** Plain values as grid cells. */
export function cells(data: ArrayLike<number>): Cell[] {
  return Array.from(data, (v) => v);
}

/** n empty cells. */
export function empty(n: number): Cell[] {
  return new Array<Cell>(n).fill(null);
}
