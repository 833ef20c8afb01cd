/**
 * One training job inside the Worker: loads the data (cached across jobs), builds a GPU trainer
 * (or the CPU reference where there is no GPU), and runs the session with pause/resume/stop,
 * turning its callbacks into protocol events.
 */
import { loadMnistSplit, type MnistSet } from '../data/mnist';
import { toyPerceptronSet } from '../data/toy';
import type { KernelRunner } from '../engine/kernel/runner';
import { CpuTrainer } from '../engine/train/cpuTrainer';
import { subsetImages, type Dataset, type ImageDataset } from '../engine/train/data';
import { GpuTrainer } from '../engine/train/gpuTrainer';
import { runSession, type SessionControl, type SessionEnd, type StepSource } from '../engine/train/session';
import type { TrainingJob, TrainingStarted, WorkerToMain } from './protocol';

/** What the dashboard handlers may use of a job. */
export interface JobModel {
  job: TrainingJob;
  gpu: GpuTrainer | null;
  cpu: CpuTrainer | null;
  runner: KernelRunner | null;
  train: Dataset;
  test: ImageDataset | null;
}

const mnistCache = new Map<string, Promise<MnistSet>>();

function loadSplit(split: 'train' | 'test', baseUrl: string, post: (m: WorkerToMain) => void): Promise<MnistSet> {
  const key = `${baseUrl}|${split}`;
  let p = mnistCache.get(key);
  if (!p) {
    p = loadMnistSplit(split, { baseUrl, onProgress: (e) => post({ type: 'dataProgress', ...e }) });
    p.catch(() => mnistCache.delete(key));
    mnistCache.set(key, p);
  }
  return p;
}

function asImages(set: MnistSet): ImageDataset {
  return { kind: 'images', images: set.images, labels: set.labels, count: set.count, pixels: set.rows * set.cols };
}

/** The CPU trainer behind the same interface as the GPU one (chunks never cross an epoch). */
function cpuSource(cpu: CpuTrainer, batch: number, testLimit: number): StepSource {
  return {
    get stepsPerEpoch() {
      return cpu.stepsPerEpoch;
    },
    get totalSteps() {
      return cpu.totalSteps;
    },
    batch,
    get globalStep() {
      return cpu.globalStep;
    },
    set globalStep(v: number) {
      cpu.globalStep = v;
    },
    submitSteps(n) {
      const left = cpu.stepsPerEpoch - (cpu.globalStep % cpu.stepsPerEpoch);
      // A macrotask between chunks lets the Worker read its messages (pause, stop, predictions) while it trains.
      return new Promise((resolve, reject) =>
        setTimeout(() => {
          try {
            resolve(cpu.runSteps(Math.min(n, left)));
          } catch (e) {
            reject(e);
          }
        }, 0),
      );
    },
    evaluate: (limit?: number) => cpu.evaluate(Math.min(testLimit, limit ?? Infinity)),
  };
}

export class TrainingJobRunner {
  private paused = false;
  private stopped = false;
  private resumeWaiters: (() => void)[] = [];
  /** Callers of pause() waiting until the steps already on the GPU have finished and been reported. */
  private pausedWaiters: (() => void)[] = [];
  private ended = false;
  private trainer: GpuTrainer | null = null;
  private cpu: CpuTrainer | null = null;
  private data: { train: Dataset; test: ImageDataset | null } | null = null;
  private runnerUsed: KernelRunner | null = null;
  done: Promise<SessionEnd> | null = null;
  /** Called after each epoch's event, while no steps are in flight (checkpoint.ts keeps the weights). */
  onEpochEnd: ((step: number, stepsPerEpoch: number) => Promise<void>) | null = null;

  constructor(
    private readonly job: TrainingJob,
    private readonly post: (m: WorkerToMain) => void,
  ) {}

