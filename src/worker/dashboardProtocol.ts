/**
 * The training dashboard's requests to the trainer Worker and their results. Like the kernel
 * editor's, they travel inside one protocol message pair (`dashboard` → `dashboardResult`, see
 * protocol.ts); `op` tells the cases apart. They act on the worker's current model: the running,
 * paused or finished job (or one made from a loaded file).
 */
import type { BackendComparison } from '../engine/train/compare';
import type { EvaluationResult, LayerParameterMap } from '../engine/train/gpuTrainer';
import type { LayerCostReport } from '../engine/train/layerCost';
import type { TrainingJob, TrainingStarted } from './protocol';

export type DashboardRequest =
  /**
   * Predictions for test images: the first `limit` ones, or (with `cell`) up to `limit` of those
   * with that true label that the network predicted as `cell.predicted`.
   */
  | { op: 'testPredictions'; limit: number; cell?: { label: number; predicted: number } }
  /** Probabilities for one 28×28 image (bytes 0–255), and the first conv layer's activations for it. */
  | { op: 'predictImage'; pixels: Uint8Array }
  /** The first convolution layer's filters. */
  | { op: 'filters' }
  /** All weights, by layer index (for "Save weights"). */
  | { op: 'readParameters' }
  /** Builds the job's model (no training), puts the weights in, and evaluates on the test set. */
  | { op: 'loadModel'; job: TrainingJob; parameters: LayerParameterMap }
  /** The same `steps` training steps timed on the CPU reference and on the GPU. */
  | { op: 'compareBackends'; steps: number }
  /** Forward/backward time of every layer at the batch size. */
  | { op: 'layerCosts' };

export interface PredictedImage {
  index: number;
  label: number;
  predicted: number;
  /** Probability of each class. */
  probs: number[];
  /** 784 bytes, 0 = paper. */
  pixels: Uint8Array;
}

export interface LayerActivation {
  layerIndex: number;
  /** [channels, height, width] */
  shape: number[];
  data: Float32Array;
}

export type DashboardResult =
  | { op: 'testPredictions'; step: number; total: number; items: PredictedImage[] }
  | { op: 'predictImage'; probs: number[]; activation: LayerActivation | null }
  | { op: 'filters'; layerIndex: number; shape: number[]; weights: Float32Array }
  | { op: 'filters'; layerIndex: -1 }
  | { op: 'readParameters'; step: number; parameters: LayerParameterMap }
  | { op: 'loadModel'; info: TrainingStarted; evaluation: EvaluationResult | null }
  | { op: 'compareBackends'; comparison: BackendComparison }
  | { op: 'layerCosts'; report: LayerCostReport };

/** The result type for a request type. */
export type DashboardResultOf<O extends DashboardRequest['op']> = Extract<DashboardResult, { op: O }>;
