/**
 * Max and average pooling over square windows, no padding; windows may overlap (stride < size).
 * x is NCHW [batch, channels, inH, inW]; y is [batch, channels, outH, outW].
 */
import { type FloatArray, allocLike, expectInteger, expectLength } from '../../cpu/tensor';

export interface Pool2dGeometry {
  batch: number;
  channels: number;
  inHeight: number;
  inWidth: number;
  /** Side of the square window. */
  size: number;
  stride: number;
  outHeight: number;
  outWidth: number;
}

/** Geometry of a pool layer on a [c, h, w] input: out = floor((in − size) / stride) + 1; RangeError if size > in. */
export function pool2dGeometry(
  batch: number,
  [channels, inHeight, inWidth]: readonly number[],
  size: number,
  stride: number,
): Pool2dGeometry {
  expectInteger('pool batch', batch, 0);
  expectInteger('pool channels', channels, 1);
  expectInteger('pool input height', inHeight, 1);
  expectInteger('pool input width', inWidth, 1);
  expectInteger('pool size', size, 1);
  expectInteger('pool stride', stride, 1);
  if (size > inHeight || size > inWidth) {
    throw new RangeError(`pool window ${size} is larger than the input ${inHeight}x${inWidth}`);
  }
  return {
    batch,
    channels,
    inHeight,
    inWidth,
    size,
    stride,
    outHeight: Math.floor((inHeight - size) / stride) + 1,
    outWidth: Math.floor((inWidth - size) / stride) + 1,
  };
}

/** Number of elements in the pool input and output. */
export function pool2dSizes(g: Pool2dGeometry): { input: number; output: number } {
  return {
    input: g.batch * g.channels * g.inHeight * g.inWidth,
    output: g.batch * g.channels * g.outHeight * g.outWidth,
  };
}

/**
 * Max pooling. `argmax[o]` is the flat index into x (batch and channel offsets included) of the
 * element that won output o.
 *
 * Tie rule (the WGSL kernel must match it): windows are scanned in row-major order (ky, then kx),
 * starting from the window's first element and replacing the best only when a value is strictly
 * greater, so the FIRST maximum in row-major window order wins.
 */
export function maxPoolForward<T extends FloatArray>(x: T, g: Pool2dGeometry): { y: T; argmax: Int32Array } {
  const sizes = pool2dSizes(g);
  expectLength('maxPoolForward x', x, sizes.input);
  const { inHeight: H, inWidth: W, size, stride, outHeight: OH, outWidth: OW } = g;
  const y = allocLike(x, sizes.output);
  const argmax = new Int32Array(sizes.output);
  for (let plane = 0; plane < g.batch * g.channels; plane++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let bestIndex = (plane * H + oy * stride) * W + ox * stride;
        let best = x[bestIndex];
        for (let ky = 0; ky < size; ky++) {
          for (let kx = 0; kx < size; kx++) {
            const i = (plane * H + oy * stride + ky) * W + ox * stride + kx;
            if (x[i] > best) {
              best = x[i];
              bestIndex = i;
            }
          }
        }
        const o = (plane * OH + oy) * OW + ox;
        y[o] = best;
        argmax[o] = bestIndex;
      }
    }
  }
  return { y, argmax };
}

/**
 * Routes each dy[o] to the input element that won output o; where windows overlap, an input that
 * won several outputs receives the sum (added in increasing output order, as a gather would).
 */
export function maxPoolBackward<T extends FloatArray>(
  dy: T,
  argmax: Int32Array,
  g: Pool2dGeometry,
  inputLength: number,
): T {
  const sizes = pool2dSizes(g);
  expectLength('maxPoolBackward dy', dy, sizes.output);
  expectLength('maxPoolBackward argmax', argmax, sizes.output);
  expectLength('maxPoolBackward input', { length: inputLength }, sizes.input);
  const dx = allocLike(dy, inputLength);
  for (let o = 0; o < dy.length; o++) dx[argmax[o]] += dy[o];
  return dx;
}

/** Average pooling: y = (sum of the window, row-major) / (size · size). */
export function avgPoolForward<T extends FloatArray>(x: T, g: Pool2dGeometry): T {
  const sizes = pool2dSizes(g);
  expectLength('avgPoolForward x', x, sizes.input);
  const { inHeight: H, inWidth: W, size, stride, outHeight: OH, outWidth: OW } = g;
  const area = size * size;
  const y = allocLike(x, sizes.output);
  for (let plane = 0; plane < g.batch * g.channels; plane++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let sum = 0;
        for (let ky = 0; ky < size; ky++) {
          for (let kx = 0; kx < size; kx++) sum += x[(plane * H + oy * stride + ky) * W + ox * stride + kx];
        }
        y[(plane * OH + oy) * OW + ox] = sum / area;
      }
    }
  }
  return y;
}

/**
 * Each input receives dy / (size · size) from every window that covers it (overlaps add, in
 * increasing output order); inputs no window covers get 0.
 */
export function avgPoolBackward<T extends FloatArray>(dy: T, g: Pool2dGeometry): T {
  const sizes = pool2dSizes(g);
  expectLength('avgPoolBackward dy', dy, sizes.output);
  const { inHeight: H, inWidth: W, size, stride, outHeight: OH, outWidth: OW } = g;
  const area = size * size;
  const dx = allocLike(dy, sizes.input);
  for (let plane = 0; plane < g.batch * g.channels; plane++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const share = dy[(plane * OH + oy) * OW + ox] / area;
        for (let ky = 0; ky < size; ky++) {
          for (let kx = 0; kx < size; kx++) dx[(plane * H + oy * stride + ky) * W + ox * stride + kx] += share;
        }
      }
    }
  }
  return dx;
}
