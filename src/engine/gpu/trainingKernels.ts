/**
 * The training-step kernels (everything but matmul and conv), in display order, for ALL_KERNELS:
 * data gathering, activations, dropout, pooling, bias gradients, losses, evaluation and the optimizer.
 */
import type { KernelSpec } from '../kernels';
import { GATHER_BATCH } from './batch';
import { ACTIVATION_BACKWARD, ACTIVATION_FORWARD, BIAS_GRAD, DROPOUT_BACKWARD, DROPOUT_FORWARD } from './elementwise';
import { EVALUATE, MSE_LOSS, SOFTMAX_CROSS_ENTROPY } from './loss';
import { OPTIMIZER } from './optimizer';
import { AVGPOOL_BACKWARD, AVGPOOL_FORWARD, MAXPOOL_BACKWARD, MAXPOOL_FORWARD } from './pool';

export const TRAINING_KERNELS: readonly KernelSpec[] = [
  GATHER_BATCH,
  ACTIVATION_FORWARD,
  ACTIVATION_BACKWARD,
  BIAS_GRAD,
  DROPOUT_FORWARD,
  DROPOUT_BACKWARD,
  MAXPOOL_FORWARD,
  MAXPOOL_BACKWARD,
  AVGPOOL_FORWARD,
  AVGPOOL_BACKWARD,
  SOFTMAX_CROSS_ENTROPY,
  EVALUATE,
  MSE_LOSS,
  OPTIMIZER,
];