  /** Loads data and builds the trainer; throws with a readable message on a bad job. */
  async prepare(runner: KernelRunner | null): Promise<{ info: TrainingStarted; source: StepSource }> {
    const job = this.job;
    let train: Dataset;
    let test: ImageDataset | null = null;
    if (job.dataset === 'mnist') {
      const [trainSet, testSet] = await Promise.all([
        loadSplit('train', job.dataBaseUrl, this.post),
        loadSplit('test', job.dataBaseUrl, this.post),
      ]);
      train = job.trainSubset ? subsetImages(asImages(trainSet), job.trainSubset) : asImages(trainSet);
      test = job.testSubset ? subsetImages(asImages(testSet), job.testSubset) : asImages(testSet);
    } else {
      const toy = toyPerceptronSet(job.dataset.slice(4) as 'and' | 'or' | 'xor');
      train = { kind: 'vectors', inputs: toy.inputs, targets: toy.targets, count: toy.count };
    }
    const useGpu = job.backend !== 'cpu' && runner !== null;
    if (job.backend === 'gpu' && !runner)
      throw new Error('This job asked for the GPU, but WebGPU is not available here.');
    let source: StepSource;
    let paramCount: number;
    this.data = { train, test };
    this.runnerUsed = useGpu ? runner : null;
    if (useGpu) {
      const trainer = await GpuTrainer.create(runner!, job.config, train, test);
      if (job.initialParameters) trainer.writeParameters(job.initialParameters);
      if (job.startStep) trainer.resetOptimizerState(job.startStep);
      this.trainer = trainer;
      source = trainer;
      paramCount = trainer.plan.paramCount;
    } else {
      const cpu = new CpuTrainer(job.config, train, test);
      if (job.initialParameters) cpu.writeParameters(job.initialParameters);
      if (job.startStep) cpu.globalStep = job.startStep;
      this.cpu = cpu;
      source = cpuSource(cpu, job.config.batchSize, test?.count ?? 0);
      paramCount = cpu.plan.paramCount;
    }
    const info: TrainingStarted = {
      backend: useGpu ? 'gpu' : 'cpu',
      stepsPerEpoch: source.stepsPerEpoch,
      totalSteps: source.totalSteps,
      paramCount,
      trainImages: train.count,
      testImages: test?.count ?? 0,
    };
    return { info, source };
  }

  /** Runs the session to its end, posting progress; frees GPU memory afterwards. */
  run(source: StepSource): Promise<SessionEnd> {
    const control: SessionControl = {
      isPaused: () => this.paused,
      waitForResume: () => {
        // The session only waits here once nothing is in flight: the pause has taken effect.
        this.settlePaused();
        return new Promise<void>((r) => this.resumeWaiters.push(r));
      },
      stopRequested: () => this.stopped,
    };
    const hasTest = this.job.dataset === 'mnist';
    this.done = runSession(source, control, {
      learningRate: this.job.config.optimizer.learningRate,
      evaluateEachEpoch: hasTest,
      evaluateEverySteps: hasTest ? this.job.evaluateEverySteps : undefined,
      evaluateSubset: this.job.evaluateSubset,
      onProgress: (progress) => this.post({ type: 'trainingProgress', progress }),
      onEpoch: async (epoch) => {
        this.post({ type: 'trainingEpoch', epoch });
        await this.onEpochEnd?.(epoch.step, source.stepsPerEpoch);
      },
    }).then((end) => {
      this.post({ type: 'trainingEnded', end, step: source.globalStep });
      this.ended = true;
      this.settlePaused();
      // A finished model stays for the dashboard (predictions, saving) until the next job.
      if (end.kind !== 'finished') this.dispose();
      return end;
    });
    return this.done;
  }

  /** The model for the dashboard: its trainer (GPU or CPU), data and config; null once disposed. */
  get model(): JobModel | null {
    if (!this.data || (!this.trainer && !this.cpu)) return null;
    return {
      job: this.job,
      gpu: this.trainer,
      cpu: this.cpu,
      runner: this.runnerUsed,
      train: this.data.train,
      test: this.data.test,
    };
  }

  /** Frees the GPU memory of the model. */
  dispose(): void {
    this.trainer?.destroy();
    this.trainer = null;
    this.cpu = null;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Stops submitting new steps; resolves once the steps already on the GPU have finished and
   * their progress has been posted, so "Paused" on the page means nothing more will arrive.
   */
  pause(): Promise<void> {
    this.paused = true;
    // Already waiting for a resume, or over: nothing is in flight.
    if (this.resumeWaiters.length > 0 || this.ended) return Promise.resolve();
    return new Promise<void>((r) => this.pausedWaiters.push(r));
  }

  private settlePaused(): void {
    const waiters = this.pausedWaiters;
    this.pausedWaiters = [];
    waiters.forEach((w) => w());
  }

  resume(): void {
    this.paused = false;
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.resumeWaiters;
    this.resumeWaiters = [];
    waiters.forEach((w) => w());
  }
}
