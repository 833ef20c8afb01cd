import { useCallback, useMemo, useState } from 'react';
import { PRESETS, PRESET_NAMES, type PresetName } from '../../engine/presets';
import type { LayerParameterMap } from '../../engine/train/gpuTrainer';
import { useAppState } from '../../state/store';
import { linkedNetwork } from '../../state/modelSlice';
import type { PredictedImage } from '../../worker/dashboardProtocol';
import { pauseTraining, resetTraining, resumeTraining, startTraining } from './trainingController';
import {
  DEFAULT_TRAIN_SUBSET,
  jobFor,
  sourceFromLink,
  sourceFromPreset,
  startingChoices,
  summarise,
  whyNotTrainable,
  type ModelSource,
} from './modelSource';
import { autoTestInterval, midEpochTestImages, stepsPerEpochFor } from './testInterval';
import { LiveMetrics } from './LiveMetrics';
import { EpochChart, LossChart } from './TrainCharts';
import { ConfusionPanel } from './ConfusionPanel';
import { PredictionGrid } from './PredictionGrid';
import { DrawDigit } from './DrawDigit';
import { FiltersPanel } from './FiltersPanel';
import { ModelFilePanel } from './ModelFilePanel';
import { CompareBackends } from './CompareBackends';
import { LayerCostPanel } from './LayerCostPanel';
import { ExportPyTorchButton } from '../builder/PyTorchExport';
import { ResumeAfterLoss } from './ResumeAfterLoss';
import './train.css';
import './dashboard.css';

const clampInt = (v: string, lo: number, hi: number, fallback: number) =>
  Math.max(lo, Math.min(hi, Math.floor(Number(v) || fallback)));

/** The network of a choice: the link's (while there is one), else a preset. */
function sourceFor(id: 'link' | PresetName, fromLink: ModelSource | null): ModelSource {
  return id === 'link' && fromLink ? fromLink : sourceFromPreset(id === 'link' ? 'mlp' : id);
}

/**
 * The training view: pick a network (a builder link or a preset), train it in the Worker, and watch it learn.
 * The link's network comes from the store, where the URL sync put it; this page never decodes links.
 */
