import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { LayerSpec, ModelSpec } from './layers';
import {
  DEPENDS_ON_EARLIER_ERROR,
  MNIST_DATASET_BYTES,
  MODEL_LIMITS,
  estimateTrainingMemory,
  inferModel,
  parameterShapes,
} from './shapes';

const mnist = (layers: LayerSpec[], loss: ModelSpec['loss'] = 'softmaxCrossEntropy'): ModelSpec => ({
  input: [1, 28, 28],
  layers,
  loss,
});
const conv = (filters: number, kernel: number, stride = 1, padding = 0): LayerSpec => ({
  kind: 'conv2d',
  filters,
  kernel,
  stride,
  padding,
});

// PyTorch's examples/mnist/main.py network (Conv2d(1,32,3,1), Conv2d(32,64,3,1), Linear(9216,128), Linear(128,10)).
const pytorchExample = mnist([
  conv(32, 3),
  { kind: 'relu' },
  conv(64, 3),
  { kind: 'relu' },
  { kind: 'maxpool', size: 2, stride: 2 },
  { kind: 'dropout', rate: 0.25 },
  { kind: 'flatten' },
  { kind: 'dense', units: 128 },
  { kind: 'relu' },
  { kind: 'dropout', rate: 0.5 },
  { kind: 'dense', units: 10 },
  { kind: 'softmax' },
]);

