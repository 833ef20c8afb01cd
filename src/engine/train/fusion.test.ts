import { describe, expect, it } from 'vitest';
import type { LayerSpec } from '../layers';
import { PRESETS } from '../presets';
import { decideFusion, type KernelChoice, type LayerFusion } from './fusion';
import { planModel } from './plan';

const choices = (entries: [number, KernelChoice][]) => new Map(entries);

/** [forward, backward] of every layer, for compact assertions. */
const places = (layers: LayerFusion[]) => layers.map((f) => [f.forward, f.backward]);

/** Indices of the layers that run no kernel of their own, forward, in training. */
const noForwardKernel = (layers: LayerFusion[]) => layers.filter((f) => f.forward !== 'own').map((f) => f.index);

const conv = (filters: number): LayerSpec => ({ kind: 'conv2d', filters, kernel: 3, stride: 1, padding: 1 });
const relu: LayerSpec = { kind: 'relu' };
const maxpool2: LayerSpec = { kind: 'maxpool', size: 2, stride: 2 };
const flatten: LayerSpec = { kind: 'flatten' };
const softmax: LayerSpec = { kind: 'softmax' };
const dense = (units: number): LayerSpec => ({ kind: 'dense', units });
const dropout = (rate: number): LayerSpec => ({ kind: 'dropout', rate });

