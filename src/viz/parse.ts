/**
 * Reading and writing the steppers' link formats (see CONTRACT.md): ROWS = rows separated by `;`,
 * values by `,` (e.g. `a=1,2;3,4`). Every failure is a typed error with one sentence that tells a
 * student what to change; nothing here throws on user input.
 */

/** A small dense matrix, row-major. */
export interface Matrix {
  rows: number;
  cols: number;
  data: number[];
}

export type Mode = 'forward' | 'backward';
export type PoolOp = 'max' | 'avg';

export type VizErrorCode =
  | 'empty'
  | 'ragged'
  | 'not-a-number'
  | 'out-of-range'
  | 'too-big'
  | 'too-long'
  | 'shape-mismatch'
  | 'not-square'
  | 'kernel-too-big'
  | 'bad-setting';

/** Why an input was refused: which field, what kind of problem, and a sentence saying what to change. */
export interface VizInputError {
  field: string;
  code: VizErrorCode;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: VizInputError };

export interface MatmulInput {
  a: Matrix;
  b: Matrix;
  mode: Mode;
  /** Upstream gradient dL/dC, shaped like C; null means all ones. */
  grad: Matrix | null;
}

export interface ConvInput {
  x: Matrix;
  k: Matrix;
  pad: number;
  stride: number;
  mode: Mode;
  grad: Matrix | null;
}

export interface PoolInput {
  x: Matrix;
  size: number;
  stride: number;
  op: PoolOp;
  mode: Mode;
  grad: Matrix | null;
}

/** Size limits that keep every step readable on a screen. */
export const LIMITS = {
  matmul: 8,
  convInput: 12,
  convKernel: 5,
  poolInput: 12,
  maxPad: 4,
  maxStride: 6,
  /** Largest |value| accepted, so results stay exact enough to compare with the GPU's float32. */
  maxAbsValue: 1_000_000,
  maxTextLength: 2000,
} as const;

export const DEFAULT_MATMUL = { a: '1,2,3;4,5,6', b: '7,8;9,10;11,12' };
export const DEFAULT_CONV = { x: '1,2,0,1;0,1,3,2;2,1,0,1;1,0,2,3', k: '1,0,-1;1,0,-1;1,0,-1', pad: '0', stride: '1' };
export const DEFAULT_POOL = { x: '1,3,2,1;4,6,5,0;3,1,1,2;0,2,4,8', size: '2', stride: '2', op: 'max' };

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function fail<T>(field: string, code: VizErrorCode, message: string): Parsed<T> {
  return { ok: false, error: { field, code, message } };
}

/**
 * Parses ROWS text into a matrix no larger than maxRows x maxCols. `name` is how the sentence
 * refers to the field, e.g. "matrix A".
 */
export function parseRows(text: string, field: string, name: string, maxRows: number, maxCols: number): Parsed<Matrix> {
  if (text.length > LIMITS.maxTextLength) {
    return fail(
      field,
      'too-long',
      `The text for ${name} is ${text.length.toLocaleString('en')} characters long; this page reads at most ${LIMITS.maxTextLength} characters (up to ${maxRows} rows of ${maxCols} numbers). Shorten it.`,
    );
  }
  const trimmed = text.trim().replace(/;+\s*$/, '');
  if (trimmed === '') {
    return fail(
      field,
      'empty',
      `${cap(name)} is empty: type numbers separated by commas, with rows separated by semicolons, like 1,2;3,4.`,
    );
  }
  const rowTexts = trimmed.split(';');
  if (rowTexts.length > maxRows) {
    return fail(
      field,
      'too-big',
      `${cap(name)} has ${rowTexts.length} rows; the most this page shows is ${maxRows}. Remove some rows.`,
    );
  }
  const rows = rowTexts.map((r) => r.split(','));
  const cols = rows[0].length;
  for (let r = 0; r < rows.length; r++) {
    if (rows[r].length > maxCols) {
      return fail(
        field,
        'too-big',
        `${cap(name)} has ${rows[r].length} columns in row ${r + 1}; the most this page shows is ${maxCols}. Remove some columns.`,
      );
    }
  }
  for (let r = 1; r < rows.length; r++) {
    if (rows[r].length !== cols) {
      return fail(
        field,
        'ragged',
        `Every row of ${name} needs the same number of values: row 1 has ${cols} but row ${r + 1} has ${rows[r].length}.`,
      );
    }
  }
  const data: number[] = [];
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < cols; c++) {
      const raw = rows[r][c].trim().replace(/\u2212/g, '-');
      if (raw === '') {
        return fail(field, 'empty', `Row ${r + 1}, column ${c + 1} of ${name} is empty: type a number there.`);
      }
      if (!NUMBER.test(raw)) {
        return fail(
          field,
          'not-a-number',
          `“${clip(raw)}” in row ${r + 1} of ${name} is not a number: use digits, a minus sign and a decimal point, like -1.5.`,
        );
      }
      const v = Number(raw);
      if (!Number.isFinite(v) || Math.abs(v) > LIMITS.maxAbsValue) {
        return fail(
          field,
          'out-of-range',
          `${clip(raw)} in row ${r + 1} of ${name} is too large: use numbers between -1000000 and 1000000.`,
        );
      }
      data.push(v === 0 ? 0 : v); // no -0
    }
  }
  return { ok: true, value: { rows: rows.length, cols, data } };
}

