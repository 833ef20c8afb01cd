/**
 * The home page's live run: a small network trains on the starter slice right here, with its loss
 * curve, ten test digits and the network's answers, a line saying what it runs on, and one link to
 * the same network in the training view. The full MNIST set downloads in the background meanwhile.
 */
import { useEffect, useRef, useState } from 'react';
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { appStore } from '../../state/store';
import { mnistBaseUrl } from '../data/mnistCache';
import { DigitImage } from '../train/digitParts';
import { createHomeTrainer, initialHomeRunState, PREDICTION_COUNT, type HomeTrainer } from './homeTrainer';
import { describeRun, STARTER_SLICE, trainViewHash } from './runPlan';
import { LossCurve } from './LossCurve';
import { downloadFullSet, megabytesText, type DownloadProgress } from './fullSetDownload';
import { usePageVisible } from './usePageVisible';

const idleStore = createStore(initialHomeRunState);

/** True while the training view's own run is busy: the home run then waits for a click. */
function trainViewIsBusy(): boolean {
  const s = appStore.getState().training.status;
  return s === 'preparing' || s === 'running';
}

type Download =
  | { kind: 'waiting' }
  | { kind: 'loading'; progress: DownloadProgress }
  | { kind: 'done'; progress: DownloadProgress }
  | { kind: 'failed'; message: string };

function FullSetDownload({ state }: { state: Download }) {
  if (state.kind === 'waiting') return null;
  if (state.kind === 'failed')
    return (
      <p className="muted home-download" data-testid="home-full-download" data-state="failed">
        The full MNIST set did not download ({state.message}); the training view will try again.
      </p>
    );
  const p = state.progress;
  return (
    <div className="home-download" data-testid="home-full-download" data-state={state.kind}>
      <label htmlFor="home-download-bar">
        {state.kind === 'done'
          ? `The full MNIST set (70,000 digits, ${megabytesText(p).split(' of ')[1]}) is downloaded for the training view.`
          : `Downloading the full MNIST set for the training view: ${megabytesText(p)}`}
      </label>
      <progress id="home-download-bar" max={p.totalBytes || 1} value={p.loadedBytes} />
    </div>
  );
}