describe('decideFusion on the presets (the kernels the trainer picks at each preset batch size)', () => {
  it('pytorch-cnn: pooling and dropout in conv 2, the second dropout in dense 1 and dense 2', () => {
    const f = decideFusion(
      PRESETS['pytorch-cnn'].model.layers,
      choices([
        [0, { convForwardCanPool: false }],
        [2, { convForwardCanPool: true }],
        [7, { denseForwardReduce: true, denseInputGradGates: false }],
        [10, { denseForwardReduce: false, denseInputGradGates: true }],
      ]),
    );
    // conv, relu, conv, relu, maxpool, dropout, flatten, dense, relu, dropout, dense, softmax
    expect(places(f.layers)).toEqual([
      ['own', 'own'],
      [0, 0],
      ['own', 'own'],
      [2, 4],
      [2, 'own'],
      [2, 4],
      ['free', 'free'],
      ['own', 'own'],
      [7, 9],
      [7, 10],
      ['own', 'own'],
      ['loss', 'loss'],
    ]);
    expect(noForwardKernel(f.layers)).toEqual([1, 3, 4, 5, 6, 8, 9, 11]);
    expect([...f.forwardInOtherKernel].sort((a, b) => a - b)).toEqual([4, 9]);
    expect([...f.backwardInNextKernel]).toEqual([9]);
    expect(f.layers[2].fusedPool).toBe(4);
    expect(f.layers[4].foldedDropout).toBe(5);
    expect(f.layers[5].doneInPool).toBe(true);
    expect(f.layers[7]).toMatchObject({ fusedRelu: true, reluBackwardInDropout: true, fusedDropout: 9 });
    expect(f.layers[9].foldsRelu).toBe(true);
    expect(f.layers[10].inputGradGate).toEqual({ kind: 'dropout', layer: 9 });
    expect(f.layers[0].note).toBeUndefined();
    expect(f.layers[1].note).toBe('Done inside the convolution kernel (fused).');
    expect(f.layers[2].note).toBe(
      'Also does the 2×2 max pooling after it and the dropout after that in the same kernel, so its full-size output is never written.',
    );
    expect(f.layers[4].note).toBe(
      'Its forward pass runs inside the convolution before it; its backward pass is its own.',
    );
    expect(f.layers[5].note).toBe(
      "Done forward inside the convolution's kernel and backward inside the max pooling's.",
    );
    expect(f.layers[6].note).toBe('Flatten only changes how the same memory is read.');
    expect(f.layers[7].note).toBe(
      'In training it also does the dropout after it, in the same pass that adds up its split sums.',
    );
    expect(f.layers[8].note).toBe('Done inside the matrix multiply (fused).');
    expect(f.layers[9].note).toBe(
      "Done forward inside the dense layer's kernel; its mask also carries the ReLU before it, so that ReLU needs no backward pass. Its backward pass runs inside the next layer's input-gradient kernel.",
    );
    expect(f.layers[10].note).toBe(
      'Its input gradient also does the backward pass of the dropout before it, in the same kernel.',
    );
    expect(f.layers[11].note).toBe('Softmax is computed inside the loss kernel.');
  });

  it('keras-small-cnn: the dense ReLU backward in the output layer input gradient', () => {
    const f = decideFusion(
      PRESETS['keras-small-cnn'].model.layers,
      choices([
        [0, { convForwardCanPool: false }],
        [4, { denseForwardReduce: true, denseInputGradGates: false }],
        [6, { denseForwardReduce: false, denseInputGradGates: true }],
      ]),
    );
    // conv, relu, maxpool, flatten, dense, relu, dense, softmax
    expect(places(f.layers)).toEqual([
      ['own', 'own'],
      [0, 0],
      ['own', 'own'],
      ['free', 'free'],
      ['own', 'own'],
      [4, 6],
      ['own', 'own'],
      ['loss', 'loss'],
    ]);
    // A reduce with no dropout after it fuses nothing; the pooling runs its own kernel.
    expect(f.forwardInOtherKernel.size).toBe(0);
    expect([...f.backwardInNextKernel]).toEqual([4]);
    expect(f.layers[4].fusedDropout).toBeUndefined();
    expect(f.layers[6].inputGradGate).toEqual({ kind: 'relu', layer: 4 });
    expect(f.layers[2].note).toBeUndefined();
    expect(f.layers[4].note).toBe("The backward pass of its ReLU runs inside the next layer's input-gradient kernel.");
    expect(f.layers[6].note).toBe(
      'Its input gradient also does the backward pass of the ReLU of the layer before it, in the same kernel.',
    );
  });

  it('keras-cnn: the dropout after flatten is done by the max pooling before it', () => {
    const f = decideFusion(
      PRESETS['keras-cnn'].model.layers,
      choices([
        [0, { convForwardCanPool: false }],
        [3, { convForwardCanPool: false }],
        [8, { denseForwardReduce: true, denseInputGradGates: false }],
      ]),
    );
    // conv, relu, maxpool, conv, relu, maxpool, flatten, dropout, dense, softmax
    expect(noForwardKernel(f.layers)).toEqual([1, 4, 6, 7, 9]);
    expect(f.layers[7]).toMatchObject({ forward: 5, backward: 5, doneInPool: true });
    expect(f.layers[5].foldedDropout).toBe(7);
    expect(f.layers[2].foldedDropout).toBeUndefined();
    expect(f.layers[7].note).toBe('Done inside the max pooling before it, forward and backward.');
    // The dense layer's reduce could do a dropout, but this one is already inside the pooling.
    expect(f.layers[8].fusedDropout).toBeUndefined();
    expect(f.forwardInOtherKernel.size).toBe(0);
    expect(f.backwardInNextKernel.size).toBe(0);
  });

  it('keras-cnn with both convolutions on the pooling kernel: the second also does the dropout', () => {
    const f = decideFusion(
      PRESETS['keras-cnn'].model.layers,
      choices([
        [0, { convForwardCanPool: true }],
        [3, { convForwardCanPool: true }],
      ]),
    );
    expect(f.layers[0].fusedPool).toBe(2);
    expect(f.layers[3].fusedPool).toBe(5);
    expect([...f.forwardInOtherKernel].sort((a, b) => a - b)).toEqual([2, 5]);
    // The dropout's forward pass follows its pooling into the convolution; its backward stays in the pooling.
    expect(f.layers[7]).toMatchObject({ forward: 3, backward: 5 });
    expect(f.layers[0].note).toBe(
      'Also does the 2×2 max pooling after it in the same kernel, so its full-size output is never written.',
    );
    expect(f.layers[3].note).toMatch(/and the dropout after that/);
    // The ReLU's backward pass is in the pooling's winners.
    expect(f.layers[1].backward).toBe(2);
    expect(f.layers[4].backward).toBe(5);
  });

  it('mlp: flatten is free, the ReLU backward runs in the output layer', () => {
    const f = decideFusion(
      PRESETS.mlp.model.layers,
      choices([
        [1, { denseForwardReduce: true, denseInputGradGates: false }],
        [3, { denseForwardReduce: false, denseInputGradGates: true }],
      ]),
    );
    expect(places(f.layers)).toEqual([
      ['free', 'free'],
      ['own', 'own'],
      [1, 3],
      ['own', 'own'],
      ['loss', 'loss'],
    ]);
    expect([...f.backwardInNextKernel]).toEqual([1]);
  });

  it('fast-cnn: no pooling fused when the convolutions run the small kernel', () => {
    const f = decideFusion(
      PRESETS['fast-cnn'].model.layers,
      choices([
        [0, { convForwardCanPool: false }],
        [3, { convForwardCanPool: false }],
        [7, { denseForwardReduce: true, denseInputGradGates: false }],
        [9, { denseForwardReduce: false, denseInputGradGates: true }],
      ]),
    );
    // conv, relu, maxpool, conv, relu, maxpool, flatten, dense, relu, dense, softmax
    expect(noForwardKernel(f.layers)).toEqual([1, 4, 6, 8, 10]);
    expect(f.layers[2].forward).toBe('own');
    expect(f.layers[5].forward).toBe('own');
    expect(f.layers[8].backward).toBe(9);
    expect([...f.backwardInNextKernel]).toEqual([7]);
  });

  it('perceptron: a dense layer and a sigmoid, each its own kernel', () => {
    const f = decideFusion(PRESETS.perceptron.model.layers, choices([[0, {}]]));
    expect(places(f.layers)).toEqual([
      ['own', 'own'],
      ['own', 'own'],
    ]);
    expect(f.layers[0].fusedRelu).toBe(false);
    expect(f.layers.map((l) => l.note)).toEqual([undefined, undefined]);
  });
});

