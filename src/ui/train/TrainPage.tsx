import { useMemo, useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { PRESETS, PRESET_NAMES, type PresetName } from '../../engine/presets';
import { useAppState } from '../../state/store';
import { pauseTraining, resetTraining, resumeTraining, startTraining } from './trainingController';
import type { DatasetName } from '../../worker/protocol';
import './train.css';

const percent = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(2)}%`);

/** The training view: pick a network, train it in the Worker, and watch loss and accuracy live. */
export function TrainPage() {
  const t = useAppState((s) => s.training);
  const gpu = useAppState((s) => s.gpu);
  const [presetName, setPresetName] = useState<PresetName>('mlp');
  const preset = PRESETS[presetName];
  const isToy = preset.dataset !== 'mnist';
  const [subset, setSubset] = useState(isToy ? 4 : 6000);
  const [epochs, setEpochs] = useState(preset.training.epochs);

  const choosePreset = (name: PresetName) => {
    setPresetName(name);
    const p = PRESETS[name];
    setEpochs(p.dataset === 'mnist' ? Math.min(p.training.epochs, 3) : p.training.epochs);
    setSubset(p.dataset === 'mnist' ? 6000 : 4);
  };

  const start = () => {
    const dataset: DatasetName = isToy ? (preset.dataset as DatasetName) : 'mnist';
    void startTraining({
      config: { ...preset.training, model: preset.model, epochs },
      dataset,
      trainSubset: isToy ? undefined : subset,
      testSubset: gpu.kind === 'ready' ? undefined : 1000,
      backend: 'auto',
    });
  };

  const busy = t.status === 'preparing' || t.status === 'running' || t.status === 'paused';
  const lastEpoch = t.epochs[t.epochs.length - 1];
  const lastLoss = t.lossSeries[t.lossSeries.length - 1];
  const total = t.info?.totalSteps ?? 0;
  const etaSeconds = t.step > 0 && total > t.step ? ((total - t.step) * t.elapsedMs) / t.step / 1000 : null;
  const epochData = useMemo(
    () => t.epochs.map((e) => ({ epoch: e.epoch + 1, accuracy: e.testAccuracy === null ? null : e.testAccuracy * 100, testLoss: e.testLoss, trainLoss: e.trainLoss })),
    [t.epochs],
  );

  return (
    <div className="stack train-page">
      <section className="card">
        <h1>Train on MNIST</h1>
        <p className="lede">
          Pick a network and press Start. Every step runs as WGSL compute shaders in a background worker on your GPU; the
          charts update as the numbers come back.
        </p>
        <div className="train-controls">
          <label>
            Network
            <select value={presetName} onChange={(e) => choosePreset(e.target.value as PresetName)} disabled={busy} data-testid="train-preset">
              {PRESET_NAMES.map((n) => (
                <option key={n} value={n}>{PRESETS[n].title}</option>
              ))}
            </select>
          </label>
          {!isToy && (
            <label>
              Training images
              <input type="number" min={100} max={60000} step={100} value={subset} disabled={busy} data-testid="train-subset"
                onChange={(e) => setSubset(Math.max(100, Math.min(60000, Math.floor(Number(e.target.value) || 100))))} />
            </label>
          )}
          <label>
            Epochs
            <input type="number" min={1} max={500} value={epochs} disabled={busy} data-testid="train-epochs"
              onChange={(e) => setEpochs(Math.max(1, Math.min(500, Math.floor(Number(e.target.value) || 1))))} />
          </label>
          <div className="button-row">
            {!busy && <button type="button" className="button primary" onClick={start} data-testid="train-start">Start</button>}
            {t.status === 'running' && <button type="button" className="button" onClick={() => void pauseTraining()} data-testid="train-pause">Pause</button>}
            {t.status === 'paused' && <button type="button" className="button primary" onClick={() => void resumeTraining()} data-testid="train-resume">Resume</button>}
            <button type="button" className="button" onClick={() => void resetTraining()} disabled={t.status === 'idle'} data-testid="train-reset">Reset</button>
          </div>
        </div>
        <p className="muted preset-blurb">{preset.description}</p>
        {t.status === 'preparing' && (
          <p data-testid="train-preparing">
            {t.dataProgress ? `Loading MNIST… ${Math.round((100 * t.dataProgress.loadedBytes) / Math.max(1, t.dataProgress.totalBytes))}%` : 'Preparing the GPU kernels…'}
          </p>
        )}
        {t.message && <div className="error-card" role="alert" data-testid="train-message">{t.message}</div>}
      </section>

      <section className="card metrics" aria-label="Live numbers">
        <Metric label="Epoch" testId="metric-epoch" value={t.info ? String(Math.min(t.epoch + 1, t.info.totalSteps / t.info.stepsPerEpoch)) : '0'} />
        <Metric label="Training loss" testId="metric-train-loss" value={lastLoss ? lastLoss.loss.toFixed(4) : '—'} />
        <Metric label="Test accuracy" testId="metric-test-accuracy" value={lastEpoch?.testAccuracy != null ? (lastEpoch.testAccuracy * 100).toFixed(2) : '—'} unit={lastEpoch?.testAccuracy != null ? '%' : ''} />
        <Metric label="Images per second" testId="metric-images-per-second" value={t.imagesPerSecond ? Math.round(t.imagesPerSecond).toLocaleString('en-US') : '—'} />
        <Metric label="Steps per submit" testId="metric-steps-per-submit" value={t.stepsPerSubmit ? String(t.stepsPerSubmit) : '—'} />
        <div className="metric wide">
          <span className="metric-label">Progress {t.info ? `(step ${t.step} of ${total}, on the ${t.info.backend.toUpperCase()})` : ''}</span>
          <progress max={total || 1} value={t.step} aria-label="Training progress" data-testid="train-progress" />
          <span className="muted">{t.status === 'finished' ? 'Finished.' : etaSeconds !== null ? `About ${Math.ceil(etaSeconds)} s left` : ' '}</span>
        </div>
      </section>

      <div className="chart-grid">
        <section className="card">
          <h2>Training loss per step</h2>
          <div className="chart" data-testid="chart-loss" data-points={t.lossSeries.length}>
            <ResponsiveContainer width="100%" height={260}>
              <LineChart data={t.lossSeries} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 12 }} />
                <YAxis tick={{ fontSize: 12 }} width={48} domain={[0, 'auto']} />
                <Tooltip formatter={(v) => Number(v).toFixed(4)} labelFormatter={(s) => `step ${s}`} />
                <Line type="monotone" dataKey="loss" stroke="#1d4ed8" dot={false} isAnimationActive={false} strokeWidth={2} />
              </LineChart>
            </ResponsiveContainer>
          </div>
        </section>
        <section className="card">
          <h2>Test accuracy per epoch</h2>
          <div className="chart" data-testid="chart-accuracy" data-points={epochData.length}>
            <ResponsiveContainer width="100%" height={260}>
              <LineChart data={epochData} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
                <XAxis dataKey="epoch" type="number" domain={[1, 'dataMax']} allowDecimals={false} tick={{ fontSize: 12 }} />
                <YAxis tick={{ fontSize: 12 }} width={48} domain={['auto', 100]} unit="%" />
                <Tooltip formatter={(v) => `${Number(v).toFixed(2)}%`} labelFormatter={(e) => `epoch ${e}`} />
                <Line type="monotone" dataKey="accuracy" stroke="#0f766e" strokeWidth={2} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          </div>
          {lastEpoch && <p className="muted">Last epoch: test accuracy {percent(lastEpoch.testAccuracy)}, test loss {lastEpoch.testLoss?.toFixed(4) ?? '—'}.</p>}
        </section>
      </div>
    </div>
  );
}

function Metric({ label, value, unit, testId }: { label: string; value: string; unit?: string; testId: string }) {
  return (
    <div className="metric">
      <span className="metric-label">{label}</span>
      <span className="metric-value"><span data-testid={testId}>{value}</span>{unit}</span>
    </div>
  );
}
