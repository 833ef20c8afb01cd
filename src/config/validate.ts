/**
 * Validates an untrusted config (from a link or a file) part by part: what is valid is kept,
 * what is not is replaced by the preset's or the default's value, and every replacement is
 * explained in a sentence. Never throws.
 */
import { PRESETS, type PresetName } from '../engine/presets';
import { configFromPreset, DEFAULT_PRESET } from './defaults';
import { issueSentences, listText, type Where } from './messages';
import { migrate } from './migrations';
import {
  classroomSchema,
  CONFIG_VERSION,
  modelSchema,
  presetSchema,
  trainingFieldSchemas,
  viewSchema,
  type Config,
  type TrainingConfig,
} from './schema';

export interface DecodeResult {
  /** Always a complete, valid config: the input's valid parts plus defaults. */
  config: Config;
  /** Plain-English sentences; empty when everything was valid. */
  errors: string[];
  /** True when some parts were kept and others replaced. */
  partial: boolean;
}

type Raw = Record<string, unknown>;
const TRAINING_KEYS = Object.keys(trainingFieldSchemas) as (keyof typeof trainingFieldSchemas)[];
const MAX_ERRORS = 8;

/** A result for input that could not be read at all: the default config and the reason. */
export function unreadable(errors: string[]): DecodeResult {
  return { config: configFromPreset(DEFAULT_PRESET), errors, partial: false };
}

/** Validates any value as a config; see the module comment. */
export function validateConfig(input: unknown, where: Where = 'link'): DecodeResult {
  const migrated = migrate(input, { where });
  if (!migrated.ok) return unreadable([migrated.error]);
  const raw = migrated.value;
  const errors: string[] = [];
  const kept: string[] = [];
  const replaced: string[] = [];

  let preset: PresetName | undefined;
  if (raw.preset !== undefined) {
    const r = presetSchema.safeParse(raw.preset);
    if (r.success) preset = r.data;
    else errors.push(...issueSentences(r.error, ['preset'], raw, where));
  }
  const base = configFromPreset(preset ?? DEFAULT_PRESET);
  const config: Config = { v: CONFIG_VERSION, model: base.model, training: { ...base.training } };
  // The preset names where the model came from: the fallback's preset unless the link's own model is kept.
  config.preset = preset ?? DEFAULT_PRESET;

  if (raw.model !== undefined) {
    const r = modelSchema.safeParse(raw.model);
    if (r.success) {
      config.model = r.data;
      if (!preset) delete config.preset;
      kept.push('the model');
    } else {
      errors.push(...issueSentences(r.error, ['model'], raw, where));
      replaced.push(`the model (showing the "${PRESETS[config.preset].title}" preset instead)`);
    }
  }

  if (raw.training !== undefined) {
    const training = raw.training;
    if (typeof training !== 'object' || training === null || Array.isArray(training)) {
      errors.push(`The training settings in the ${where} are not a group of settings.`);
      replaced.push('the training settings');
    } else {
      readTraining(training as Raw, config.training, { raw, where, errors, kept, replaced });
    }
  }

  for (const [key, schema] of [
    ['view', viewSchema],
    ['classroom', classroomSchema],
  ] as const) {
    if (raw[key] === undefined) continue;
    const r = schema.safeParse(raw[key]);
    if (r.success) {
      if (Object.keys(r.data).length > 0) Object.assign(config, { [key]: r.data });
      kept.push(key === 'view' ? 'the view options' : 'the classroom options');
    } else {
      errors.push(...issueSentences(r.error, [key], raw, where));
      replaced.push(key === 'view' ? 'the view options (left out)' : 'the classroom options (left out)');
    }
  }

  const capped =
    errors.length > MAX_ERRORS
      ? [...errors.slice(0, MAX_ERRORS), `…and ${errors.length - MAX_ERRORS} more problems.`]
      : errors;
  const partial = capped.length > 0 && kept.length > 0;
  if (capped.length > 0) {
    capped.push(
      partial
        ? `Kept from the ${where}: ${listText(kept)}. Replaced: ${listText(replaced)}.`
        : `Nothing could be kept from the ${where}${replaced.length ? `; replaced: ${listText(replaced)}` : ''}.`,
    );
  }
  return { config, errors: capped, partial };
}

interface Context {
  raw: Raw;
  where: Where;
  errors: string[];
  kept: string[];
  replaced: string[];
}

/** Reads each training field on its own, so one bad number does not discard the others. */
function readTraining(training: Raw, into: TrainingConfig, ctx: Context): void {
  const keptFields: string[] = [];
  const replacedFields: string[] = [];
  delete into.trainSubset;
  delete into.init;
  for (const key of TRAINING_KEYS) {
    if (training[key] === undefined) continue;
    const r = trainingFieldSchemas[key].safeParse(training[key]);
    if (r.success) {
      if (r.data !== undefined) Object.assign(into, { [key]: r.data });
      keptFields.push(key);
    } else {
      ctx.errors.push(...issueSentences(r.error, ['training', key], ctx.raw, ctx.where));
      replacedFields.push(key);
    }
  }
  const names = (keys: string[]) => keys.map((k) => TRAINING_LABELS[k] ?? k);
  if (keptFields.length) ctx.kept.push(listText(names(keptFields)));
  if (replacedFields.length) ctx.replaced.push(listText(names(replacedFields)));
}

const TRAINING_LABELS: Record<string, string> = {
  optimizer: 'the optimizer',
  schedule: 'the schedule',
  batchSize: 'the batch size',
  epochs: 'the epochs',
  seed: 'the seed',
  trainSubset: 'the training subset',
  init: 'the weight initialisation',
};
