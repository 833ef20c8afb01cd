import { useState } from 'react';
import { fmt } from '../../viz/trace';
import { KernelRunner } from '../../engine/kernel/runner';
import { withErrorScopes, type GpuContext } from '../../engine/kernel/device';
import { bootGpu } from '../gpuBoot';
import type { KernelCheckCase } from '../../engine/kernel/spec';

/** The state of a "Run on GPU" button: its last result belongs to the inputs it ran on. */
export type GpuRun =
  | { kind: 'idle' }
  | { kind: 'running' }
  | {
      kind: 'done';
      pass: boolean;
      maxAbsError: number;
      output: Float32Array;
      rows: number;
      cols: number;
      /** The verdict in words, when the caller judged the output itself (with its own tolerance). */
      verdict?: string;
    }
  | { kind: 'failed'; message: string };

const runners = new WeakMap<GpuContext, KernelRunner>();

const NO_WEBGPU =
  'WebGPU is not available in this browser, so the kernel cannot run here. The banner at the top says why.';

/**
 * Boots the main-thread GPU, runs `work` with its (shared) KernelRunner inside error scopes, and
 * turns the one check case it returns into a result to show as a rows x cols grid.
 */
export async function runOnGpu(
  rows: number,
  cols: number,
  work: (runner: KernelRunner) => Promise<{ cases: KernelCheckCase[]; outputs: Float32Array[] }>,
): Promise<GpuRun> {
  const ctx = await bootGpu();
  if (!ctx) return { kind: 'failed', message: NO_WEBGPU };
  let runner = runners.get(ctx);
  if (!runner) {
    runner = new KernelRunner(ctx);
    runners.set(ctx, runner);
  }
  const r = runner;
  const { cases, outputs } = await withErrorScopes(ctx.device, () => work(r));
  return { kind: 'done', pass: cases[0].pass, maxAbsError: cases[0].maxAbsError, output: outputs[0], rows, cols };
}

/** A GpuRun that goes back to idle when `inputsKey` changes, and a function that starts a run. */
export function useGpuRun(inputsKey: string): [GpuRun, (go: () => Promise<GpuRun>) => void] {
  const [run, setRun] = useState<GpuRun>({ kind: 'idle' });
  const [runKey, setRunKey] = useState(inputsKey);
  if (runKey !== inputsKey) {
    setRunKey(inputsKey);
    setRun({ kind: 'idle' });
  }
  const start = (go: () => Promise<GpuRun>) => {
    setRun({ kind: 'running' });
    go().then(
      (r) => setRun((now) => (now.kind === 'running' ? r : now)),
      (e: unknown) =>
        setRun((now) =>
          now.kind === 'running' ? { kind: 'failed', message: e instanceof Error ? e.message : String(e) } : now,
        ),
    );
  };
  return [run, start];
}

/** The "Run on GPU" button and its verdict, with the GPU's output grid (`gpu-out-R-C`). */
export function GpuRunResult({ run, onRun, outputName }: { run: GpuRun; onRun: () => void; outputName: string }) {
  return (
    <>
      <button
        type="button"
        className="button primary"
        data-testid="gpu-run"
        onClick={onRun}
        disabled={run.kind === 'running'}
      >
        {run.kind === 'running' ? 'Running…' : 'Run on GPU'}
      </button>
      <div aria-live="polite">
        {run.kind === 'failed' && (
          <p className="bad-text" data-testid="gpu-check-result" data-pass="false">
            {run.message}
          </p>
        )}
        {run.kind === 'done' && (
          <>
            <p
              className={run.pass ? 'ok-text' : 'bad-text'}
              data-testid="gpu-check-result"
              data-pass={String(run.pass)}
            >
              {run.verdict ??
                (run.pass
                  ? `The GPU result matches the CPU (largest difference ${run.maxAbsError === 0 ? '0' : run.maxAbsError.toExponential(1)}).`
                  : `The GPU result does NOT match the CPU (largest difference ${run.maxAbsError.toExponential(1)}).`)}
            </p>
            <p className="muted">{outputName} from the GPU, in 32-bit floats:</p>
            <table className="viz-gpu-result mono">
              <tbody>
                {Array.from({ length: run.rows }, (_, r) => (
                  <tr key={r}>
                    {Array.from({ length: run.cols }, (_, c) => (
                      <td key={c} data-testid={`gpu-out-${r}-${c}`}>
                        {fmt(run.output[r * run.cols + c])}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </div>
    </>
  );
}
