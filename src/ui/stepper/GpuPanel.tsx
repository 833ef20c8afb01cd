import type { Matrix } from '../../viz/parse';
import { matmulThreadFor } from '../../viz/gpuMapping';
import { compareMatmul, matmulVerdict } from '../../viz/gpuTolerance';
import { GpuRunResult, runOnGpu, useGpuRun, type GpuRun } from './gpuCheck';
import { MATMUL } from '../../engine/ops/matmul/specs';
import { runMatmulCases } from '../../engine/ops/matmul/check';
import { MATMUL_REDUCE } from '../../engine/ops/matmul/specs';

/**
 * Runs the shipped kernels/matmul.wgsl on A and B (float32) and compares each cell with the exact
 * product, within float32's rounding allowance for that cell's terms (see viz/gpuTolerance.ts).
 */
async function runMatmulOnGpu(a: Matrix, b: Matrix): Promise<GpuRun> {
  const call = { M: a.rows, K: a.cols, N: b.cols };
  const inputs = { a: Float32Array.from(a.data), b: Float32Array.from(b.data), bias: null, c0: null };
  const run = await runOnGpu(call.M, call.N, async (runner) => {
    const kernel = await runner.compile(MATMUL, { source: MATMUL.builtinSource });
    return runMatmulCases(runner, kernel, [{ call, inputs }], MATMUL_REDUCE);
  });
  if (run.kind !== 'done') return run;
  const c = compareMatmul(a, b, run.output);
  return { ...run, pass: c.pass, maxAbsError: c.maxAbsError, verdict: matmulVerdict(c) };
}

/** The GPU side of matmul: which thread computes a cell (from the kernel table), and a real run. */
export function GpuPanel({ a, b, cell }: { a: Matrix; b: Matrix; cell: number }) {
  const M = a.rows;
  const K = a.cols;
  const N = b.cols;
  const row = Math.floor(cell / N);
  const col = cell % N;
  const t = matmulThreadFor(MATMUL, M, K, N, row, col);
  const [run, start] = useGpuRun(`${M}x${K}x${N}:${a.data.join(',')}|${b.data.join(',')}`);

  const [wx, wy] = t.workgroupSize;
  return (
    <section className="card viz-gpu" aria-label="GPU view">
      <h2>On the GPU</h2>
      <p>
        The <code>{MATMUL.name}</code> kernel runs workgroups of {wx}×{wy} threads. Each workgroup computes a{' '}
        {t.tile.rows}×{t.tile.cols} block of C, and each thread {t.perThread.rows}×{t.perThread.cols} of its cells, so
        this {M}×{N} result needs {t.workgroups[0]}×{t.workgroups[1]} workgroup
        {t.workgroups[0] * t.workgroups[1] === 1 ? '' : 's'}
        {t.workgroups[0] * t.workgroups[1] * wx * wy > M * N
          ? ' (most threads have nothing to do on matrices this small)'
          : ''}
        .
      </p>
      <p data-testid="gpu-thread">
        <strong>
          C[{row},{col}]
        </strong>{' '}
        is computed by workgroup{' '}
        <code>
          ({t.workgroup.x}, {t.workgroup.y})
        </code>
        , thread{' '}
        <code>
          local_invocation_id = ({t.local.x}, {t.local.y})
        </code>
        , in its register <code>acc[{t.register.r * t.perThread.cols + t.register.c}]</code>.{' '}
        <span className="muted">Click an output cell to pick another one.</span>
      </p>
      <GpuRunResult run={run} onRun={() => start(() => runMatmulOnGpu(a, b))} outputName="C" />
    </section>
  );
}
