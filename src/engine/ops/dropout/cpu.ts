/**
 * Inverted dropout with a counter-based mask: whether element i survives is a pure function of
 * (seed, stream, i), so the WGSL kernel draws the identical mask without any shared state, and a
 * backward pass (or a visualiser) can recompute it later.
 */
import { RandomStream, randomUniform } from '../../rng';
import { type FloatArray, expectLength, zerosLike } from '../../cpu/tensor';

/** Layer indices must stay below this so that (step, layer) pairs map to distinct streams. */
export const MAX_DROPOUT_LAYERS = 64;

/**
 * The rng stream for one dropout layer at one training step:
 * `RandomStream.dropout * 1_000_000 + step * 64 + layerIndex`, wrapped to u32 as WGSL's u32 math does.
 */
export function dropoutStream(step: number, layerIndex: number): number {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`dropout step must be an integer >= 0, got ${step}`);
  if (!Number.isInteger(layerIndex) || layerIndex < 0 || layerIndex >= MAX_DROPOUT_LAYERS) {
    throw new RangeError(`dropout layerIndex must be an integer in [0, ${MAX_DROPOUT_LAYERS}), got ${layerIndex}`);
  }
  return (RandomStream.dropout * 1_000_000 + step * MAX_DROPOUT_LAYERS + layerIndex) >>> 0;
}

function checkRate(rate: number): void {
  // rate = 1 would scale the (nonexistent) survivors by 1/0.
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
}

/**
 * Training-mode dropout: element i is kept iff randomUniform(seed, dropoutStream(step, layerIndex), i) >= rate,
 * and kept values are scaled by 1 / (1 − rate) so the expected output equals the input.
 * `mask[i]` is 1 for kept elements and 0 for dropped ones.
 */
export function dropoutForward<T extends FloatArray>(
  x: T,
  rate: number,
  seed: number,
  step: number,
  layerIndex: number,
): { y: T; mask: Uint8Array } {
  checkRate(rate);
  const stream = dropoutStream(step, layerIndex);
  const scale = 1 / (1 - rate);
  const y = zerosLike(x);
  const mask = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    // Compare with the f32 rate, exactly as the WGSL kernel does.
    if (randomUniform(seed, stream, i) >= Math.fround(rate)) {
      mask[i] = 1;
      y[i] = x[i] * scale;
    }
  }
  return { y, mask };
}

/** dx = dy · mask / (1 − rate): the same mask and scale as the forward pass. */
export function dropoutBackward<T extends FloatArray>(dy: T, mask: Uint8Array, rate: number): T {
  checkRate(rate);
  expectLength('dropoutBackward mask', mask, dy.length);
  const scale = 1 / (1 - rate);
  const dx = zerosLike(dy);
  for (let i = 0; i < dy.length; i++) if (mask[i] !== 0) dx[i] = dy[i] * scale;
  return dx;
}
