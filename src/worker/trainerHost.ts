/**
 * The trainer Worker's message handling, apart from Worker globals so Node tests can drive it:
 * give it a way to find the GPU and a way to post replies, then feed it messages.
 */
import { acquireGpu, type GpuContext } from '../engine/kernel/device';
import { KernelRunner } from '../engine/kernel/runner';
import { ALL_KERNELS } from '../engine/ops';
import { SeededRandom } from '../engine/rng';
import type { MainToWorker, TrainingJob, TrainingStarted, WorkerToMain } from './protocol';
import { createRecovery } from './checkpoint';
import { TrainingJobRunner } from './trainingJob';
import { createKernelEditing } from './kernelEditing';
import { createDashboard } from './dashboardHandlers';
import type { KernelCheckResult } from '../engine/kernel/spec';

export interface TrainerHostOptions {
  /** navigator.gpu in a Worker; undefined where the browser has no WebGPU. */
  getGpu: () => GPU | undefined | null;
  post: (message: WorkerToMain) => void;
}

interface GpuState {
  ctx: GpuContext;
  runner: KernelRunner;
}

/** Creates the handler; returns the function to call with each incoming message. */
export function createTrainerHost(options: TrainerHostOptions): (message: MainToWorker) => Promise<void> {
  let gpu: Promise<GpuState> | null = null;
  let job: TrainingJobRunner | null = null;
  // The dashboard's model: the running job, or the last finished (or loaded) one, until replaced.
  let model: TrainingJobRunner | null = null;
  const setModel = (next: TrainingJobRunner) => {
    if (model && model !== next) model.dispose();
    model = next;
  };
  const stopJob = async () => {
    job?.stop();
    await job?.done;
  };
  const dashboard = createDashboard({
    current: () => model?.model ?? null,
    ensureRunner: async () => (await ensureGpu()).runner,
    replaceModel: async (next) => setModel(next),
    stopRunning: stopJob,
    isRunning: () => job !== null && !job.isPaused,
    post: (m) => post(m),
  });
  // The kernel editor sees every outgoing message (to restore built-in kernels after a bad run).
  const editing = createKernelEditing({
    getGpu: options.getGpu,
    trainingRunner: async () => (await ensureGpu()).runner,
    post: options.post,
  });
  const post = (message: WorkerToMain) => {
    options.post(message);
    editing.observe(message);
  };

  // Acquire once and share; forget a failed or lost device so a later hello can try again.
  function ensureGpu(): Promise<GpuState> {
    gpu ??= acquireGpu(options.getGpu(), { label: 'trainer' }).then((ctx) => {
      void ctx.lost.then((info) => {
        gpu = null;
        post({ type: 'gpuLost', message: info.message || `GPU device lost (${info.reason})` });
      });
      return { ctx, runner: new KernelRunner(ctx) };
    });
    gpu.catch(() => (gpu = null));
    return gpu;
  }

  /** Starts a job (stopping any running one); `started` runs just before its first step. */
  async function startJob(spec: TrainingJob, started: (info: TrainingStarted) => void): Promise<TrainingStarted> {
    // One job at a time: a new start stops the old one first.
    if (job) {
      job.stop();
      await job.done;
    }
    let runner: KernelRunner | null = null;
    if (spec.backend !== 'cpu') {
      try {
        runner = (await ensureGpu()).runner;
      } catch (e) {
        if (spec.backend === 'gpu') throw e;
      }
    }
    const next = new TrainingJobRunner(spec, post);
    const { info, source } = await next.prepare(runner);
    job = next;
    setModel(next);
    recovery.jobStarted(spec);
    next.onEpochEnd = async (step, stepsPerEpoch) => {
      const kept = await recovery.epochEnded(spec, next.model, step, stepsPerEpoch);
      // The page keeps a copy, so a new Worker can go on if this one dies.
      if (kept) post({ type: 'checkpoint', step: kept.step, epoch: kept.epoch, parameters: kept.parameters });
    };
    started(info);
    void next.run(source).finally(() => {
      if (job === next) job = null;
    });
    return info;
  }

  // Keeps each epoch's weights so training can resume on a new device after the GPU is lost.
  const recovery = createRecovery({
    startJob: (spec) => startJob(spec, () => undefined),
    adapter: async () => (await ensureGpu().catch(() => null))?.ctx.summary ?? null,
    destroyDevice: async () => (await ensureGpu()).ctx.device.destroy(),
  });

  async function runChecks(seed: number): Promise<KernelCheckResult[]> {
    const { runner } = await ensureGpu();
    const results: KernelCheckResult[] = [];
    // One kernel at a time: checks push GPU error scopes, which must not interleave.
    for (const [i, spec] of ALL_KERNELS.entries()) {
      results.push(await spec.check(runner, new SeededRandom(seed, i)));
    }
    return results;
  }

  return async (message) => {
    const requestId = message.requestId;
    try {
      switch (message.type) {
        case 'ping':
          post({ type: 'pong', requestId });
          return;
        case 'hello': {
          try {
            const { ctx } = await ensureGpu();
            post({ type: 'ready', requestId, gpu: ctx.summary });
          } catch (e) {
            post({ type: 'ready', requestId, gpu: null, gpuError: errorText(e) });
          }
          return;
        }
        case 'runKernelChecks':
          post({ type: 'kernelChecks', requestId, results: await runChecks(message.seed ?? 1) });
          return;
        case 'startTraining':
          await startJob(message.job, (info) => post({ type: 'trainingStarted', requestId, info }));
          return;
        case 'pauseTraining':
          // Answered once the steps already on the GPU are done and reported.
          await job?.pause();
          post({ type: 'ack', requestId });
          return;
        case 'resumeTraining':
          job?.resume();
          post({ type: 'ack', requestId });
          return;
        case 'stopTraining':
          job?.stop();
          await job?.done;
          post({ type: 'ack', requestId });
          return;
        case 'dashboard':
          post({ type: 'dashboardResult', requestId, result: await dashboard(message.request) });
          return;
        case 'recovery':
          post({ type: 'recoveryResult', requestId, result: await recovery.handle(message.request) });
          return;
        case 'kernelEdit':
          post({ type: 'kernelEdited', requestId, result: await editing.handle(message.request) });
          return;
        default: {
          const unknown: never = message;
          post({ type: 'error', requestId, message: `Unknown message type "${(unknown as { type: string }).type}"` });
        }
      }
    } catch (e) {
      post({ type: 'error', requestId, message: errorText(e) });
    }
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
