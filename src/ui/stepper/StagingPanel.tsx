import { useMemo, useState, type ReactNode } from 'react';
import type { ConvInput, Matrix } from '../../viz/parse';
import { convTileSizes, matmulTileSizes, type MatmulTileSizes } from '../../viz/gpuMapping';
import { im2col, tiledMatmulSteps, tiledOwner } from '../../viz/tiledMatmul';
import { fmt, term, type Cell, type GridSpec, type Mark } from '../../viz/trace';
import { CONV2D_FORWARD } from '../../engine/ops/conv2d/specs';
import { conv2dGeometry } from '../../engine/ops/conv2d/cpu';
import { GridView } from './GridView';
import { MATMUL } from '../../engine/ops/matmul/specs';
import { conv2dUniforms } from '../../engine/ops/conv2d/abi';

/** A product C = A·B seen through one kernel's tiles, with the words to name its parts. */
interface StagingProblem {
  kernel: string;
  a: Matrix;
  b: Matrix;
  /** The kernel's own tile, from the kernel table. */
  realTile: MatmulTileSizes;
  /** How the real tile is described, e.g. '64×64 tiles of C'. */
  realTileWords: string;
  /** The cell followed: C[row, col]. */
  row: number;
  col: number;
  /** Names of A, B and C in labels and sentences. */
  names: { a: string; b: string; c: string };
  /** Shows all of A, or only the rows the workgroup owns (a long patch matrix). */
  aView: 'full' | 'owned';
  /** Draw B and C in another shape with the same row-major order (a flattened kernel as k×k, one output column as outH×outW). */
  bShape?: { rows: number; cols: number };
  cShape?: { rows: number; cols: number };
  /** How a cell of C is named, e.g. (1, 0) → 'C[1,0]'. */
  cellName: (row: number, col: number) => string;
  intro: ReactNode;
}

