import { describe, expect, it } from 'vitest';
import type { LayerSpec, ModelSpec } from './layers';
import { randomUniform } from './rng';
import { initParameters, initStream } from './init';

function moments(values: Float32Array): { mean: number; variance: number; kurtosis: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let m2 = 0;
  let m4 = 0;
  for (const v of values) {
    const d = v - mean;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  m2 /= values.length;
  m4 /= values.length;
  return { mean, variance: m2, kurtosis: m4 / (m2 * m2) };
}

const flat = (inputs: number, layers: LayerSpec[]): ModelSpec => ({ input: [inputs], layers, loss: 'mse' });

describe('initParameters', () => {
  it('draws He-normal weights with variance 2 / fan_in for a layer feeding a ReLU', () => {
    const w = initParameters(flat(1000, [{ kind: 'dense', units: 1000 }, { kind: 'relu' }]), 7).get(0)!.weight;
    const m = moments(w);
    expect(w.length).toBe(1_000_000);
    // Standard error of the mean is sqrt(var / n) ≈ 4.5e-5; of the variance about var·sqrt(2/n) ≈ 0.14%.
    expect(Math.abs(m.mean)).toBeLessThan(2.5e-4);
    expect(m.variance / (2 / 1000)).toBeCloseTo(1, 2);
    expect(m.kurtosis).toBeCloseTo(3, 1); // a normal distribution's kurtosis
  });

  it("uses PyTorch's leaky-ReLU gain: variance 2 / ((1 + a²) fan_in)", () => {
    const model = flat(1000, [
      { kind: 'dense', units: 1000 },
      { kind: 'leakyRelu', alpha: 0.5 },
    ]);
    const m = moments(initParameters(model, 3).get(0)!.weight);
    expect(m.variance / (2 / (1.25 * 1000))).toBeCloseTo(1, 2);
  });

  it('draws Glorot-uniform weights within ±sqrt(6 / (fan_in + fan_out)) for a layer feeding a sigmoid', () => {
    const w = initParameters(flat(1000, [{ kind: 'dense', units: 500 }, { kind: 'sigmoid' }]), 7).get(0)!.weight;
    const bound = Math.sqrt(6 / 1500);
    const m = moments(w);
    expect(Math.abs(m.mean)).toBeLessThan(2.5e-4);
    expect(m.variance / ((bound * bound) / 3)).toBeCloseTo(1, 2);
    expect(m.kurtosis).toBeCloseTo(1.8, 1); // a uniform distribution's kurtosis
    const largest = w.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
    expect(largest).toBeLessThanOrEqual(Math.fround(bound));
    expect(largest).toBeGreaterThan(0.999 * bound);
  });

  it('computes conv fans as channels × k², so a 16→32 5×5 conv before ReLU has variance 2/400', () => {
    const model: ModelSpec = {
      input: [16, 12, 12],
      layers: [
        { kind: 'conv2d', filters: 512, kernel: 5, stride: 1, padding: 2 },
        { kind: 'maxpool', size: 2, stride: 2 },
        { kind: 'relu' },
      ],
      loss: 'mse',
    };
    const { weight, bias } = initParameters(model, 1).get(0)!;
    expect(weight.length).toBe(512 * 16 * 25);
    expect(bias.length).toBe(512);
    // Pooling between the conv and its ReLU does not change the choice of He init.
    expect(moments(weight).variance / (2 / 400)).toBeCloseTo(1, 1);
  });

  it('lets an explicit scheme override the automatic choice', () => {
    const model = flat(1000, [{ kind: 'dense', units: 1000 }, { kind: 'relu' }]);
    expect(moments(initParameters(model, 7, 'glorot').get(0)!.weight).kurtosis).toBeCloseTo(1.8, 1);
    const sigmoidModel = flat(1000, [{ kind: 'dense', units: 1000 }, { kind: 'sigmoid' }]);
    expect(moments(initParameters(sigmoidModel, 7, 'he').get(0)!.weight).variance / (2 / 1000)).toBeCloseTo(1, 2);
  });

  it('returns zero biases and one entry per dense/conv layer, keyed by layer index', () => {
    const model: ModelSpec = {
      input: [1, 8, 8],
      layers: [
        { kind: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 0 },
        { kind: 'relu' },
        { kind: 'flatten' },
        { kind: 'dense', units: 3 },
      ],
      loss: 'mse',
    };
    const params = initParameters(model, 1);
    expect([...params.keys()]).toEqual([0, 3]);
    expect(params.get(3)!.weight.length).toBe(4 * 6 * 6 * 3);
    expect([...params.get(0)!.bias, ...params.get(3)!.bias].every((b) => b === 0)).toBe(true);
  });

  it('is deterministic in the seed and differs across seeds and layers', () => {
    const model = flat(64, [{ kind: 'dense', units: 64 }, { kind: 'tanh' }, { kind: 'dense', units: 64 }]);
    const a = initParameters(model, 42);
    const b = initParameters(model, 42);
    const c = initParameters(model, 43);
    expect(a.get(0)!.weight).toEqual(b.get(0)!.weight);
    expect(a.get(2)!.weight).toEqual(b.get(2)!.weight);
    expect(a.get(0)!.weight).not.toEqual(c.get(0)!.weight);
    expect(a.get(0)!.weight).not.toEqual(a.get(2)!.weight);
  });

  it('draws layer i from stream init·1000 + i, so appending a layer leaves earlier weights unchanged', () => {
    const short = flat(10, [{ kind: 'dense', units: 5 }, { kind: 'tanh' }]);
    const long = flat(10, [{ kind: 'dense', units: 5 }, { kind: 'tanh' }, { kind: 'dense', units: 3 }]);
    const w = initParameters(short, 9).get(0)!.weight;
    expect(initParameters(long, 9).get(0)!.weight).toEqual(w);
    const bound = Math.sqrt(6 / 15);
    expect(w[0]).toBe(Math.fround(bound * (2 * randomUniform(9, initStream(0), 0) - 1)));
    expect(initStream(3)).toBe(1003);
  });

  it('throws on a model whose shapes do not work out', () => {
    expect(() =>
      initParameters({ input: [1, 28, 28], layers: [{ kind: 'dense', units: 10 }], loss: 'mse' }, 1),
    ).toThrow(/Flatten/);
  });
});

describe('PyTorch default initialisation', () => {
  it('draws weights and biases from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the right variance', async () => {
    const { initParameters } = await import('./init');
    const model = {
      input: [1, 28, 28],
      layers: [{ kind: 'flatten' as const }, { kind: 'dense' as const, units: 500 }],
      loss: 'mse' as const,
    };
    const p = initParameters(model, 3, 'pytorch').get(1)!;
    const bound = 1 / Math.sqrt(784);
    let max = 0;
    let sq = 0;
    for (const w of p.weight) {
      max = Math.max(max, Math.abs(w));
      sq += w * w;
    }
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.99 * bound);
    // Variance of U(-b, b) is b²/3.
    // 392,000 samples: the variance estimate is within 1% with overwhelming probability.
    expect(Math.abs(sq / p.weight.length / ((bound * bound) / 3) - 1)).toBeLessThan(0.01);
    expect(p.bias.some((b) => b !== 0)).toBe(true);
    expect(Math.max(...Array.from(p.bias, Math.abs))).toBeLessThanOrEqual(bound);
  });
});
