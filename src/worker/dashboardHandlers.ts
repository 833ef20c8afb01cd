/**
 * The Worker's side of the training dashboard: answers `dashboard` requests (see
 * dashboardProtocol.ts) about the current model. Test-set predictions run on the GPU (cached per
 * training step); single images run through the CPU reference with weights read back once per
 * step, which is quick for one image and gives every activation.
 */
import type { KernelRunner } from '../engine/kernel/runner';
import { compareBackends } from '../engine/train/compare';
import type { LayerParameterMap } from '../engine/train/gpuTrainer';
import {
  cpuInference,
  gpuTestLogits,
  normaliseImages,
  outputsToProbabilities,
  predictionsOf,
  type TestPrediction,
} from '../engine/train/inference';
import { measureLayerCosts } from '../engine/train/layerCost';
import type { DashboardRequest, DashboardResult, PredictedImage } from './dashboardProtocol';
import type { WorkerToMain } from './protocol';
import { TrainingJobRunner, type JobModel } from './trainingJob';

export interface DashboardDeps {
  /** The current model (running, paused or finished job), or null. */
  current(): JobModel | null;
  ensureRunner(): Promise<KernelRunner>;
  /** Stops a running job (if any) and makes `next` the current model, freeing the old one. */
  replaceModel(next: TrainingJobRunner): Promise<void>;
  stopRunning(): Promise<void>;
  isRunning(): boolean;
  post(message: WorkerToMain): void;
}

const NO_MODEL = 'There is no trained network yet: press Start (or load a saved model) first.';

