import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../rng';
import {
  OPTIMIZER_DEFAULTS,
  optimizerScalars,
  optimizerStateSize,
  optimizerStep,
  type AdamConfig,
  type OptimizerConfig,
  type RmspropConfig,
  type SgdConfig,
} from './cpu';

/**
 * Straightforward float64 versions of the update rules as torch.optim documents them
 * (https://pytorch.org/docs/stable/optim.html), written independently of the f32 implementation.
 */
function referenceRun(config: OptimizerConfig, p0: number[], gradsPerStep: number[][], lrs?: number[]): number[] {
  const p = [...p0];
  const n = p.length;
  const a = new Array<number>(n).fill(0);
  const b = new Array<number>(n).fill(0);
  gradsPerStep.forEach((grads, k) => {
    const t = k + 1;
    const lr = lrs?.[k] ?? config.learningRate;
    for (let i = 0; i < n; i++) {
      let g = grads[i];
      if (config.kind === 'sgd') {
        g += (config.weightDecay ?? 0) * p[i];
        if (config.momentum !== 0) {
          a[i] = t === 1 ? g : config.momentum * a[i] + g;
          g = config.nesterov ? g + config.momentum * a[i] : a[i];
        }
        p[i] -= lr * g;
      } else if (config.kind === 'adam') {
        g += (config.weightDecay ?? 0) * p[i];
        a[i] = config.beta1 * a[i] + (1 - config.beta1) * g;
        b[i] = config.beta2 * b[i] + (1 - config.beta2) * g * g;
        const mHat = a[i] / (1 - config.beta1 ** t);
        const vHat = b[i] / (1 - config.beta2 ** t);
        p[i] -= (lr * mHat) / (Math.sqrt(vHat) + config.epsilon);
      } else {
        a[i] = config.alpha * a[i] + (1 - config.alpha) * g * g;
        const avg = Math.sqrt(a[i]) + config.epsilon;
        const mu = config.momentum ?? 0;
        if (mu !== 0) {
          b[i] = mu * b[i] + g / avg;
          p[i] -= lr * b[i];
        } else {
          p[i] -= (lr * g) / avg;
        }
      }
    }
  });
  return p;
}

function randomGrads(n: number, steps: number, seed: number): number[][] {
  const rng = new SeededRandom(seed, 77);
  return Array.from({ length: steps }, () => Array.from({ length: n }, () => Math.fround(rng.normal())));
}

function runF32(config: OptimizerConfig, p0: number[], gradsPerStep: number[][], lrs?: number[]): Float32Array {
  const params = Float32Array.from(p0);
  const state = new Float32Array(optimizerStateSize(config, params.length));
  gradsPerStep.forEach((g, k) =>
    optimizerStep(config, params, Float32Array.from(g), state, k + 1, lrs?.[k] ?? config.learningRate),
  );
  return params;
}

function expectClose(actual: Float32Array, expected: number[], tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  const worst = Math.max(...expected.map((e, i) => Math.abs(actual[i] - e)));
  expect(worst).toBeLessThan(tolerance);
}

const P0 = [0.5, -1.25, 2, 0.001, -0.3, 1e-4, 3, -2];

