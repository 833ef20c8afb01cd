/** What a classroom link hides or locks, as a lookup the builder's panels share. */
import { CONTROL_IDS, type ClassroomConfig, type ControlId } from '../../config';

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

/** Controls a lock changes: the diagram only shows the network, so there is nothing in it to lock. */
export const LOCKABLE_CONTROLS: readonly ControlId[] = CONTROL_IDS.filter((id) => id !== 'diagram');

/**
 * How many real controls a link hides and locks, each counted once: a hidden control is not also
 * counted as locked, a lock on the diagram locks nothing, and "fix the seed" plus a seed lock is one lock.
 */
export function countRestrictions(classroom: ClassroomConfig | undefined): { hidden: number; locked: number } {
  const access = controlAccess(classroom);
  const hidden = CONTROL_IDS.filter((id) => access.hidden(id)).length;
  const locked = LOCKABLE_CONTROLS.filter((id) => access.locked(id) && !access.hidden(id)).length;
  return { hidden, locked };
}

/** "3 controls are hidden and 1 control is locked", or '' when nothing is. */
export function restrictionText(classroom: ClassroomConfig | undefined): string {
  const { hidden, locked } = countRestrictions(classroom);
  const part = (n: number, what: string) => `${n} control${n === 1 ? ' is' : 's are'} ${what}`;
  return [hidden > 0 ? part(hidden, 'hidden') : '', locked > 0 ? part(locked, 'locked') : '']
    .filter(Boolean)
    .join(' and ');
}
