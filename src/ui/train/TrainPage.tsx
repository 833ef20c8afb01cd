import { useCallback, useMemo, useState } from 'react';
import { PRESETS, PRESET_NAMES, type PresetName } from '../../engine/presets';
import type { LayerParameterMap } from '../../engine/train/gpuTrainer';
import { useAppState } from '../../state/store';
import type { PageProps } from '../shell/routes';
import type { PredictedImage } from '../../worker/dashboardProtocol';
import { pauseTraining, resetTraining, resumeTraining, startTraining } from './trainingController';
import { jobFor, sourceFromLink, sourceFromPreset, summarise } from './modelSource';
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

/** The training view: pick a network (a builder link or a preset), train it in the Worker, and watch it learn. */
export function TrainPage({ route }: PageProps) {
  const linkText = route.params.get('c');
  const link = useMemo(() => sourceFromLink(linkText), [linkText]);
  const status = useAppState((s) => s.training.status);
  const gpu = useAppState((s) => s.gpu);
  const modelVersion = useAppState((s) => s.training.modelVersion);
  const hasModel = useAppState((s) => s.training.info !== null && s.training.info.testImages > 0);
  const [choice, setChoice] = useState<'link' | PresetName>(link.source ? 'link' : 'mlp');
  const source = useMemo(
    () => (choice === 'link' && link.source ? link.source : sourceFromPreset(choice === 'link' ? 'mlp' : choice)),
    [choice, link],
  );
  const summary = useMemo(() => summarise(source.config), [source]);
  const isToy = source.dataset !== 'mnist';
  const [subset, setSubset] = useState(6000);
  const [epochs, setEpochs] = useState(
    isToy ? source.config.training.epochs : Math.min(source.config.training.epochs, 3),
  );
  const [evalEvery, setEvalEvery] = useState(25);
  const [testCount, setTestCount] = useState(10000);
  const [loaded, setLoaded] = useState<LayerParameterMap | null>(null);
  const [chosen, setChosen] = useState<{ pixels: Uint8Array; label: string } | null>(null);

  const choose = (id: 'link' | PresetName) => {
    setChoice(id);
    setLoaded(null);
    const s = id === 'link' && link.source ? link.source : sourceFromPreset(id === 'link' ? 'mlp' : id);
    const e = s.config.training.epochs;
    setEpochs(s.dataset === 'mnist' ? Math.min(e, 3) : e);
    if (s.config.training.trainSubset) setSubset(s.config.training.trainSubset);
  };

  const job = () =>
    jobFor(source, {
      epochs,
      trainSubset: subset,
      testSubset: gpu.kind === 'ready' ? testCount : Math.min(testCount, 1000),
      evaluateEverySteps: evalEvery,
    });
  const start = () => void startTraining({ ...job(), initialParameters: loaded ?? undefined });
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
      <section className="card">
        <h1>Train on MNIST</h1>
        <p className="lede">
          Pick a network and press Start. Every step runs as WGSL compute shaders in a background worker on your GPU;
          the charts update as the numbers come back.
        </p>
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
            <label title="Measure test accuracy on 500 test images every this many steps (0 = only after each epoch)">
              Test every N steps
              <input
                type="number"
                min={0}
                max={10000}
                value={evalEvery}
                disabled={busy}
                data-testid="train-eval-every"
                onChange={(e) => setEvalEvery(clampInt(e.target.value, 0, 10000, 0))}
              />
            </label>
          )}
          <div className="button-row">
            {!busy && (
              <button type="button" className="button primary" onClick={start} data-testid="train-start">
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
        {source.id !== 'link' && <p className="muted preset-blurb">{PRESETS[source.id].description}</p>}
        <ExportPyTorchButton
          testId="train-export-pytorch"
          config={{
            ...source.config,
            training: { ...source.config.training, epochs, trainSubset: isToy ? undefined : subset },
          }}
        />
        {status === 'preparing' && <Preparing />}
        <TrainMessage />
        <ResumeAfterLoss />
      </section>

      <LiveMetrics />
      <div className="chart-grid">
        <LossChart />
        <EpochChart />
      </div>

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
