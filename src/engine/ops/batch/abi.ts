/** The batch kernels' interface with TypeScript: flags, uniform values and dispatch sizes. */
import type { UniformValues } from '../../kernel/spec';
import { MNIST_MEAN, MNIST_STD } from './cpu';

/** `mode` uniform of gather_batch. */
export const GatherMode = { train: 0, evaluate: 1 } as const;

/** The label gather_batch writes for evaluation rows past the end of the data (loss kernels skip it). */
export const GATHER_PADDING_LABEL = 0xffffffff;

export interface GatherOptions {
  batch: number;
  /** Pixels per image (784 for MNIST). */
  pixels: number;
  /** Images in the data set. */
  count: number;
  mean?: number;
  std?: number;
}

/** Uniforms for a training gather: row b is image perm[train_state[1] * batch + b]. */
export function gatherTrainUniforms(o: GatherOptions): UniformValues {
  return {
    batch: o.batch,
    pixels: o.pixels,
    mean: o.mean ?? MNIST_MEAN,
    stdDev: o.std ?? MNIST_STD,
    mode: GatherMode.train,
    offset: 0,
    count: o.count,
  };
}

/** Uniforms for an evaluation gather: row b is image offset + b; rows at or past count are padding. */
export function gatherEvalUniforms(o: GatherOptions & { offset: number }): UniformValues {
  return {
    batch: o.batch,
    pixels: o.pixels,
    mean: o.mean ?? MNIST_MEAN,
    stdDev: o.std ?? MNIST_STD,
    mode: GatherMode.evaluate,
    offset: o.offset,
    count: o.count,
  };
}