/** Writes a matrix in the ROWS format; parseRows reads it back to the same numbers. */
export function formatRows(m: Matrix): string {
  const rows: string[] = [];
  for (let r = 0; r < m.rows; r++) {
    // 'e+' would turn into a space in a query string, so positive exponents are written without '+'.
    rows.push(
      m.data
        .slice(r * m.cols, (r + 1) * m.cols)
        .map((v) => String(v).replace('e+', 'e'))
        .join(','),
    );
  }
  return rows.join(';');
}

/** A rows x cols matrix filled with one value (the default upstream gradient is all ones). */
export function filled(rows: number, cols: number, value: number): Matrix {
  return { rows, cols, data: new Array<number>(rows * cols).fill(value) };
}

function parseInteger(
  text: string | null,
  field: string,
  what: string,
  min: number,
  max: number,
  fallback: number,
): Parsed<number> {
  if (text === null || text.trim() === '') return { ok: true, value: fallback };
  const t = text.trim();
  const v = /^[+-]?\d{1,6}$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(v))
    return fail(
      field,
      'bad-setting',
      `The ${what} must be a whole number between ${min} and ${max}, not “${clip(t)}”.`,
    );
  if (v < min) return fail(field, 'bad-setting', `The ${what} must be at least ${min}; it is ${v}.`);
  if (v > max) return fail(field, 'bad-setting', `The ${what} can be at most ${max} on this page; it is ${v}.`);
  return { ok: true, value: v };
}

function parseMode(text: string | null): Parsed<Mode> {
  if (text === null || text === '' || text === 'forward') return { ok: true, value: 'forward' };
  if (text === 'backward') return { ok: true, value: 'backward' };
  return fail('mode', 'bad-setting', `The mode must be “forward” or “backward”, not “${clip(text)}”.`);
}

/** Reads the optional upstream gradient `g`, which must have the output's shape. */
function parseGrad(text: string | null, rows: number, cols: number, maxSide: number): Parsed<Matrix | null> {
  if (text === null || text.trim() === '') return { ok: true, value: null };
  const g = parseRows(text, 'g', 'the upstream gradient', maxSide, maxSide);
  if (!g.ok) return g;
  if (g.value.rows !== rows || g.value.cols !== cols) {
    return fail(
      'g',
      'shape-mismatch',
      `The upstream gradient must have the output's shape, ${rows}×${cols}; it is ${g.value.rows}×${g.value.cols}.`,
    );
  }
  return g;
}

/** Reads `a`, `b`, `mode` and `g` of a matmul link; missing matrices fall back to the example. */
export function parseMatmulQuery(params: URLSearchParams): Parsed<MatmulInput> {
  const max = LIMITS.matmul;
  const a = parseRows(params.get('a') ?? DEFAULT_MATMUL.a, 'a', 'matrix A', max, max);
  if (!a.ok) return a;
  const b = parseRows(params.get('b') ?? DEFAULT_MATMUL.b, 'b', 'matrix B', max, max);
  if (!b.ok) return b;
  if (a.value.cols !== b.value.rows) {
    return fail(
      'b',
      'shape-mismatch',
      `A has ${a.value.cols} column${a.value.cols === 1 ? '' : 's'} but B has ${b.value.rows} row${b.value.rows === 1 ? '' : 's'}: they must be equal, so change A's columns or B's rows.`,
    );
  }
  const mode = parseMode(params.get('mode'));
  if (!mode.ok) return mode;
  const grad = parseGrad(params.get('g'), a.value.rows, b.value.cols, max);
  if (!grad.ok) return grad;
  return { ok: true, value: { a: a.value, b: b.value, mode: mode.value, grad: grad.value } };
}

/** The output side of a conv or pool window sweep: floor((n + 2·pad − k) / stride) + 1. */
export function slideOutSize(n: number, k: number, stride: number, pad: number): number {
  return Math.floor((n + 2 * pad - k) / stride) + 1;
}

