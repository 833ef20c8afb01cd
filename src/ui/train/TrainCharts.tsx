/**
 * The live charts: training loss per step (raw and smoothed as in TensorBoard), and test
 * accuracy and loss per epoch (with the mid-epoch accuracy on a test subset as a dashed line).
 * Each chart is memoised on its own data and draws at most a few hundred points; the data goes
 * through useDeferredValue, so React renders the charts in interruptible, time-sliced work and
 * never blocks the page for long. An empty chart says why it is empty.
 */
import { memo, useDeferredValue, useId, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useAppState } from '../../state/store';
import type { LossPoint, TrainingStatus } from '../../state/trainingSlice';
import { accuracyAxis } from './chartAxes';
import { MAX_SMOOTHING, smoothCurve } from './smoothing';

/** Points drawn per line at most; the slice keeps more, merged here by averaging neighbours. */
const DRAWN_POINTS = 200;
/** Chart height in pixels: both charts and the read-outs fit a 1280×720 screen together. */
const CHART_HEIGHT = 200;
const fmt = (n: number) => n.toLocaleString('en-US');

/** Averages runs of neighbouring points so at most `max` remain (the last point is kept exactly). */
export function thinSeries<T extends { step: number }>(points: T[], max = DRAWN_POINTS): T[] {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / max);
  const keys = Object.keys(points[0]).filter((k) => k !== 'step') as (keyof T)[];
  const out: T[] = [];
  for (let i = 0; i < points.length; i += size) {
    const run = points.slice(i, i + size);
    const merged = { step: run[run.length - 1].step } as T;
    for (const k of keys) (merged[k] as number) = run.reduce((a, p) => a + (p[k] as number), 0) / run.length;
    out.push(merged);
  }
  return out;
}

interface LossRow extends LossPoint {
  smoothed: number;
}

function lossEmptyReason(status: TrainingStatus): string {
  switch (status) {
    case 'preparing':
      return 'Getting ready: the loss of each step appears here once the first steps have run.';
    case 'running':
      return 'The first steps are running…';
    case 'loaded':
      return 'Saved weights were loaded without training, so there is no training loss to draw. Press Keep training to add some.';
    case 'idle':
      return 'Nothing trained yet. Press Start, and the loss of every training step is drawn here.';
    default:
      return 'No training step finished in this run, so there is no loss to draw.';
  }
}

