/** The live run's chart: training loss per step (left scale) and test accuracy (right scale, 0–100%). */
import { linePath, niceTop, thin } from './lossCurve';

/** The plot area; a strip above it holds the scale labels, so no line runs through them. */
const BOX = { width: 600, height: 104, pad: 8 };
const LABELS = 24;
const DRAWN = 200;

export function LossCurve({
  loss,
  accuracy,
  totalSteps,
}: {
  loss: readonly { step: number; loss: number }[];
  accuracy: readonly { step: number; accuracy: number }[];
  totalSteps: number;
}) {
  const lossPoints = thin(
    loss.map((p) => ({ x: p.step, y: p.loss })),
    DRAWN,
  );
  const top = niceTop(lossPoints.reduce((m, p) => Math.max(m, p.y), 0));
  const lossLine = linePath(lossPoints, BOX, totalSteps, top);
  const accLine = linePath(
    accuracy.map((p) => ({ x: p.step, y: p.accuracy })),
    BOX,
    totalSteps,
    1,
  );
  const last = loss[loss.length - 1];
  const lastAcc = accuracy[accuracy.length - 1];
  const summary = last
    ? `Training loss ${last.loss.toFixed(2)} at step ${last.step}` +
      (lastAcc ? `, test accuracy ${(lastAcc.accuracy * 100).toFixed(0)}%.` : '.')
    : 'No steps yet.';
  const bottom = LABELS + BOX.height - BOX.pad;
  return (
    <figure
      className="home-chart"
      data-testid="home-loss-chart"
      data-points={loss.length}
      data-checkpoints={accuracy.length}
    >
      <svg
        viewBox={`0 0 ${BOX.width} ${BOX.height + 2 * LABELS}`}
        role="img"
        aria-label={`Chart of the training. ${summary}`}
      >
        <line className="home-chart-axis" x1={BOX.pad} y1={bottom} x2={BOX.width - BOX.pad} y2={bottom} />
        <line
          className="home-chart-grid"
          x1={BOX.pad}
          y1={LABELS + BOX.pad}
          x2={BOX.width - BOX.pad}
          y2={LABELS + BOX.pad}
        />
        <text className="home-chart-tick" x={BOX.pad} y={LABELS - 6}>
          loss {top}
        </text>
        <text className="home-chart-tick" x={BOX.width - BOX.pad} y={LABELS - 6} textAnchor="end">
          100%
        </text>
        <text className="home-chart-tick" x={BOX.pad} y={bottom + LABELS - 6}>
          step 0
        </text>
        <text className="home-chart-tick" x={BOX.width - BOX.pad} y={bottom + LABELS - 6} textAnchor="end">
          step {totalSteps || '…'}
        </text>
        <g transform={`translate(0 ${LABELS})`}>
          {accLine.d && <path className="home-chart-accuracy" d={accLine.d} />}
          {lossLine.d && <path className="home-chart-loss" d={lossLine.d} />}
        </g>
      </svg>
      <figcaption>
        <span className="home-key home-key-loss">training loss</span>
        <span className="home-key home-key-accuracy">accuracy on the test digits</span>
      </figcaption>
    </figure>
  );
}
