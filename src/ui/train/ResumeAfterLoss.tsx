/**
 * When the training worker's GPU device is lost mid-run: says so, keeps the settings and charts,
 * and offers "Resume" from the last finished epoch on a new device (the worker keeps that
 * checkpoint, see src/worker/checkpoint.ts). Also installs the test-only hook that loses the
 * device on purpose, when the page's URL has `test-hooks`.
 */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import { appStore, useAppState } from '../../state/store';
import type { CheckpointInfo } from '../../worker/recoveryProtocol';
import { trainerClient } from '../../state/trainingBridge';
import { jobFor, sourceFromPreset } from './modelSource';
import { startTraining } from './trainingController';
import { WorkerRestartNotice } from './WorkerRestart';

interface LostState {
  lost: { message: string; checkpoint: CheckpointInfo | null } | null;
  resuming: boolean;
  error: string | null;
}

const lostStore = createStore<LostState>()(() => ({ lost: null, resuming: false, error: null }));
let listening = false;

function listen(): void {
  if (listening) return;
  listening = true;
  trainerClient().onEvent((event) => {
    if (event.type !== 'gpuLost') return;
    const status = appStore.getState().training.status;
    // Only a run in progress (or paused) has something to resume.
    if (status === 'idle' || status === 'loaded') return;
    void trainerClient()
      .request({ type: 'recovery', request: { op: 'status' } })
      .then((reply) => {
        const checkpoint = reply.result.op === 'status' ? reply.result.checkpoint : null;
        lostStore.setState({ lost: { message: event.message, checkpoint }, resuming: false, error: null });
      });
  });
}

/** True when the page was opened with the `test-hooks` flag (e2e tests only). */
function testHooksWanted(): boolean {
  return new URLSearchParams(location.search).has('test-hooks') || location.hash.includes('test-hooks');
}

function installTestHooks(): void {
  const w = window as { __gpuLearnTestHooks?: unknown };
  if (w.__gpuLearnTestHooks) return;
  void trainerClient().request({ type: 'recovery', request: { op: 'enableTestHooks' } });
  w.__gpuLearnTestHooks = {
    loseTrainerDevice: () =>
      trainerClient()
        .request({ type: 'recovery', request: { op: 'loseDevice' } })
        .then(() => undefined),
    /**
     * Trains the MLP preset through the page's normal controller, with test-only knobs: any SGD
     * learning rate (the builder refuses rates above 1) and a small test set (fast on SwiftShader).
     */
    trainMlp: (o: { epochs: number; trainSubset: number; testSubset: number; sgdLearningRate?: number }) => {
      const job = jobFor(sourceFromPreset('mlp'), {
        epochs: o.epochs,
        trainSubset: o.trainSubset,
        testSubset: o.testSubset,
        evaluateEverySteps: 0,
      });
      const optimizer =
        o.sgdLearningRate === undefined
          ? job.config.optimizer
          : { kind: 'sgd' as const, learningRate: o.sgdLearningRate, momentum: 0, nesterov: false };
      return startTraining({ ...job, config: { ...job.config, optimizer } });
    },
  };
}

async function resume(): Promise<void> {
  lostStore.setState({ resuming: true, error: null });
  try {
    const reply = await trainerClient().request({ type: 'recovery', request: { op: 'resume' } });
    if (reply.result.op !== 'resume') throw new Error('The worker answered with something else.');
    const { info, step, gpu } = reply.result;
    const s = appStore.getState();
    const t = s.training;
    // The chart keeps everything up to the checkpoint; the steps lost with the device are run again.
    s.patchTraining({
      status: 'running',
      info,
      step,
      message: null,
      lossSeries: t.lossSeries.filter((p) => p.step < step),
      epochs: t.epochs.filter((p) => p.step <= step),
      checkpoints: t.checkpoints.filter((p) => p.step <= step),
    });
    s.setWorkerStatus({ kind: 'ready', gpu, gpuError: gpu ? undefined : 'no GPU' });
    lostStore.setState({ lost: null, resuming: false });
  } catch (e) {
    lostStore.setState({ resuming: false, error: (e as Error).message });
  }
}

/** The "GPU was lost" notice with its Resume button (renders nothing otherwise). */
export function ResumeAfterLoss() {
  const { lost, resuming, error } = useStore(lostStore);
  const status = useAppState((s) => s.training.status);
  useEffect(() => {
    listen();
    if (testHooksWanted()) installTestHooks();
  }, []);
  // A new run started by hand replaces the lost one.
  useEffect(() => {
    if (status === 'preparing') lostStore.setState({ lost: null, error: null });
  }, [status]);
  if (!lost) return <WorkerRestartNotice />;
  return (
    <>
      <WorkerRestartNotice />
      <div className="error-card" role="alert" data-testid="device-lost">
        <p>
          <strong>The GPU stopped working during training</strong> ({lost.message.replace(/\.$/, '')}). Your settings
          and charts are kept.
        </p>
        {lost.checkpoint ? (
          <>
            <p>
              Training can go on from the end of epoch {lost.checkpoint.epoch} (step {lost.checkpoint.step}) on a new
              GPU device.
            </p>
            <button
              type="button"
              className="button primary"
              data-testid="train-resume-checkpoint"
              disabled={resuming}
              onClick={() => void resume()}
            >
              {resuming ? 'Resuming…' : `Resume from step ${lost.checkpoint.step}`}
            </button>
          </>
        ) : (
          <p>No epoch had finished yet, so there is nothing to resume: press Start to train again.</p>
        )}
        {error && <p className="bad-text">{error}</p>}
      </div>
    </>
  );
}
