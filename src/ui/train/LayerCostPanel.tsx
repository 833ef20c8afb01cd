/**
 * What each layer costs: its weights and FLOPs from the plan, and its forward and backward GPU
 * time at the batch size, measured with timestamp queries when the GPU reports them.
 */
import { useState } from 'react';
import { useAppState } from '../../state/store';
import type { LayerCostReport } from '../../engine/train/layerCost';
import { askDashboard } from './dashboardClient';
import { NoGpuHere, useGpuForTraining } from './gpuAvailability';

const fmt = (n: number) => n.toLocaleString('en-US');
const flops = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(2)} G`
    : n >= 1e6
      ? `${(n / 1e6).toFixed(1)} M`
      : n >= 1e3
        ? `${(n / 1e3).toFixed(1)} k`
        : String(n);
const ms = (v: number | null) => (v === null ? '—' : v < 0.1 ? v.toFixed(3) : v.toFixed(2));

export function LayerCostPanel() {
  const status = useAppState((s) => s.training.status);
  const backend = useAppState((s) => s.training.info?.backend);
  const [report, setReport] = useState<LayerCostReport | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const gpuHere = useGpuForTraining();
  const ready = (status === 'finished' || status === 'paused' || status === 'loaded') && backend === 'gpu';
  const go = () => {
    setRunning(true);
    setError(null);
    askDashboard({ op: 'layerCosts' })
      .then(
        (r) => setReport(r.report),
        (e: Error) => setError(e.message),
      )
      .finally(() => setRunning(false));
  };
  const total = report
    ? report.layers.reduce((a, l) => a + (l.forwardMs ?? 0) + (l.backwardMs ?? 0), 0) + (report.lossMs ?? 0)
    : 0;
  return (
    <section className="card" aria-labelledby="cost-title">
      <h2 id="cost-title">What each layer costs</h2>
      <button
        type="button"
        className="button"
        onClick={go}
        disabled={!ready || running || gpuHere === 'never'}
        data-testid="layer-costs-run"
      >
        {running ? 'Measuring…' : 'Measure every layer'}
      </button>
      {gpuHere === 'never' ? (
        <NoGpuHere
          what="Timing each layer on the GPU needs WebGPU"
          instead="Each layer's shape, weights and FLOPs are still shown in the builder."
        />
      ) : (
        !ready && <p className="muted">Available once a run on the GPU is paused or finished.</p>
      )}
      {error && (
        <p className="bad-text" role="alert">
          {error}
        </p>
      )}
      {report && (
        <>
          <p className="muted" data-testid="layer-costs-method">
            {report.method === 'timestamp-query'
              ? `GPU times from timestamp queries, one batch of ${report.batch} images, averaged over 3 runs.`
              : `This GPU does not report timings, so each layer was submitted alone and timed until the GPU finished (this includes submit overhead, so small layers look slower than they are). One batch of ${report.batch} images.`}
          </p>
          <div className="table-scroll">
            <table className="cost-table" data-testid="layer-costs">
              <thead>
                <tr>
                  <th>Layer</th>
                  <th>Weights</th>
                  <th>Forward FLOPs</th>
                  <th>Forward ms</th>
                  <th>Backward ms</th>
                  <th>Share</th>
                </tr>
              </thead>
              <tbody>
                {report.layers.map((l) => {
                  const t = (l.forwardMs ?? 0) + (l.backwardMs ?? 0);
                  return (
                    <tr key={l.index}>
                      <td>
                        {l.index + 1}. {l.kind}
                        {l.note ? <span className="muted"> · {l.note}</span> : null}
                      </td>
                      <td>{fmt(l.params)}</td>
                      <td>{flops(l.forwardFlops)}</td>
                      <td>{ms(l.forwardMs)}</td>
                      <td>{ms(l.backwardMs)}</td>
                      <td>
                        <span className="share-bar" style={{ width: `${total > 0 ? (100 * t) / total : 0}%` }} />
                      </td>
                    </tr>
                  );
                })}
                <tr>
                  <td>Loss (softmax + cross-entropy)</td>
                  <td>—</td>
                  <td>—</td>
                  <td colSpan={2}>{ms(report.lossMs)}</td>
                  <td />
                </tr>
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
