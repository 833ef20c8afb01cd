import { describe, expect, it } from 'vitest';
import type { ModelSpec } from '../layers';
import { numericalGradient, randomArray } from './gradcheck';
import { softmax } from '../ops/loss/cpu';
import {
  type ModelParams,
  backwardModel,
  forwardModel,
  lossAndGradients,
  modelActivationShapes,
  zeroParams,
} from './model';
import { maxAbsDiff, relativeError } from './tensor';

/** conv → relu → maxpool → flatten → dense → softmax, trained with softmax cross-entropy. */
const convNet: ModelSpec = {
  input: [1, 6, 6],
  layers: [
    { kind: 'conv2d', filters: 2, kernel: 3, stride: 1, padding: 1 },
    { kind: 'relu' },
    { kind: 'maxpool', size: 2, stride: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 3 },
    { kind: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
};

/** Strided conv, leakyRelu, overlapping avgpool, dropout, implicit flatten, tanh; logits without a softmax layer. */
const mixedNet: ModelSpec = {
  input: [2, 5, 5],
  layers: [
    { kind: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 },
    { kind: 'leakyRelu', alpha: 0.1 },
    { kind: 'avgpool', size: 2, stride: 1 },
    { kind: 'dropout', rate: 0.3 },
    { kind: 'dense', units: 4 },
    { kind: 'tanh' },
    { kind: 'dense', units: 3 },
  ],
  loss: 'softmaxCrossEntropy',
};

/** A small perceptron regressed with mean squared error. */
const mlp: ModelSpec = {
  input: [3],
  layers: [{ kind: 'dense', units: 4 }, { kind: 'sigmoid' }, { kind: 'dense', units: 2 }],
  loss: 'mse',
};

/** Seeded random parameters with the right lengths for every layer. */
function randomParams(model: ModelSpec, seed: number): ModelParams<Float64Array> {
  return zeroParams(model, new Float64Array(0)).map((p, i) =>
    p
      ? {
          weight: randomArray(p.weight.length, seed + 2 * i, -0.8, 0.8),
          bias: randomArray(p.bias.length, seed + 2 * i + 1, -0.2, 0.2),
        }
      : undefined,
  );
}

/** Checks every parameter gradient of lossAndGradients against central finite differences of its loss. */
function expectGradientsMatchFiniteDifferences(
  model: ModelSpec,
  params: ModelParams<Float64Array>,
  x: Float64Array,
  targets: ArrayLike<number>,
  batch: number,
): void {
  const opts = { training: true, seed: 17, step: 3 };
  const { grads } = lossAndGradients(model, params, x, targets, batch, opts);
  const loss = () => lossAndGradients(model, params, x, targets, batch, opts).loss;
  let checked = 0;
  params.forEach((p, i) => {
    if (!p) {
      expect(grads[i]).toBeUndefined();
      return;
    }
    // numericalGradient perturbs p.weight in place, so loss() sees each perturbation.
    expect(relativeError(grads[i]!.weight, numericalGradient(loss, p.weight))).toBeLessThan(1e-6);
    expect(relativeError(grads[i]!.bias, numericalGradient(loss, p.bias))).toBeLessThan(1e-6);
    checked++;
  });
  expect(checked).toBeGreaterThan(0);
}

describe('modelActivationShapes', () => {
  it('follows conv, pool, flatten and dense through an MNIST-sized model', () => {
    const model: ModelSpec = {
      input: [1, 28, 28],
      layers: [
        { kind: 'conv2d', filters: 8, kernel: 5, stride: 1, padding: 0 },
        { kind: 'relu' },
        { kind: 'maxpool', size: 2, stride: 2 },
        { kind: 'flatten' },
        { kind: 'dropout', rate: 0.5 },
        { kind: 'dense', units: 10 },
        { kind: 'softmax' },
      ],
      loss: 'softmaxCrossEntropy',
    };
    expect(modelActivationShapes(model)).toEqual([
      [1, 28, 28],
      [8, 24, 24],
      [8, 24, 24],
      [8, 12, 12],
      [1152],
      [1152],
      [10],
      [10],
    ]);
  });

  it('throws a RangeError for a conv layer on flat input', () => {
    const model: ModelSpec = {
      input: [10],
      layers: [{ kind: 'conv2d', filters: 1, kernel: 1, stride: 1, padding: 0 }],
      loss: 'mse',
    };
    expect(() => modelActivationShapes(model)).toThrow(RangeError);
  });
});

describe('lossAndGradients', () => {
  it('matches finite differences for conv + relu + maxpool + dense + fused softmax cross-entropy', () => {
    expectGradientsMatchFiniteDifferences(convNet, randomParams(convNet, 100), randomArray(2 * 36, 101), [2, 0], 2);
  });

  it('matches finite differences for strided conv + leakyRelu + avgpool + dropout + tanh with plain logits', () => {
    expectGradientsMatchFiniteDifferences(
      mixedNet,
      randomParams(mixedNet, 200),
      randomArray(3 * 50, 201),
      [1, 2, 0],
      3,
    );
  });

  it('matches finite differences for a sigmoid perceptron under mean squared error', () => {
    expectGradientsMatchFiniteDifferences(
      mlp,
      randomParams(mlp, 300),
      randomArray(4 * 3, 301),
      randomArray(4 * 2, 302),
      4,
    );
  });

  it('gives the same gradients through the fused softmax as through softmax backward on d(−log p)/dp', () => {
    const params = randomParams(convNet, 400);
    const x = randomArray(2 * 36, 401);
    const labels = [1, 2];
    const fused = lossAndGradients(convNet, params, x, labels, 2, { training: true });
    const probs = fused.forward.output;
    const dProbs = new Float64Array(probs.length);
    labels.forEach((label, b) => (dProbs[b * 3 + label] = -1 / (2 * probs[b * 3 + label])));
    const unfused = backwardModel(convNet, params, fused.forward, dProbs, 2);
    for (const i of [0, 4]) {
      expect(relativeError(unfused.grads[i]!.weight, fused.grads[i]!.weight)).toBeLessThan(1e-12);
      expect(relativeError(unfused.grads[i]!.bias, fused.grads[i]!.bias)).toBeLessThan(1e-12);
    }
  });

  it('treats mse labels as one-hot targets and counts argmax matches as correct', () => {
    const params = randomParams(mlp, 500);
    const x = randomArray(2 * 3, 501);
    const fromLabels = lossAndGradients(mlp, params, x, [1, 0], 2, { training: false });
    const fromTargets = lossAndGradients(mlp, params, x, new Float64Array([0, 1, 1, 0]), 2, { training: false });
    expect(fromLabels.loss).toBe(fromTargets.loss);
    expect(fromLabels.grads[2]!.weight).toEqual(fromTargets.grads[2]!.weight);
    const out = fromLabels.forward.output;
    const expected = (out[1] > out[0] ? 1 : 0) + (out[2] >= out[3] ? 1 : 0);
    expect(fromLabels.correct).toBe(expected);
  });

  it('lowers the loss over a few plain SGD steps, in Float32 as in Float64', () => {
    for (const make of [(a: Float64Array) => Float32Array.from(a), (a: Float64Array) => a]) {
      const params = randomParams(convNet, 600).map((p) => p && { weight: make(p.weight), bias: make(p.bias) });
      const x = make(randomArray(4 * 36, 601));
      const labels = [0, 1, 2, 1];
      const first = lossAndGradients(convNet, params, x, labels, 4, { training: true }).loss;
      let last = first;
      for (let step = 0; step < 40; step++) {
        const { loss, grads } = lossAndGradients(convNet, params, x, labels, 4, { training: true, step });
        last = loss;
        params.forEach((p, i) => {
          if (!p) return;
          p.weight.forEach((_, j) => (p.weight[j] -= 0.5 * grads[i]!.weight[j]));
          p.bias.forEach((_, j) => (p.bias[j] -= 0.5 * grads[i]!.bias[j]));
        });
      }
      expect(last).toBeLessThan(first * 0.5);
    }
  });

  it('rejects parameters of the wrong length and missing parameters', () => {
    const params = randomParams(mlp, 700);
    const x = randomArray(3, 701);
    expect(() => lossAndGradients(mlp, [params[0], undefined, undefined], x, [0], 1, { training: false })).toThrow(
      RangeError,
    );
    params[2] = { weight: new Float64Array(7), bias: new Float64Array(2) };
    expect(() => lossAndGradients(mlp, params, x, [0], 1, { training: false })).toThrow(RangeError);
  });
});

describe('forwardModel', () => {
  it('returns probabilities from a final softmax layer, computed from the saved logits', () => {
    const fwd = forwardModel(convNet, randomParams(convNet, 800), randomArray(3 * 36, 801), 3, { training: false });
    expect(fwd.activations).toHaveLength(convNet.layers.length + 1);
    expect(maxAbsDiff(fwd.output, softmax(fwd.activations[5], 3, 3))).toBe(0);
    for (let b = 0; b < 3; b++)
      expect(fwd.output[b * 3] + fwd.output[b * 3 + 1] + fwd.output[b * 3 + 2]).toBeCloseTo(1, 14);
  });

  it('applies dropout only while training', () => {
    const params = randomParams(mixedNet, 900);
    const x = randomArray(2 * 50, 901);
    const evalRun = forwardModel(mixedNet, params, x, 2, { training: false });
    expect(evalRun.activations[4]).toBe(evalRun.activations[3]);
    const trainRun = forwardModel(mixedNet, params, x, 2, { training: true, seed: 1, step: 0 });
    expect(trainRun.saved[3].mask).toBeInstanceOf(Uint8Array);
    expect(Array.from(trainRun.activations[4]).some((v) => v === 0)).toBe(true);
    expect(maxAbsDiff(trainRun.output, evalRun.output)).toBeGreaterThan(0);
  });

  it('rejects an input whose length does not match batch × input shape', () => {
    expect(() => forwardModel(mlp, randomParams(mlp, 1), new Float64Array(5), 2, { training: false })).toThrow(
      RangeError,
    );
  });
});

describe('backwardModel', () => {
  it('returns an input gradient that matches finite differences through the whole conv net', () => {
    const params = randomParams(convNet, 1000);
    const x = randomArray(2 * 36, 1001);
    const labels = [0, 2];
    const lossAt = (v: Float64Array) => lossAndGradients(convNet, params, v, labels, 2, { training: true }).loss;
    const fwd = forwardModel(convNet, params, x, 2, { training: true });
    const probs = fwd.output;
    const dLogits = probs.map((p, i) => (p - (labels[Math.floor(i / 3)] === i % 3 ? 1 : 0)) / 2);
    const { dInput } = backwardModel(convNet, params, fwd, dLogits, 2, 4); // start below the softmax
    expect(relativeError(dInput, numericalGradient(lossAt, x))).toBeLessThan(1e-6);
  });
});
