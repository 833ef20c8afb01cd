/**
 * CPU vs GPU: the same training steps run on the plain JavaScript reference and on WebGPU, each
 * timed; then both are replayed as two bars that fill at the measured speeds, so the difference
 * is something you watch.
 */
import { useState } from 'react';
import { useAppState } from '../../state/store';
import type { BackendComparison } from '../../engine/train/compare';
import { askDashboard } from './dashboardClient';
import { raceVerdict } from './readouts';
import { NoGpuHere, useGpuForTraining } from './gpuAvailability';

/** The replay takes the CPU's real time, but at most this long. */
const MAX_REPLAY_MS = 12_000;

export function CompareBackends() {
  const status = useAppState((s) => s.training.status);
  const backend = useAppState((s) => s.training.info?.backend);
  const [steps, setSteps] = useState(5);
  const [result, setResult] = useState<BackendComparison | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [run, setRun] = useState(0);
  const gpuHere = useGpuForTraining();
  const ready = (status === 'finished' || status === 'paused' || status === 'loaded') && backend === 'gpu';

  const go = () => {
    setRunning(true);
    setError(null);
    askDashboard({ op: 'compareBackends', steps })
      .then(
        (r) => {
          setResult(r.comparison);
          setRun((n) => n + 1);
        },
        (e: Error) => setError(e.message),
      )
      .finally(() => setRunning(false));
  };

  const perStep = (ms: number, n: number) => (n > 0 ? ms / n : 0);
  const cpuPer = result ? perStep(result.cpu.ms, result.cpu.steps) : 0;
  const gpuPer = result ? perStep(result.gpu.ms, result.gpu.steps) : 0;
  const scale = result ? Math.min(1, MAX_REPLAY_MS / Math.max(1, cpuPer * result.steps)) : 1;
  const verdict = raceVerdict(cpuPer, gpuPer);

  return (
    <section className="card" aria-labelledby="compare-title">
      <h2 id="compare-title">CPU or GPU: the same steps, timed</h2>
      <p className="muted">
        Runs the same training steps of this network, at its batch size, once in plain JavaScript on the CPU and once
        with the WGSL kernels on the GPU.
      </p>
      <div className="train-controls">
        <label>
          Steps
          <input
            type="number"
            min={1}
            max={50}
            value={steps}
            onChange={(e) => setSteps(Math.max(1, Math.min(50, Math.floor(Number(e.target.value) || 1))))}
            data-testid="compare-steps"
          />
        </label>
        <button
          type="button"
          className="button"
          onClick={go}
          disabled={!ready || running || gpuHere === 'never'}
          data-testid="compare-run"
        >
          {running ? 'Measuring…' : 'Race CPU against GPU'}
        </button>
      </div>
      {gpuHere === 'never' ? (
        <NoGpuHere what="The race needs WebGPU for its GPU side" />
      ) : (
        !ready && <p className="muted">Available once a run on the GPU is paused or finished.</p>
      )}
      {error && (
        <p className="bad-text" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="race" key={run} data-testid="compare-result">
          <RaceBar
            label="CPU (JavaScript)"
            ms={cpuPer * result.steps}
            scale={scale}
            steps={result.cpu.steps}
            totalSteps={result.steps}
            perStep={cpuPer}
            testId="compare-cpu-ms"
            className="cpu"
          />
          <RaceBar
            label="GPU (WebGPU)"
            ms={gpuPer * result.steps}
            scale={scale}
            steps={result.gpu.steps}
            totalSteps={result.steps}
            perStep={gpuPer}
            testId="compare-gpu-ms"
            className="gpu"
          />
          <p className="speedup">
            <strong data-testid="compare-speedup" data-winner={verdict?.winner}>
              {verdict ? verdict.sentence : 'One side could not be timed.'}
            </strong>
            {result.cpu.steps < result.steps
              ? ` (The CPU ran ${result.cpu.steps} of the ${result.steps} steps before its time ran out; its time per step is used.)`
              : ''}{' '}
            Both ended at almost the same loss ({result.cpu.lastLoss.toFixed(4)} on the CPU,{' '}
            {result.gpu.lastLoss.toFixed(4)} on the GPU): the same computation.
          </p>
        </div>
      )}
    </section>
  );
}

function RaceBar({
  label,
  ms,
  scale,
  steps,
  totalSteps,
  perStep,
  testId,
  className,
}: {
  label: string;
  ms: number;
  scale: number;
  steps: number;
  totalSteps: number;
  perStep: number;
  testId: string;
  className: string;
}) {
  return (
    <div className="race-row">
      <span className="race-label">{label}</span>
      <span className="race-track">
        <span className={`race-fill ${className}`} style={{ animationDuration: `${Math.max(50, ms * scale)}ms` }} />
      </span>
      <span className="race-time">
        <span data-testid={testId}>{ms.toFixed(ms < 10 ? 2 : 0)}</span> ms for {totalSteps} steps (
        {perStep.toFixed(perStep < 10 ? 2 : 0)} ms per step{steps < totalSteps ? `, measured over ${steps}` : ''})
      </span>
    </div>
  );
}
