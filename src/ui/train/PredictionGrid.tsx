/** The first test images with the network's answer, marked right or wrong; click one to look inside. */
import { memo, useEffect, useState } from 'react';
import { askDashboard } from './dashboardClient';
import { DigitImage } from './digitParts';
import type { PredictedImage } from '../../worker/dashboardProtocol';

const COUNT = 24;

export const PredictionGrid = memo(function PredictionGrid({
  modelVersion,
  onChoose,
}: {
  modelVersion: number;
  onChoose: (it: PredictedImage) => void;
}) {
  const [items, setItems] = useState<PredictedImage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    askDashboard({ op: 'testPredictions', limit: COUNT }).then(
      (r) => live && (setItems(r.items), setError(null)),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [modelVersion]);
  const wrong = items?.filter((i) => i.label !== i.predicted).length ?? 0;
  return (
    <section className="card" aria-labelledby="grid-title">
      <h2 id="grid-title">Test images and the network&apos;s answers</h2>
      {error && (
        <p className="bad-text" role="alert">
          {error}
        </p>
      )}
      {items && (
        <p className="muted">
          {COUNT - wrong} of {COUNT} right. Green is right, red is wrong; the number is how sure the network is.
        </p>
      )}
      <ul className="digit-row" data-testid="prediction-grid">
        {items?.map((it) => {
          const ok = it.label === it.predicted;
          return (
            <li key={it.index}>
              <button
                type="button"
                className={`digit-button ${ok ? 'right' : 'wrong'}`}
                onClick={() => onChoose(it)}
                data-testid="prediction-item"
                data-correct={ok}
              >
                <DigitImage pixels={it.pixels} label={`test image ${it.index}, a ${it.label}`} />
                <span>
                  {ok ? '✓' : '✗'} {it.predicted} · {(it.probs[it.predicted] * 100).toFixed(0)}%
                </span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
});