/** Reads `x`, `k`, `pad`, `stride`, `mode` and `g` of a conv link. */
export function parseConvQuery(params: URLSearchParams): Parsed<ConvInput> {
  const x = parseRows(params.get('x') ?? DEFAULT_CONV.x, 'x', 'the input', LIMITS.convInput, LIMITS.convInput);
  if (!x.ok) return x;
  const k = parseRows(params.get('k') ?? DEFAULT_CONV.k, 'k', 'the kernel', LIMITS.convKernel, LIMITS.convKernel);
  if (!k.ok) return k;
  if (k.value.rows !== k.value.cols) {
    return fail(
      'k',
      'not-square',
      `The kernel must be square (as many rows as columns); it is ${k.value.rows}×${k.value.cols}.`,
    );
  }
  const pad = parseInteger(params.get('pad'), 'pad', 'padding', 0, LIMITS.maxPad, 0);
  if (!pad.ok) return pad;
  const stride = parseInteger(params.get('stride'), 'stride', 'stride', 1, LIMITS.maxStride, 1);
  if (!stride.ok) return stride;
  const side = k.value.rows;
  const ph = x.value.rows + 2 * pad.value;
  const pw = x.value.cols + 2 * pad.value;
  if (side > ph || side > pw) {
    return fail(
      'k',
      'kernel-too-big',
      `The ${side}×${side} kernel does not fit in the ${x.value.rows}×${x.value.cols} input padded by ${pad.value} (${ph}×${pw}): use a smaller kernel, a bigger input, or more padding.`,
    );
  }
  const mode = parseMode(params.get('mode'));
  if (!mode.ok) return mode;
  const oh = slideOutSize(x.value.rows, side, stride.value, pad.value);
  const ow = slideOutSize(x.value.cols, side, stride.value, pad.value);
  const grad = parseGrad(params.get('g'), oh, ow, 2 * LIMITS.maxPad + LIMITS.convInput);
  if (!grad.ok) return grad;
  return {
    ok: true,
    value: { x: x.value, k: k.value, pad: pad.value, stride: stride.value, mode: mode.value, grad: grad.value },
  };
}

/** Reads `x`, `size`, `stride` (default: the size), `op`, `mode` and `g` of a pool link. */
export function parsePoolQuery(params: URLSearchParams): Parsed<PoolInput> {
  const x = parseRows(params.get('x') ?? DEFAULT_POOL.x, 'x', 'the input', LIMITS.poolInput, LIMITS.poolInput);
  if (!x.ok) return x;
  const smallest = Math.min(x.value.rows, x.value.cols);
  const size = parseInteger(params.get('size'), 'size', 'window size', 1, LIMITS.poolInput, Math.min(2, smallest));
  if (!size.ok) return size;
  if (size.value > smallest) {
    return fail(
      'size',
      'kernel-too-big',
      `The ${size.value}×${size.value} window does not fit in the ${x.value.rows}×${x.value.cols} input: use a window of ${smallest} or less, or a bigger input.`,
    );
  }
  const stride = parseInteger(params.get('stride'), 'stride', 'stride', 1, LIMITS.poolInput, size.value);
  if (!stride.ok) return stride;
  const opText = params.get('op') ?? 'max';
  if (opText !== 'max' && opText !== 'avg') {
    return fail('op', 'bad-setting', `The pooling operation must be “max” or “avg”, not “${clip(opText)}”.`);
  }
  const mode = parseMode(params.get('mode'));
  if (!mode.ok) return mode;
  const oh = slideOutSize(x.value.rows, size.value, stride.value, 0);
  const ow = slideOutSize(x.value.cols, size.value, stride.value, 0);
  const grad = parseGrad(params.get('g'), oh, ow, LIMITS.poolInput);
  if (!grad.ok) return grad;
  return {
    ok: true,
    value: { x: x.value, size: size.value, stride: stride.value, op: opText, mode: mode.value, grad: grad.value },
  };
}

function tail(mode: Mode, grad: Matrix | null): string {
  if (mode !== 'backward') return '';
  return '&mode=backward' + (grad && grad.data.some((v) => v !== 1) ? `&g=${formatRows(grad)}` : '');
}

/** The canonical query of a matmul input; parseMatmulQuery reads it back unchanged. */
export function matmulQuery(v: MatmulInput): string {
  return `a=${formatRows(v.a)}&b=${formatRows(v.b)}${tail(v.mode, v.grad)}`;
}

/** The canonical query of a conv input. */
export function convQuery(v: ConvInput): string {
  return `x=${formatRows(v.x)}&k=${formatRows(v.k)}&pad=${v.pad}&stride=${v.stride}${tail(v.mode, v.grad)}`;
}

/** The canonical query of a pool input. */
export function poolQuery(v: PoolInput): string {
  return `x=${formatRows(v.x)}&size=${v.size}&stride=${v.stride}&op=${v.op}${tail(v.mode, v.grad)}`;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Long garbage is cut short so the sentence stays readable. */
function clip(s: string): string {
  return s.length > 20 ? `${s.slice(0, 20)}…` : s;
}
