/**
 * Upgrades configs written by older versions of GPU Learn. `MIGRATIONS[n]` turns a version-n
 * object into version n + 1; `migrate` chains them. Shared links must keep opening for years, so
 * a format change adds a migration here instead of editing the schema in place.
 */
import { OPTIMIZER_DEFAULTS, type OptimizerKind } from '../engine/ops/optimizer/cpu';
import { CONFIG_VERSION } from './schema';

type Raw = Record<string, unknown>;
export type Migration = (old: Raw) => Raw;

/**
 * v0 was the pre-release format: a flat object `{ version: 0, input, layers, loss, optimizer: 'adam',
 * lr, batch, epochs, seed }` with the optimizer as a bare name and its learning rate beside it.
 */
function v0ToV1(old: Raw): Raw {
  const lr = old.lr !== undefined ? { learningRate: old.lr } : {};
  // Own keys only: a name such as "__proto__" or "constructor" must not find Object's prototype.
  // A name v0 never had is passed on as the kind, so validation names it instead of guessing Adam.
  const optimizer =
    old.optimizer === undefined
      ? { ...OPTIMIZER_DEFAULTS.adam, ...lr }
      : typeof old.optimizer === 'string' && Object.hasOwn(OPTIMIZER_DEFAULTS, old.optimizer)
        ? { ...OPTIMIZER_DEFAULTS[old.optimizer as OptimizerKind], ...lr }
        : { kind: old.optimizer, ...lr };
  return {
    v: 1,
    model: { input: old.input, layers: old.layers, loss: old.loss },
    training: {
      optimizer,
      schedule: { kind: 'constant' },
      batchSize: old.batch,
      epochs: old.epochs,
      seed: old.seed,
    },
  };
}

/** Migration from version n (the key) to n + 1. */
export const MIGRATIONS: Record<number, Migration> = { 0: v0ToV1 };

export type MigrationResult = { ok: true; value: Raw; fromVersion: number } | { ok: false; error: string };

/** The version an object says it has: `v`, or `version` in the v0 format; null when it has none. */
function versionOf(raw: Raw): number | null {
  if (typeof raw.v === 'number') return raw.v;
  if (raw.v === undefined && typeof raw.version === 'number') return raw.version;
  return null;
}

/** Brings any object up to CONFIG_VERSION, or says in a sentence why it cannot. Never throws. */
export function migrate(
  raw: unknown,
  options: { migrations?: Record<number, Migration>; current?: number; where?: 'link' | 'file' } = {},
): MigrationResult {
  const { migrations = MIGRATIONS, current = CONFIG_VERSION, where = 'link' } = options;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: `The ${where} does not contain a GPU Learn network description.` };
  }
  const start = versionOf(raw as Raw);
  if (start === null || !Number.isInteger(start) || start < 0) {
    return {
      ok: false,
      error: `The ${where}'s network description has no valid version number, so GPU Learn cannot tell how to read it.`,
    };
  }
  if (start > current) {
    return {
      ok: false,
      error:
        `This ${where} was made by a newer version of GPU Learn (format ${start}; this page reads up to format ${current}). ` +
        `Reload the page to get the newest version, then open the ${where} again.`,
    };
  }
  let value = raw as Raw;
  for (let version = start; version < current; version++) {
    const step = migrations[version];
    if (!step)
      return { ok: false, error: `GPU Learn can no longer read the old format ${version} this ${where} uses.` };
    try {
      value = step(value);
    } catch {
      return { ok: false, error: `The ${where} is in the old format ${version} and could not be upgraded.` };
    }
  }
  return { ok: true, value, fromVersion: start };
}
