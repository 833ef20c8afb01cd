/** The live read-outs (plain numbers, test ids `metric-*`) and the run and epoch progress bars. */
import { memo } from 'react';
import { useAppState } from '../../state/store';
import { formatRate } from './readouts';

const seconds = (s: number) => (s >= 90 ? `${Math.round(s / 60)} min` : `${Math.ceil(s)} s`);

export const LiveMetrics = memo(function LiveMetrics() {
  const t = useAppState((s) => s.training);
  const lastLoss = t.lossSeries[t.lossSeries.length - 1];
  const total = t.info?.totalSteps ?? 0;
  const spe = t.info?.stepsPerEpoch ?? 1;
  const epochs = t.info ? Math.round(total / spe) : 0;
  const msPerStep = t.step > 0 ? t.elapsedMs / t.step : 0;
  const running = t.status === 'running';
  const etaSeconds = running && msPerStep > 0 && total > t.step ? ((total - t.step) * msPerStep) / 1000 : null;
  const epochStep = t.step === 0 ? 0 : t.step % spe || spe;
  const epochEta = running && msPerStep > 0 && epochStep < spe ? ((spe - epochStep) * msPerStep) / 1000 : null;
  const accuracy = t.evaluation?.accuracy ?? null;
  return (
    <section className="card metrics" aria-label="Live numbers">
      <Metric
        label="Epoch"
        testId="metric-epoch"
        value={t.info ? String(Math.min(t.epoch + 1, epochs)) : '0'}
        unit={t.info ? ` of ${epochs}` : ''}
      />
      <Metric label="Training loss" testId="metric-train-loss" value={lastLoss ? lastLoss.loss.toFixed(4) : '—'} />
      <Metric
        label="Test accuracy"
        testId="metric-test-accuracy"
        value={accuracy !== null ? (accuracy * 100).toFixed(2) : '—'}
        unit={accuracy !== null ? '%' : ''}
      />
      <Metric label="Test loss" testId="metric-test-loss" value={t.evaluation ? t.evaluation.loss.toFixed(4) : '—'} />
      <Metric label="Images per second" testId="metric-images-per-second" value={formatRate(t.imagesPerSecond)} />
      <Metric
        label="Steps per submit"
        testId="metric-steps-per-submit"
        value={t.stepsPerSubmit ? String(t.stepsPerSubmit) : '—'}
      />
      <div className="metric wide">
        <span className="progress-head">
          <span className="metric-label">This epoch {t.info ? `(step ${epochStep} of ${spe})` : ''}</span>
          <span className="muted">{epochEta !== null ? `About ${seconds(epochEta)} left in this epoch` : ' '}</span>
        </span>
        <progress max={spe} value={epochStep} aria-label="Progress of this epoch" data-testid="epoch-progress" />
      </div>
      <div className="metric wide">
        <span className="progress-head">
          <span className="metric-label">
            Whole run {t.info ? `(step ${t.step} of ${total}, on the ${t.info.backend.toUpperCase()})` : ''}
          </span>
          <span className="muted" data-testid="train-state">
            {t.status === 'finished'
              ? 'Finished.'
              : t.status === 'paused'
                ? 'Paused.'
                : t.status === 'loaded'
                  ? 'Saved weights loaded.'
                  : etaSeconds !== null
                    ? `About ${seconds(etaSeconds)} left`
                    : ' '}
          </span>
        </span>
        <progress max={total || 1} value={t.step} aria-label="Training progress" data-testid="train-progress" />
      </div>
    </section>
  );
});

function Metric({ label, value, unit, testId }: { label: string; value: string; unit?: string; testId: string }) {
  return (
    <div className="metric">
      <span className="metric-label">{label}</span>
      <span className="metric-value">
        <span data-testid={testId}>{value}</span>
        {unit && <span className="metric-unit">{unit}</span>}
      </span>
    </div>
  );
}
