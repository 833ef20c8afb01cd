/**
 * The live charts: training loss per step, and test accuracy and loss per epoch (with the
 * mid-epoch accuracy on a test subset as a dashed line). Each chart is memoised on its own data
 * and draws at most a few hundred points; the data goes through useDeferredValue, so React
 * renders the charts in interruptible, time-sliced work and never blocks the page for long.
 */
import { memo, useDeferredValue, useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useAppState } from '../../state/store';
import type { LossPoint } from '../../state/trainingSlice';

/** Points drawn per line at most; the slice keeps more, merged here by averaging neighbours. */
const DRAWN_POINTS = 200;

/** Averages runs of neighbouring points so at most `max` remain (the last point is kept exactly). */
export function thinSeries(points: LossPoint[], max = DRAWN_POINTS): LossPoint[] {
  if (points.length <= max) return points;
  const size = Math.ceil(points.length / max);
  const out: LossPoint[] = [];
  for (let i = 0; i < points.length; i += size) {
    const run = points.slice(i, i + size);
    out.push({
      step: run[run.length - 1].step,
      loss: run.reduce((a, p) => a + p.loss, 0) / run.length,
      accuracy: run.reduce((a, p) => a + p.accuracy, 0) / run.length,
    });
  }
  return out;
}

export const LossChart = memo(function LossChart() {
  const series = useDeferredValue(useAppState((s) => s.training.lossSeries));
  const drawn = useMemo(() => thinSeries(series), [series]);
  return (
    <section className="card">
      <h2>Training loss per step</h2>
      <div className="chart" data-testid="chart-loss" data-points={series.length}>
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={drawn} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis dataKey="step" type="number" domain={['dataMin', 'dataMax']} tick={{ fontSize: 12 }} />
            <YAxis tick={{ fontSize: 12 }} width={48} domain={[0, 'auto']} />
            <Tooltip formatter={(v) => Number(v).toFixed(4)} labelFormatter={(s) => `step ${s}`} />
            <Line
              type="monotone"
              dataKey="loss"
              name="training loss"
              stroke="#1d4ed8"
              dot={false}
              isAnimationActive={false}
              strokeWidth={2}
            />
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

export const EpochChart = memo(function EpochChart() {
  const epochs = useDeferredValue(useAppState((s) => s.training.epochs));
  const checkpoints = useDeferredValue(useAppState((s) => s.training.checkpoints));
  const stepsPerEpoch = useAppState((s) => s.training.info?.stepsPerEpoch ?? 1);
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
  const last = epochs[epochs.length - 1];
  return (
    <section className="card">
      <h2>Test accuracy and loss per epoch</h2>
      <div
        className="chart"
        data-testid="chart-accuracy"
        data-points={epochs.length}
        data-checkpoints={checkpoints.length}
      >
        <ResponsiveContainer width="100%" height={260}>
          <LineChart data={rows} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e5e7eb" />
            <XAxis
              dataKey="epoch"
              type="number"
              domain={[0, 'dataMax']}
              allowDecimals
              tickFormatter={(v: number) => String(Math.round(v * 10) / 10)}
              tick={{ fontSize: 12 }}
            />
            <YAxis yAxisId="acc" tick={{ fontSize: 12 }} width={44} domain={['auto', 100]} unit="%" />
            <YAxis yAxisId="loss" orientation="right" tick={{ fontSize: 12 }} width={40} domain={[0, 'auto']} />
            <Tooltip
              formatter={(v, name) => (name === 'test loss' ? Number(v).toFixed(4) : `${Number(v).toFixed(2)}%`)}
              labelFormatter={(e) => `epoch ${Number(e).toFixed(2)}`}
            />
            <Legend wrapperStyle={{ fontSize: 12 }} />
            <Line
              yAxisId="acc"
              dataKey="accuracy"
              name="test accuracy"
              stroke="#0f766e"
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
            <Line
              yAxisId="acc"
              dataKey="subsetAccuracy"
              name="accuracy on 500 test images"
              stroke="#0f766e"
              strokeDasharray="4 3"
              strokeOpacity={0.6}
              dot={false}
              isAnimationActive={false}
              connectNulls
            />
            <Line
              yAxisId="loss"
              dataKey="testLoss"
              name="test loss"
              stroke="#a34700"
              strokeWidth={2}
              isAnimationActive={false}
              connectNulls
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      {last && (
        <p className="muted">
          After epoch {last.epoch + 1}: test accuracy{' '}
          {last.testAccuracy === null ? '—' : `${(last.testAccuracy * 100).toFixed(2)}%`}, test loss{' '}
          {last.testLoss?.toFixed(4) ?? '—'}.
        </p>
      )}
    </section>
  );
});
