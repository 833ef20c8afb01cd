/**
 * When the training Worker dies mid-run (a crash, the browser reclaiming it, or a test calling
 * `terminate()`), a new Worker is started (see src/state/trainingBridge.ts) and this module resumes the run
 * there from the last finished epoch: the page keeps a copy of each epoch's weights, which the
 * Worker sends with its 'checkpoint' event, because a dead Worker takes its own copy with it.
 * The charts keep everything up to that epoch; the steps after it are trained again.
 */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { LayerParameterMap } from '../../engine/train/gpuTrainer';
import type { TrainingJob } from '../../worker/protocol';
import { appStore } from '../../state/store';
import { mnistBaseUrl } from '../data/mnistCache';
import { trainerClient } from '../../state/trainingBridge';
import { currentTrainingJob } from './trainingController';
import './workerRestart.css';

interface KeptCheckpoint {
  /** The job it belongs to (a new Start replaces the job, and with it this checkpoint's use). */
  job: Omit<TrainingJob, 'dataBaseUrl'>;
  step: number;
  epoch: number;
  parameters: LayerParameterMap;
}

interface RestartState {
  notice: { tone: 'info' | 'bad'; text: string } | null;
  resuming: boolean;
}

const restartStore = createStore<RestartState>()(() => ({ notice: null, resuming: false }));
let kept: KeptCheckpoint | null = null;
let watching = false;

/** The checkpoint the page holds for the current job, if any (for tests and the notice). */
export function keptCheckpoint(): { step: number; epoch: number } | null {
  return kept && kept.job === currentTrainingJob() ? { step: kept.step, epoch: kept.epoch } : null;
}

function watch(): void {
  if (watching) return;
  watching = true;
  const client = trainerClient();
  client.onEvent((event) => {
    if (event.type !== 'checkpoint') return;
    const job = currentTrainingJob();
    if (job) kept = { job, step: event.step, epoch: event.epoch, parameters: event.parameters };
  });
  client.onWorkerRestart((reason) => void recover(reason));
}

/** `reason` is a clause such as "it was shut down" (see worker/client.ts). */
async function recover(reason: string): Promise<void> {
  const training = appStore.getState().training;
  const wasRunning = training.status === 'running' || training.status === 'paused' || training.status === 'preparing';
  const job = currentTrainingJob();
  if (!wasRunning) {
    restartStore.setState({
      notice: {
        tone: 'info',
        text: `The training worker stopped (${reason}) and a new one was started. Your charts are kept; press Start (or load saved weights) to have a network to explore again.`,
      },
    });
    return;
  }
  const checkpoint = kept && kept.job === job ? kept : null;
  if (!job || !checkpoint) {
    appStore.getState().patchTraining({ status: 'stopped', message: null });
    restartStore.setState({
      notice: {
        tone: 'bad',
        text: `The training worker stopped (${reason}) before the first epoch finished, so there was nothing to resume from. A new worker is ready: press Start to train again.`,
      },
    });
    return;
  }
  restartStore.setState({
    resuming: true,
    notice: {
      tone: 'info',
      text: `The training worker stopped (${reason}). A new one is taking over from the end of epoch ${checkpoint.epoch} (step ${checkpoint.step})…`,
    },
  });
  try {
    const reply = await trainerClient().request({
      type: 'startTraining',
      job: {
        ...job,
        dataBaseUrl: mnistBaseUrl(),
        initialParameters: checkpoint.parameters,
        startStep: checkpoint.step,
      },
    });
    const s = appStore.getState();
    const t = s.training;
    const step = checkpoint.step;
    // The chart keeps everything up to the checkpoint; the steps lost with the Worker run again.
    s.patchTraining({
      status: 'running',
      info: reply.info,
      step,
      message: null,
      dataProgress: null,
      lossSeries: t.lossSeries.filter((p) => p.step < step),
      epochs: t.epochs.filter((p) => p.step <= step),
      checkpoints: t.checkpoints.filter((p) => p.step <= step),
    });
    if (training.status === 'paused') {
      await trainerClient().request({ type: 'pauseTraining' });
      appStore.getState().patchTraining({ status: 'paused' });
    }
    restartStore.setState({
      resuming: false,
      notice: {
        tone: 'info',
        text: `The training worker stopped (${reason}). A new one took over and training goes on from the end of epoch ${checkpoint.epoch} (step ${step}); the charts are kept.`,
      },
    });
  } catch (e) {
    appStore.getState().patchTraining({ status: 'failed', message: (e as Error).message });
    restartStore.setState({
      resuming: false,
      notice: {
        tone: 'bad',
        text: `The training worker stopped (${reason}) and the new one could not go on: ${(e as Error).message}`,
      },
    });
  }
}

/** The "training worker stopped" notice (renders nothing otherwise); starts watching for deaths. */
export function WorkerRestartNotice() {
  const { notice, resuming } = useStore(restartStore);
  const status = useStore(appStore, (s) => s.training.status);
  useEffect(() => watch(), []);
  // A run started by hand replaces the story of the lost one.
  useEffect(() => {
    if (status === 'preparing' && !restartStore.getState().resuming) restartStore.setState({ notice: null });
  }, [status]);
  if (!notice) return null;
  return (
    <div
      className={notice.tone === 'bad' ? 'error-card' : 'worker-restarted'}
      role={notice.tone === 'bad' ? 'alert' : 'status'}
      data-testid="worker-restarted"
      data-state={resuming ? 'resuming' : 'done'}
    >
      <p>{notice.text}</p>
    </div>
  );
}