describe('decideFusion without kernel choices (the plan)', () => {
  it('makes only the decisions that need no kernel', () => {
    const f = decideFusion(PRESETS['pytorch-cnn'].model.layers);
    expect(noForwardKernel(f.layers)).toEqual([1, 3, 5, 6, 8, 11]);
    expect(f.layers[5]).toMatchObject({ forward: 4, backward: 4, doneInPool: true });
    expect(f.layers[5].note).toBe('Done inside the max pooling before it, forward and backward.');
    expect(f.layers[9]).toMatchObject({ forward: 'own', backward: 'own', foldsRelu: true });
    expect(f.layers[9].note).toBe('Its mask also carries the ReLU before it, so that ReLU needs no backward pass.');
    expect(f.layers[8].backward).toBe(9);
    expect(f.forwardInOtherKernel.size).toBe(0);
    expect(f.kernelNotes.size).toBe(0);
  });

  it('is what the plan lays its memory out by', () => {
    for (const preset of Object.values(PRESETS)) {
      const plan = planModel(preset.model);
      const f = decideFusion(preset.model.layers);
      for (const step of plan.steps) {
        const r = f.layers[step.index];
        // A layer that runs no kernel in any case shares its input's memory.
        expect(step.role === 'alias').toBe(r.aliasReason !== undefined);
        if (step.role === 'alias') expect(step.output.id).toBe(step.input.id);
        else expect(step.output.id).not.toBe(step.input.id);
        // Only a dense layer that runs its fused ReLU's backward pass itself needs a pre-activation gradient.
        expect(step.preActivationGradient !== undefined).toBe(
          step.role === 'dense' && r.fusedRelu === true && !r.reluBackwardInDropout,
        );
      }
    }
    const pytorch = planModel(PRESETS['pytorch-cnn'].model);
    expect(pytorch.steps.filter((s) => s.role === 'alias').map((s) => s.index)).toEqual([1, 3, 6, 8, 11]);
    expect(pytorch.steps[7].preActivationGradient).toBeUndefined();
    const mlp = planModel(PRESETS.mlp.model);
    expect(mlp.steps[1].preActivationGradient?.gradientOnly).toBe(true);
  });
});

