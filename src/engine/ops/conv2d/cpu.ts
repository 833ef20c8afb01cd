/**
 * 2-D convolution (deep-learning convention: cross-correlation), square kernel, zero padding.
 * x is NCHW [batch, inC, inH, inW], w is [outC, inC, k, k], bias is [outC], y is [batch, outC, outH, outW].
 * Every loop is a "gather": one output element sums its own terms, the way a GPU thread would,
 * so the backward pass needs no atomics and the order of additions is the same as in WGSL.
 */
import { type FloatArray, allocLike, expectInteger, expectLength } from '../../cpu/tensor';

export interface Conv2dGeometry {
  batch: number;
  inChannels: number;
  inHeight: number;
  inWidth: number;
  outChannels: number;
  /** Side of the square kernel. */
  kernel: number;
  stride: number;
  /** Zero padding added on every side. */
  padding: number;
  outHeight: number;
  outWidth: number;
}

/** Output size along one axis: floor((in + 2·padding − kernel) / stride) + 1. */
function convOutSize(inSize: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((inSize + 2 * padding - kernel) / stride) + 1;
}

/** Geometry of a conv layer on a [c, h, w] input; throws RangeError when the kernel exceeds the padded input. */
export function conv2dGeometry(
  batch: number,
  [inChannels, inHeight, inWidth]: readonly number[],
  outChannels: number,
  kernel: number,
  stride: number,
  padding: number,
): Conv2dGeometry {
  expectInteger('conv2d batch', batch, 0);
  expectInteger('conv2d input channels', inChannels, 1);
  expectInteger('conv2d input height', inHeight, 1);
  expectInteger('conv2d input width', inWidth, 1);
  expectInteger('conv2d filters', outChannels, 1);
  expectInteger('conv2d kernel', kernel, 1);
  expectInteger('conv2d stride', stride, 1);
  expectInteger('conv2d padding', padding, 0);
  if (kernel > inHeight + 2 * padding || kernel > inWidth + 2 * padding) {
    throw new RangeError(
      `conv2d kernel ${kernel} is larger than the padded input ${inHeight + 2 * padding}x${inWidth + 2 * padding}`,
    );
  }
  return {
    batch,
    inChannels,
    inHeight,
    inWidth,
    outChannels,
    kernel,
    stride,
    padding,
    outHeight: convOutSize(inHeight, kernel, stride, padding),
    outWidth: convOutSize(inWidth, kernel, stride, padding),
  };
}

/** Number of elements in x, w and y for a geometry. */
export function conv2dSizes(g: Conv2dGeometry): { input: number; weight: number; output: number } {
  return {
    input: g.batch * g.inChannels * g.inHeight * g.inWidth,
    weight: g.outChannels * g.inChannels * g.kernel * g.kernel,
    output: g.batch * g.outChannels * g.outHeight * g.outWidth,
  };
}

function checkConvArrays(what: string, g: Conv2dGeometry, x: FloatArray, w: FloatArray): void {
  const sizes = conv2dSizes(g);
  expectLength(`${what} x`, x, sizes.input);
  expectLength(`${what} w`, w, sizes.weight);
}

/** y[n,oc,oy,ox] = sum over (ic, ky, kx) of x[n, ic, oy·s − p + ky, ox·s − p + kx] · w[oc,ic,ky,kx] + bias[oc]. */
export function conv2dForward<T extends FloatArray>(x: T, w: FloatArray, bias: FloatArray, g: Conv2dGeometry): T {
  checkConvArrays('conv2dForward', g, x, w);
  expectLength('conv2dForward bias', bias, g.outChannels);
  const { inChannels: C, inHeight: H, inWidth: W, kernel: K, stride, padding, outHeight: OH, outWidth: OW } = g;
  const y = allocLike(x, conv2dSizes(g).output);
  for (let n = 0; n < g.batch; n++) {
    for (let oc = 0; oc < g.outChannels; oc++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let sum = 0;
          for (let ic = 0; ic < C; ic++) {
            for (let ky = 0; ky < K; ky++) {
              const iy = oy * stride - padding + ky;
              if (iy < 0 || iy >= H) continue; // zero padding contributes nothing
              for (let kx = 0; kx < K; kx++) {
                const ix = ox * stride - padding + kx;
                if (ix < 0 || ix >= W) continue;
                sum += x[((n * C + ic) * H + iy) * W + ix] * w[((oc * C + ic) * K + ky) * K + kx];
              }
            }
          }
          y[((n * g.outChannels + oc) * OH + oy) * OW + ox] = sum + bias[oc];
        }
      }
    }
  }
  return y;
}