describe('inferModel', () => {
  it("follows the shapes of PyTorch's MNIST example and counts its published 1,199,882 parameters", () => {
    const a = inferModel(pytorchExample);
    expect(a.totals.ok).toBe(true);
    expect(a.layers.map((l) => l.outputShape)).toEqual([
      [32, 26, 26],
      [32, 26, 26],
      [64, 24, 24],
      [64, 24, 24],
      [64, 12, 12],
      [64, 12, 12],
      [9216],
      [128],
      [128],
      [128],
      [10],
      [10],
    ]);
    expect(a.totals.params).toBe(1_199_882);
    expect(a.outputShape).toEqual([10]);
  });

  it('counts the Keras mnist_convnet example at its published 34,826 parameters', () => {
    const a = inferModel(
      mnist([
        conv(32, 3),
        { kind: 'relu' },
        { kind: 'maxpool', size: 2, stride: 2 },
        conv(64, 3),
        { kind: 'relu' },
        { kind: 'maxpool', size: 2, stride: 2 },
        { kind: 'flatten' },
        { kind: 'dropout', rate: 0.5 },
        { kind: 'dense', units: 10 },
        { kind: 'softmax' },
      ]),
    );
    expect(a.layers[5].outputShape).toEqual([64, 5, 5]);
    expect(a.totals.params).toBe(34_826);
  });

  it('rejects a dense layer after an image-shaped tensor and tells the user to add Flatten', () => {
    const a = inferModel(mnist([conv(8, 3), { kind: 'dense', units: 10 }, { kind: 'softmax' }]));
    expect(a.totals.ok).toBe(false);
    expect(a.totals.firstError?.index).toBe(1);
    expect(a.layers[1].error).toMatch(/Flatten/);
    expect(a.layers[1].inputShape).toEqual([8, 26, 26]);
    expect(a.layers[1].outputShape).toBeNull();
    expect(a.layers[2].error).toBe(DEPENDS_ON_EARLIER_ERROR);
    expect(a.outputShape).toBeNull();
  });

  it('rejects a kernel larger than its padded input, naming both sizes and the fixes', () => {
    const a = inferModel(
      mnist([{ kind: 'maxpool', size: 4, stride: 4 }, { kind: 'maxpool', size: 2, stride: 2 }, conv(4, 5)]),
    );
    expect(a.layers[1].outputShape).toEqual([1, 3, 3]);
    const message = a.layers[2].error ?? '';
    expect(message).toContain('5×5');
    expect(message).toContain('3×3');
    expect(message).toMatch(/smaller kernel/);
    expect(message).toMatch(/padding/);
    // With padding 1 the padded input is 5×5 and the same kernel fits.
    expect(
      inferModel(
        mnist([{ kind: 'maxpool', size: 4, stride: 4 }, { kind: 'maxpool', size: 2, stride: 2 }, conv(4, 5, 1, 1)]),
      ).layers[2].outputShape,
    ).toEqual([4, 1, 1]);
  });

  it('rejects a pooling window larger than its input', () => {
    const a = inferModel({ input: [1, 3, 3], layers: [{ kind: 'avgpool', size: 4, stride: 1 }], loss: 'mse' });
    expect(a.layers[0].error).toMatch(/4×4 pooling window is larger than its 3×3 input/);
  });

  it('rejects convolution and pooling on flat input', () => {
    expect(inferModel({ input: [784], layers: [conv(4, 3)], loss: 'mse' }).layers[0].error).toMatch(/image-shaped/);
    expect(
      inferModel({ input: [784], layers: [{ kind: 'maxpool', size: 2, stride: 2 }], loss: 'mse' }).layers[0].error,
    ).toMatch(/image-shaped/);
  });

  it.each<[string, LayerSpec]>([
    ['stride 0', conv(4, 3, 0)],
    ['a fractional filter count', conv(4.5, 3)],
    ['a negative padding', conv(4, 3, 1, -1)],
    ['a kernel above the limit', conv(4, MODEL_LIMITS.maxKernel + 2, 1, 0)],
    ['too many filters', conv(MODEL_LIMITS.maxFilters + 1, 3)],
    ['a dropout rate of 1', { kind: 'dropout', rate: 1 }],
    ['a negative dropout rate', { kind: 'dropout', rate: -0.1 }],
    ['a pool stride of 0', { kind: 'maxpool', size: 2, stride: 0 }],
    ['an unknown layer kind', { kind: 'attention' } as unknown as LayerSpec],
  ])('reports %s as an error on that layer', (_name, layer) => {
    const a = inferModel(mnist([layer, { kind: 'flatten' }, { kind: 'dense', units: 10 }]));
    expect(a.totals.firstError?.index).toBe(0);
    expect(a.layers[0].error).toBeTruthy();
    expect(a.layers.slice(1).every((l) => l.error === DEPENDS_ON_EARLIER_ERROR)).toBe(true);
  });

  it('rejects more dense units than the limit and a model over 50 million parameters', () => {
    const tooWide = inferModel(mnist([{ kind: 'flatten' }, { kind: 'dense', units: MODEL_LIMITS.maxUnits + 1 }]));
    expect(tooWide.layers[1].error).toMatch(/Units/);
    // 784 × 65536 + 65536 ≈ 51.4M parameters: each number is allowed, the total is not.
    const tooBig = inferModel(
      mnist([{ kind: 'flatten' }, { kind: 'dense', units: 65536 }, { kind: 'dense', units: 10 }]),
    );
    expect(tooBig.totals.firstError?.index).toBe(1);
    expect(tooBig.layers[1].error).toMatch(/50,000,000/);
  });

  it('allows softmax only as the last layer', () => {
    const a = inferModel(mnist([{ kind: 'flatten' }, { kind: 'softmax' }, { kind: 'dense', units: 10 }]));
    expect(a.layers[1].error).toMatch(/last layer/);
  });

  it('requires cross-entropy models to end in a flat vector of at least two classes', () => {
    const image = inferModel(mnist([conv(4, 3)]));
    expect(image.totals.firstError).toEqual({ index: 0, message: expect.stringMatching(/Flatten/) });
    const single = inferModel(mnist([{ kind: 'flatten' }, { kind: 'dense', units: 1 }]));
    expect(single.totals.firstError?.index).toBe(1);
    expect(inferModel(mnist([{ kind: 'flatten' }, { kind: 'dense', units: 1 }], 'mse')).totals.ok).toBe(true);
  });

  it('reports a malformed input shape or loss at index -1 and marks every layer as dependent', () => {
    const a = inferModel({ input: [28, 28], layers: [{ kind: 'flatten' }], loss: 'mse' });
    expect(a.totals.firstError?.index).toBe(-1);
    expect(a.layers[0].error).toBe(DEPENDS_ON_EARLIER_ERROR);
    expect(inferModel({ input: [2], layers: [], loss: 'hinge' as ModelSpec['loss'] }).totals.firstError?.index).toBe(
      -1,
    );
  });

  it('counts a dense layer as one multiply-add (2 FLOPs) per weight plus one add per bias', () => {
    const a = inferModel({ input: [784], layers: [{ kind: 'dense', units: 128 }], loss: 'mse' });
    expect(a.layers[0].flopsPerImage).toBe(2 * 784 * 128 + 128);
    expect(a.layers[0].params).toBe(784 * 128 + 128);
    expect(a.layers[0].activationBytesPerImage).toBe(128 * 4);
  });

  it('counts conv FLOPs equal to a brute-force count of every multiply-add and bias add', () => {
    const [c, h, w, f, k, s, p] = [3, 9, 7, 5, 3, 2, 1];
    let macs = 0;
    let outputs = 0;
    for (let oc = 0; oc < f; oc++) {
      for (let y = -p; y + k <= h + p; y += s) {
        for (let x = -p; x + k <= w + p; x += s) {
          outputs++;
          macs += c * k * k;
        }
      }
    }
    const a = inferModel({ input: [c, h, w], layers: [conv(f, k, s, p)], loss: 'mse' });
    expect(a.layers[0].flopsPerImage).toBe(2 * macs + outputs);
    expect(a.layers[0].outputShape).toEqual([f, 5, 4]);
  });

  it('treats flatten as a free view of its input', () => {
    const a = inferModel(mnist([{ kind: 'flatten' }, { kind: 'dense', units: 10 }]));
    expect(a.layers[0]).toMatchObject({ outputShape: [784], flopsPerImage: 0, activationBytesPerImage: 0, params: 0 });
  });

  it('sums per-layer numbers into the totals', () => {
    const a = inferModel(pytorchExample);
    expect(a.totals.flopsPerImage).toBe(a.layers.reduce((t, l) => t + l.flopsPerImage, 0));
    expect(a.totals.activationBytesPerImage).toBe(a.layers.reduce((t, l) => t + l.activationBytesPerImage, 0));
  });
});

