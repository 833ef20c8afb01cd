/** The loss kernels' checks: random cases, references and tolerances. Test harness only: training never imports it. */
import type { KernelCheckCase, KernelCheckOptions, KernelCheckResult } from '../../kernel/spec';
import type { KernelRunner } from '../../kernel/runner';
import type { KernelSpec } from '../../kernel/spec';
import type { SeededRandom } from '../../rng';
import { meanSquaredError, rowArgmax, softmax, softmaxCrossEntropy } from './cpu';
import { checkKernel, compareExact, compareValues, randomFloats, runGpuCases, type GpuCase } from '../../kernel/check';
import {
  PADDING_LABEL,
  countersAfterLoss,
  evaluateUniforms,
  mseLossUniforms,
  softmaxCrossEntropyUniforms,
} from './abi';

/** Logits in [-5, 5), with a few huge rows (stability) and rows of ties (first max wins). */
export function randomLogits(rng: SeededRandom, batch: number, classes: number): Float32Array {
  const logits = randomFloats(rng, batch * classes, -5, 5);
  for (let b = 0; b < batch; b++) {
    if (b % 5 === 1) for (let c = 0; c < classes; c++) logits[b * classes + c] = rng.int(3);
    if (b % 7 === 2) for (let c = 0; c < classes; c++) logits[b * classes + c] = 60 + 40 * rng.next();
  }
  return logits;
}

export function randomLabels(rng: SeededRandom, batch: number, classes: number): Uint32Array {
  return Uint32Array.from({ length: batch }, () => rng.int(classes));
}

/** A metrics ring of `slots` pairs filled with -1, so a write to the wrong slot shows. */
export function sentinelRing(slots: number): Float32Array {
  return new Float32Array(slots * 2).fill(-1);
}