const range = (from: number, to: number) => (to - from <= 1 ? `${from}` : `${from}–${to - 1}`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function tileOptions(
  real: MatmulTileSizes,
  realWords: string,
): { label: string; tile: MatmulTileSizes; demo: boolean }[] {
  return [
    { label: 'Scaled down: 2×2 tiles, 2-deep steps', tile: { rows: 2, cols: 2, depth: 2 }, demo: true },
    { label: 'Scaled down: 4×4 tiles, 4-deep steps', tile: { rows: 4, cols: 4, depth: 4 }, demo: true },
    { label: `Real: ${realWords}, ${real.depth}-deep steps`, tile: real, demo: false },
  ];
}

/** The tiled algorithm, one staging step at a time, for the workgroup that owns the followed cell. */
function StagingView({ p }: { p: StagingProblem }) {
  const { a, b, names } = p;
  const M = a.rows;
  const K = a.cols;
  const N = b.cols;
  const options = tileOptions(p.realTile, p.realTileWords);
  const [choice, setChoice] = useState(0);
  const option = options[choice];
  const tile = option.tile;
  const tiled = useMemo(() => tiledMatmulSteps(a.data, b.data, M, K, N, tile), [a, b, M, K, N, tile]);
  const owner = tiledOwner(tiled, p.row, p.col);
  const total = tiled.kTiles;

  // The step shown starts again at 0 whenever the tile, the workgroup or the numbers change.
  const key = `${choice}|${owner.x},${owner.y}|${M}x${K}x${N}:${a.data.join(',')}|${b.data.join(',')}`;
  const [at, setAt] = useState({ key, pos: 0 });
  const pos = at.key === key ? Math.min(at.pos, total) : 0;
  const go = (n: number) => setAt({ key, pos: Math.max(0, Math.min(total, n)) });

  const step = pos > 0 ? owner.steps[pos - 1] : null;
  const prev = pos > 1 ? owner.steps[pos - 2] : null;
  const d = step ? step.kEnd - step.k0 : 0;
  const rowEnd = owner.row0 + owner.rows;
  const colEnd = owner.col0 + owner.cols;
  const lr = p.row - owner.row0;
  const lc = p.col - owner.col0;
  const here = p.cellName(p.row, p.col);

  // A: all of it, or just the owned rows; staged slice in focus.
  const aRows = p.aView === 'full' ? M : owner.rows;
  const aRow0 = p.aView === 'full' ? 0 : owner.row0;
  const aMarks: Mark[] = [
    {
      grid: 'sa',
      kind: 'area',
      cells: Array.from({ length: owner.rows * K }, (_, i) => (owner.row0 - aRow0 + Math.floor(i / K)) * K + (i % K)),
    },
  ];
  const bMarks: Mark[] = [
    {
      grid: 'sb',
      kind: 'area',
      cells: Array.from(
        { length: K * owner.cols },
        (_, i) => Math.floor(i / owner.cols) * N + owner.col0 + (i % owner.cols),
      ),
    },
  ];
  if (step) {
    aMarks.push({
      grid: 'sa',
      kind: 'focus',
      cells: Array.from(
        { length: owner.rows * d },
        (_, i) => (owner.row0 - aRow0 + Math.floor(i / d)) * K + step.k0 + (i % d),
      ),
    });
    aMarks.push({
      grid: 'sa',
      kind: 'chosen',
      cells: Array.from({ length: d }, (_, k) => (p.row - aRow0) * K + step.k0 + k),
    });
    bMarks.push({
      grid: 'sb',
      kind: 'focus',
      cells: Array.from(
        { length: d * owner.cols },
        (_, i) => (step.k0 + Math.floor(i / owner.cols)) * N + owner.col0 + (i % owner.cols),
      ),
    });
    bMarks.push({ grid: 'sb', kind: 'chosen', cells: Array.from({ length: d }, (_, k) => (step.k0 + k) * N + p.col) });
  }
  const bShape = p.bShape ?? { rows: K, cols: N };
  const cShape = p.cShape ?? { rows: M, cols: N };
  const cValues: Cell[] = new Array<Cell>(M * N).fill(null);
  const owned: number[] = [];
  for (let r = 0; r < owner.rows; r++) {
    for (let c = 0; c < owner.cols; c++) {
      const i = (owner.row0 + r) * N + owner.col0 + c;
      owned.push(i);
      cValues[i] = step ? step.partial[r * owner.cols + c] : 0;
    }
  }
  const grids: { spec: GridSpec; values: readonly Cell[]; marks: Mark[]; picked?: number }[] = [
    {
      spec: {
        id: 'sa',
        label:
          p.aView === 'full'
            ? `${names.a} (${M}×${K})`
            : `${names.a}, rows ${range(owner.row0, rowEnd)} (${owner.rows}×${K})`,
        rows: aRows,
        cols: K,
        kind: 'input',
        testIdPrefix: 'stage-a',
      },
      values: a.data.slice(aRow0 * K, (aRow0 + aRows) * K),
      marks: aMarks,
    },
    {
      spec: {
        id: 'sb',
        label: `${names.b} (${K}×${N}${p.bShape ? `, drawn ${bShape.rows}×${bShape.cols}` : ''})`,
        ...bShape,
        kind: 'input',
        testIdPrefix: 'stage-b',
      },
      values: b.data,
      marks: bMarks,
    },
    {
      spec: {
        id: 'sc',
        label: `Partial sums in registers (${names.c}, ${cShape.rows}×${cShape.cols})`,
        ...cShape,
        kind: 'output',
        testIdPrefix: 'stage-c',
      },
      values: cValues,
      marks: [{ grid: 'sc', kind: 'target', cells: owned }],
      picked: p.row * N + p.col,
    },
  ];

  let narration: string;
  let formula = ' ';
  if (!step) {
    narration =
      `Workgroup (${owner.x}, ${owner.y}) owns ${names.c} rows ${range(owner.row0, rowEnd)} and columns ${range(owner.col0, colEnd)}; ` +
      `every one of those cells starts at 0 in a thread's register. K = ${K}, so it takes ${plural(total, 'step')} of TILE_K = ${tile.depth}. ` +
      'Press Next step.';
  } else {
    const terms: string[] = [];
    for (let k = 0; k < d; k++) terms.push(`${term(step.aTile[lr * d + k])}·${term(step.bTile[k * owner.cols + lc])}`);
    const before = prev ? prev.partial[lr * owner.cols + lc] : 0;
    const after = step.partial[lr * owner.cols + lc];
    formula = `${here} = ${pos > 1 ? `${term(before)} + ` : ''}${terms.join(' + ')} = ${fmt(after)}`;
    narration =
      `The threads copy ${names.a}[rows ${range(owner.row0, rowEnd)}, columns ${range(step.k0, step.kEnd)}] and ` +
      `${names.b}[rows ${range(step.k0, step.kEnd)}, columns ${range(owner.col0, colEnd)}] from main memory into workgroup memory, ` +
      `then wait at a barrier until every copy is done. Now each thread reads only the fast copies and adds ${plural(d, 'product')} into each of its cells. ` +
      (step.zeroSlots > 0
        ? `The ${plural(step.zeroSlots, 'slot')} past the edge of ${names.a} or ${names.b} hold 0, which adds nothing. `
        : '') +
      (pos === total
        ? `That was the last step: the partial sums are finished, and each thread writes its cells to ${names.c}.`
        : `${here} is now ${fmt(after)}, not finished yet.`);
  }

  return (
    <section className="card viz-staging" aria-label="Workgroup memory">
      <h2>Inside one workgroup: tiles in fast memory</h2>
      {p.intro}
      <label className="viz-setting">
        <span>Tile size</span>
        <select value={choice} onChange={(e) => setChoice(Number(e.target.value))} data-testid="stage-tile">
          {options.map((o, i) => (
            <option key={o.label} value={i}>
              {o.label}
            </option>
          ))}
        </select>
      </label>
      <p className="muted" data-testid="stage-tile-note">
        {option.demo
          ? `Scaled-down tiles so you can see them; the real ${p.kernel} kernel uses ${p.realTileWords} with ${p.realTile.depth}-deep steps.`
          : `The real ${p.kernel} tile: on matrices this small one workgroup covers everything${total === 1 ? ' in one step' : ''}.`}
      </p>
      <div className="viz-controls" role="group" aria-label="Tile step controls">
        <button
          type="button"
          className="button"
          data-testid="stage-prev"
          onClick={() => go(pos - 1)}
          disabled={pos === 0}
        >
          ◀ Back
        </button>
        <button
          type="button"
          className="button"
          data-testid="stage-next"
          onClick={() => go(pos + 1)}
          disabled={pos >= total}
        >
          Next step ▶
        </button>
        <span className="viz-counter" data-testid="stage-counter">
          Tile step {pos} of {total}
        </span>
        <span className="muted">
          Workgroup ({owner.x}, {owner.y}) of {tiled.grid.x}×{tiled.grid.y}
        </span>
      </div>
      <div className="viz-explain">
        <p className="viz-formula mono" data-testid="stage-formula">
          {formula}
        </p>
        <p className="viz-narration" aria-live="polite" data-testid="stage-narration">
          {narration}
        </p>
      </div>
      <div className="viz-grids">
        {grids.map((g) => (
          <div className="viz-grid-item" key={g.spec.id}>
            <GridView spec={g.spec} values={g.values} marks={g.marks} picked={g.picked} />
          </div>
        ))}
      </div>
      <div className="viz-staging-memory">
        <p className="viz-staging-title">Workgroup memory</p>
        {step ? (
          <div className="viz-grids">
            <GridView
              spec={{
                id: 'as',
                label: `As: ${names.a}[${range(owner.row0, rowEnd)}, ${range(step.k0, step.kEnd)}] (${owner.rows}×${d})`,
                rows: owner.rows,
                cols: d,
                kind: 'input',
                testIdPrefix: 'stage-as',
              }}
              values={step.aTile}
              marks={[
                { grid: 'as', kind: 'focus', cells: Array.from({ length: owner.rows * d }, (_, i) => i) },
                { grid: 'as', kind: 'chosen', cells: Array.from({ length: d }, (_, k) => lr * d + k) },
              ]}
            />
            <GridView
              spec={{
                id: 'bs',
                label: `Bs: ${names.b}[${range(step.k0, step.kEnd)}, ${range(owner.col0, colEnd)}] (${d}×${owner.cols})`,
                rows: d,
                cols: owner.cols,
                kind: 'input',
                testIdPrefix: 'stage-bs',
              }}
              values={step.bTile}
              marks={[
                { grid: 'bs', kind: 'focus', cells: Array.from({ length: d * owner.cols }, (_, i) => i) },
                { grid: 'bs', kind: 'chosen', cells: Array.from({ length: d }, (_, k) => k * owner.cols + lc) },
              ]}
            />
          </div>
        ) : (
          <p className="muted">Empty until the first step copies a slice into it.</p>
        )}
        <p className="muted viz-staging-size">
          Room for {tile.rows}×{tile.depth} numbers of {names.a} and {tile.depth}×{tile.cols} of {names.b}
          {step && step.zeroSlots > 0
            ? `; this step puts 0 in ${step.zeroSlots} of those slots, because they lie past the edge`
            : ''}
          .
        </p>
      </div>
      <ul className="viz-legend" aria-label="Colour key">
        <li>
          <span className="viz-swatch is-area" /> the workgroup&apos;s rows of {names.a} and columns of {names.b}
        </li>
        <li>
          <span className="viz-swatch is-focus" /> copied into workgroup memory this step
        </li>
        <li>
          <span className="viz-swatch is-chosen" /> the numbers {here} uses in this step
        </li>
        <li>
          <span className="viz-swatch is-target" /> cells this workgroup owns
        </li>
      </ul>
    </section>
  );
}

/** Matmul: the workgroup of kernels/matmul.wgsl that owns the current cell of C. */
export function MatmulStagingPanel({ a, b, cell }: { a: Matrix; b: Matrix; cell: number }) {
  const real = matmulTileSizes(MATMUL);
  const N = b.cols;
  return (
    <StagingView
      p={{
        kernel: MATMUL.name,
        a,
        b,
        realTile: real,
        realTileWords: `${real.rows}×${real.cols} tiles`,
        row: Math.floor(cell / N),
        col: cell % N,
        names: { a: 'A', b: 'B', c: 'C' },
        aView: 'full',
        cellName: (r, c) => `C[${r},${c}]`,
        intro: (
          <p>
            Reading the GPU&apos;s main memory is slow, so a workgroup does not fetch A and B number by number. It walks
            along K in steps: each step, its threads together copy a slice of A (its rows × TILE_K columns) and a slice
            of B (TILE_K rows × its columns) into small, fast workgroup memory, and every thread reuses those copies
            many times.
          </p>
        ),
      }}
    />
  );
}

/** Conv: the implicit patch matrix times the flattened kernel, tiled the way kernels/conv2d_forward.wgsl does it. */
export function ConvStagingPanel({ input, cell }: { input: ConvInput; cell: number }) {
  const k = input.k.rows;
  const g = conv2dGeometry(1, [1, input.x.rows, input.x.cols], 1, k, input.stride, input.pad);
  const real = convTileSizes(CONV2D_FORWARD, conv2dUniforms(g, { bias: false }));
  const patches = useMemo(
    () => im2col(input.x.data, input.x.rows, input.x.cols, k, input.stride, input.pad),
    [input, k],
  );
  const wColumn = useMemo(() => ({ rows: k * k, cols: 1, data: input.k.data.slice() }), [input, k]);
  const OW = g.outWidth;
  return (
    <StagingView
      p={{
        kernel: CONV2D_FORWARD.name,
        a: patches,
        b: wColumn,
        realTile: real,
        realTileWords: `tiles of ${real.rows} positions × ${real.cols} filters`,
        row: cell,
        col: 0,
        names: { a: 'P', b: 'w', c: 'out' },
        aView: 'owned',
        bShape: { rows: k, cols: k },
        cShape: { rows: g.outHeight, cols: OW },
        cellName: (r) => `out[${Math.floor(r / OW)},${r % OW}]`,
        intro: (
          <p>
            The convolution kernel works like a matrix multiplication out = P·w. Row p of the patch matrix P holds the{' '}
            {k * k} input numbers under the kernel at output position p (zeros in the padding), and w is the kernel
            flattened into one column. P is never stored: each step, the workgroup gathers just the slice of P it needs
            straight from the image into workgroup memory, together with TILE_K weights.
          </p>
        ),
      }}
    />
  );
}
