/** What a classroom link hides or locks, as a lookup the builder's panels share. */
import type { ClassroomConfig, ControlId } from '../../config';

export interface ControlAccess {
  hidden: (id: ControlId) => boolean;
  locked: (id: ControlId) => boolean;
}

/** Hidden and locked controls from the config; "fix the seed" locks the seed. */
export function controlAccess(classroom: ClassroomConfig | undefined): ControlAccess {
  const hide = new Set(classroom?.hide ?? []);
  const lock = new Set(classroom?.lock ?? []);
  if (classroom?.lockSeed) lock.add('seed');
  return { hidden: (id) => hide.has(id), locked: (id) => lock.has(id) };
}

/** Names of the controls for the classroom panel. */
export const CONTROL_LABELS: Record<ControlId, string> = {
  presets: 'Preset picker',
  layers: 'Layer editing',
  optimizer: 'Optimizer',
  learningRate: 'Learning rate',
  schedule: 'Schedule',
  batchSize: 'Batch size',
  epochs: 'Epochs',
  seed: 'Seed',
  trainSubset: 'Training subset',
  diagram: 'Network diagram',
  share: 'Share link',
  importExport: 'Export and import',
  classroom: 'These classroom options',
};