describe('decideFusion on hand-made models', () => {
  it('folds a dropout after dense + ReLU into the split reduce, and its ReLU into the mask', () => {
    const layers = [flatten, dense(32), relu, dropout(0.5), dense(10), softmax];
    const f = decideFusion(layers, choices([[1, { denseForwardReduce: true }]]));
    expect(noForwardKernel(f.layers)).toEqual([0, 2, 3, 5]);
    expect(f.layers[3]).toMatchObject({ forward: 1, backward: 'own', foldsRelu: true });
    expect(f.layers[2].backward).toBe(3);
    // Without the split, the dropout runs its own kernel (still carrying the ReLU).
    const own = decideFusion(layers, choices([[1, { denseForwardReduce: false }]]));
    expect(own.layers[3]).toMatchObject({ forward: 'own', foldsRelu: true });
    expect(own.layers[1].fusedDropout).toBeUndefined();
  });

  it('folds a dropout after a dense layer without a ReLU into the reduce', () => {
    const f = decideFusion([flatten, dense(32), dropout(0.2), dense(10)], choices([[1, { denseForwardReduce: true }]]));
    expect(f.layers[1].fusedDropout).toBe(2);
    expect(f.layers[2].note).toBe("Done forward inside the dense layer's kernel.");
  });

  it('keeps a dropout its own when a flatten separates it from dense + ReLU (the mask cannot carry the ReLU)', () => {
    const f = decideFusion(
      [dense(32), relu, flatten, dropout(0.5), dense(10)],
      choices([[0, { denseForwardReduce: true }]]),
    );
    expect(f.layers[0].reluBackwardInDropout).toBeUndefined();
    expect(f.layers[3].foldsRelu).toBeUndefined();
    expect(f.layers[0].fusedDropout).toBeUndefined();
    expect(f.layers[3].forward).toBe('own');
  });

  it('fuses only a 2x2, stride-2 max pooling into the convolution', () => {
    const pooled = decideFusion(
      [conv(4), relu, maxpool2, flatten, dense(10)],
      choices([[0, { convForwardCanPool: true }]]),
    );
    expect(pooled.layers[2]).toMatchObject({ forward: 0, backward: 'own' });
    expect(pooled.layers[1].backward).toBe(2);
    const wide = decideFusion(
      [conv(4), relu, { kind: 'maxpool', size: 3, stride: 2 }, flatten, dense(10)],
      choices([[0, { convForwardCanPool: true }]]),
    );
    expect(wide.layers[0].fusedPool).toBeUndefined();
    expect(wide.layers[2].forward).toBe('own');
    const average = decideFusion(
      [conv(4), { kind: 'avgpool', size: 2, stride: 2 }, flatten, dense(10)],
      choices([[0, { convForwardCanPool: true }]]),
    );
    expect(average.layers[0].fusedPool).toBeUndefined();
  });

  it('leaves a dropout after average pooling or an activation to its own kernels', () => {
    const f = decideFusion([conv(4), { kind: 'avgpool', size: 2, stride: 2 }, dropout(0.3), flatten, dense(10)]);
    expect(f.layers[2]).toMatchObject({ forward: 'own', backward: 'own' });
    expect(f.layers[2].doneInPool).toBeUndefined();
    const tanh = decideFusion([conv(4), maxpool2, { kind: 'tanh' }, dropout(0.3), flatten, dense(10)]);
    expect(tanh.layers[3].doneInPool).toBeUndefined();
    expect(tanh.layers[1].foldedDropout).toBeUndefined();
  });

  it('fuses a ReLU only right after dense or conv', () => {
    const f = decideFusion([conv(4), maxpool2, relu, flatten, dense(8), { kind: 'leakyRelu', alpha: 0.1 }, dense(2)]);
    expect(f.layers[0].fusedRelu).toBe(false);
    expect(f.layers[2]).toMatchObject({ forward: 'own', backward: 'own' });
    expect(f.layers[2].aliasReason).toBeUndefined();
    expect(f.layers[5]).toMatchObject({ forward: 'own', backward: 'own' });
  });

  it('gates the next input gradient only through a dropout or a dense ReLU right before it', () => {
    const f = decideFusion(
      [flatten, dense(16), relu, dense(8), { kind: 'sigmoid' }, dense(4)],
      choices([
        [3, { denseInputGradGates: true }],
        [5, { denseInputGradGates: true }],
      ]),
    );
    expect(f.layers[3].inputGradGate).toEqual({ kind: 'relu', layer: 1 });
    expect(f.layers[5].inputGradGate).toBeUndefined();
    expect([...f.backwardInNextKernel]).toEqual([1]);
    // A dropout done in the pooling keeps its backward pass there.
    const pooled = decideFusion(
      [conv(4), maxpool2, dropout(0.5), flatten, dense(4)],
      choices([[4, { denseInputGradGates: true }]]),
    );
    expect(pooled.layers[4].inputGradGate).toBeUndefined();
    expect(pooled.layers[2].backward).toBe(1);
  });
});