export const LossChart = memo(function LossChart() {
  const series = useDeferredValue(useAppState((s) => s.training.lossSeries));
  const status = useAppState((s) => s.training.status);
  const [smoothing, setSmoothing] = useState(0.6);
  const sliderId = useId();
  const drawn = useMemo(() => {
    const smoothed = smoothCurve(
      series.map((p) => p.loss),
      smoothing,
    );
    return thinSeries<LossRow>(series.map((p, i) => ({ ...p, smoothed: smoothed[i] })));
  }, [series, smoothing]);
  return (
    <section className="card chart-card" aria-labelledby={`${sliderId}-title`}>
      <div className="chart-head">
        <h2 id={`${sliderId}-title`}>Training loss per step</h2>
        <label className="smoothing" htmlFor={sliderId}>
          Smoothing
          <input
            id={sliderId}
            type="range"
            min={0}
            max={MAX_SMOOTHING}
            step={0.01}
            value={smoothing}
            onChange={(e) => setSmoothing(Number(e.target.value))}
            data-testid="loss-smoothing"
          />
          <output htmlFor={sliderId} className="mono">
            {smoothing.toFixed(2)}
          </output>
        </label>
      </div>
      <div className="chart" data-testid="chart-loss" data-points={series.length}>
        {series.length === 0 && (
          <p className="chart-empty" data-testid="chart-loss-empty">
            {lossEmptyReason(status)}
          </p>
        )}
        <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
          <LineChart data={drawn} margin={{ top: 8, right: 16, bottom: 18, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis
              dataKey="step"
              type="number"
              domain={['dataMin', 'dataMax']}
              allowDecimals={false}
              tick={{ fontSize: 12 }}
              label={{ value: 'training step', position: 'insideBottom', offset: -12, fontSize: 12 }}
            />
            <YAxis
              tick={{ fontSize: 12 }}
              width={52}
              domain={[0, 'auto']}
              label={{ value: 'loss', angle: -90, position: 'insideLeft', offset: 4, fontSize: 12 }}
            />
            <Tooltip formatter={(v) => Number(v).toFixed(4)} labelFormatter={(s) => `step ${s}`} />
            <Line
              type="monotone"
              dataKey="loss"
              name="raw loss"
              stroke="#1d4ed8"
              strokeOpacity={smoothing > 0 ? 0.25 : 1}
              dot={false}
              isAnimationActive={false}
              strokeWidth={smoothing > 0 ? 1 : 2}
            />
            {smoothing > 0 && (
              <Line
                type="monotone"
                dataKey="smoothed"
                name={`smoothed loss (${smoothing.toFixed(2)})`}
                stroke="#1d4ed8"
                dot={false}
                isAnimationActive={false}
                strokeWidth={2}
              />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
});

interface EpochRow {
  epoch: number;
  accuracy?: number | null;
  testLoss?: number | null;
  subsetAccuracy?: number;
}

function accuracyEmptyReason(status: TrainingStatus, hasTestSet: boolean, testEvery: number): string {
  if (!hasTestSet)
    return 'This data set has no separate test images, so there is no test accuracy: watch the training loss instead.';
  const when = testEvery > 0 ? `every ${fmt(testEvery)} steps and after each epoch` : 'after each epoch';
  if (status === 'preparing' || status === 'running')
    return `The first test comes ${testEvery > 0 ? `after step ${fmt(testEvery)}` : 'at the end of the first epoch'}.`;
  if (status === 'idle')
    return `No tests yet. While it trains, the network is tested on images it never trained on ${when}; each test adds a point here.`;
  return 'The run ended before its first test, so there is no accuracy to draw.';
}

/** The accuracy chart; `testEvery` is the mid-epoch test interval of the run set up on the page (0: none). */
export const EpochChart = memo(function EpochChart({
  testEvery,
  hasTestSet,
}: {
  testEvery: number;
  hasTestSet: boolean;
}) {
  const epochs = useDeferredValue(useAppState((s) => s.training.epochs));
  const checkpoints = useDeferredValue(useAppState((s) => s.training.checkpoints));
  const status = useAppState((s) => s.training.status);
  const stepsPerEpoch = useAppState((s) => s.training.info?.stepsPerEpoch ?? 1);
  const testImages = useAppState((s) => s.training.info?.testImages ?? 0);
  const rows = useMemo(() => {
    const r: EpochRow[] = [
      ...epochs.map((e) => ({
        epoch: e.epoch + 1,
        accuracy: e.testAccuracy === null ? null : e.testAccuracy * 100,
        testLoss: e.testLoss,
      })),
      ...checkpoints.map((c) => ({ epoch: c.step / stepsPerEpoch, subsetAccuracy: c.accuracy * 100 })),
    ];
    return r.sort((a, b) => a.epoch - b.epoch);
  }, [epochs, checkpoints, stepsPerEpoch]);
  const axis = useMemo(() => accuracyAxis(rows.flatMap((r) => [r.accuracy ?? NaN, r.subsetAccuracy ?? NaN])), [rows]);
  const subsetCount = checkpoints.length ? checkpoints[checkpoints.length - 1].count : 0;
  const last = epochs[epochs.length - 1];
  return (
    <section className="card chart-card">
      <div className="chart-head">
        <h2>Test accuracy and loss</h2>
      </div>
      <div
        className="chart"
        data-testid="chart-accuracy"
        data-points={epochs.length}
        data-checkpoints={checkpoints.length}
      >
        {rows.length === 0 && (
          <p className="chart-empty" data-testid="chart-accuracy-empty">
            {accuracyEmptyReason(status, hasTestSet, testEvery)}
          </p>
        )}
        <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
          <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 18, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis
              dataKey="epoch"
              type="number"
              domain={[0, 'dataMax']}
              allowDecimals
              tickFormatter={(v: number) => String(Math.round(v * 100) / 100)}
              tick={{ fontSize: 12 }}
              label={{ value: 'epoch', position: 'insideBottom', offset: -12, fontSize: 12 }}
            />
            <YAxis
              yAxisId="acc"
              tick={{ fontSize: 12 }}
              width={56}
              domain={axis.domain}
              ticks={axis.ticks}
              interval={0}
              allowDataOverflow
              unit="%"
              label={{ value: 'accuracy', angle: -90, position: 'insideLeft', offset: 4, fontSize: 12 }}
            />
            <YAxis
              yAxisId="loss"
              orientation="right"
              tick={{ fontSize: 12 }}
              width={52}
              domain={[0, 'auto']}
              label={{ value: 'test loss', angle: 90, position: 'insideRight', offset: 4, fontSize: 12 }}
            />
            <Tooltip
              formatter={(v, name) =>
                String(name).startsWith('test loss') ? Number(v).toFixed(4) : `${Number(v).toFixed(2)}%`
              }
              labelFormatter={(e) => `epoch ${Number(e).toFixed(2)}`}
            />
            {/* No legend for lines that do not exist yet: the empty chart's sentence says why. */}
            {rows.length > 0 && <Legend verticalAlign="top" wrapperStyle={{ fontSize: 12, paddingBottom: 4 }} />}
            <Line
              yAxisId="acc"
              dataKey="accuracy"
              name={`all ${testImages > 0 ? `${fmt(testImages)} ` : ''}test images (each epoch)`}
              stroke="#0f766e"
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
            {checkpoints.length > 0 && (
              <Line
                yAxisId="acc"
                dataKey="subsetAccuracy"
                name={`${fmt(subsetCount)} test images (during the epoch)`}
                stroke="#0f766e"
                strokeDasharray="4 3"
                strokeOpacity={0.6}
                dot={false}
                isAnimationActive={false}
                connectNulls
              />
            )}
            <Line
              yAxisId="loss"
              dataKey="testLoss"
              name="test loss (right axis)"
              stroke="#a34700"
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      {last && (
        <p className="muted chart-note">
          After epoch {last.epoch + 1}: test accuracy{' '}
          {last.testAccuracy === null ? '—' : `${(last.testAccuracy * 100).toFixed(2)}%`}, test loss{' '}
          {last.testLoss?.toFixed(4) ?? '—'}.
        </p>
      )}
    </section>
  );
});