export function TrainPage() {
  const config = useAppState((s) => s.config);
  const configLink = useAppState((s) => s.configLink);
  const configLoadError = useAppState((s) => s.configLoadError);
  const link = useMemo(
    () => sourceFromLink(linkedNetwork({ config, configLink, configLoadError })),
    [config, configLink, configLoadError],
  );
  const status = useAppState((s) => s.training.status);
  const gpu = useAppState((s) => s.gpu);
  const worker = useAppState((s) => s.worker);
  const modelVersion = useAppState((s) => s.training.modelVersion);
  const hasModel = useAppState((s) => s.training.info !== null && s.training.info.testImages > 0);
  const [choice, setChoice] = useState<'link' | PresetName>(link.source ? 'link' : 'mlp');
  const source = useMemo(() => sourceFor(choice, link.source), [choice, link]);
  const summary = useMemo(() => summarise(source.config), [source]);
  const blocked = useMemo(() => whyNotTrainable(source), [source]);
  const isToy = source.dataset !== 'mnist';
  // The network's own recipe sets the first run's length: a link's training subset included.
  const [subset, setSubset] = useState(() => startingChoices(source).trainSubset ?? DEFAULT_TRAIN_SUBSET);
  const [epochs, setEpochs] = useState(() => startingChoices(source).epochs);
  /** Test every this many steps; null: chosen from the run's length. */
  const [evalEvery, setEvalEvery] = useState<number | null>(null);
  const [testCount, setTestCount] = useState(10000);
  const [loaded, setLoaded] = useState<LayerParameterMap | null>(null);
  const [chosen, setChosen] = useState<{ pixels: Uint8Array; label: string } | null>(null);

  const choose = (id: 'link' | PresetName) => {
    setChoice(id);
    setLoaded(null);
    const starting = startingChoices(sourceFor(id, link.source));
    setEpochs(starting.epochs);
    if (starting.trainSubset) setSubset(starting.trainSubset);
  };

  const batchSize = source.config.training.batchSize;
  const stepsPerEpoch = stepsPerEpochFor(subset, batchSize);
  const autoEvery = autoTestInterval(stepsPerEpoch, epochs);
  const testEvery = isToy ? 0 : (evalEvery ?? autoEvery);
  const testImages = gpu.kind === 'ready' ? testCount : Math.min(testCount, 1000);
  const midEpochImages = Math.min(testImages, midEpochTestImages(testEvery, stepsPerEpoch, epochs, batchSize));
  // Where training will run: the GPU once the page and the worker both have it, else the CPU reference.
  const onGpu = gpu.kind === 'ready' && !(worker.kind === 'ready' && !worker.gpu);
  const job = () =>
    jobFor(source, {
      epochs,
      trainSubset: subset,
      testSubset: testImages,
      evaluateEverySteps: testEvery,
      evaluateSubset: midEpochImages,
    });
  const start = () => {
    if (blocked === null) void startTraining({ ...job(), initialParameters: loaded ?? undefined });
  };
  const onDrawn = useCallback((pixels: Uint8Array) => setChosen({ pixels, label: 'your digit' }), []);
  const onChoose = useCallback(
    (it: PredictedImage) => setChosen({ pixels: it.pixels, label: `test image #${it.index} (a ${it.label})` }),
    [],
  );

  const busy = status === 'preparing' || status === 'running' || status === 'paused';
  // Once training pauses, ends or weights are loaded: while it runs, test-set predictions would slow it down
  // and the panels would re-render with every epoch.
  const explorable = hasModel && (status === 'finished' || status === 'paused' || status === 'loaded');

  return (
    <div className="stack train-page">
      <section className="card train-head">
        <div className="train-title">
          <h1>Train on MNIST</h1>
          <p className="lede" data-testid="train-lede">
            {gpu.kind === 'checking'
              ? 'Pick a network and press Start; the charts update as the numbers come back.'
              : onGpu
                ? 'Pick a network and press Start. Every step runs as WGSL compute shaders on your GPU, in a background worker.'
                : 'Pick a network and press Start. Without WebGPU every step runs on the CPU reference (plain JavaScript): the same arithmetic, only slower.'}
          </p>
        </div>
        {link.errors.length > 0 && (
          <div className="error-card" role="alert" data-testid="config-error">
            <p>
              {link.source
                ? 'Parts of the link could not be used and were replaced by defaults:'
                : 'The network in the link could not be read, so a preset is shown instead:'}
            </p>
            <ul>
              {link.errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          </div>
        )}
        <div className="train-controls">
          <label>
            Network
            <select
              value={choice}
              onChange={(e) => choose(e.target.value as 'link' | PresetName)}
              disabled={busy}
              data-testid="train-preset"
            >
              {link.source && <option value="link">{link.source.title}</option>}
              {PRESET_NAMES.map((n) => (
                <option key={n} value={n}>
                  {PRESETS[n].title}
                </option>
              ))}
            </select>
          </label>
          {!isToy && (
            <label>
              Training images
              <input
                type="number"
                min={100}
                max={60000}
                step={100}
                value={subset}
                disabled={busy}
                data-testid="train-subset"
                onChange={(e) => setSubset(clampInt(e.target.value, 100, 60000, 100))}
              />
            </label>
          )}
          <label>
            Epochs
            <input
              type="number"
              min={1}
              max={500}
              value={epochs}
              disabled={busy}
              data-testid="train-epochs"
              onChange={(e) => setEpochs(clampInt(e.target.value, 1, 500, 1))}
            />
          </label>
          {!isToy && (
            <label>
              Test images
              <input
                type="number"
                min={100}
                max={10000}
                step={100}
                value={testCount}
                disabled={busy}
                data-testid="train-test-subset"
                onChange={(e) => setTestCount(clampInt(e.target.value, 100, 10000, 100))}
              />
            </label>
          )}
          {!isToy && (
            <label
              title={`Measure test accuracy on ${midEpochImages} test images every this many steps (0 = only after each epoch; empty = chosen from the run's length)`}
            >
              Test every N steps
              <input
                type="number"
                min={0}
                max={10000}
                value={evalEvery ?? ''}
                placeholder={autoEvery > 0 ? `auto: ${autoEvery}` : 'auto: per epoch'}
                disabled={busy}
                data-testid="train-eval-every"
                onChange={(e) =>
                  setEvalEvery(e.target.value.trim() === '' ? null : clampInt(e.target.value, 0, 10000, 0))
                }
              />
            </label>
          )}
          <div className="button-row">
            {!busy && (
              <button
                type="button"
                className="button primary"
                onClick={start}
                disabled={blocked !== null}
                aria-describedby={blocked !== null ? 'train-start-reason' : undefined}
                data-testid="train-start"
              >
                {loaded ? 'Keep training' : 'Start'}
              </button>
            )}
            {status === 'running' && (
              <button type="button" className="button" onClick={() => void pauseTraining()} data-testid="train-pause">
                Pause
              </button>
            )}
            {status === 'paused' && (
              <button
                type="button"
                className="button primary"
                onClick={() => void resumeTraining()}
                data-testid="train-resume"
              >
                Resume
              </button>
            )}
            <button
              type="button"
              className="button"
              onClick={() => {
                setLoaded(null);
                void resetTraining();
              }}
              disabled={status === 'idle'}
              data-testid="train-reset"
            >
              Reset
            </button>
          </div>
        </div>
        {blocked !== null && (
          <p className="train-blocked" id="train-start-reason" data-testid="train-start-reason">
            <strong>This network cannot be trained yet.</strong> {blocked}{' '}
            {source.encoded && (
              <a href={`#/build?c=${source.encoded}`} data-testid="train-fix-link">
                Fix it in the builder
              </a>
            )}
          </p>
        )}
        <div className="model-summary" data-testid="train-model-summary">
          <strong>{source.title}</strong>
          <span className="muted"> · {summary}</span>
          {source.id === 'link' && source.encoded && (
            <>
              {' '}
              ·{' '}
              <a href={`#/build?c=${source.encoded}`} data-testid="train-edit-link">
                Edit this network in the builder
              </a>
            </>
          )}
        </div>
        {status === 'preparing' && <Preparing />}
        <TrainMessage />
        <ResumeAfterLoss />
      </section>

      <LiveMetrics />
      <div className="chart-grid">
        <LossChart />
        <EpochChart testEvery={testEvery} hasTestSet={!isToy} />
      </div>

      <section className="card" aria-labelledby="about-network-title">
        <h2 id="about-network-title">About this network</h2>
        {source.id !== 'link' ? (
          <p className="muted preset-blurb">{PRESETS[source.id].description}</p>
        ) : (
          <p className="muted preset-blurb">{summary}</p>
        )}
        <ExportPyTorchButton
          testId="train-export-pytorch"
          config={{
            ...source.config,
            training: { ...source.config.training, epochs, trainSubset: isToy ? undefined : subset },
          }}
        />
      </section>

      {explorable && !isToy && (
        <>
          <h2 className="section-title">Look inside the trained network</h2>
          <div className="explore-grid">
            <ConfusionPanel />
            <PredictionGrid modelVersion={modelVersion} onChoose={onChoose} />
          </div>
          <DrawDigit modelVersion={modelVersion} onImage={onDrawn} />
          <FiltersPanel modelVersion={modelVersion} image={chosen} />
        </>
      )}
      {!isToy && (
        <div className="explore-grid">
          <ModelFilePanel jobForLoad={job} title={source.title} config={source.config} onLoaded={setLoaded} />
          <CompareBackends />
        </div>
      )}
      {!isToy && <LayerCostPanel />}
    </div>
  );
}

function Preparing() {
  const p = useAppState((s) => s.training.dataProgress);
  return (
    <p data-testid="train-preparing">
      {p
        ? `Loading MNIST… ${Math.round((100 * p.loadedBytes) / Math.max(1, p.totalBytes))}%`
        : 'Preparing the GPU kernels…'}
    </p>
  );
}

function TrainMessage() {
  const message = useAppState((s) => s.training.message);
  return message ? (
    <div className="error-card" role="alert" data-testid="train-message">
      {message}
    </div>
  ) : null;
}
