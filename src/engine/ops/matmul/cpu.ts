/**
 * Matrix multiply and the dense (fully connected) layer, forward and backward.
 * Row-major throughout; the dense weight is stored [in, out] so `y = x · W + bias` is one matmul.
 */
import { type FloatArray, allocLike, expectInteger, expectLength } from '../../cpu/tensor';

function checkMatmulSizes(M: number, K: number, N: number): void {
  expectInteger('matmul M', M, 0);
  expectInteger('matmul K', K, 0);
  expectInteger('matmul N', N, 0);
}

/** C[M,N] = A[M,K] · B[K,N]; each C[m,n] sums over k in increasing order. */
export function matmul<T extends FloatArray>(a: T, b: FloatArray, M: number, K: number, N: number): T {
  checkMatmulSizes(M, K, N);
  expectLength('matmul A', a, M * K);
  expectLength('matmul B', b, K * N);
  const c = allocLike(a, M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let k = 0; k < K; k++) sum += a[m * K + k] * b[k * N + n];
      c[m * N + n] = sum;
    }
  }
  return c;
}

/** Gradients of C = A·B given dC: dA = dC · Bᵀ ([M,K]) and dB = Aᵀ · dC ([K,N]). */
export function matmulBackward<T extends FloatArray>(
  a: T,
  b: FloatArray,
  dC: FloatArray,
  M: number,
  K: number,
  N: number,
): { dA: T; dB: T } {
  checkMatmulSizes(M, K, N);
  expectLength('matmulBackward A', a, M * K);
  expectLength('matmulBackward B', b, K * N);
  expectLength('matmulBackward dC', dC, M * N);
  const dA = allocLike(a, M * K);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      let sum = 0;
      for (let n = 0; n < N; n++) sum += dC[m * N + n] * b[k * N + n];
      dA[m * K + k] = sum;
    }
  }
  const dB = allocLike(a, K * N);
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) {
      let sum = 0;
      for (let m = 0; m < M; m++) sum += a[m * K + k] * dC[m * N + n];
      dB[k * N + n] = sum;
    }
  }
  return { dA, dB };
}

/** y[b,o] = sum_i x[b,i] · W[i,o] + bias[o], with W stored [inFeatures, outFeatures]. */
export function denseForward<T extends FloatArray>(
  x: T,
  w: FloatArray,
  bias: FloatArray,
  batch: number,
  inFeatures: number,
  outFeatures: number,
): T {
  expectLength('denseForward bias', bias, outFeatures);
  const y = matmul(x, w, batch, inFeatures, outFeatures);
  // The bias is added after the dot product, as the GPU kernel does.
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outFeatures; o++) y[b * outFeatures + o] += bias[o];
  }
  return y;
}

/** Gradients of the dense layer: dx = dy · Wᵀ, dw = xᵀ · dy, db[o] = sum over the batch of dy[b,o]. */
export function denseBackward<T extends FloatArray>(
  x: T,
  w: FloatArray,
  dy: FloatArray,
  batch: number,
  inFeatures: number,
  outFeatures: number,
): { dx: T; dw: T; db: T } {
  const { dA: dx, dB: dw } = matmulBackward(x, w, dy, batch, inFeatures, outFeatures);
  const db = allocLike(x, outFeatures);
  for (let o = 0; o < outFeatures; o++) {
    let sum = 0;
    for (let b = 0; b < batch; b++) sum += dy[b * outFeatures + o];
    db[o] = sum;
  }
  return { dx, dw, db };
}
