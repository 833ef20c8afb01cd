/**
 * The confusion matrix of the latest test evaluation: row = true digit, column = predicted digit.
 * Clicking a cell asks the worker for those test images (with the network's probabilities), so a
 * student sees which 4s were taken for 9s and how sure the network was.
 */
import { memo, useState } from 'react';
import { useAppState } from '../../state/store';
import { askDashboard } from './dashboardClient';
import { DigitImage, ProbabilityBars } from './digitParts';
import type { PredictedImage } from '../../worker/dashboardProtocol';

const SHOWN = 24;

export const ConfusionPanel = memo(function ConfusionPanel() {
  const confusion = useAppState((s) => s.training.confusion);
  const modelVersion = useAppState((s) => s.training.modelVersion);
  const [cell, setCell] = useState<{ label: number; predicted: number; version: number } | null>(null);
  const [result, setResult] = useState<{ total: number; items: PredictedImage[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<PredictedImage | null>(null);
  if (!confusion) return null;
  const classes = Math.round(Math.sqrt(confusion.length));
  const max = Math.max(1, ...confusion.filter((_, i) => i % (classes + 1) !== 0));
  const rowTotals = Array.from({ length: classes }, (_, l) =>
    confusion.slice(l * classes, (l + 1) * classes).reduce((a, b) => a + b, 0),
  );

  const open = (label: number, predicted: number) => {
    setCell({ label, predicted, version: modelVersion });
    setResult(null);
    setSelected(null);
    setError(null);
    askDashboard({ op: 'testPredictions', limit: SHOWN, cell: { label, predicted } }).then(
      (r) => setResult({ total: r.total, items: r.items }),
      (e: Error) => setError(e.message),
    );
  };

  return (
    <section className="card" aria-labelledby="confusion-title">
      <h2 id="confusion-title">Confusion matrix</h2>
      <p className="muted">
        Rows are the true digit, columns the network&apos;s answer. The diagonal is right; every other cell is a
        mistake. Click a cell to see those test images.
      </p>
      <div className="confusion-wrap">
        <table className="confusion" data-testid="confusion-matrix">
          <thead>
            <tr>
              <th scope="col" aria-label="true digit / predicted digit">
                true ↓ / said →
              </th>
              {Array.from({ length: classes }, (_, p) => (
                <th key={p} scope="col">
                  {p}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: classes }, (_, l) => (
              <tr key={l}>
                <th scope="row">{l}</th>
                {Array.from({ length: classes }, (_, p) => {
                  const n = confusion[l * classes + p];
                  const diag = l === p;
                  const share = diag ? n / Math.max(1, rowTotals[l]) : n / max;
                  const style = diag
                    ? {
                        background: `rgba(15, 118, 110, ${0.15 + 0.6 * share})`,
                        color: share > 0.6 ? '#fff' : undefined,
                      }
                    : n > 0
                      ? {
                          background: `rgba(185, 28, 28, ${0.1 + 0.7 * share})`,
                          color: share > 0.6 ? '#fff' : undefined,
                        }
                      : undefined;
                  const active = cell?.label === l && cell.predicted === p;
                  return (
                    <td key={p} style={style} className={active ? 'active' : undefined}>
                      <button
                        type="button"
                        data-testid={`confusion-cell-${l}-${p}`}
                        onClick={() => open(l, p)}
                        disabled={n === 0}
                        aria-label={`${n} test images of ${l} classified as ${p}`}
                      >
                        {n}
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {cell && (
        <div className="cell-detail" data-testid="confusion-detail">
          <h3>
            True {cell.label}, predicted {cell.predicted}
            {result
              ? `: ${result.total.toLocaleString('en-US')} image${result.total === 1 ? '' : 's'}${result.total > SHOWN ? ` (first ${SHOWN} shown)` : ''}`
              : ''}
          </h3>
          {cell.version !== modelVersion && (
            <p className="muted">The network has trained since; click the cell again for its current answers.</p>
          )}
          {error && (
            <p className="bad-text" role="alert">
              {error}
            </p>
          )}
          {!result && !error && <p className="muted">Asking the network…</p>}
          {result && (
            <ul className="digit-row" data-testid="confusion-images">
              {result.items.map((it) => (
                <li key={it.index}>
                  <button
                    type="button"
                    className={`digit-button${selected?.index === it.index ? ' chosen' : ''}`}
                    onClick={() => setSelected(it)}
                    data-testid="confusion-image"
                  >
                    <DigitImage pixels={it.pixels} label={`test image ${it.index}, a ${it.label}`} />
                    <span>
                      {(it.probs[it.predicted] * 100).toFixed(0)}% {it.predicted}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          {selected && (
            <div className="chosen-detail">
              <DigitImage
                pixels={selected.pixels}
                label={`test image ${selected.index}`}
                className="digit-image large"
              />
              <div>
                <p>
                  Test image #{selected.index}: a {selected.label}, the network said {selected.predicted}.
                </p>
                <ProbabilityBars probs={selected.probs} />
              </div>
            </div>
          )}
        </div>
      )}
    </section>
  );
});