/** Creates the handler for dashboard requests. */
export function createDashboard(deps: DashboardDeps): (request: DashboardRequest) => Promise<DashboardResult> {
  // Caches keyed by model and step: predictions and CPU weights are recomputed only after training moves on.
  let predictionCache: { model: JobModel; step: number; predictions: TestPrediction[] } | null = null;
  let paramCache: { model: JobModel; step: number; params: LayerParameterMap } | null = null;

  const stepOf = (m: JobModel) => (m.gpu ? m.gpu.globalStep : (m.cpu?.globalStep ?? 0));

  async function parameters(m: JobModel): Promise<LayerParameterMap> {
    const step = stepOf(m);
    if (paramCache?.model === m && paramCache.step === step) return paramCache.params;
    const params = m.gpu ? await m.gpu.readParameters() : m.cpu!.readParameters();
    paramCache = { model: m, step, params };
    return params;
  }

  /** Predictions for the first `limit` test images (all of them by default; cached when all). */
  async function testPredictions(m: JobModel, limit = Infinity): Promise<TestPrediction[]> {
    const step = stepOf(m);
    if (predictionCache?.model === m && predictionCache.step === step)
      return predictionCache.predictions.slice(0, limit);
    const test = m.test ? { ...m.test, count: Math.min(m.test.count, limit) } : null;
    if (!test) throw new Error('This network has no test set (the toy data sets have none).');
    const model = m.job.config.model;
    let probs: Float32Array;
    if (m.gpu && m.runner) {
      const plan = m.gpu.plan;
      const logits = await gpuTestLogits(m.runner, m.gpu.dashboardHooks(), plan, test, m.gpu.batch);
      probs = outputsToProbabilities(logits, test.count, plan.classes, model);
    } else {
      const params = await parameters(m);
      const parts: Float32Array[] = [];
      for (let start = 0; start < test.count; start += 200) {
        const n = Math.min(200, test.count - start);
        parts.push(
          cpuInference(
            model,
            params,
            normaliseImages(test.images.subarray(start * test.pixels, (start + n) * test.pixels)),
            n,
          ).probs,
        );
      }
      probs = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
      parts.reduce((o, p) => (probs.set(p, o), o + p.length), 0);
    }
    const classes = probs.length / test.count;
    const predictions = predictionsOf(probs, test.labels, classes);
    if (test.count === m.test!.count) predictionCache = { model: m, step, predictions };
    return predictions;
  }

  function toItem(m: JobModel, p: TestPrediction): PredictedImage {
    const px = m.test!.pixels;
    return {
      index: p.index,
      label: p.label,
      predicted: p.predicted,
      probs: Array.from(p.probs),
      pixels: m.test!.images.slice(p.index * px, (p.index + 1) * px),
    };
  }

  const need = (): JobModel => {
    const m = deps.current();
    if (!m) throw new Error(NO_MODEL);
    return m;
  };

  return async (request) => {
    switch (request.op) {
      case 'testPredictions': {
        const m = need();
        const cell = request.cell;
        // The grid needs only the first few images; a confusion cell needs the whole test set.
        const all = await testPredictions(m, cell ? Infinity : request.limit);
        const chosen = cell ? all.filter((p) => p.label === cell.label && p.predicted === cell.predicted) : all;
        return {
          op: 'testPredictions',
          step: stepOf(m),
          total: chosen.length,
          items: chosen.slice(0, request.limit).map((p) => toItem(m, p)),
        };
      }
      case 'predictImage': {
        const m = need();
        const model = m.job.config.model;
        if (model.input.length !== 3) throw new Error('This network does not take images.');
        const r = cpuInference(model, await parameters(m), normaliseImages(request.pixels), 1);
        const conv = model.layers.findIndex((l) => l.kind === 'conv2d');
        // Show the conv layer's output after its ReLU when one follows (what the next layer sees).
        const shown = conv >= 0 && model.layers[conv + 1]?.kind === 'relu' ? conv + 1 : conv;
        const activation =
          conv >= 0 ? { layerIndex: conv, shape: r.shapes[shown + 1], data: r.activations[shown + 1] } : null;
        return { op: 'predictImage', probs: Array.from(r.probs), activation };
      }
      case 'filters': {
        const m = need();
        const model = m.job.config.model;
        const conv = model.layers.findIndex((l) => l.kind === 'conv2d');
        const layer = model.layers[conv];
        if (conv < 0 || layer.kind !== 'conv2d') return { op: 'filters', layerIndex: -1 };
        const p = (await parameters(m)).get(conv)!;
        const inC = model.input[0];
        return {
          op: 'filters',
          layerIndex: conv,
          shape: [layer.filters, inC, layer.kernel, layer.kernel],
          weights: p.weight,
        };
      }
      case 'readParameters': {
        const m = need();
        return { op: 'readParameters', step: stepOf(m), parameters: await parameters(m) };
      }
      case 'loadModel': {
        // All or nothing: the new network is built and its weights uploaded BEFORE the current
        // model is stopped or replaced, so a file that fails here leaves the trained model as it was.
        const job = { ...request.job, initialParameters: request.parameters };
        let runner: KernelRunner | null = null;
        if (job.backend !== 'cpu') runner = await deps.ensureRunner().catch(() => null);
        const next = new TrainingJobRunner(job, deps.post);
        let info;
        try {
          ({ info } = await next.prepare(runner));
        } catch (e) {
          next.dispose();
          throw e;
        }
        await deps.stopRunning();
        await deps.replaceModel(next);
        const m = next.model!;
        const evaluation = m.test ? (m.gpu ? await m.gpu.evaluate() : m.cpu!.evaluate(m.test.count)) : null;
        return { op: 'loadModel', info, evaluation };
      }
      case 'compareBackends': {
        const m = need();
        if (deps.isRunning())
          throw new Error('Pause or finish training first: the comparison needs the GPU to itself.');
        const runner = m.runner ?? (await deps.ensureRunner());
        const steps = Math.max(1, Math.min(50, Math.floor(request.steps)));
        const comparison = await compareBackends(runner, m.job.config, m.train, steps, {
          yieldToEvents: () => new Promise((r) => setTimeout(r, 0)),
        });
        return { op: 'compareBackends', comparison };
      }
      case 'layerCosts': {
        const m = need();
        if (!m.gpu || !m.runner)
          throw new Error('This network is training on the CPU, so there are no GPU timings to show.');
        if (deps.isRunning())
          throw new Error('Pause or finish training first, so the timings measure one layer at a time.');
        const report = await measureLayerCosts(m.gpu.dashboardHooks(), m.gpu.plan, m.gpu.batch, {
          useTimestamps: true,
        });
        return { op: 'layerCosts', report };
      }
    }
  };
}
