import { useState } from 'react';
import type { Matrix } from '../../viz/parse';
import { fmt } from '../../viz/trace';
import { matmulThreadFor } from '../../viz/gpuMapping';
import { MATMUL } from '../../engine/kernels';
import { KernelRunner } from '../../engine/gpu/kernelRunner';
import { runMatmulCases } from '../../engine/gpu/matmul';
import { withErrorScopes, type GpuContext } from '../../engine/gpu/device';
import { bootGpu } from '../gpuBoot';

type GpuRun =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; pass: boolean; maxAbsError: number; output: Float32Array; rows: number; cols: number }
  | { kind: 'failed'; message: string };

const runners = new WeakMap<GpuContext, KernelRunner>();

/** Runs the shipped kernels/matmul.wgsl on A and B (float32) and compares it with the CPU reference. */
async function runMatmulOnGpu(a: Matrix, b: Matrix): Promise<GpuRun> {
  const ctx = await bootGpu();
  if (!ctx) return { kind: 'failed', message: 'WebGPU is not available in this browser, so the kernel cannot run here. The banner at the top says why.' };
  let runner = runners.get(ctx);
  if (!runner) {
    runner = new KernelRunner(ctx);
    runners.set(ctx, runner);
  }
  const kernel = await runner.compile(MATMUL, { source: MATMUL.builtinSource });
  const call = { M: a.rows, K: a.cols, N: b.cols };
  const inputs = { a: Float32Array.from(a.data), b: Float32Array.from(b.data), bias: null, c0: null };
  const r = runner;
  const { cases, outputs } = await withErrorScopes(ctx.device, () => runMatmulCases(r, kernel, [{ call, inputs }]));
  return { kind: 'done', pass: cases[0].pass, maxAbsError: cases[0].maxAbsError, output: outputs[0], rows: call.M, cols: call.N };
}

/** The GPU side of matmul: which thread computes a cell (from the kernel table), and a real run. */
export function GpuPanel({ a, b, cell }: { a: Matrix; b: Matrix; cell: number }) {
  const M = a.rows;
  const K = a.cols;
  const N = b.cols;
  const row = Math.floor(cell / N);
  const col = cell % N;
  const t = matmulThreadFor(MATMUL, M, K, N, row, col);
  const [run, setRun] = useState<GpuRun>({ kind: 'idle' });
  const inputsKey = `${M}x${K}x${N}:${a.data.join(',')}|${b.data.join(',')}`;
  // A finished run belongs to the matrices it ran on.
  const [runKey, setRunKey] = useState(inputsKey);
  if (runKey !== inputsKey) {
    setRunKey(inputsKey);
    setRun({ kind: 'idle' });
  }

  const start = () => {
    setRun({ kind: 'running' });
    runMatmulOnGpu(a, b).then(setRun, (e: unknown) => setRun({ kind: 'failed', message: e instanceof Error ? e.message : String(e) }));
  };

  const [wx, wy] = t.workgroupSize;
  return (
    <section className="card viz-gpu" aria-label="GPU view">
      <h2>On the GPU</h2>
      <p>
        The <code>{MATMUL.name}</code> kernel runs workgroups of {wx}×{wy} threads. Each workgroup computes a {t.tile.rows}×
        {t.tile.cols} block of C, and each thread {t.perThread.rows}×{t.perThread.cols} of its cells, so this {M}×{N} result
        needs {t.workgroups[0]}×{t.workgroups[1]} workgroup{t.workgroups[0] * t.workgroups[1] === 1 ? '' : 's'}
        {t.workgroups[0] * t.workgroups[1] * wx * wy > M * N ? ' (most threads have nothing to do on matrices this small)' : ''}.
      </p>
      <p data-testid="gpu-thread">
        <strong>C[{row},{col}]</strong> is computed by workgroup <code>({t.workgroup.x}, {t.workgroup.y})</code>, thread{' '}
        <code>local_invocation_id = ({t.local.x}, {t.local.y})</code>, in its register <code>acc[{t.register.r * t.perThread.cols + t.register.c}]</code>.{' '}
        <span className="muted">Click an output cell to pick another one.</span>
      </p>
      <button type="button" className="button primary" data-testid="gpu-run" onClick={start} disabled={run.kind === 'running'}>
        {run.kind === 'running' ? 'Running…' : 'Run on GPU'}
      </button>
      <div aria-live="polite">
        {run.kind === 'failed' && <p className="bad-text" data-testid="gpu-check-result" data-pass="false">{run.message}</p>}
        {run.kind === 'done' && (
          <>
            <p className={run.pass ? 'ok-text' : 'bad-text'} data-testid="gpu-check-result" data-pass={String(run.pass)}>
              {run.pass
                ? `The GPU result matches the CPU (largest difference ${run.maxAbsError === 0 ? '0' : run.maxAbsError.toExponential(1)}).`
                : `The GPU result does NOT match the CPU (largest difference ${run.maxAbsError.toExponential(1)}).`}
            </p>
            <p className="muted">C from the GPU, in 32-bit floats:</p>
            <table className="viz-gpu-result mono">
              <tbody>
                {Array.from({ length: run.rows }, (_, r) => (
                  <tr key={r}>
                    {Array.from({ length: run.cols }, (_, c) => (
                      <td key={c} data-testid={`gpu-out-${r}-${c}`}>{fmt(run.output[r * run.cols + c])}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </section>
  );
}
