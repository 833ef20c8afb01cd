/**
 * How a model is trained, apart from its layers: the part that a shareable config, a preset, the
 * trainers and the PyTorch export all carry, defined once so the four cannot drift apart.
 */
import type { OptimizerConfig } from './ops/optimizer/cpu';
import type { ScheduleConfig } from './schedules';
import type { InitScheme } from './init';

export interface TrainingRecipe {
  optimizer: OptimizerConfig;
  schedule: ScheduleConfig;
  batchSize: number;
  epochs: number;
  seed: number;
  /** Train on only the first N examples (undefined = the whole training set). */
  trainSubset?: number;
  /** Initial weights (undefined = 'auto'); see init.ts. Presets choose theirs from measured runs (bench/sweeps). */
  init?: InitScheme;
}
