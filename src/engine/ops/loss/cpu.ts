/**
 * Softmax, softmax cross-entropy and mean squared error, with their gradients.
 * Softmax and cross-entropy are computed stably: subtract the row maximum before exp, and take the
 * log-probability as (logit − max) − log(sum exp(logit − max)), never log(softmax).
 */
import { type FloatArray, allocLike, expectInteger, expectLength, zerosLike } from '../../cpu/tensor';

function checkLogits(what: string, logits: FloatArray, batch: number, classes: number): void {
  expectInteger(`${what} batch`, batch, 0);
  expectInteger(`${what} classes`, classes, 1);
  expectLength(`${what} logits`, logits, batch * classes);
}

/** Row-wise softmax of logits [batch, classes]; subtracts each row's max so exp never overflows. */
export function softmax<T extends FloatArray>(logits: T, batch: number, classes: number): T {
  checkLogits('softmax', logits, batch, classes);
  const probs = allocLike(logits, batch * classes);
  for (let b = 0; b < batch; b++) {
    const row = b * classes;
    let max = logits[row];
    for (let c = 1; c < classes; c++) max = Math.max(max, logits[row + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[row + c] - max);
    for (let c = 0; c < classes; c++) probs[row + c] = Math.exp(logits[row + c] - max) / sum;
  }
  return probs;
}

/** Gradient through a row-wise softmax given its output y: dx = y ⊙ (dy − sum_c dy·y) per row. */
export function softmaxBackward<T extends FloatArray>(y: T, dy: FloatArray, batch: number, classes: number): T {
  checkLogits('softmaxBackward', y, batch, classes);
  expectLength('softmaxBackward dy', dy, batch * classes);
  const dx = zerosLike(y);
  for (let b = 0; b < batch; b++) {
    const row = b * classes;
    let dot = 0;
    for (let c = 0; c < classes; c++) dot += dy[row + c] * y[row + c];
    for (let c = 0; c < classes; c++) dx[row + c] = y[row + c] * (dy[row + c] - dot);
  }
  return dx;
}

/** Index of the first largest element of row b (ties go to the lower class, like argmax in NumPy). */
export function rowArgmax(x: ArrayLike<number>, b: number, classes: number): number {
  let best = 0;
  for (let c = 1; c < classes; c++) if (x[b * classes + c] > x[b * classes + best]) best = c;
  return best;
}

export interface SoftmaxCrossEntropyResult<T extends FloatArray> {
  /** Mean over the batch of −log p[label]. */
  loss: number;
  probs: T;
  /** d(loss)/d(logits) = (probs − onehot(label)) / batch. */
  dLogits: T;
  /** How many rows have argmax(logits) == label. */
  correct: number;
}

/** Softmax cross-entropy of logits [batch, classes] against integer labels, via log-sum-exp. */
export function softmaxCrossEntropy<T extends FloatArray>(
  logits: T,
  labels: ArrayLike<number>,
  batch: number,
  classes: number,
): SoftmaxCrossEntropyResult<T> {
  checkLogits('softmaxCrossEntropy', logits, batch, classes);
  if (labels.length < batch) throw new RangeError(`softmaxCrossEntropy: ${labels.length} labels for batch ${batch}`);
  const probs = allocLike(logits, batch * classes);
  const dLogits = allocLike(logits, batch * classes);
  let lossSum = 0;
  let correct = 0;
  for (let b = 0; b < batch; b++) {
    const label = labels[b];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new RangeError(`softmaxCrossEntropy: label ${label} at row ${b} is not a class in [0, ${classes})`);
    }
    const row = b * classes;
    let max = logits[row];
    for (let c = 1; c < classes; c++) max = Math.max(max, logits[row + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[row + c] - max);
    const logSum = Math.log(sum);
    lossSum += logSum - (logits[row + label] - max);
    for (let c = 0; c < classes; c++) {
      const p = Math.exp(logits[row + c] - max - logSum);
      probs[row + c] = p;
      dLogits[row + c] = (p - (c === label ? 1 : 0)) / batch;
    }
    if (rowArgmax(logits, b, classes) === label) correct++;
  }
  return { loss: batch > 0 ? lossSum / batch : 0, probs, dLogits, correct };
}

/** Mean squared error over all elements, loss = mean((pred − target)²), and dPred = 2(pred − target)/n. */
export function meanSquaredError<T extends FloatArray>(pred: T, target: ArrayLike<number>): { loss: number; dPred: T } {
  expectLength('meanSquaredError target', target, pred.length);
  const n = pred.length;
  const dPred = zerosLike(pred);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = pred[i] - target[i];
    sum += d * d;
    dPred[i] = (2 * d) / n;
  }
  return { loss: n > 0 ? sum / n : 0, dPred };
}
