import { useEffect, useState } from 'react';
import { useAppState } from '../../state/store';
import { loadTestSet } from '../data/mnistCache';
import { DigitImage } from '../train/digitParts';
import type { MnistSet } from '../../data/mnist';

/** Shows the MNIST test set as loaded by the real loader: progress, counts, class balance, samples. */
export function DataPage() {
  const load = useAppState((s) => s.testSet);
  const [set, setSet] = useState<MnistSet | null>(null);

  useEffect(() => {
    loadTestSet().then(setSet, () => {});
  }, []);

  return (
    <div className="stack">
      <section className="card">
        <h1>The MNIST dataset</h1>
        <p className="lede">
          MNIST is 70,000 photos of handwritten digits, 28×28 grey pixels each: 60,000 to train on and 10,000 kept apart
          to test on. The files are served by this site itself, so nothing is downloaded from anywhere else.
        </p>
        {load.kind === 'loading' && (
          <div className="progress-block">
            <label htmlFor="data-progress">Loading the test set…</label>
            <progress
              id="data-progress"
              data-testid="data-progress"
              max={load.totalBytes || 1}
              value={load.loadedBytes}
            />
          </div>
        )}
        {load.kind === 'failed' && (
          <div className="error-card" role="alert" data-testid="data-error">
            <p>{load.message}</p>
            <button type="button" className="button" onClick={() => loadTestSet().then(setSet, () => {})}>
              Try again
            </button>
          </div>
        )}
        {load.kind === 'loaded' && (
          <dl className="facts">
            <div>
              <dt>Test images</dt>
              <dd data-testid="data-count">{load.summary.count.toLocaleString('en-US')}</dd>
            </div>
            <div>
              <dt>Image size</dt>
              <dd data-testid="data-size">
                {load.summary.rows}×{load.summary.cols}
              </dd>
            </div>
            <div>
              <dt>Labels</dt>
              <dd data-testid="data-labels">{labelRange(load.summary.labelCounts)}</dd>
            </div>
          </dl>
        )}
      </section>
      {load.kind === 'loaded' && (
        <section className="card">
          <h2>How many of each digit</h2>
          <ClassBalance counts={load.summary.labelCounts} />
        </section>
      )}
      {set && (
        <section className="card">
          <h2>The first 48 test images</h2>
          <DigitGrid set={set} count={48} />
        </section>
      )}
    </div>
  );
}

function labelRange(counts: number[]): string {
  const present = counts.map((c, i) => (c > 0 ? i : -1)).filter((i) => i >= 0);
  return present.length ? `${present[0]}–${present[present.length - 1]}` : 'none';
}

function ClassBalance({ counts }: { counts: number[] }) {
  const max = Math.max(...counts, 1);
  return (
    <ol className="bars" aria-label="Images per digit">
      {counts.map((c, digit) => (
        <li key={digit}>
          <span className="bar-label">{digit}</span>
          <span className="bar-track">
            <span className="bar-fill" style={{ width: `${(100 * c) / max}%` }} />
          </span>
          <span className="bar-value">{c.toLocaleString('en-US')}</span>
        </li>
      ))}
    </ol>
  );
}

function DigitGrid({ set, count }: { set: MnistSet; count: number }) {
  return (
    <ul className="digit-grid">
      {Array.from({ length: Math.min(count, set.count) }, (_, i) => (
        <li key={i}>
          <DigitCanvas pixels={set.images.subarray(i * 784, (i + 1) * 784)} label={set.labels[i]} />
        </li>
      ))}
    </ul>
  );
}

/** One 28×28 digit with its label underneath. */
function DigitCanvas({ pixels, label }: { pixels: Uint8Array; label: number }) {
  return (
    <figure className="digit">
      {/* Sized by `.digit canvas` (styles.css), not by the dashboard's .digit-image. */}
      <DigitImage pixels={pixels} label={`handwritten ${label}`} className="" />
      <figcaption>{label}</figcaption>
    </figure>
  );
}