describe('estimateTrainingMemory', () => {
  const model: ModelSpec = {
    input: [784],
    layers: [{ kind: 'dense', units: 100 }, { kind: 'relu' }, { kind: 'dense', units: 10 }],
    loss: 'softmaxCrossEntropy',
  };
  const paramBytes = (784 * 100 + 100 + 100 * 10 + 10) * 4;

  it('holds one copy of the parameters for momentum, two for Adam and none for plain SGD', () => {
    expect(estimateTrainingMemory(model, 32, 'adam').optimizerState).toBe(2 * paramBytes);
    expect(estimateTrainingMemory(model, 32, 'sgd').optimizerState).toBe(paramBytes);
    expect(estimateTrainingMemory(model, 32, { kind: 'sgd', learningRate: 0.1, momentum: 0 }).optimizerState).toBe(0);
    expect(
      estimateTrainingMemory(model, 32, { kind: 'rmsprop', learningRate: 0.01, alpha: 0.99, epsilon: 1e-8 })
        .optimizerState,
    ).toBe(paramBytes);
    expect(
      estimateTrainingMemory(model, 32, {
        kind: 'rmsprop',
        learningRate: 0.01,
        alpha: 0.99,
        epsilon: 1e-8,
        momentum: 0.9,
      }).optimizerState,
    ).toBe(2 * paramBytes);
  });

  it('scales activations with the batch: the input plus each output saved forward and its gradient backward', () => {
    const e = estimateTrainingMemory(model, 32, 'adam');
    expect(e.params).toBe(paramBytes);
    expect(e.gradients).toBe(paramBytes);
    expect(e.activations).toBe(32 * (784 + 2 * (100 + 100 + 10)) * 4);
    expect(e.dataset).toBe(70000 * 785);
    expect(MNIST_DATASET_BYTES).toBe(54_950_000);
    expect(e.total).toBe(e.params + e.gradients + e.optimizerState + e.activations + e.dataset);
  });
});

describe('parameterShapes', () => {
  it('lists dense weights as [in, out] and conv weights as [outC, inC, k, k] with fans like PyTorch', () => {
    const shapes = parameterShapes(pytorchExample);
    expect(shapes.map((s) => [s.layerIndex, s.weight, s.bias])).toEqual([
      [0, [32, 1, 3, 3], [32]],
      [2, [64, 32, 3, 3], [64]],
      [7, [9216, 128], [128]],
      [10, [128, 10], [10]],
    ]);
    expect(shapes[1]).toMatchObject({ weightCount: 18432, biasCount: 64, fanIn: 32 * 9, fanOut: 64 * 9 });
    expect(shapes.reduce((t, s) => t + s.weightCount + s.biasCount, 0)).toBe(1_199_882);
  });

  it('throws on a model with an error, since nothing can be allocated for it', () => {
    expect(() => parameterShapes(mnist([{ kind: 'dense', units: 10 }]))).toThrow(/Flatten/);
  });
});

