/**
 * The training benchmark: trains a preset with our WGSL engine in Node through Dawn, on whatever
 * adapter is present (SwiftShader on a CPU-only machine, the real GPU elsewhere), and prints ONE
 * JSON object. Optionally trains the same model with TF.js on WebGPU in the same process
 * (--vs tfjs). Bundled into one self-contained file by scripts/bench.mjs; see bench/README.md.
 */
import { writeFileSync } from 'node:fs';
import { installDawn } from './dawn';
import { parseArgs, UsageError, USAGE, type BenchArgs } from './args';
import { loadMnist } from './mnist';
import { acquireGpu, type GpuContext } from '../src/engine/kernel/device';
import { KernelRunner } from '../src/engine/kernel/runner';
import { PRESETS, type PresetName } from '../src/engine/presets';
import type { InitScheme } from '../src/engine/init';
import {
  GpuTrainer,
  type EvaluationResult,
  type StepMetric,
  type TrainingConfig,
} from '../src/engine/train/gpuTrainer';
import { runSession, RUN_TO_END, type StepSource } from '../src/engine/train/session';
import { measureLayerCosts, type LayerCostReport } from '../src/engine/train/layerCost';
import { profileStep, type StepProfile } from './stepProfile';
import { subsetImages, type ImageDataset } from '../src/engine/train/data';
import type { TfjsResult } from './tfjsPeer';

/** The accuracy each preset must reach on the full test set, within this many epochs (the spec). */
export const TARGETS: Partial<Record<PresetName, { accuracy: number; epochs: number }>> = {
  'pytorch-cnn': { accuracy: 0.99, epochs: 3 },
  'keras-small-cnn': { accuracy: 0.988, epochs: 5 },
  'keras-cnn': { accuracy: 0.99, epochs: 10 },
  mlp: { accuracy: 0.975, epochs: 5 },
  'fast-cnn': { accuracy: 0.99, epochs: 1 },
};

const THRESHOLDS = [0.9, 0.95, 0.97, 0.975, 0.98, 0.985, 0.988, 0.99, 0.992];

const log = (s: string) => process.stderr.write(`${s}\n`);
const round = (x: number, digits = 3) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : x);

interface EpochRecord {
  epoch: number;
  testAccuracy: number | null;
  testLoss: number | null;
  trainLoss: number;
  /** Training time up to the end of this epoch, evaluation excluded. */
  msTrain: number;
}

/**
 * Wraps the trainer as the session's StepSource, counting submits and timing evaluations, so
 * training time can be told apart from evaluation time.
 */
class MeasuredSource implements StepSource {
  submits = 0;
  evalMs = 0;
  evalSubmits = 0;
  evals: { start: number; end: number }[] = [];
  constructor(
    readonly trainer: GpuTrainer,
    private readonly submitCount: () => number,
  ) {}
  get stepsPerEpoch() {
    return this.trainer.stepsPerEpoch;
  }
  get totalSteps() {
    return this.trainer.totalSteps;
  }
  get batch() {
    return this.trainer.batch;
  }
  get globalStep() {
    return this.trainer.globalStep;
  }
  set globalStep(v: number) {
    this.trainer.globalStep = v;
  }
  submitSteps(n: number): Promise<StepMetric[]> {
    this.submits++;
    return this.trainer.submitSteps(n);
  }
  async evaluate(limit?: number): Promise<EvaluationResult> {
    const start = performance.now();
    const submitsBefore = this.submitCount();
    try {
      return await this.trainer.evaluate(limit);
    } finally {
      this.evalSubmits += this.submitCount() - submitsBefore;
      const end = performance.now();
      this.evals.push({ start, end });
      this.evalMs += end - start;
    }
  }
}

