/**
 * Matrix multiplication one multiply-add at a time: forward C = A·B, and backward
 * dA = dC·Bᵀ then dB = Aᵀ·dC. Sums run in the same order as cpu/dense.ts, so the last step's
 * values equal the CPU reference exactly.
 */
import type { Matrix, MatmulInput } from './parse';
import { filled } from './parse';
import { TraceBuilder, at, cells, empty, fmt, term, type GridSpec, type VizTrace } from './trace';

const rc = (r: number, c: number, cols: number) => r * cols + c;
const rowCells = (r: number, _rows: number, cols: number) => Array.from({ length: cols }, (_, c) => rc(r, c, cols));
const colCells = (c: number, rows: number, cols: number) => Array.from({ length: rows }, (_, r) => rc(r, c, cols));

function size(m: Matrix): string {
  return `${m.rows}×${m.cols}`;
}

/** All the steps of C = A·B (forward) or of its gradients (backward), as the input's mode says. */
export function matmulSteps(input: MatmulInput): VizTrace {
  return input.mode === 'backward'
    ? matmulBackwardSteps(input.a, input.b, input.grad)
    : matmulForwardSteps(input.a, input.b);
}

/** One step per multiply-add of C[m,n] = Σ_k A[m,k]·B[k,n]; a C cell is filled in at its last term. */
export function matmulForwardSteps(a: Matrix, b: Matrix): VizTrace {
  const M = a.rows;
  const K = a.cols;
  const N = b.cols;
  const grids: GridSpec[] = [
    { id: 'a', label: `A (${size(a)})`, rows: M, cols: K, kind: 'input', testIdPrefix: 'matmul-a' },
    { id: 'b', label: `B (${size(b)})`, rows: K, cols: N, kind: 'input', testIdPrefix: 'matmul-b', before: '×' },
    {
      id: 'c',
      label: `C = A·B (${M}×${N})`,
      rows: M,
      cols: N,
      kind: 'output',
      testIdPrefix: 'matmul-out',
      before: '=',
    },
  ];
  const t = new TraceBuilder({ a: cells(a.data), b: cells(b.data), c: empty(M * N) });
  const phase = 'Forward: C = A · B';
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      const terms: string[] = [];
      for (let k = 0; k < K; k++) {
        const x = a.data[rc(m, k, K)];
        const y = b.data[rc(k, n, N)];
        sum += x * y;
        terms.push(`${term(x)}·${term(y)}`);
        const last = k === K - 1;
        if (last) t.set('c', rc(m, n, N), sum);
        t.push({
          phase,
          formula: `${at('C', m, n)} = ${terms.join(' + ')} = ${fmt(sum)}`,
          narration:
            `${at('C', m, n)} uses row ${m} of A and column ${n} of B. ` +
            `Multiply ${at('A', m, k)} = ${fmt(x)} by ${at('B', k, n)} = ${fmt(y)} to get ${fmt(x * y)}; ` +
            (last
              ? `the sum is ${fmt(sum)}, so ${at('C', m, n)} = ${fmt(sum)} is done.`
              : `the running sum is ${fmt(sum)}.`),
          marks: [
            { grid: 'a', kind: 'area', cells: rowCells(m, M, K) },
            { grid: 'a', kind: 'focus', cells: [rc(m, k, K)] },
            { grid: 'b', kind: 'area', cells: colCells(n, K, N) },
            { grid: 'b', kind: 'focus', cells: [rc(k, n, N)] },
            { grid: 'c', kind: 'target', cells: [rc(m, n, N)] },
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
      `A has ${K} column${K === 1 ? '' : 's'} and B has ${K} row${K === 1 ? '' : 's'}, so each output cell is a sum of ${K} products. C has A's ${M} row${M === 1 ? '' : 's'} and B's ${N} column${N === 1 ? '' : 's'}.`,
      'B sits above C and A to its left: each cell of C is where a row of A meets a column of B.',
    ],
    layout: 'matmul',
  };
}

/**
 * Given the upstream gradient dC (all ones when null): first every dA[m,k] = Σ_n dC[m,n]·B[k,n],
 * then every dB[k,n] = Σ_m A[m,k]·dC[m,n], one multiply-add per step.
 */
export function matmulBackwardSteps(a: Matrix, b: Matrix, grad: Matrix | null): VizTrace {
  const M = a.rows;
  const K = a.cols;
  const N = b.cols;
  const g = grad ?? filled(M, N, 1);
  const grids: GridSpec[] = [
    { id: 'a', label: `A (${size(a)})`, rows: M, cols: K, kind: 'input', testIdPrefix: 'matmul-a' },
    { id: 'b', label: `B (${size(b)})`, rows: K, cols: N, kind: 'input', testIdPrefix: 'matmul-b' },
    {
      id: 'g',
      label: `dC, the upstream gradient (${M}×${N})`,
      rows: M,
      cols: N,
      kind: 'input',
      testIdPrefix: 'matmul-dC',
    },
    { id: 'dA', label: `dA = dC · Bᵀ (${M}×${K})`, rows: M, cols: K, kind: 'output', testIdPrefix: 'matmul-dA' },
    { id: 'dB', label: `dB = Aᵀ · dC (${K}×${N})`, rows: K, cols: N, kind: 'output', testIdPrefix: 'matmul-dB' },
  ];
  const t = new TraceBuilder({
    a: cells(a.data),
    b: cells(b.data),
    g: cells(g.data),
    dA: empty(M * K),
    dB: empty(K * N),
  });

  const phaseA = 'Gradient for A: dA = dC · Bᵀ';
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      let sum = 0;
      const terms: string[] = [];
      for (let n = 0; n < N; n++) {
        const d = g.data[rc(m, n, N)];
        const y = b.data[rc(k, n, N)];
        sum += d * y;
        terms.push(`${term(d)}·${term(y)}`);
        const last = n === N - 1;
        if (last) t.set('dA', rc(m, k, K), sum);
        t.push({
          phase: phaseA,
          formula: `${at('dA', m, k)} = ${terms.join(' + ')} = ${fmt(sum)}`,
          narration:
            `${at('dA', m, k)} uses row ${m} of dC and row ${k} of B (column ${k} of B transposed). ` +
            `Multiply ${at('dC', m, n)} = ${fmt(d)} by ${at('B', k, n)} = ${fmt(y)}; ` +
            (last ? `the sum is ${fmt(sum)}, so ${at('dA', m, k)} is done.` : `the running sum is ${fmt(sum)}.`),
          marks: [
            { grid: 'g', kind: 'area', cells: rowCells(m, M, N) },
            { grid: 'g', kind: 'focus', cells: [rc(m, n, N)] },
            { grid: 'b', kind: 'area', cells: rowCells(k, K, N) },
            { grid: 'b', kind: 'focus', cells: [rc(k, n, N)] },
            { grid: 'dA', kind: 'target', cells: [rc(m, k, K)] },
          ],
        });
      }
    }
  }

  const phaseB = 'Gradient for B: dB = Aᵀ · dC';
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      const terms: string[] = [];
      for (let m = 0; m < M; m++) {
        const x = a.data[rc(m, k, K)];
        const d = g.data[rc(m, n, N)];
        sum += x * d;
        terms.push(`${term(x)}·${term(d)}`);
        const last = m === M - 1;
        if (last) t.set('dB', rc(k, n, N), sum);
        t.push({
          phase: phaseB,
          formula: `${at('dB', k, n)} = ${terms.join(' + ')} = ${fmt(sum)}`,
          narration:
            `${at('dB', k, n)} uses column ${k} of A (row ${k} of A transposed) and column ${n} of dC. ` +
            `Multiply ${at('A', m, k)} = ${fmt(x)} by ${at('dC', m, n)} = ${fmt(d)}; ` +
            (last ? `the sum is ${fmt(sum)}, so ${at('dB', k, n)} is done.` : `the running sum is ${fmt(sum)}.`),
          marks: [
            { grid: 'a', kind: 'area', cells: colCells(k, M, K) },
            { grid: 'a', kind: 'focus', cells: [rc(m, k, K)] },
            { grid: 'g', kind: 'area', cells: colCells(n, M, N) },
            { grid: 'g', kind: 'focus', cells: [rc(m, n, N)] },
            { grid: 'dB', kind: 'target', cells: [rc(k, n, N)] },
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
      'Backward pass: dC says how much the loss changes when each cell of C changes. The chain rule turns it into dA and dB, each built from multiply-adds like the forward pass.',
    ],
  };
}
