/** The optimizer kernels' interface with TypeScript: flags, uniform values and dispatch sizes. */
import type { UniformValues } from '../../kernel/spec';
import {
  optimizerScalars,
  optimizerStateSlots,
  type AdamConfig,
  type OptimizerConfig,
  type OptimizerKind,
} from './cpu';

/** `kind` uniform of kernels/optimizer.wgsl. */
export const OPTIMIZER_KIND: Readonly<Record<OptimizerKind, number>> = { sgd: 0, adam: 1, rmsprop: 2 };

/**
 * The step-independent uniforms for `count` parameters (every value rounded to f32 exactly as
 * optimizerScalars rounds it; 1 − beta and 1 − alpha are rounded from float64, not computed in f32).
 * stepAdvanced: train_state[0] already counts this step (the training loss kernel advances it), so
 * the kernel reads its tables at train_state[0] − 1.
 */

export function optimizerUniforms(config: OptimizerConfig, count: number, stepAdvanced = false): UniformValues {
  const u: UniformValues = {
    stepAdvanced: stepAdvanced ? 1 : 0,
    stateSlots: optimizerStateSlots(config),
    kind: OPTIMIZER_KIND[config.kind],
    count,
    momentum: 0,
    nesterov: 0,
    weightDecay: 0,
    beta1: 0,
    beta2: 0,
    oneMinusBeta1: 0,
    oneMinusBeta2: 0,
    epsilon: 0,
    alpha: 0,
    oneMinusAlpha: 0,
    zero: 0,
  };
  const s = optimizerScalars(config, 1, 0);
  switch (s.kind) {
    case 'sgd':
      return { ...u, momentum: s.momentum, nesterov: s.nesterov ? 1 : 0, weightDecay: s.weightDecay };
    case 'adam':
      return {
        ...u,
        weightDecay: s.weightDecay,
        beta1: s.beta1,
        beta2: s.beta2,
        oneMinusBeta1: s.oneMinusBeta1,
        oneMinusBeta2: s.oneMinusBeta2,
        epsilon: s.epsilon,
      };
    case 'rmsprop':
      return { ...u, momentum: s.momentum, epsilon: s.epsilon, alpha: s.alpha, oneMinusAlpha: s.oneMinusAlpha };
  }
}

/** lr_table: the scheduled learning rate of every 0-based global step, as f32. */
export function learningRateTable(learningRates: ArrayLike<number>): Float32Array {
  return Float32Array.from(learningRates);
}

/**
 * adam_table: for 0-based global step k (Adam's t = k + 1), [2k] = -lr_k / (1 - beta1^t) and
 * [2k + 1] = sqrt(1 - beta2^t), computed in float64 and rounded once, exactly as optimizerScalars.
 */

export function adamStepTable(config: AdamConfig, learningRates: ArrayLike<number>): Float32Array {
  const table = new Float32Array(Math.max(1, learningRates.length) * 2);
  for (let k = 0; k < learningRates.length; k++) {
    const s = optimizerScalars(config, k + 1, learningRates[k]);
    if (s.kind !== 'adam') throw new Error('adamStepTable: not an Adam config');
    table[2 * k] = s.negStepSize;
    table[2 * k + 1] = s.biasCorrection2Sqrt;
  }
  return table;
}
