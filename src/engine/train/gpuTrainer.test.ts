import { describe, expect, it } from 'vitest';
import { nodeGpu } from '../../testing/nodeGpu';
import { KernelRunner } from '../kernel/runner';
import { planModel } from './plan';
import { decideFusion } from './fusion';
import { PRESETS } from '../presets';
import { GpuTrainer, type GpuTrainerOptions, type TrainingConfig } from './gpuTrainer';
import { CpuTrainer } from './cpuTrainer';
import { SeededRandom } from '../rng';
import type { ImageDataset } from './data';
import type { ModelSpec } from '../layers';
import { OPTIMIZER_DEFAULTS } from '../ops/optimizer/cpu';
import { conv2dGeometry } from '../ops/conv2d/cpu';
import {
  CONV2D_BACKWARD_INPUT_LARGE,
  CONV2D_FORWARD,
  CONV2D_FORWARD_LARGE,
  conv2dBackwardInputKernelFor,
  conv2dForwardKernelFor,
} from '../ops/conv2d/specs';
import { MATMUL_LARGE } from '../ops/matmul/specs';

const ctx = await nodeGpu();

/** Random 8×8 "images" with random labels: enough to compare two implementations step by step. */
function syntheticImages(count: number, side: number, seed: number): ImageDataset {
  const rng = new SeededRandom(seed, 77);
  const pixels = side * side;
  const images = new Uint8Array(count * pixels);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) labels[i] = rng.int(10);
  return { kind: 'images', images, labels, count, pixels };
}

const cnn: ModelSpec = {
  input: [1, 8, 8],
  layers: [
    { kind: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 1 },
    { kind: 'relu' },
    { kind: 'maxpool', size: 2, stride: 2 },
    { kind: 'conv2d', filters: 6, kernel: 3, stride: 1, padding: 0 },
    { kind: 'leakyRelu', alpha: 0.1 },
    { kind: 'dropout', rate: 0.25 },
    { kind: 'flatten' },
    { kind: 'dense', units: 16 },
    { kind: 'tanh' },
    { kind: 'dense', units: 10 },
    { kind: 'softmax' },
  ],
  loss: 'softmaxCrossEntropy',
};

const avgMlp: ModelSpec = {
  input: [1, 8, 8],
  layers: [
    { kind: 'avgpool', size: 2, stride: 2 },
    { kind: 'flatten' },
    { kind: 'dense', units: 12 },
    { kind: 'sigmoid' },
    { kind: 'dense', units: 10 },
  ],
  loss: 'softmaxCrossEntropy',
};

async function compareRuns(
  config: TrainingConfig,
  train: ImageDataset,
  test: ImageDataset,
  steps: number,
  options: GpuTrainerOptions = {},
) {
  const runner = new KernelRunner(ctx!);
  const gpu = await GpuTrainer.create(runner, config, train, test, options);
  const cpu = new CpuTrainer(config, train, test);
  const gpuMetrics = [];
  // Two submits of several steps each, as the real trainer does.
  const half = Math.ceil(steps / 2);
  gpuMetrics.push(...(await gpu.submitSteps(half)), ...(await gpu.submitSteps(steps - half)));
  const cpuMetrics = cpu.runSteps(steps);
  const gpuEval = await gpu.evaluate();
  const cpuEval = cpu.evaluate();
  const gpuParams = await gpu.readParameters();
  const cpuParams = cpu.readParameters();
  gpu.destroy();
  const { forwardInOtherKernel, fusionNotes } = gpu.dashboardHooks();
  const matmulVariants = runner.variantsOf('matmul');
  return {
    gpuMetrics,
    cpuMetrics,
    gpuEval,
    cpuEval,
    gpuParams,
    cpuParams,
    dispatches: gpu.dispatchesPerStep,
    forwardInOtherKernel,
    fusionNotes,
    matmulVariants,
  };
}

function maxParamDiff(a: Map<number, { weight: Float32Array; bias: Float32Array }>, b: typeof a): number {
  let m = 0;
  for (const [i, p] of a) {
    const q = b.get(i)!;
    for (let k = 0; k < p.weight.length; k++) m = Math.max(m, Math.abs(p.weight[k] - q.weight[k]));
    for (let k = 0; k < p.bias.length; k++) m = Math.max(m, Math.abs(p.bias[k] - q.bias[k]));
  }
  return m;
}