export function LiveTraining({ autoplay }: { autoplay: boolean }) {
  const [trainer, setTrainer] = useState<HomeTrainer | null>(null);
  const [waitsForTrainView] = useState(trainViewIsBusy);
  const state = useStore(trainer?.store ?? idleStore);
  const visible = usePageVisible();
  const pausedWhileHidden = useRef(false);
  const [download, setDownload] = useState<Download>({ kind: 'waiting' });

  useEffect(() => {
    const t = createHomeTrainer({ dataBaseUrl: `${mnistBaseUrl()}starter/` });
    setTrainer(t);
    if (autoplay && !trainViewIsBusy()) void t.start();
    return () => t.dispose();
  }, [autoplay]);

  // A hidden tab pauses the run (also one that starts while hidden); showing it again carries on.
  const runPhase = state.phase;
  useEffect(() => {
    if (!trainer) return;
    if (!visible && runPhase === 'running') {
      pausedWhileHidden.current = true;
      void trainer.pause();
    } else if (visible && pausedWhileHidden.current) {
      pausedWhileHidden.current = false;
      void trainer.resume();
    }
  }, [visible, trainer, runPhase]);

  // The full set only starts downloading once the first steps are on screen, and keeps going after a restart.
  const hasMoved = state.loss.length > 0 || state.phase === 'finished' || state.phase === 'failed';
  const [wantsDownload, setWantsDownload] = useState(false);
  if (hasMoved && !wantsDownload) setWantsDownload(true);
  useEffect(() => {
    if (!wantsDownload) return;
    const abort = new AbortController();
    downloadFullSet({
      baseUrl: mnistBaseUrl(),
      signal: abort.signal,
      onProgress: (progress) => setDownload({ kind: 'loading', progress }),
    }).then(
      (progress) => setDownload({ kind: 'done', progress }),
      (e: Error) => !abort.signal.aborted && setDownload({ kind: 'failed', message: e.message }),
    );
    return () => abort.abort();
  }, [wantsDownload]);

  const { phase, plan } = state;
  const lastLoss = state.loss[state.loss.length - 1];
  const lastAcc = state.accuracy[state.accuracy.length - 1];
  const toggle = () => {
    if (!trainer) return;
    pausedWhileHidden.current = false;
    if (phase === 'running') void trainer.pause();
    else if (phase === 'paused') void trainer.resume();
    else if (phase !== 'starting') void trainer.start();
  };
  const toggleText =
    phase === 'running'
      ? 'Pause'
      : phase === 'paused'
        ? 'Resume'
        : phase === 'starting'
          ? 'Starting…'
          : phase === 'idle'
            ? 'Train it now'
            : 'Train again';

  let status: string;
  let detail: string | null = null;
  if (phase === 'idle')
    status = waitsForTrainView
      ? 'Your run in the training view is still going, so this one waits: press “Train it now” to run both.'
      : 'Press “Train it now” to watch a small network learn to read handwritten digits, here in this tab.';
  else if (phase === 'starting' && !plan) status = 'Looking for a GPU…';
  else if (phase === 'failed') status = state.message ?? 'The live run stopped.';
  else if (plan) {
    ({ headline: status, detail } = describeRun(plan, state.adapterName));
    if (phase === 'starting')
      status = `Loading ${STARTER_SLICE.train.toLocaleString('en-US')} digits (0.4 MB)${plan.backend === 'gpu' ? ' and building the shaders' : ''}…`;
  } else status = '';

  return (
    <section className="card home-train" aria-labelledby="home-train-title" data-testid="home-live">
      <h2 id="home-train-title">A network learning to read digits</h2>
      <div className="home-run-status" data-testid="home-run-status" data-phase={phase} data-hardware={plan?.hardware}>
        <p className="home-run-headline">{status}</p>
        {detail && <p className="home-run-detail">{detail}</p>}
      </div>
      <LossCurve loss={state.loss} accuracy={state.accuracy} totalSteps={plan?.totalSteps ?? 0} />
      <p className="home-run-numbers" data-testid="home-run-step" data-step={state.step}>
        {plan ? `Step ${state.step} of ${plan.totalSteps}` : 'Step 0'}
        {lastLoss ? ` · loss ${lastLoss.loss.toFixed(3)}` : ''}
        {lastAcc ? ` · ${(lastAcc.accuracy * 100).toFixed(0)}% of ${plan?.testImages ?? 0} test digits right` : ''}
        {phase === 'paused' ? ' · paused' : ''}
      </p>
      <ul
        className="home-digits"
        data-testid="home-predictions"
        data-step={state.predictionsStep}
        aria-label="Test digits and the network's answers"
      >
        {Array.from({ length: PREDICTION_COUNT }, (_, i) => {
          const it = state.predictions?.[i];
          if (!it) return <li key={i} className="home-digit is-empty" aria-hidden="true" />;
          const ok = it.label === it.predicted;
          return (
            <li
              key={i}
              className={`home-digit ${ok ? 'right' : 'wrong'}`}
              data-testid="home-prediction"
              data-correct={ok}
            >
              <DigitImage
                pixels={it.pixels}
                label={`A handwritten ${it.label}; the network answers ${it.predicted}, ${ok ? 'right' : 'wrong'}`}
                className="home-digit-image"
              />
              <span aria-hidden="true">
                {ok ? '✓' : '✗'} {it.predicted}
              </span>
            </li>
          );
        })}
      </ul>
      <div className="home-actions">
        <button
          type="button"
          className="button"
          data-testid="home-run-toggle"
          onClick={toggle}
          disabled={!trainer || phase === 'starting'}
        >
          {toggleText}
        </button>
        <a className="button primary" href={trainViewHash(plan)} data-testid="home-open-train">
          Open in the training view
        </a>
      </div>
      <FullSetDownload state={download} />
    </section>
  );
}
