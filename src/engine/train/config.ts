/** What a GPU trainer is set up from, and the error it throws when a set-up cannot run. */
import type { TrainingRecipe } from '../recipe';
import type { ModelSpec } from '../layers';

/** What the trainer needs: the model and its recipe (a training-set subset is applied to the data beforehand). */
export interface TrainingConfig extends Omit<TrainingRecipe, 'trainSubset'> {
  model: ModelSpec;
}

export class TrainingSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingSetupError';
  }
}