/**
 * Gradients of conv2dForward given dy:
 *   db[oc]          = sum over (n, oy, ox) of dy
 *   dw[oc,ic,ky,kx] = sum over (n, oy, ox) of dy[n,oc,oy,ox] · x[n,ic,iy,ix]   (iy = oy·s − p + ky)
 *   dx[n,ic,iy,ix]  = sum over (oc, ky, kx) of dy[n,oc,oy,ox] · w[oc,ic,ky,kx] for the (oy, ox) that
 *                     satisfy oy·s − p + ky = iy, i.e. (iy + p − ky) divisible by s and in range.
 */
export function conv2dBackward<T extends FloatArray>(
  x: T,
  w: FloatArray,
  dy: FloatArray,
  g: Conv2dGeometry,
): { dx: T; dw: T; db: T } {
  checkConvArrays('conv2dBackward', g, x, w);
  const sizes = conv2dSizes(g);
  expectLength('conv2dBackward dy', dy, sizes.output);
  const { batch: B, inChannels: C, inHeight: H, inWidth: W, outChannels: OC, kernel: K, stride, padding } = g;
  const { outHeight: OH, outWidth: OW } = g;

  const db = allocLike(x, OC);
  for (let oc = 0; oc < OC; oc++) {
    let sum = 0;
    for (let n = 0; n < B; n++) {
      for (let o = 0; o < OH * OW; o++) sum += dy[(n * OC + oc) * OH * OW + o];
    }
    db[oc] = sum;
  }

  const dw = allocLike(x, sizes.weight);
  for (let oc = 0; oc < OC; oc++) {
    for (let ic = 0; ic < C; ic++) {
      for (let ky = 0; ky < K; ky++) {
        for (let kx = 0; kx < K; kx++) {
          let sum = 0;
          for (let n = 0; n < B; n++) {
            for (let oy = 0; oy < OH; oy++) {
              const iy = oy * stride - padding + ky;
              if (iy < 0 || iy >= H) continue;
              for (let ox = 0; ox < OW; ox++) {
                const ix = ox * stride - padding + kx;
                if (ix < 0 || ix >= W) continue;
                sum += dy[((n * OC + oc) * OH + oy) * OW + ox] * x[((n * C + ic) * H + iy) * W + ix];
              }
            }
          }
          dw[((oc * C + ic) * K + ky) * K + kx] = sum;
        }
      }
    }
  }

  const dx = allocLike(x, sizes.input);
  for (let n = 0; n < B; n++) {
    for (let ic = 0; ic < C; ic++) {
      for (let iy = 0; iy < H; iy++) {
        for (let ix = 0; ix < W; ix++) {
          let sum = 0;
          for (let oc = 0; oc < OC; oc++) {
            for (let ky = 0; ky < K; ky++) {
              const ty = iy + padding - ky; // = oy · stride for the output that saw this pixel at ky
              if (ty < 0 || ty % stride !== 0) continue;
              const oy = ty / stride;
              if (oy >= OH) continue;
              for (let kx = 0; kx < K; kx++) {
                const tx = ix + padding - kx;
                if (tx < 0 || tx % stride !== 0) continue;
                const ox = tx / stride;
                if (ox >= OW) continue;
                sum += dy[((n * OC + oc) * OH + oy) * OW + ox] * w[((oc * C + ic) * K + ky) * K + kx];
              }
            }
          }
          dx[((n * C + ic) * H + iy) * W + ix] = sum;
        }
      }
    }
  }
  return { dx, dw, db };
}