export async function checkSoftmaxCrossEntropy(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const shapes: [number, number][] = [
      [1, 1],
      [1, 10],
      [2 + rng.int(20), 2 + rng.int(20)],
      [257 + rng.int(300), 10],
      [3, 700 + rng.int(300)],
    ];
    const setups = shapes.map(([batch, classes], i) => {
      const logits = randomLogits(rng, batch, classes);
      const labels = randomLabels(rng, batch, classes);
      const slots = 1 + rng.int(5);
      const counters: [number, number] = [rng.int(1000), rng.int(100)];
      const advance = i % 2 === 1;
      return {
        batch,
        classes,
        logits,
        labels,
        slots,
        counters,
        advance,
        ref: softmaxCrossEntropy(Float64Array.from(logits), labels, batch, classes),
      };
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `${s.batch}x${s.classes}${s.advance ? ' +advance' : ''}`,
      buffers: {
        logits: s.logits,
        labels: s.labels,
        dlogits: s.batch * s.classes * 4,
        metrics: sentinelRing(s.slots),
        train_state: new Uint32Array(s.counters),
      },
      uniforms: softmaxCrossEntropyUniforms(s.batch, s.classes, s.slots, s.advance),
      read: ['dlogits', 'metrics', 'train_state'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.flatMap((s, i): KernelCheckCase[] => {
      const metrics = new Float32Array(outs[i].metrics);
      const expected = sentinelRing(s.slots);
      const slot = s.counters[0] % s.slots;
      expected[slot * 2] = s.ref.loss;
      expected[slot * 2 + 1] = s.ref.correct;
      const counts = Array.from(expected, (v, k) => (k === slot * 2 ? 0 : v));
      return [
        // Probabilities round a few times and go through the GPU's exp/log (a few ulps each).
        compareValues(`${cases[i].shape} dlogits`, new Float32Array(outs[i].dlogits), s.ref.dLogits, 1e-5),
        compareValues(`${cases[i].shape} mean loss`, [metrics[slot * 2]], [s.ref.loss], 2e-5),
        compareExact(
          `${cases[i].shape} correct and ring`,
          Array.from(metrics, (v, k) => (k === slot * 2 ? 0 : v)),
          counts,
        ),
        compareExact(
          `${cases[i].shape} counters`,
          new Uint32Array(outs[i].train_state),
          countersAfterLoss(s.counters, s.advance),
        ),
      ];
    });
  });
}

/** CPU twin of evaluate: confusion counts added to `confusion0`, the loss sum and the probabilities. */
export function evaluateReference(
  logits: Float32Array,
  labels: Uint32Array,
  batch: number,
  classes: number,
  confusion0: Uint32Array,
): { confusion: Uint32Array; lossSum: number; probs: Float64Array } {
  const confusion = Uint32Array.from(confusion0);
  const probs = softmax(Float64Array.from(logits), batch, classes);
  let lossSum = 0;
  for (let b = 0; b < batch; b++) {
    const label = labels[b];
    if (label === PADDING_LABEL || label >= classes) continue;
    const row = Float64Array.from(logits.subarray(b * classes, (b + 1) * classes));
    lossSum += softmaxCrossEntropy(row, [label], 1, classes).loss;
    confusion[label * classes + rowArgmax(logits, b, classes)]++;
  }
  return { confusion, lossSum, probs };
}

export async function checkEvaluate(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const shapes: [number, number][] = [
      [1, 1],
      [1, 10],
      [2 + rng.int(30), 2 + rng.int(12)],
      [257 + rng.int(300), 10],
    ];
    const setups = shapes.map(([batch, classes], i) => {
      const logits = randomLogits(rng, batch, classes);
      const labels = randomLabels(rng, batch, classes);
      // Padding rows at the end, as gather_batch writes them for the last test batch.
      for (let b = Math.max(1, batch - 1 - rng.int(5)); b < batch; b++) labels[b] = PADDING_LABEL;
      const confusion0 = Uint32Array.from({ length: classes * classes }, () => rng.int(3));
      const slots = 1 + rng.int(4);
      const batchIndex = rng.int(slots);
      const writeProbs = i % 2 === 1;
      return {
        batch,
        classes,
        logits,
        labels,
        confusion0,
        slots,
        batchIndex,
        writeProbs,
        ref: evaluateReference(logits, labels, batch, classes, confusion0),
      };
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `${s.batch}x${s.classes}${s.writeProbs ? ' +probs' : ''}`,
      buffers: {
        logits: s.logits,
        labels: s.labels,
        confusion: s.confusion0,
        loss_out: new Float32Array(s.slots).fill(-1),
        probs: s.batch * s.classes * 4,
      },
      uniforms: evaluateUniforms(s.batch, s.classes, s.batchIndex, s.writeProbs),
      read: ['confusion', 'loss_out', 'probs'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.flatMap((s, i): KernelCheckCase[] => {
      const shape = cases[i].shape;
      const lossOut = new Float32Array(outs[i].loss_out);
      const expectedLoss = new Float64Array(s.slots).fill(-1);
      expectedLoss[s.batchIndex] = s.ref.lossSum;
      const result = [
        compareExact(`${shape} confusion`, new Uint32Array(outs[i].confusion), s.ref.confusion),
        compareValues(`${shape} loss sum`, lossOut, expectedLoss, 2e-6 * Math.max(10, s.batch)),
      ];
      if (s.writeProbs) {
        // Padding rows are skipped, so only real rows are compared.
        const probs = new Float32Array(outs[i].probs);
        const real = (b: number) => s.labels[b] !== PADDING_LABEL;
        const keep = (arr: ArrayLike<number>) => Array.from(arr).filter((_, k) => real(Math.floor(k / s.classes)));
        result.push(compareValues(`${shape} probs`, keep(probs), keep(s.ref.probs), 1e-5));
      }
      return result;
    });
  });
}

/** CPU twin of mse_loss: cpu/loss.meanSquaredError plus the "correct" rule of cpu/model.ts. */
export function mseReference(
  pred: Float32Array,
  targets: ArrayLike<number>,
  batch: number,
  features: number,
): { loss: number; dPred: Float64Array; correct: number } {
  const { loss, dPred } = meanSquaredError(Float64Array.from(pred), targets);
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    const right =
      features === 1
        ? pred[b] >= 0.5 === targets[b] >= 0.5
        : rowArgmax(pred, b, features) === rowArgmax(targets, b, features);
    if (right) correct++;
  }
  return { loss, dPred, correct };
}

/** One-hot rows [batch, features] from class labels. */
export function oneHot(labels: ArrayLike<number>, features: number): Float64Array {
  const out = new Float64Array(labels.length * features);
  for (let b = 0; b < labels.length; b++) out[b * features + labels[b]] = 1;
  return out;
}

export async function checkMseLoss(
  spec: KernelSpec,
  runner: KernelRunner,
  rng: SeededRandom,
  options: KernelCheckOptions = {},
): Promise<KernelCheckResult> {
  return checkKernel(spec, runner, options, async (kernel) => {
    const shapes: [number, number, boolean][] = [
      [1, 1, false],
      [3 + rng.int(20), 1, false],
      [2 + rng.int(20), 2 + rng.int(12), false],
      [257 + rng.int(300), 10, true],
      [1, 10, true],
    ];
    const setups = shapes.map(([batch, features, labelTargets], i) => {
      const pred = randomFloats(rng, batch * features, -0.5, 1.5);
      const labels = randomLabels(rng, batch, features);
      const targets = labelTargets
        ? oneHot(labels, features)
        : Float32Array.from(randomFloats(rng, batch * features, 0, 1), (v) => (v < 0.3 ? 0.5 : v));
      const slots = 1 + rng.int(5);
      const counters: [number, number] = [rng.int(1000), rng.int(100)];
      const advance = i % 2 === 1;
      return {
        batch,
        features,
        labelTargets,
        pred,
        labels,
        targets,
        slots,
        counters,
        advance,
        ref: mseReference(pred, targets, batch, features),
      };
    });
    const cases: GpuCase[] = setups.map((s) => ({
      shape: `${s.batch}x${s.features}${s.labelTargets ? ' labels' : ''}${s.advance ? ' +advance' : ''}`,
      buffers: {
        pred: s.pred,
        targets: s.labelTargets ? s.labels : Float32Array.from(s.targets),
        dpred: s.batch * s.features * 4,
        metrics: sentinelRing(s.slots),
        train_state: new Uint32Array(s.counters),
      },
      uniforms: mseLossUniforms(s.batch, s.features, s.slots, s.labelTargets, s.advance),
      read: ['dpred', 'metrics', 'train_state'],
    }));
    const outs = await runGpuCases(runner, kernel, cases);
    return setups.flatMap((s, i): KernelCheckCase[] => {
      const metrics = new Float32Array(outs[i].metrics);
      const slot = s.counters[0] % s.slots;
      const expected = sentinelRing(s.slots);
      expected[slot * 2 + 1] = s.ref.correct;
      const n = s.batch * s.features;
      return [
        compareValues(`${cases[i].shape} dpred`, new Float32Array(outs[i].dpred), s.ref.dPred, 1e-6),
        compareValues(`${cases[i].shape} loss`, [metrics[slot * 2]], [s.ref.loss], 1e-6 * Math.max(1, n)),
        compareExact(
          `${cases[i].shape} correct and ring`,
          Array.from(metrics, (v, k) => (k === slot * 2 ? 0 : v)),
          Array.from(expected, (v, k) => (k === slot * 2 ? 0 : v)),
        ),
        compareExact(
          `${cases[i].shape} counters`,
          new Uint32Array(outs[i].train_state),
          countersAfterLoss(s.counters, s.advance),
        ),
      ];
    });
  });
}
