/**
 * Element-wise activations, forward and backward. The backward takes both the input x and the
 * output y because relu/leakyRelu differentiate from x while sigmoid/tanh are cheapest from y.
 */
import type { ActivationKind } from '../../layers';
import { type FloatArray, expectLength, zerosLike } from '../../cpu/tensor';

/** Logistic function written so that exp never overflows (exp of a non-positive number only). */
function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** y = f(x) element-wise; `alpha` is the negative slope of leakyRelu (ignored by the others). */
export function activationForward<T extends FloatArray>(kind: ActivationKind, x: T, alpha = 0.01): T {
  const y = zerosLike(x);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    switch (kind) {
      case 'relu':
        y[i] = v > 0 ? v : 0;
        break;
      case 'leakyRelu':
        y[i] = v > 0 ? v : alpha * v;
        break;
      case 'sigmoid':
        y[i] = sigmoid(v);
        break;
      case 'tanh':
        y[i] = Math.tanh(v);
        break;
    }
  }
  return y;
}

/**
 * dx = f'(x) · dy element-wise. relu'(0) = 0 and leakyRelu'(0) = alpha (the x > 0 branch is
 * strict), like PyTorch; sigmoid' = y(1 − y) and tanh' = 1 − y², both from the saved output y.
 */
export function activationBackward<T extends FloatArray>(
  kind: ActivationKind,
  x: FloatArray,
  y: FloatArray,
  dy: T,
  alpha = 0.01,
): T {
  expectLength('activationBackward x', x, dy.length);
  expectLength('activationBackward y', y, dy.length);
  const dx = zerosLike(dy);
  for (let i = 0; i < dy.length; i++) {
    switch (kind) {
      case 'relu':
        dx[i] = x[i] > 0 ? dy[i] : 0;
        break;
      case 'leakyRelu':
        dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
        break;
      case 'sigmoid':
        dx[i] = dy[i] * y[i] * (1 - y[i]);
        break;
      case 'tanh':
        dx[i] = dy[i] * (1 - y[i] * y[i]);
        break;
    }
  }
  return dx;
}
