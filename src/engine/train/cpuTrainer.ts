/**
 * The CPU reference trainer: the same seeded run as GpuTrainer (same init, same per-epoch shuffle,
 * same dropout masks, same optimizer formulas and learning-rate table), computed with the plain
 * CPU ops. It is the ground truth the GPU trainer is tested against, the fallback where a browser
 * has no WebGPU, and the "CPU" side of the dashboard's CPU-vs-GPU comparison.
 */
import { initParameters } from '../init';
import { learningRateAt } from '../schedules';
import { optimizerStateSize, optimizerStep } from '../ops/optimizer/cpu';
import { seededPermutation } from '../rng';
import { gatherBatch, MNIST_MEAN, MNIST_STD } from '../ops/batch/cpu';
import { forwardModel, lossAndGradients, type ModelParams } from '../cpu/model';
import { rowArgmax } from '../ops/loss/cpu';
import type { Dataset, ImageDataset } from './data';
import type { EvaluationResult, LayerParameterMap, StepMetric, TrainingConfig } from './gpuTrainer';
import { planModel, type ExecutionPlan } from './plan';

export class CpuTrainer {
  readonly plan: ExecutionPlan;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  globalStep = 0;
  private params: ModelParams<Float32Array>;
  private readonly state = new Map<number, { weight: Float32Array; bias: Float32Array }>();
  private perm: Uint32Array | null = null;
  private permEpoch = -1;

  constructor(
    readonly config: TrainingConfig,
    readonly train: Dataset,
    readonly test: ImageDataset | null,
  ) {
    this.plan = planModel(config.model);
    const B = config.batchSize;
    this.stepsPerEpoch = Math.max(1, Math.floor(train.count / B));
    this.totalSteps = this.stepsPerEpoch * config.epochs;
    this.params = [];
    this.writeParameters(initParameters(config.model, config.seed, config.init ?? 'auto'));
  }

  /** Replaces the parameters and zeroes the optimizer state. */
  writeParameters(map: LayerParameterMap): void {
    this.params = this.config.model.layers.map((_, i) => {
      const p = map.get(i);
      return p ? { weight: Float32Array.from(p.weight), bias: Float32Array.from(p.bias) } : undefined;
    });
    this.state.clear();
    this.params.forEach((p, i) => {
      if (!p) return;
      this.state.set(i, {
        weight: new Float32Array(optimizerStateSize(this.config.optimizer, p.weight.length)),
        bias: new Float32Array(optimizerStateSize(this.config.optimizer, p.bias.length)),
      });
    });
  }

  /** A copy of the parameters by layer index. */
  readParameters(): LayerParameterMap {
    const map: LayerParameterMap = new Map();
    this.params.forEach((p, i) => {
      if (p) map.set(i, { weight: p.weight.slice(), bias: p.bias.slice() });
    });
    return map;
  }

  /** The batch of a global step: the same indices the GPU gathers. */
  batchAt(step: number): { x: Float32Array; y: ArrayLike<number> } {
    const B = this.config.batchSize;
    const train = this.train;
    if (train.kind === 'vectors') return { x: train.inputs, y: train.targets };
    const epoch = Math.floor(step / this.stepsPerEpoch);
    if (epoch !== this.permEpoch) {
      this.perm = seededPermutation(train.count, this.config.seed, epoch);
      this.permEpoch = epoch;
    }
    const start = (step % this.stepsPerEpoch) * B;
    const indices = this.perm!.subarray(start, start + B);
    const { x, y } = gatherBatch(
      train.images,
      train.labels,
      indices,
      train.pixels,
      train.mean ?? MNIST_MEAN,
      train.std ?? MNIST_STD,
    );
    return { x, y };
  }

  /** Runs `n` training steps (or fewer at the end of the run) and returns their metrics. */
  runSteps(n: number): StepMetric[] {
    const out: StepMetric[] = [];
    const B = this.config.batchSize;
    for (let i = 0; i < n && this.globalStep < this.totalSteps; i++) {
      const s = this.globalStep;
      const { x, y } = this.batchAt(s);
      const r = lossAndGradients(this.config.model, this.params, x, y, B, {
        training: true,
        seed: this.config.seed,
        step: s,
      });
      const lr = learningRateAt(
        this.config.schedule,
        this.config.optimizer.learningRate,
        s,
        this.totalSteps,
        this.stepsPerEpoch,
      );
      this.params.forEach((p, layer) => {
        const g = r.grads[layer];
        const st = this.state.get(layer);
        if (!p || !g || !st) return;
        optimizerStep(this.config.optimizer, p.weight, g.weight as Float32Array, st.weight, s + 1, lr);
        optimizerStep(this.config.optimizer, p.bias, g.bias as Float32Array, st.bias, s + 1, lr);
      });
      out.push({ step: s, loss: r.loss, accuracy: r.correct / B });
      this.globalStep++;
    }
    return out;
  }

  /** Accuracy, mean loss and confusion matrix on (the first `limit` images of) the test set. */
  evaluate(limit = Infinity): EvaluationResult {
    const test = this.test;
    if (!test) throw new Error('No test set to evaluate on.');
    const classes = this.plan.classes;
    const confusion = new Uint32Array(classes * classes);
    const count = Math.min(test.count, limit);
    const B = 100;
    let lossSum = 0;
    for (let start = 0; start < count; start += B) {
      const idx = Array.from({ length: Math.min(B, count - start) }, (_, i) => start + i);
      const { x, y } = gatherBatch(
        test.images,
        test.labels,
        idx,
        test.pixels,
        test.mean ?? MNIST_MEAN,
        test.std ?? MNIST_STD,
      );
      const f = forwardModel(this.config.model, this.params, x, idx.length, { training: false });
      const logits = f.activations[this.plan.lossInput === this.plan.slots[0] ? 0 : lossInputLayer(this.plan) + 1];
      for (let b = 0; b < idx.length; b++) {
        const pred = rowArgmax(logits, b, classes);
        confusion[y[b] * classes + pred]++;
        // Cross-entropy from logits, stably.
        let max = -Infinity;
        for (let c = 0; c < classes; c++) max = Math.max(max, logits[b * classes + c]);
        let sum = 0;
        for (let c = 0; c < classes; c++) sum += Math.exp(logits[b * classes + c] - max);
        lossSum += Math.log(sum) + max - logits[b * classes + y[b]];
      }
    }
    let correct = 0;
    for (let c = 0; c < classes; c++) correct += confusion[c * classes + c];
    return { loss: lossSum / count, accuracy: correct / count, confusion, count };
  }
}

/** The layer whose output the loss reads (the last one not fused into the loss). */
function lossInputLayer(plan: ExecutionPlan): number {
  const steps = plan.steps;
  let i = steps.length - 1;
  while (i >= 0 && steps[i].layer.kind === 'softmax') i--;
  return i;
}