describe('inferModel properties', () => {
  const imageLayer = fc.oneof(
    fc
      .record({
        kind: fc.constant('conv2d' as const),
        filters: fc.integer({ min: 1, max: 16 }),
        kernel: fc.integer({ min: 1, max: 7 }),
        stride: fc.integer({ min: 1, max: 3 }),
        padding: fc.integer({ min: 0, max: 6 }),
      })
      .map((l) => ({ ...l, padding: Math.min(l.padding, l.kernel - 1) })),
    fc.record({
      kind: fc.constantFrom('maxpool' as const, 'avgpool' as const),
      size: fc.integer({ min: 1, max: 4 }),
      stride: fc.integer({ min: 1, max: 4 }),
    }),
    fc.constantFrom<LayerSpec>({ kind: 'relu' }, { kind: 'dropout', rate: 0.5 }),
  );

  it('matches floor((H + 2p - k)/s) + 1 on random conv/pool stacks, or fails exactly where a window stops fitting', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 4, max: 40 }),
        fc.integer({ min: 4, max: 40 }),
        fc.array(imageLayer, { maxLength: 8 }),
        (c0, h0, w0, layers) => {
          let [c, h, w] = [c0, h0, w0];
          let failAt = -1;
          for (let i = 0; i < layers.length && failAt < 0; i++) {
            const l = layers[i];
            if (l.kind === 'conv2d' || l.kind === 'maxpool' || l.kind === 'avgpool') {
              const k = l.kind === 'conv2d' ? l.kernel : l.size;
              const p = l.kind === 'conv2d' ? l.padding : 0;
              if (h + 2 * p < k || w + 2 * p < k) failAt = i;
              h = Math.floor((h + 2 * p - k) / l.stride) + 1;
              w = Math.floor((w + 2 * p - k) / l.stride) + 1;
              if (l.kind === 'conv2d') c = l.filters;
            }
          }
          const a = inferModel({ input: [c0, h0, w0], layers, loss: 'mse' });
          if (failAt >= 0) {
            expect(a.totals.firstError?.index).toBe(failAt);
          } else {
            expect(a.totals.ok).toBe(true);
            expect(a.outputShape).toEqual([c, h, w]);
          }
        },
      ),
    );
  });

  it('never throws on arbitrary specs and always reports dependent layers after the first error', () => {
    const number = fc.oneof(
      fc.integer({ min: -3, max: 40 }),
      fc.double(),
      fc.constant(Number.NaN),
      fc.string(),
      fc.constant(undefined),
    );
    const anyLayer = fc.oneof(
      imageLayer,
      fc.record({
        kind: fc.constantFrom(
          'dense',
          'conv2d',
          'maxpool',
          'avgpool',
          'flatten',
          'dropout',
          'relu',
          'leakyRelu',
          'sigmoid',
          'tanh',
          'softmax',
          'bogus',
        ),
        units: number,
        filters: number,
        kernel: number,
        stride: number,
        padding: number,
        size: number,
        rate: number,
        alpha: number,
      }),
      fc.anything(),
    );
    const input = fc.oneof(
      fc.constant([1, 28, 28]),
      fc.constant([2]),
      fc.array(number, { maxLength: 4 }),
      fc.anything(),
    );
    fc.assert(
      fc.property(
        input,
        fc.array(anyLayer, { maxLength: 10 }),
        fc.constantFrom('mse', 'softmaxCrossEntropy', 'bogus'),
        (inp, layers, loss) => {
          const a = inferModel({ input: inp, layers, loss } as unknown as ModelSpec);
          expect(a.layers).toHaveLength(layers.length);
          expect(Number.isFinite(a.totals.params) && Number.isFinite(a.totals.flopsPerImage)).toBe(true);
          const firstBad = a.layers.findIndex((l) => l.error !== undefined);
          expect(a.totals.ok).toBe(a.totals.firstError === undefined);
          if (firstBad >= 0) {
            expect(a.totals.ok).toBe(false);
            if (a.totals.firstError!.index >= 0) expect(a.totals.firstError!.index).toBe(firstBad);
            // Only the cross-entropy end check can mark the last layer after it already has shapes.
            for (const l of a.layers.slice(firstBad + 1)) expect(l.error).toBe(DEPENDS_ON_EARLIER_ERROR);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