describe.skipIf(!ctx)('the GPU trainer against the CPU reference trainer', () => {
  it('gives the same loss, accuracy and weights step by step for a conv net with Adam, dropout and a fused ReLU', async () => {
    const train = syntheticImages(48, 8, 1);
    const test = syntheticImages(21, 8, 2);
    const config: TrainingConfig = {
      model: cnn,
      optimizer: { ...OPTIMIZER_DEFAULTS.adam, learningRate: 0.01 },
      schedule: { kind: 'oneCycle', maxLearningRate: 0.01, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 },
      batchSize: 8,
      epochs: 2,
      seed: 5,
    };
    const r = await compareRuns(config, train, test, 12);
    expect(r.gpuMetrics.map((m) => m.step)).toEqual(r.cpuMetrics.map((m) => m.step));
    for (let i = 0; i < r.cpuMetrics.length; i++) {
      expect(r.gpuMetrics[i].loss).toBeCloseTo(r.cpuMetrics[i].loss, 4);
      expect(r.gpuMetrics[i].accuracy).toBe(r.cpuMetrics[i].accuracy);
    }
    // Adam divides by sqrt(v): for a weight whose gradient is ~0, f32 rounding noise in that
    // gradient is amplified to a step of up to lr, so weights agree to ~lr/10 rather than 1e-6.
    expect(maxParamDiff(r.gpuParams, r.cpuParams)).toBeLessThan(1e-3);
    expect(r.gpuEval.count).toBe(21);
    expect(Array.from(r.gpuEval.confusion)).toEqual(Array.from(r.cpuEval.confusion));
    expect(r.gpuEval.loss).toBeCloseTo(r.cpuEval.loss, 4);
    expect(r.dispatches).toBeGreaterThan(10);
  });

  it('matches the CPU with a layer wide enough for the large conv kernels (32 -> 64 channels), which also do the pooling and dropout after it', async () => {
    // pytorch-cnn's pattern. conv2d_forward_large also does the max pooling and the dropout after
    // it, and the first dense layer, split along its 1024-long K, does the second dropout in its
    // reduce pass (its mask carrying the ReLU), so the step runs no pooling kernel forward and no
    // dropout kernel forward.
    const wide: ModelSpec = {
      input: [1, 8, 8],
      layers: [
        { kind: 'conv2d', filters: 32, kernel: 3, stride: 1, padding: 1 },
        { kind: 'relu' },
        { kind: 'conv2d', filters: 64, kernel: 3, stride: 1, padding: 1 },
        { kind: 'relu' },
        { kind: 'maxpool', size: 2, stride: 2 },
        { kind: 'dropout', rate: 0.25 },
        { kind: 'flatten' },
        { kind: 'dense', units: 16 },
        { kind: 'relu' },
        { kind: 'dropout', rate: 0.5 },
        { kind: 'dense', units: 10 },
      ],
      loss: 'softmaxCrossEntropy',
    };
    // The second layer takes the large forward and input-gradient kernels, the first the general
    // ones. At this size the default chooser leaves the forward on the general kernel (too few
    // positions to fill a big GPU), so the test picks by channels alone, as the chooser does for
    // pytorch-cnn's batch of 64 28x28 images.
    const second = conv2dGeometry(4, [32, 8, 8], 64, 3, 1, 1);
    const options: GpuTrainerOptions = {
      convForwardKernel: (g) => (g.outChannels >= 64 ? CONV2D_FORWARD_LARGE : conv2dForwardKernelFor(g)),
    };
    expect(options.convForwardKernel!(second)).toBe(CONV2D_FORWARD_LARGE);
    expect(conv2dForwardKernelFor(conv2dGeometry(64, [32, 28, 28], 64, 3, 1, 1))).toBe(CONV2D_FORWARD_LARGE);
    expect(conv2dBackwardInputKernelFor(second)).toBe(CONV2D_BACKWARD_INPUT_LARGE);
    expect(conv2dForwardKernelFor(conv2dGeometry(4, [1, 8, 8], 32, 3, 1, 1))).toBe(CONV2D_FORWARD);
    const config: TrainingConfig = {
      model: wide,
      optimizer: { ...OPTIMIZER_DEFAULTS.sgd, learningRate: 0.05, momentum: 0.9 },
      schedule: { kind: 'constant' },
      batchSize: 4,
      epochs: 1,
      seed: 9,
    };
    const r = await compareRuns(config, syntheticImages(16, 8, 7), syntheticImages(8, 8, 8), 4, options);
    for (let i = 0; i < r.cpuMetrics.length; i++) {
      expect(r.gpuMetrics[i].loss).toBeCloseTo(r.cpuMetrics[i].loss, 4);
      expect(r.gpuMetrics[i].accuracy).toBe(r.cpuMetrics[i].accuracy);
    }
    expect(maxParamDiff(r.gpuParams, r.cpuParams)).toBeLessThan(1e-4);
    expect(Array.from(r.gpuEval.confusion)).toEqual(Array.from(r.cpuEval.confusion));
    expect(r.gpuEval.loss).toBeCloseTo(r.cpuEval.loss, 4);
    // gather; conv 1, conv 2 (with the pooling and the dropout), dense 1 (split along K, and its
    // reduce with the dropout), dense 2; loss; dense 2 weight and input gradient, the dropout's
    // backward, dense 1 weight and input gradient, maxpool backward (with the first dropout's),
    // conv 2 input and weight gradient (split, and its reduce), conv 1 weight gradient (the same);
    // optimizer (the loss moves the step counter on). Dense 2's input gradient also does the
    // second dropout's backward pass.
    expect(r.dispatches).toBe(18);
    expect([...r.forwardInOtherKernel].sort((a, b) => a - b)).toEqual([4, 9]);
    expect(r.fusionNotes.get(2)).toMatch(/max pooling after it and the dropout/);
    expect(r.fusionNotes.get(5)).toMatch(/forward inside the convolution/);
    expect(r.fusionNotes.get(9)).toMatch(
      /inside the dense layer's kernel; its mask also carries the ReLU.*Its backward pass runs inside the next layer's input-gradient kernel/,
    );
    expect(r.fusionNotes.get(10)).toMatch(/input gradient also does the backward pass of the dropout before it/);
  });

  it("matches the CPU with dropout after max pooling and after a dense ReLU, folded into their neighbours' kernels", async () => {
    // pytorch-cnn's pattern: the pooling's kernels also do the dropout after it (forward and
    // backward), and the second dropout's mask also drops where the dense layer's ReLU output is 0,
    // so that layer runs no ReLU backward. Three dispatches per step fewer, the same numbers.
    const model: ModelSpec = {
      input: [1, 8, 8],
      layers: [
        { kind: 'conv2d', filters: 4, kernel: 3, stride: 1, padding: 1 },
        { kind: 'relu' },
        { kind: 'maxpool', size: 2, stride: 2 },
        { kind: 'dropout', rate: 0.25 },
        { kind: 'flatten' },
        { kind: 'dense', units: 16 },
        { kind: 'relu' },
        { kind: 'dropout', rate: 0.5 },
        { kind: 'dense', units: 10 },
        { kind: 'softmax' },
      ],
      loss: 'softmaxCrossEntropy',
    };
    // Who does whose work is decided in fusion.ts (the plan only lays out the memory that follows).
    const plan = planModel(model);
    const fusion = decideFusion(model.layers).layers;
    expect(plan.steps[2].role).toBe('maxpool');
    expect(fusion[2].foldedDropout).toBe(3);
    expect(plan.steps[3].role).toBe('dropout');
    expect(fusion[3].doneInPool).toBe(true);
    // keras-cnn's pattern, a flatten between the pooling and the dropout, folds the same way.
    const kerasCnn = planModel(PRESETS['keras-cnn'].model);
    const kerasFusion = decideFusion(PRESETS['keras-cnn'].model.layers).layers;
    const kerasDropout = kerasCnn.steps.findIndex((s) => s.role === 'dropout');
    expect(kerasFusion[kerasDropout].doneInPool).toBe(true);
    expect(kerasCnn.steps[kerasDropout - 2].role).toBe('maxpool');
    expect(kerasFusion[kerasDropout - 2].foldedDropout).toBe(kerasDropout);
    // A dropout after anything else keeps its own backward pass.
    const cnnDropout = planModel(cnn).steps.find((s) => s.role === 'dropout')!.index;
    expect(decideFusion(cnn.layers).layers[cnnDropout].doneInPool).toBeUndefined();
    expect(plan.steps[5].role).toBe('dense');
    expect(fusion[5]).toMatchObject({ fusedRelu: true, reluBackwardInDropout: true });
    expect(plan.steps[5].preActivationGradient).toBeUndefined();
    expect(plan.steps[7].role).toBe('dropout');
    expect(fusion[7].foldsRelu).toBe(true);
    expect(fusion[7].doneInPool).toBeUndefined();
    const config: TrainingConfig = {
      model,
      optimizer: { ...OPTIMIZER_DEFAULTS.sgd, learningRate: 0.05, momentum: 0.9, nesterov: true },
      schedule: { kind: 'constant' },
      batchSize: 8,
      epochs: 1,
      seed: 12,
    };
    const r = await compareRuns(config, syntheticImages(32, 8, 9), syntheticImages(8, 8, 10), 4);
    for (let i = 0; i < r.cpuMetrics.length; i++) {
      expect(r.gpuMetrics[i].loss).toBeCloseTo(r.cpuMetrics[i].loss, 4);
      expect(r.gpuMetrics[i].accuracy).toBe(r.cpuMetrics[i].accuracy);
    }
    expect(maxParamDiff(r.gpuParams, r.cpuParams)).toBeLessThan(1e-4);
    expect(Array.from(r.gpuEval.confusion)).toEqual(Array.from(r.cpuEval.confusion));
    // gather; conv, maxpool (with the first dropout), the second dropout, 2 dense forward; loss;
    // dense 2 weight and input gradient (with the dropout's backward pass), dense 1 weight and
    // input gradient, maxpool backward (with the first dropout's), conv weight gradient (split,
    // with its reduce); optimizer.
    expect(r.dispatches).toBe(15);
  });

  it('matches the CPU with matmul_large on every dense product (plain inputs transposed first)', async () => {
    const model: ModelSpec = {
      input: [1, 8, 8],
      layers: [{ kind: 'flatten' }, { kind: 'dense', units: 24 }, { kind: 'relu' }, { kind: 'dense', units: 10 }],
      loss: 'softmaxCrossEntropy',
    };
    // At real sizes only big layers take matmul_large; here every product does, so the forward
    // passes and the input gradient go through kernels/transpose.wgsl.
    const options: GpuTrainerOptions = { denseKernel: () => MATMUL_LARGE };
    const config: TrainingConfig = {
      model,
      optimizer: { ...OPTIMIZER_DEFAULTS.sgd, learningRate: 0.05, momentum: 0.9 },
      schedule: { kind: 'constant' },
      batchSize: 4,
      epochs: 1,
      seed: 4,
    };
    const r = await compareRuns(config, syntheticImages(16, 8, 5), syntheticImages(8, 8, 6), 4, options);
    for (let i = 0; i < r.cpuMetrics.length; i++) expect(r.gpuMetrics[i].loss).toBeCloseTo(r.cpuMetrics[i].loss, 4);
    expect(maxParamDiff(r.gpuParams, r.cpuParams)).toBeLessThan(1e-4);
    expect(Array.from(r.gpuEval.confusion)).toEqual(Array.from(r.cpuEval.confusion));
    // Per step: gather, 2 x (transpose + matmul_large) forward, loss, ReLU backward, 2 weight
    // gradients, 1 input gradient (transpose + matmul_large), optimizer.
    expect(r.dispatches).toBe(12);
  });

  it('matches the CPU for SGD with momentum and RMSprop on a pooling + sigmoid network', async () => {
    const train = syntheticImages(40, 8, 3);
    const test = syntheticImages(10, 8, 4);
    for (const optimizer of [
      { ...OPTIMIZER_DEFAULTS.sgd, learningRate: 0.05, momentum: 0.9, nesterov: true },
      { ...OPTIMIZER_DEFAULTS.rmsprop, learningRate: 0.005, momentum: 0.5 },
    ]) {
      const config: TrainingConfig = {
        model: avgMlp,
        optimizer,
        schedule: { kind: 'step', everySteps: 3, gamma: 0.5 },
        batchSize: 10,
        epochs: 2,
        seed: 9,
      };
      const r = await compareRuns(config, train, test, 8);
      for (let i = 0; i < r.cpuMetrics.length; i++) expect(r.gpuMetrics[i].loss).toBeCloseTo(r.cpuMetrics[i].loss, 4);
      expect(maxParamDiff(r.gpuParams, r.cpuParams)).toBeLessThan(1e-4);
    }
  });

  it('matches the CPU for an MLP whose dense layers use the fused ReLU, the bias row and split K', async () => {
    const train = syntheticImages(32, 28, 6);
    const test = syntheticImages(16, 28, 7);
    const model: ModelSpec = {
      input: [1, 28, 28],
      layers: [
        { kind: 'flatten' },
        { kind: 'dense', units: 24 },
        { kind: 'relu' },
        { kind: 'dense', units: 16 },
        { kind: 'relu' },
        { kind: 'dense', units: 10 },
      ],
      loss: 'softmaxCrossEntropy',
    };
    const config: TrainingConfig = {
      model,
      optimizer: { ...OPTIMIZER_DEFAULTS.sgd, learningRate: 0.05 },
      schedule: { kind: 'constant' },
      batchSize: 8,
      epochs: 2,
      seed: 3,
    };
    const r = await compareRuns(config, train, test, 8);
    for (let i = 0; i < r.cpuMetrics.length; i++) expect(r.gpuMetrics[i].loss).toBeCloseTo(r.cpuMetrics[i].loss, 4);
    expect(maxParamDiff(r.gpuParams, r.cpuParams)).toBeLessThan(1e-4);
    expect(Array.from(r.gpuEval.confusion)).toEqual(Array.from(r.cpuEval.confusion));
    // gather, 784→24 split (matmul + reduce with ReLU), 24→16 (+ReLU), 16→10, loss;
    // backward: 3 × [dW;db], 2 dX (each also doing the ReLU backward pass of the layer before); optimizer.
    expect(r.dispatches).toBe(1 + 2 + 1 + 1 + 1 + 3 + 2 + 1);
    expect(r.fusionNotes.get(3)).toMatch(
      /backward pass of its ReLU runs inside the next layer's input-gradient kernel/,
    );
    expect(r.fusionNotes.get(1)).toMatch(
      /backward pass of its ReLU runs inside the next layer's input-gradient kernel/,
    );
    // Other matmul tile sizes (kernel variants) change no sum: the same losses and weights, bit for bit.
    const tiled = await compareRuns(config, train, test, 8, {
      denseTiles: (product) => (product === 'weightGrad' ? { WG_X: 8, WG_Y: 16 } : { WG_X: 8, WG_Y: 8 }),
    });
    expect(r.matmulVariants).toEqual([]);
    expect(tiled.matmulVariants).toEqual([{ WG_X: 8, WG_Y: 8, TILE_K: 16 }]); // the 784 -> 24 layer's forward product
    expect(tiled.gpuMetrics.map((m) => m.loss)).toEqual(r.gpuMetrics.map((m) => m.loss));
    expect(maxParamDiff(tiled.gpuParams, r.gpuParams)).toBe(0);
  });

  it('trains the perceptron on the AND table with mean squared error until it is right on all four points', async () => {
    const inputs = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
    const targets = new Float32Array([0, 0, 0, 1]);
    const config: TrainingConfig = {
      model: { input: [2], layers: [{ kind: 'dense', units: 1 }, { kind: 'sigmoid' }], loss: 'mse' },
      optimizer: { ...OPTIMIZER_DEFAULTS.sgd, learningRate: 2, momentum: 0.9 },
      schedule: { kind: 'constant' },
      batchSize: 4,
      epochs: 300,
      seed: 1,
    };
    const runner = new KernelRunner(ctx!);
    const gpu = await GpuTrainer.create(runner, config, { kind: 'vectors', inputs, targets, count: 4 }, null);
    const metrics = await gpu.submitSteps(300);
    const cpu = new CpuTrainer(config, { kind: 'vectors', inputs, targets, count: 4 }, null).runSteps(300);
    expect(metrics).toHaveLength(300);
    expect(metrics[299].loss).toBeLessThan(metrics[0].loss / 4);
    expect(metrics[299].accuracy).toBe(1);
    expect(metrics[299].loss).toBeCloseTo(cpu[299].loss, 4);
    gpu.destroy();
  });

  it('refuses a model whose layer output does not fit the GPU, naming the limit', async () => {
    const runner = new KernelRunner(ctx!);
    const huge: ModelSpec = {
      input: [1, 28, 28],
      layers: [
        { kind: 'conv2d', filters: 1024, kernel: 3, stride: 1, padding: 1 },
        { kind: 'flatten' },
        { kind: 'dense', units: 10 },
      ],
      loss: 'softmaxCrossEntropy',
    };
    const train = syntheticImages(4096, 28, 1);
    await expect(
      GpuTrainer.create(
        runner,
        {
          model: huge,
          optimizer: OPTIMIZER_DEFAULTS.sgd,
          schedule: { kind: 'constant' },
          batchSize: 4096,
          epochs: 1,
          seed: 1,
        },
        train,
        null,
      ),
    ).rejects.toThrow(/maxStorageBufferBindingSize/);
  });
});