/** Counts queue.submit calls (all of them, training and evaluation). */
function countSubmits(device: GPUDevice): { count: () => number } {
  let n = 0;
  const queue = device.queue;
  const original = queue.submit.bind(queue);
  try {
    (queue as { submit: GPUQueue['submit'] }).submit = (buffers) => {
      n++;
      original(buffers);
    };
  } catch {
    return { count: () => NaN };
  }
  return { count: () => n };
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function runEngine(args: BenchArgs, gpu: GpuContext, train: ImageDataset, test: ImageDataset) {
  const preset = PRESETS[args.preset];
  const config: TrainingConfig = {
    model: preset.model,
    optimizer: { ...preset.training.optimizer, ...(args.training?.optimizer ?? {}) } as TrainingConfig['optimizer'],
    schedule: (args.training?.schedule ?? preset.training.schedule) as TrainingConfig['schedule'],
    batchSize: args.batch ?? (args.training?.batch as number | undefined) ?? preset.training.batchSize,
    epochs: args.epochs ?? preset.training.epochs,
    seed: args.seed ?? preset.training.seed,
    init: (args.training?.init as InitScheme | undefined) ?? preset.training.init,
  };
  const gpuErrors: string[] = [];
  gpu.device.onuncapturederror = (e: GPUUncapturedErrorEvent) => {
    if (gpuErrors.length < 10) gpuErrors.push(e.error.message);
  };
  const submitCounter = countSubmits(gpu.device);
  const runner = new KernelRunner(gpu);
  const tCompile = performance.now();
  const tiles = args.denseTiles;
  const trainer = await GpuTrainer.create(
    runner,
    config,
    train,
    test,
    tiles ? { denseTiles: (product) => tiles[product] } : {},
  );
  // Upload and compile finish before the clock starts.
  await gpu.device.queue.onSubmittedWorkDone();
  const msSetup = performance.now() - tCompile;
  log(
    `[engine] ${args.preset}: ${train.count} images, batch ${config.batchSize}, ${config.epochs} epoch(s), ` +
      `${trainer.stepsPerEpoch} steps/epoch; setup+compile ${msSetup.toFixed(0)} ms`,
  );

  const source = new MeasuredSource(trainer, submitCounter.count);
  const progress: { t: number; steps: number }[] = [];
  const epochs: EpochRecord[] = [];
  const start = performance.now();
  const submitsBefore = submitCounter.count();
  let lastTrainLoss = NaN;
  // --max-seconds: stop at the next chunk boundary once the deadline has passed (the JSON then
  // says end: "stopped" and holds the epochs that finished).
  const deadline = args.maxSeconds ? start + args.maxSeconds * 1000 : Infinity;
  const control =
    deadline === Infinity ? RUN_TO_END : { ...RUN_TO_END, stopRequested: () => performance.now() > deadline };
  const end = await runSession(source, control, {
    targetChunkMs: args.targetChunkMs,
    maxStepsPerSubmit: args.maxStepsPerSubmit,
    onProgress: (e) => {
      progress.push({ t: performance.now(), steps: e.metrics.length });
    },
    onEpoch: (e) => {
      // Training time so far: up to this epoch's evaluation, less the earlier evaluations.
      const evals = source.evals;
      const before = evals.slice(0, -1).reduce((a, r) => a + (r.end - r.start), 0);
      const msTrain = (evals.length ? evals[evals.length - 1].start : performance.now()) - start - before;
      lastTrainLoss = e.trainLoss;
      epochs.push({
        epoch: e.epoch + 1,
        testAccuracy: e.test ? e.test.accuracy : null,
        testLoss: e.test ? e.test.loss : null,
        trainLoss: e.trainLoss,
        msTrain,
      });
      log(
        `[engine] epoch ${e.epoch + 1}: test accuracy ${e.test ? (e.test.accuracy * 100).toFixed(2) : '?'}%, ` +
          `train loss ${e.trainLoss.toFixed(4)}, ${msTrain.toFixed(0)} ms training so far`,
      );
    },
  });
  const msWall = performance.now() - start;
  const allSubmits = submitCounter.count() - submitsBefore;
  const steps = trainer.globalStep;

  // Steady state: the time between consecutive chunk completions, leaving out the first chunk of
  // the run and the first after each evaluation (they include the first submit or an evaluation).
  const perChunk: number[] = [];
  let steadyMs = 0;
  let steadySteps = 0;
  for (let i = 1; i < progress.length; i++) {
    const a = progress[i - 1].t;
    const b = progress[i].t;
    if (source.evals.some((r) => r.start < b && r.end > a)) continue;
    const dt = b - a;
    steadyMs += dt;
    steadySteps += progress[i].steps;
    perChunk.push(dt / progress[i].steps);
  }
  const msTotal = msWall - source.evalMs;
  const last = epochs[epochs.length - 1];
  const target = TARGETS[args.preset];
  const timeToAccuracy: Record<string, { epoch: number; msTrain: number }> = {};
  for (const th of THRESHOLDS) {
    const hit = epochs.find((e) => e.testAccuracy !== null && e.testAccuracy >= th);
    if (hit) timeToAccuracy[String(th)] = { epoch: hit.epoch, msTrain: Math.round(hit.msTrain) };
  }
  const reached = target
    ? epochs.find((e) => e.epoch <= target.epochs && (e.testAccuracy ?? 0) >= target.accuracy)
    : undefined;
  const result = {
    end: end.kind === 'finished' ? 'finished' : `${end.kind}${'message' in end ? `: ${end.message}` : ''}`,
    batch: config.batchSize,
    epochs: config.epochs,
    epochsCompleted: epochs.length,
    seed: config.seed,
    trainingOverride: args.training ?? null,
    optimizer: config.optimizer,
    schedule: config.schedule,
    stepsPerEpoch: trainer.stepsPerEpoch,
    steps,
    testAccuracy: last?.testAccuracy ?? null,
    testLoss: last?.testLoss ?? null,
    trainLoss: round(lastTrainLoss, 5),
    msPerStep: round(steadySteps ? steadyMs / steadySteps : msTotal / Math.max(1, steps)),
    msPerStepMedianChunk: round(median(perChunk)),
    msPerStepIncludingRampUp: round(msTotal / Math.max(1, steps)),
    steadySteps,
    msTotal: Math.round(msTotal),
    msWall: Math.round(msWall),
    msEval: Math.round(source.evalMs),
    msSetup: Math.round(msSetup),
    imagesPerSecond: Math.round(steadySteps ? (config.batchSize * steadySteps * 1000) / steadyMs : 0),
    dispatchesPerStep: trainer.dispatchesPerStep,
    submitsPerStep: round(source.submits / Math.max(1, steps), 5),
    queueSubmitsPerStep: round((allSubmits - source.evalSubmits) / Math.max(1, steps), 5),
    stepsPerSubmit: round(steps / Math.max(1, source.submits), 1),
    perEpoch: epochs.map((e) => ({ ...e, msTrain: Math.round(e.msTrain), trainLoss: round(e.trainLoss, 5) })),
    target: target ? { ...target, met: Boolean(reached), reachedAtEpoch: reached?.epoch ?? null } : null,
    timeToAccuracy,
    gpuErrors,
  };
  let layerCosts: LayerCostReport | null = null;
  let encodeMsPerStep: number | null = null;
  let submitMsPerStep: number | null = null;
  if (args.layerCosts) {
    layerCosts = await measureLayerCosts(trainer.dashboardHooks(), trainer.plan, trainer.batch, {
      useTimestamps: true,
      repeats: 20,
    });
    const parts = layerCosts.layers.filter((l) => l.forwardMs !== null || l.backwardMs !== null);
    const sum = parts.reduce((a, l) => a + (l.forwardMs ?? 0) + (l.backwardMs ?? 0), layerCosts.lossMs ?? 0);
    log(
      `[engine] layer costs (${layerCosts.method}), ms: ` +
        parts
          .map((l) => `${l.index}:${l.kind} ${(l.forwardMs ?? 0).toFixed(3)}/${(l.backwardMs ?? 0).toFixed(3)}`)
          .join(', ') +
        `; loss ${(layerCosts.lossMs ?? 0).toFixed(3)}; sum ${sum.toFixed(3)} of ${result.msPerStep} per step`,
    );

    // CPU time to record a step, and to submit it (Dawn builds the native command buffer inside
    // queue.submit, on this thread): when the two exceed the GPU's time per step, the GPU waits.
    const encoder = gpu.device.createCommandEncoder({ label: 'encode cost' });
    const pass = encoder.beginComputePass();
    trainer.encodeStepForProfile(pass);
    const t0 = performance.now();
    for (let i = 0; i < 200; i++) trainer.encodeStepForProfile(pass);
    pass.end();
    const commands = encoder.finish();
    const t1 = performance.now();
    gpu.device.queue.submit([commands]);
    const t2 = performance.now();
    await gpu.device.queue.onSubmittedWorkDone();
    encodeMsPerStep = round((t1 - t0) / 200, 4);
    submitMsPerStep = round((t2 - t1) / 201, 4);
    log(
      `[engine] CPU time per step: ${encodeMsPerStep} ms to record, ${submitMsPerStep} ms to submit (${trainer.dispatchesPerStep} dispatches)`,
    );
  }
  let stepProfile: StepProfile | null = null;
  if (args.layerCosts && gpu.hasTimestamps) {
    // Last: it advances the GPU training state outside the run.
    stepProfile = await profileStep(gpu.device, (pass) => trainer.encodeStepForProfile(pass));
    log(
      `[engine] step profile, ms per dispatch (each in its own pass): ` +
        stepProfile.dispatches
          .map((d) => `${d.kernel}[${d.workgroups.join('x')}] ${d.ms.toFixed(4)} (marginal ${d.marginalMs.toFixed(4)})`)
          .join(', ') +
        `; sum ${stepProfile.sumMs}, whole step in one pass ${stepProfile.onePassMs}`,
    );
  }
  trainer.destroy();
  return {
    ...result,
    ...(layerCosts ? { layerCosts, encodeMsPerStep, submitMsPerStep } : {}),
    ...(stepProfile ? { stepProfile } : {}),
  };
}

async function main(): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) log(e.message);
      log(USAGE);
      return 2;
    }
    throw e;
  }
  const preset = PRESETS[args.preset];
  if (preset.dataset !== 'mnist') {
    log(`Preset ${args.preset} does not train on MNIST; the benchmark runs the MNIST presets only.`);
    return 2;
  }
  const tLoad = performance.now();
  const mnist = loadMnist(args.data);
  const train = args.subset ? subsetImages(mnist.train, args.subset) : mnist.train;
  const test = args.testSubset ? subsetImages(mnist.test, args.testSubset) : mnist.test;
  const msLoad = performance.now() - tLoad;

  const dawn = installDawn();
  const gpu = await acquireGpu(dawn.gpu, { label: 'bench' });
  const s = gpu.summary;
  log(`[bench] adapter: ${s.vendor} / ${s.architecture} / ${s.description}${s.isFallback ? ' (software)' : ''}`);

  const engine = await runEngine(args, gpu, train, test);
  const out: Record<string, unknown> = {
    bench: 'train',
    preset: args.preset,
    adapter: {
      vendor: s.vendor,
      architecture: s.architecture,
      device: s.device,
      description: s.description,
      isFallback: s.isFallback,
    },
    images: train.count,
    testImages: test.count,
    ...engine,
    msLoad: Math.round(msLoad),
    dataDir: mnist.dir,
    node: process.version,
    dawnNode: dawn.path,
  };

  if (args.vs === 'tfjs') {
    try {
      const { runTfjs } = await import('./tfjsPeer');
      const r: TfjsResult = await runTfjs(
        {
          model: preset.model,
          optimizer: preset.training.optimizer,
          schedule: preset.training.schedule,
          batchSize: engine.batch,
          epochs: args.tfjsEpochs ?? engine.epochs,
        },
        train,
        test,
        log,
      );
      Object.assign(out, {
        tfjsMsPerStep: round(r.msPerStep),
        tfjsTestAccuracy: r.testAccuracy,
        tfjsEpochs: r.perEpoch.length,
        tfjsSteps: r.steps,
        tfjsMsTotal: Math.round(r.msTotal),
        tfjsMsWarmup: Math.round(r.msWarmup),
        tfjsPerEpoch: r.perEpoch,
        tfjsBackend: r.backend,
        tfjsAdapter: r.adapter,
        speedupVsTfjs: round(r.msPerStep / (engine.msPerStep as number), 2),
      });
    } catch (e) {
      out.tfjsError = e instanceof Error ? e.message : String(e);
      log(`[tfjs] failed: ${out.tfjsError}`);
    }
  }

  const text = args.json ? JSON.stringify(out) : JSON.stringify(out, null, 2);
  process.stdout.write(`${text}\n`);
  if (args.out) writeFileSync(args.out, `${JSON.stringify(out)}\n`);
  const ok = engine.end === 'finished' || (engine.end === 'stopped' && args.maxSeconds !== undefined);
  return ok && engine.gpuErrors.length === 0 ? 0 : 1;
}

// A pending GPU promise does not always keep Node alive, and dawn.node may hang at exit: exit explicitly.
main().then(
  (code) => process.exit(code),
  (e) => {
    log(`[bench] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