describe('optimizerStep', () => {
  const sgdCases: [string, SgdConfig][] = [
    ['plain SGD', { kind: 'sgd', learningRate: 0.1, momentum: 0 }],
    ['SGD with momentum', { kind: 'sgd', learningRate: 0.05, momentum: 0.9 }],
    ['SGD with Nesterov momentum', { kind: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true }],
    ['SGD with momentum and weight decay', { kind: 'sgd', learningRate: 0.05, momentum: 0.8, weightDecay: 0.01 }],
  ];
  const adamCases: [string, AdamConfig][] = [
    ['Adam with PyTorch defaults', OPTIMIZER_DEFAULTS.adam],
    [
      'Adam with beta1 below 0.5 (the other lerp branch)',
      { kind: 'adam', learningRate: 0.01, beta1: 0.3, beta2: 0.9, epsilon: 1e-8 },
    ],
    ['Adam with weight decay', { ...OPTIMIZER_DEFAULTS.adam, learningRate: 0.01, weightDecay: 0.05 }],
    // A large epsilon makes its placement visible: added to sqrt(v_hat), not to sqrt(v) (the "eps-hat" variant).
    ['Adam with a large epsilon', { ...OPTIMIZER_DEFAULTS.adam, learningRate: 0.1, epsilon: 0.5 }],
  ];
  const rmsCases: [string, RmspropConfig][] = [
    ['RMSprop', OPTIMIZER_DEFAULTS.rmsprop],
    ['RMSprop with momentum', { ...OPTIMIZER_DEFAULTS.rmsprop, momentum: 0.9 }],
    [
      'RMSprop with a large epsilon (outside the square root)',
      { ...OPTIMIZER_DEFAULTS.rmsprop, learningRate: 0.1, epsilon: 0.5 },
    ],
  ];

  it.each([...sgdCases, ...adamCases, ...rmsCases])(
    "%s matches a float64 implementation of PyTorch's rule over 20 steps",
    (_name, config) => {
      const grads = randomGrads(P0.length, 20, 3);
      // Tolerance: a few f32 ulps of |p| <= 4 per step (ulp(4) = 4.8e-7), accumulated over 20 steps.
      expectClose(runF32(config, P0, grads), referenceRun(config, P0, grads), 2e-5);
    },
  );

  it('uses the scheduled learning rate passed for each step, not the configured one', () => {
    const config: AdamConfig = { ...OPTIMIZER_DEFAULTS.adam, learningRate: 123 };
    const grads = randomGrads(P0.length, 10, 5);
    const lrs = grads.map((_, k) => 0.001 * (k + 1));
    expectClose(runF32(config, P0, grads, lrs), referenceRun(config, P0, grads, lrs), 1e-5);
  });

  it('SGD with momentum under a constant gradient follows the closed form of a geometric series', () => {
    const [lr, mu, g, steps] = [0.01, 0.9, 2, 30];
    const params = new Float32Array([1]);
    const state = new Float32Array(1);
    for (let t = 1; t <= steps; t++)
      optimizerStep({ kind: 'sgd', learningRate: lr, momentum: mu }, params, new Float32Array([g]), state, t, lr);
    // buf_t = g (1 - mu^t) / (1 - mu); p_T = p_0 - lr * sum_t buf_t.
    expect(state[0]).toBeCloseTo((g * (1 - mu ** steps)) / (1 - mu), 4);
    const expected = 1 - ((lr * g) / (1 - mu)) * (steps - (mu * (1 - mu ** steps)) / (1 - mu));
    expect(params[0]).toBeCloseTo(expected, 5);
  });

  it('Adam moves every parameter by about the learning rate on its first step, whatever the gradient scale', () => {
    const config = OPTIMIZER_DEFAULTS.adam;
    const params = new Float32Array([0, 0, 0]);
    const state = new Float32Array(optimizerStateSize(config, 3));
    optimizerStep(config, params, new Float32Array([1e-3, -5, 300]), state, 1, 0.001);
    // m_hat = g and v_hat = g², so the step is -lr * g / (|g| + eps), i.e. ±lr unless |g| is near eps.
    [1e-3, -5, 300].forEach((g, i) => {
      const expected = (-0.001 * g) / (Math.abs(g) + 1e-8);
      expect(Math.abs(params[i] - expected) / 0.001).toBeLessThan(1e-6);
      expect(Math.abs(Math.abs(params[i]) - 0.001)).toBeLessThan(2e-8);
    });
  });

  it('Adam finds the minimum of a badly scaled quadratic', () => {
    const curvature = [100, 1, 0.01];
    const target = [1, -2, 0.5];
    const config: AdamConfig = { ...OPTIMIZER_DEFAULTS.adam, learningRate: 0.05 };
    const x = new Float32Array(3);
    const state = new Float32Array(optimizerStateSize(config, 3));
    for (let t = 1; t <= 3000; t++) {
      const grad = Float32Array.from(curvature.map((c, i) => c * (x[i] - target[i])));
      optimizerStep(config, x, grad, state, t, config.learningRate);
    }
    for (let i = 0; i < 3; i++) expect(Math.abs(x[i] - target[i])).toBeLessThan(0.02);
  });

  it('rejects mismatched buffer lengths and a step below 1', () => {
    const config = OPTIMIZER_DEFAULTS.adam;
    expect(() => optimizerStep(config, new Float32Array(2), new Float32Array(3), new Float32Array(4), 1, 0.1)).toThrow(
      /gradients/,
    );
    expect(() => optimizerStep(config, new Float32Array(2), new Float32Array(2), new Float32Array(2), 1, 0.1)).toThrow(
      /state/,
    );
    expect(() => optimizerStep(config, new Float32Array(2), new Float32Array(2), new Float32Array(4), 0, 0.1)).toThrow(
      /step/,
    );
  });
});

describe('optimizerStateSize', () => {
  it('keeps no state for plain SGD, one buffer for momentum, two for Adam, one or two for RMSprop', () => {
    expect(optimizerStateSize({ kind: 'sgd', learningRate: 0.1, momentum: 0 }, 10)).toBe(0);
    expect(optimizerStateSize({ kind: 'sgd', learningRate: 0.1, momentum: 0.9 }, 10)).toBe(10);
    expect(optimizerStateSize(OPTIMIZER_DEFAULTS.adam, 10)).toBe(20);
    expect(optimizerStateSize(OPTIMIZER_DEFAULTS.rmsprop, 10)).toBe(10);
    expect(optimizerStateSize({ ...OPTIMIZER_DEFAULTS.rmsprop, momentum: 0.5 }, 10)).toBe(20);
  });
});

describe('optimizerScalars', () => {
  it("gives Adam's bias-corrected step size and sqrt(1 - beta2^t) rounded to f32", () => {
    const s = optimizerScalars(OPTIMIZER_DEFAULTS.adam, 3, 0.002);
    if (s.kind !== 'adam') throw new Error('expected adam scalars');
    expect(s.negStepSize).toBe(Math.fround(-0.002 / (1 - 0.9 ** 3)));
    expect(s.biasCorrection2Sqrt).toBe(Math.fround(Math.sqrt(1 - 0.999 ** 3)));
  });
});
