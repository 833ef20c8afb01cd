/**
 * Save the trained weights to a `.gpulearn` file, and load such a file back into the network
 * chosen above (to evaluate it or keep training). A file from another network is refused with
 * a sentence saying why; nothing is sent to any server.
 */
import { useRef, useState } from 'react';
import { decodeModelFile, encodeModelFile, incompatibility, MODEL_FILE_EXTENSION } from '../../engine/train/modelFile';
import type { LayerParameterMap } from '../../engine/train/gpuTrainer';
import { appStore, useAppState } from '../../state/store';
import type { TrainingJob } from '../../worker/protocol';
import { askDashboard } from './dashboardClient';
import { currentTrainingJob, loadTrainedModel } from './trainingController';

type Job = Omit<TrainingJob, 'dataBaseUrl'>;

export function ModelFilePanel({
  jobForLoad,
  title,
  config,
  onLoaded,
}: {
  jobForLoad: () => Job;
  title: string;
  config: unknown;
  onLoaded: (parameters: LayerParameterMap | null) => void;
}) {
  const status = useAppState((s) => s.training.status);
  const evaluation = useAppState((s) => s.training.evaluation);
  const loadedFrom = useAppState((s) => s.training.loadedFrom);
  const input = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'bad'; text: string } | null>(null);
  const canSave = status === 'finished' || status === 'paused' || status === 'loaded';
  const busy = status === 'running' || status === 'preparing';

  const save = async () => {
    setMessage(null);
    try {
      const job = currentTrainingJob();
      if (!job) throw new Error('There is no trained network to save yet.');
      const r = await askDashboard({ op: 'readParameters' });
      const bytes = encodeModelFile(job.config.model, r.parameters, {
        step: r.step,
        config,
        testAccuracy: evaluation?.accuracy ?? null,
      });
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${
        title
          .replace(/[^a-z0-9]+/gi, '-')
          .replace(/^-|-$/g, '')
          .toLowerCase() || 'model'
      }-step-${r.step}${MODEL_FILE_EXTENSION}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setMessage({
        kind: 'ok',
        text: `Saved ${(bytes.length / 1024).toFixed(0)} KB: the network's settings and all its weights after ${r.step} steps.`,
      });
    } catch (e) {
      setMessage({ kind: 'bad', text: (e as Error).message });
    }
  };

  const [loading, setLoading] = useState(false);

  /** Refuses a file: says why and drops the old "Weights loaded" line; the trained model stays. */
  const refuse = (text: string) => {
    setMessage({ kind: 'bad', text });
    if (appStore.getState().training.loadedFrom) appStore.getState().patchTraining({ loadedFrom: null });
  };

  const load = async (file: File) => {
    setMessage(null);
    const decoded = decodeModelFile(await file.arrayBuffer());
    if (!decoded.ok) return refuse(decoded.message);
    const job = jobForLoad();
    const why = incompatibility(decoded.file, job.config.model);
    if (why) return refuse(why);
    setLoading(true);
    try {
      await loadTrainedModel(job, decoded.file.parameters, file.name);
      onLoaded(decoded.file.parameters);
      setMessage({
        kind: 'ok',
        text: `Loaded ${file.name} (trained for ${decoded.file.header.step} steps). Press Start to keep training from these weights.`,
      });
    } catch (e) {
      refuse(`${(e as Error).message} Nothing was loaded; the network you had is unchanged.`);
    } finally {
      setLoading(false);
    }
  };

  return (
    <section className="card" aria-labelledby="file-title">
      <h2 id="file-title">Save and load the trained network</h2>
      <p className="muted">
        The file holds the network&apos;s description and every weight ({MODEL_FILE_EXTENSION}). Load it later into the
        same network to test it again or to keep training.
      </p>
      <div className="button-row">
        <button
          type="button"
          className="button"
          onClick={() => void save()}
          disabled={!canSave}
          data-testid="model-save"
        >
          Save weights
        </button>
        <button
          type="button"
          className="button"
          onClick={() => input.current?.click()}
          disabled={busy || loading}
          data-testid="model-load"
        >
          {loading ? 'Loading…' : 'Load weights…'}
        </button>
        <input
          ref={input}
          type="file"
          accept={`${MODEL_FILE_EXTENSION},application/octet-stream`}
          hidden
          data-testid="model-load-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void load(f);
          }}
        />
      </div>
      {!canSave && !busy && <p className="muted">Train (or pause) first to have weights to save.</p>}
      {loadedFrom && (
        <p className="muted" data-testid="model-loaded-from">
          Weights loaded from {loadedFrom}.
        </p>
      )}
      {message && (
        <p
          className={message.kind === 'ok' ? 'ok-text' : 'error-card'}
          role={message.kind === 'bad' ? 'alert' : undefined}
          data-testid={message.kind === 'bad' ? 'model-load-error' : 'model-file-message'}
        >
          {message.text}
        </p>
      )}
    </section>
  );
}
