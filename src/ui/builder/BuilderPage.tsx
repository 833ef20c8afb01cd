import { useEffect, useMemo, useState } from 'react';
import { useStore } from 'zustand';
import { ownNetwork, type Config } from '../../config';
import { estimateTrainingMemory, inferModel, type ModelAnalysis } from '../../engine/shapes';
import type { ConfigLoadError } from '../../state/modelSlice';
import { appSavedNetworks } from '../../state/savedNetworks';
import { appStore, useAppState } from '../../state/store';
import type { PageProps } from '../shell/routes';
import { controlAccess, restrictionText } from './classroom';
import { ClassroomPanel } from './ClassroomPanel';
import { FieldErrorsContext, useFieldErrors } from './fieldErrors';
import { formatBytes, formatCompact, formatInt, shapeText } from './format';
import { LayerList } from './LayerList';
import { LayerPalette } from './LayerPalette';
import { MyNetworks, openSavedNetwork } from './MyNetworks';
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

/** Why the network cannot be trained ("layer 4 has a problem: …"), or null when it is ready. */
function notReadyReason(analysis: ModelAnalysis, fieldErrors: Array<[string, string]>): string | null {
  if (fieldErrors.length > 0) {
    const [, first] = fieldErrors[0];
    const more = fieldErrors.length - 1;
    return `${first}${more > 0 ? ` (and ${more} more field${more === 1 ? '' : 's'})` : ''}`;
  }
  const error = analysis.totals.firstError;
  if (analysis.totals.ok || !error) return null;
  return error.index >= 0 ? `layer ${error.index + 1} has a problem: ${error.message}` : error.message;
}

/** The student's own network for "Open my own network": the one a link replaced, else the newest saved, else this one unlocked. */
function ownNetworkFor(current: Config): Config {
  const saved = appSavedNetworks();
  return (
    saved.store.getState().linkNotice?.previous.config ?? saved.latestOtherThan(current)?.config ?? ownNetwork(current)
  );
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
  const [fieldErrors, reportFieldError] = useFieldErrors();
  const blocked = notReadyReason(analysis, fieldErrors);
  const [selectedRaw, setSelected] = useState<number | null>(null);
  const selected = selectedRaw !== null && selectedRaw < model.layers.length ? selectedRaw : null;
  const saved = appSavedNetworks();
  const linkNotice = useStore(saved.store, (s) => s.linkNotice);
  const storageProblem = useStore(saved.store, (s) => s.problem);
  const [networksOpen, setNetworksOpen] = useState(false);
  // Open My networks when a link has just put the student's network there (they can close it again).
  useEffect(() => {
    if (linkNotice) setNetworksOpen(true);
  }, [linkNotice]);

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

  const restrictions = restrictionText(config.classroom);

  return (
    <FieldErrorsContext.Provider value={reportFieldError}>
      <div className="stack builder-page">
        <section className="card bf-header">
          <h1>Build a network</h1>
          <p className="lede">
            Stack layers from the input image to the ten digit scores. Every change updates the shapes, the number of
            weights and the cost below, so you can see what each layer does before you train.
          </p>
          {restrictions && (
            <div className="bf-small bf-notice bf-notice-row" data-testid="classroom-notice">
              <p>This link comes from your teacher: {restrictions}. Your own networks are not locked.</p>
              <button
                type="button"
                className="button"
                data-testid="open-own-network"
                onClick={() => openSavedNetwork(ownNetworkFor(config))}
              >
                Open my own network
              </button>
            </div>
          )}
          {linkNotice && (
            <div className="bf-small bf-notice bf-notice-row" role="status" data-testid="link-opened-notice">
              <p>Opened from a link; your previous network is in My networks.</p>
              <button
                type="button"
                className="button"
                data-testid="link-opened-restore"
                onClick={() => openSavedNetwork(linkNotice.previous.config)}
              >
                Go back to it
              </button>
              <button
                type="button"
                className="button"
                data-testid="link-opened-dismiss"
                onClick={() => saved.dismissLinkNotice()}
              >
                Dismiss
              </button>
            </div>
          )}
          {storageProblem && (
            <p className="bf-small bad-text" role="status" data-testid="storage-problem">
              {storageProblem}
            </p>
          )}
          {!access.hidden('presets') && <PresetPicker config={config} locked={access.locked('presets')} />}
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
            <ShareTools config={config} access={access} blocked={blocked} />
          </div>
          {blocked !== null && (
            <p className="bf-small bad-text" id="bf-train-blocked" data-testid="train-blocked-reason">
              Not ready to train: {blocked}
            </p>
          )}
        </section>

        {loadError && <ConfigError error={loadError} />}

        <div className="bf-columns">
          {!access.hidden('diagram') && (
            <section className="card bf-diagram-card" id="bf-section-diagram" aria-labelledby="bf-diagram-title">
              <h2 id="bf-diagram-title">Your network</h2>
              <NetworkDiagram inputShape={model.input} layers={model.layers} analysis={analysis.layers} />
            </section>
          )}
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
                  selected={selected}
                  onSelect={setSelected}
                />
                <LayerPalette layers={model.layers} locked={layersLocked} selected={selected} onSelect={setSelected} />
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
                className={`bf-status ${blocked === null ? 'ok-text' : 'bad-text'}`}
                data-testid="builder-status"
                aria-live="polite"
              >
                {blocked === null ? 'Ready to train.' : `Not ready: ${blocked.replace(/\.$/, '')}.`}
              </p>
            </section>
            <TrainingPanel training={training} access={access} />
            <MyNetworks open={networksOpen} onToggle={setNetworksOpen} />
            {!access.hidden('classroom') && (
              <ClassroomPanel classroom={config.classroom} view={config.view} locked={access.locked('classroom')} />
            )}
          </div>
        </div>
      </div>
    </FieldErrorsContext.Provider>
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
