import { useState } from 'react';
import { trainerClient } from '../../state/trainingBridge';
import { useAppState } from '../../state/store';
import type { KernelCheckResult } from '../../engine/kernel/spec';

type Run =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; results: KernelCheckResult[]; ms: number }
  | { kind: 'failed'; message: string };

/**
 * Runs every WGSL kernel on this GPU inside the training Worker and compares it with the CPU
 * reference on random inputs: the same checks the test suite runs, on the reader's own machine.
 */
export function SelfTestPage() {
  const [run, setRun] = useState<Run>({ kind: 'idle' });
  const worker = useAppState((s) => s.worker);
  const gpu = useAppState((s) => s.gpu);
  // The page's own WebGPU check, the one the banner shows: without it there is nothing to check.
  const noWebGpu = gpu.kind === 'unavailable';

  async function start() {
    setRun({ kind: 'running' });
    const t0 = performance.now();
    try {
      const reply = await trainerClient().request({ type: 'runKernelChecks' });
      if (reply.type !== 'kernelChecks') throw new Error('The worker answered with an unexpected message.');
      setRun({ kind: 'done', results: reply.results, ms: performance.now() - t0 });
    } catch (e) {
      setRun({ kind: 'failed', message: (e as Error).message });
    }
  }

  const allPass = run.kind === 'done' && run.results.every((r) => r.pass);
  return (
    <div className="stack">
      <section className="card">
        <h1>GPU check</h1>
        <p className="lede">
          Runs every compute kernel the playground trains with on the GPU, through WebGPU, on random inputs of several
          shapes, and compares each result with a plain CPU computation. If they agree, the GPU computes exactly what
          the lessons describe.
        </p>
        {noWebGpu && (
          <div className="error-card" data-testid="gpu-check-unavailable">
            <p>
              <strong>WebGPU is not available.</strong> {gpu.reason}
            </p>
            <p>
              So there is no GPU here to check. The banner at the top of the page says how to turn WebGPU on; until then
              the steppers, the builder and training work on the CPU reference.
            </p>
          </div>
        )}
        <p className="muted" data-testid="worker-gpu">
          {noWebGpu
            ? 'The training worker runs on the CPU reference.'
            : worker.kind === 'ready'
              ? worker.gpu
                ? `The training worker is using: ${[worker.gpu.vendor, worker.gpu.architecture].filter(Boolean).join(' · ')}.`
                : `The training worker has no GPU: ${worker.gpuError ?? 'unknown reason'}.`
              : worker.kind === 'failed'
                ? `The training worker could not start: ${worker.reason}`
                : 'Starting the training worker…'}
        </p>
        <button
          type="button"
          className="button primary"
          data-testid="gpu-check-run"
          onClick={() => void start()}
          disabled={run.kind === 'running' || noWebGpu}
        >
          {run.kind === 'running' ? 'Checking…' : 'Check every kernel'}
        </button>
      </section>
      {run.kind === 'failed' && (
        <div className="error-card" role="alert" data-testid="gpu-check-error">
          {run.message}
        </div>
      )}
      {run.kind === 'done' && (
        <section className="card">
          <h2 data-testid="gpu-check-summary" className={allPass ? 'ok-text' : 'bad-text'}>
            {allPass
              ? `All ${run.results.length} kernels match the CPU`
              : `${run.results.filter((r) => !r.pass).length} kernel(s) disagree with the CPU`}
          </h2>
          <p className="muted">Finished in {(run.ms / 1000).toFixed(1)} s.</p>
          <table className="data-table">
            <thead>
              <tr>
                <th>Kernel</th>
                <th>Shape</th>
                <th>Largest error</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {run.results.flatMap((r) =>
                r.cases.map((c, i) => (
                  <tr key={`${r.kernel}-${i}`} data-testid={`gpu-check-row-${r.kernel}`}>
                    <td className="mono">{i === 0 ? r.kernel : ''}</td>
                    <td className="num">{c.shape}</td>
                    <td className="num">{c.maxAbsError.toExponential(2)}</td>
                    <td className={c.pass ? 'ok-text' : 'bad-text'}>{c.pass ? 'match' : 'MISMATCH'}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
