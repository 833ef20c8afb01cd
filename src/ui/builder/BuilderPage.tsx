import { useEffect, useMemo } from 'react';
import { estimateTrainingMemory, inferModel } from '../../engine/shapes';
import type { ConfigLoadError } from '../../state/modelSlice';
import { appStore, useAppState } from '../../state/store';
import type { PageProps } from '../shell/routes';
import { controlAccess } from './classroom';
import { ClassroomPanel } from './ClassroomPanel';
import { formatBytes, formatCompact, formatInt, shapeText } from './format';
import { LayerList } from './LayerList';
import { LayerPalette } from './LayerPalette';
import { NetworkDiagram } from './NetworkDiagram';
import { PresetPicker } from './PresetPicker';
import { ShareTools } from './ShareTools';
import { TrainingPanel } from './TrainingPanel';
import './builder.css';

/** Bytes of the toy AND set (4 examples of 2 floats and a label): small enough to count as 0. */
const TOY_DATASET_BYTES = 4 * 3 * 4;

function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && ['text', 'search', 'url', 'email'].includes(target.type);
}

/** `#/build?c=…`: assemble a network from layers, see its shapes and costs, and share it. */
export function BuilderPage(_props: PageProps) {
  const config = useAppState((s) => s.config);
  const loadError = useAppState((s) => s.configLoadError);
  const canUndo = useAppState((s) => s.configHistory.past.length > 0);
  const canRedo = useAppState((s) => s.configHistory.future.length > 0);
  const { model, training } = config;
  const analysis = useMemo(() => inferModel(model), [model]);
  const isToy = model.input.length === 1;
  const memory = useMemo(
    () => estimateTrainingMemory(model, training.batchSize, training.optimizer, isToy ? TOY_DATASET_BYTES : undefined),
    [model, training.batchSize, training.optimizer, isToy],
  );
  const access = controlAccess(config.classroom);
  const layersLocked = access.locked('layers');

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || isTextField(e.target)) return;
      const key = e.key.toLowerCase();
      const s = appStore.getState();
      if (key === 'z' && !e.shiftKey) s.undoConfig();
      else if ((key === 'z' && e.shiftKey) || key === 'y') s.redoConfig();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // A link can open on a section (view.focus); only on arrival, not on every edit.
  const focus = config.view?.focus;
  useEffect(() => {
    if (focus) document.getElementById(`bf-section-${focus}`)?.scrollIntoView({ block: 'start' });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const hiddenCount = config.classroom?.hide?.length ?? 0;
  const lockedCount = (config.classroom?.lock?.length ?? 0) + (config.classroom?.lockSeed ? 1 : 0);

  return (
    <div className="stack builder-page">
      <section className="card bf-header">
        <h1>Build a network</h1>
        <p className="lede">
          Stack layers from the input image to the ten digit scores. Every change updates the shapes, the number of
          weights and the cost below, so you can see what each layer does before you train.
        </p>
        <div className="bf-toolbar">
          <div className="bf-undo" role="group" aria-label="History">
            <button
              type="button"
              className="button"
              data-testid="undo"
              disabled={!canUndo}
              onClick={() => appStore.getState().undoConfig()}
              title="Undo (Ctrl+Z)"
              aria-keyshortcuts="Control+Z"
            >
              ↶ Undo
            </button>
            <button
              type="button"
              className="button"
              data-testid="redo"
              disabled={!canRedo}
              onClick={() => appStore.getState().redoConfig()}
              title="Redo (Ctrl+Shift+Z)"
              aria-keyshortcuts="Control+Shift+Z"
            >
              ↷ Redo
            </button>
          </div>
          <ShareTools config={config} access={access} />
        </div>
        {(hiddenCount > 0 || lockedCount > 0) && (
          <p className="bf-small bf-notice" data-testid="classroom-notice">
            This link comes from your teacher:{' '}
            {hiddenCount > 0 && `${hiddenCount} control${hiddenCount === 1 ? ' is' : 's are'} hidden`}
            {hiddenCount > 0 && lockedCount > 0 && ' and '}
            {lockedCount > 0 && `${lockedCount} control${lockedCount === 1 ? ' is' : 's are'} locked`}.
          </p>
        )}
      </section>

      {loadError && <ConfigError error={loadError} />}

      {!access.hidden('diagram') && (
        <section className="card" id="bf-section-diagram" aria-labelledby="bf-diagram-title">
          <h2 id="bf-diagram-title">Your network</h2>
          <NetworkDiagram inputShape={model.input} layers={model.layers} analysis={analysis.layers} />
        </section>
      )}

      <div className="bf-columns">
        <section className="card bf-model" id="bf-section-layers" aria-labelledby="bf-layers-title">
          <div className="bf-model-head">
            <h2 id="bf-layers-title">Layers</h2>
            <label className="bf-field bf-inline">
              <span className="bf-field-label">Data</span>
              <select
                value={isToy ? 'toy' : 'mnist'}
                data-testid="builder-input"
                disabled={layersLocked}
                onChange={(e) => appStore.getState().setDataset(e.target.value as 'mnist' | 'toy')}
              >
                <option value="mnist">MNIST digits (28×28 images)</option>
                <option value="toy">Toy AND set (2 numbers)</option>
              </select>
            </label>
          </div>
          {!access.hidden('layers') && (
            <>
              <LayerList
                layers={model.layers}
                analysis={analysis.layers}
                inputShape={model.input}
                locked={layersLocked}
              />
              <LayerPalette count={model.layers.length} locked={layersLocked} />
            </>
          )}
          {access.hidden('layers') && <p className="muted">{model.layers.length} layers (hidden by this link).</p>}
        </section>

        <div className="bf-side" id="bf-section-training">
          <section className="card bf-panel bf-totals" aria-labelledby="bf-totals-title">
            <h2 id="bf-totals-title">Size and cost</h2>
            <dl className="facts bf-facts">
              <div>
                <dt>Weights (parameters)</dt>
                <dd data-testid="builder-total-params">{formatInt(analysis.totals.params)}</dd>
              </div>
              <div>
                <dt>FLOPs per image</dt>
                <dd data-testid="builder-total-flops" title={formatInt(analysis.totals.flopsPerImage)}>
                  {formatCompact(analysis.totals.flopsPerImage)}
                </dd>
              </div>
              <div>
                <dt>GPU memory to train</dt>
                <dd data-testid="builder-total-memory">{formatBytes(memory.total)}</dd>
              </div>
              <div>
                <dt>Output</dt>
                <dd data-testid="builder-output-shape">{shapeText(analysis.outputShape)}</dd>
              </div>
            </dl>
            <p className="bf-small muted">
              Memory at batch size {training.batchSize}: weights and gradients{' '}
              {formatBytes(memory.params + memory.gradients)}, optimizer state {formatBytes(memory.optimizerState)},
              activations {formatBytes(memory.activations)}, data {formatBytes(memory.dataset)}.
            </p>
            <p
              className={`bf-status ${analysis.totals.ok ? 'ok-text' : 'bad-text'}`}
              data-testid="builder-status"
              aria-live="polite"
            >
              {analysis.totals.ok
                ? 'Ready to train.'
                : `Not ready: ${analysis.totals.firstError!.index >= 0 ? `layer ${analysis.totals.firstError!.index + 1} has a problem` : 'the model has a problem'}.`}
            </p>
          </section>
          <TrainingPanel training={training} access={access} />
          {!access.hidden('presets') && <PresetPicker current={config.preset} locked={access.locked('presets')} />}
          {!access.hidden('classroom') && <ClassroomPanel classroom={config.classroom} view={config.view} />}
        </div>
      </div>
    </div>
  );
}

function ConfigError({ error }: { error: ConfigLoadError }) {
  const s = appStore.getState();
  const what = error.source === 'link' ? 'This link' : 'This file';
  return (
    <section className="error-card bf-config-error" role="alert" data-testid="config-error">
      <h2>{what} could not be opened as it is</h2>
      <ul>
        {error.errors.map((e, i) => (
          <li key={i}>{e}</li>
        ))}
      </ul>
      <p>Your current network below is unchanged.</p>
      <div className="bf-error-actions">
        {error.salvaged && (
          <button
            type="button"
            className="button"
            data-testid="config-error-apply"
            onClick={() => s.applySalvagedConfig()}
          >
            Use the parts that could be read
          </button>
        )}
        <button
          type="button"
          className="button"
          data-testid="config-error-dismiss"
          onClick={() => s.setConfigLoadError(null)}
        >
          Dismiss
        </button>
      </div>
    </section>
  );
}
