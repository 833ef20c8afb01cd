/**
 * The shareable config: one versioned, validated description of a model and how to train it.
 * Links (`#/build?c=…`, `#/train?c=…`) and JSON files carry it. Every field has a default and
 * bounds; the bounds live in `BOUNDS` so the builder's inputs and the error sentences use the
 * same numbers as the schema.
 */
import * as z from 'zod';
import type { ModelSpec } from '../engine/layers';
import { PRESET_NAMES, type PresetName } from '../engine/presets';
import type { InitScheme } from '../engine/init';
import type { TrainingRecipe } from '../engine/recipe';

/** Weight initialisations a config may name. */
export const INIT_SCHEMES = ['auto', 'he', 'glorot', 'pytorch'] as const satisfies readonly InitScheme[];

/** The version this build writes. Older versions are migrated (see migrations.ts). */
export const CONFIG_VERSION = 1;

/** Inclusive numeric bounds (unless `minExclusive`); `int` for whole numbers; `step` for inputs. */
export interface Bound {
  min: number;
  max: number;
  int?: boolean;
  minExclusive?: boolean;
  step: number;
}

const int = (min: number, max: number): Bound => ({ min, max, int: true, step: 1 });
const real = (min: number, max: number, step: number, minExclusive = false): Bound => ({
  min,
  max,
  step,
  minExclusive,
});

/** Every numeric field's bounds. Tighter than the engine's limits: sizes a browser tab trains in minutes. */
export const BOUNDS = {
  units: int(1, 4096),
  filters: int(1, 256),
  kernel: int(1, 11),
  convStride: int(1, 8),
  padding: int(0, 5),
  poolSize: int(1, 8),
  poolStride: int(1, 8),
  dropoutRate: real(0, 0.9, 0.05),
  leakyAlpha: real(0, 1, 0.01),
  // A floor, not just "more than 0": below a millionth a step cannot move a 32-bit weight (1e-300 is 0 in f32).
  learningRate: real(1e-6, 1, 0.0001),
  momentum: real(0, 0.999, 0.01),
  beta1: real(0, 0.999, 0.01),
  beta2: real(0, 0.99999, 0.001),
  epsilon: real(1e-12, 1e-3, 1e-8),
  weightDecay: real(0, 0.1, 0.0001),
  rmsAlpha: real(0, 0.9999, 0.01),
  gamma: real(0, 1, 0.05, true),
  everyEpochs: int(1, 100),
  everySteps: int(1, 100_000),
  maxLearningRate: real(1e-6, 1, 0.001),
  pctStart: real(0.05, 0.95, 0.05),
  divFactor: real(1, 10_000, 1),
  finalDivFactor: real(1, 1_000_000, 1),
  batchSize: int(1, 1024),
  // 200, not 100: the perceptron preset needs 200 passes over its 4 examples.
  epochs: int(1, 200),
  seed: int(0, 2 ** 31 - 1),
  trainSubset: int(100, 60_000),
} satisfies Record<string, Bound>;

/** Most layers a config may hold. */
export const MAX_LAYERS = 24;

/** Controls a classroom link can hide or lock. */
export const CONTROL_IDS = [
  'presets',
  'layers',
  'optimizer',
  'learningRate',
  'schedule',
  'batchSize',
  'epochs',
  'seed',
  'trainSubset',
  'diagram',
  'share',
  'importExport',
  'classroom',
] as const;
export type ControlId = (typeof CONTROL_IDS)[number];

/** Views a classroom link can open on. */
export const START_VIEWS = ['build', 'train'] as const;
export type StartView = (typeof START_VIEWS)[number];

/** Parts of the builder a link can scroll to when it opens. */
export const FOCUS_SECTIONS = ['layers', 'diagram', 'training'] as const;
export type FocusSection = (typeof FOCUS_SECTIONS)[number];

export type TrainingConfig = TrainingRecipe;

export interface ClassroomConfig {
  lockSeed?: boolean;
  hide?: ControlId[];
  lock?: ControlId[];
  presenter?: boolean;
  startView?: StartView;
}

export interface ViewConfig {
  focus?: FocusSection;
}

export interface Config {
  v: typeof CONFIG_VERSION;
  model: ModelSpec;
  training: TrainingConfig;
  preset?: PresetName;
  view?: ViewConfig;
  classroom?: ClassroomConfig;
}

function fmt(n: number): string {
  return n >= 1000 && Number.isInteger(n) ? n.toLocaleString('en-US') : String(n);
}

/** "a whole number from 1 to 4,096", "a number from 0.000001 to 1", "more than 0 and at most 1", … */
export function rangeText(b: Bound): string {
  if (b.int) return `a whole number from ${fmt(b.min)} to ${fmt(b.max)}`;
  return b.minExclusive
    ? `more than ${fmt(b.min)} and at most ${fmt(b.max)}`
    : `a number from ${fmt(b.min)} to ${fmt(b.max)}`;
}

/** A number schema for a bound; every failure carries the same "must be …" sentence fragment. */
export function num(b: Bound) {
  const error = `must be ${rangeText(b)}`;
  let s = z.number({ error });
  if (b.int) s = s.int({ error });
  s = b.minExclusive ? s.gt(b.min, { error }) : s.min(b.min, { error });
  return s.max(b.max, { error });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of: ${values.join(', ')}` });
}

const yesNo = z.boolean({ error: 'must be true or false' });
const kind = <const K extends string>(k: K) => z.literal(k);

/** One layer; `layerSchema.parse({ kind })` gives a new layer of that kind with default options. */
export const layerSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: kind('dense'), units: num(BOUNDS.units).default(64) }),
    z.object({
      kind: kind('conv2d'),
      filters: num(BOUNDS.filters).default(16),
      kernel: num(BOUNDS.kernel).default(3),
      stride: num(BOUNDS.convStride).default(1),
      padding: num(BOUNDS.padding).default(0),
    }),
    z.object({
      kind: kind('maxpool'),
      size: num(BOUNDS.poolSize).default(2),
      stride: num(BOUNDS.poolStride).default(2),
    }),
    z.object({
      kind: kind('avgpool'),
      size: num(BOUNDS.poolSize).default(2),
      stride: num(BOUNDS.poolStride).default(2),
    }),
    z.object({ kind: kind('flatten') }),
    z.object({ kind: kind('dropout'), rate: num(BOUNDS.dropoutRate).default(0.25) }),
    z.object({ kind: kind('relu') }),
    z.object({ kind: kind('leakyRelu'), alpha: num(BOUNDS.leakyAlpha).default(0.01) }),
    z.object({ kind: kind('sigmoid') }),
    z.object({ kind: kind('tanh') }),
    z.object({ kind: kind('softmax') }),
  ],
  { error: 'is not a kind of layer GPU Learn knows' },
);

/** MNIST images or the 2-number toy set: the only inputs the app has data for. */
const inputSchema = z.union([z.tuple([z.literal(1), z.literal(28), z.literal(28)]), z.tuple([z.literal(2)])], {
  error: "must be MNIST images [1, 28, 28] or the toy set's 2 numbers [2]",
});

export const modelSchema = z.object(
  {
    input: inputSchema.default([1, 28, 28]),
    layers: z
      .array(layerSchema, { error: 'must be a list of layers' })
      .max(MAX_LAYERS, { error: `can hold at most ${MAX_LAYERS} layers` }),
    loss: oneOf(['softmaxCrossEntropy', 'mse']).default('softmaxCrossEntropy'),
  },
  { error: 'must be a model description' },
);

export const optimizerSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({
      kind: kind('sgd'),
      learningRate: num(BOUNDS.learningRate).default(0.01),
      momentum: num(BOUNDS.momentum).default(0.9),
      nesterov: yesNo.default(false),
      weightDecay: num(BOUNDS.weightDecay).default(0),
    }),
    z.object({
      kind: kind('adam'),
      learningRate: num(BOUNDS.learningRate).default(0.001),
      beta1: num(BOUNDS.beta1).default(0.9),
      beta2: num(BOUNDS.beta2).default(0.999),
      epsilon: num(BOUNDS.epsilon).default(1e-8),
      weightDecay: num(BOUNDS.weightDecay).default(0),
    }),
    z.object({
      kind: kind('rmsprop'),
      learningRate: num(BOUNDS.learningRate).default(0.01),
      alpha: num(BOUNDS.rmsAlpha).default(0.99),
      epsilon: num(BOUNDS.epsilon).default(1e-8),
      momentum: num(BOUNDS.momentum).default(0),
    }),
  ],
  { error: 'must be one of: sgd, adam, rmsprop' },
);

export const scheduleSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: kind('constant') }),
    z.object({
      kind: kind('step'),
      everySteps: num(BOUNDS.everySteps).optional(),
      everyEpochs: num(BOUNDS.everyEpochs).optional(),
      gamma: num(BOUNDS.gamma).default(0.1),
    }),
    z.object({
      kind: kind('oneCycle'),
      maxLearningRate: num(BOUNDS.maxLearningRate).default(0.01),
      pctStart: num(BOUNDS.pctStart).default(0.3),
      divFactor: num(BOUNDS.divFactor).default(25),
      finalDivFactor: num(BOUNDS.finalDivFactor).default(1e4),
    }),
  ],
  { error: 'must be one of: constant, step, oneCycle' },
);

/** Schemas of the training fields, one by one, so a bad field can be replaced alone. */
export const trainingFieldSchemas = {
  optimizer: optimizerSchema,
  schedule: scheduleSchema,
  batchSize: num(BOUNDS.batchSize),
  epochs: num(BOUNDS.epochs),
  seed: num(BOUNDS.seed),
  trainSubset: num(BOUNDS.trainSubset).optional(),
  init: oneOf(INIT_SCHEMES).optional(),
};

const controlList = z
  .array(oneOf(CONTROL_IDS), { error: 'must be a list of control names' })
  .max(CONTROL_IDS.length * 2, { error: 'lists too many controls' })
  .transform((ids) => CONTROL_IDS.filter((id) => ids.includes(id)));

export const classroomSchema = z.object(
  {
    lockSeed: yesNo.optional(),
    hide: controlList.optional(),
    lock: controlList.optional(),
    presenter: yesNo.optional(),
    startView: oneOf(START_VIEWS).optional(),
  },
  { error: 'must be a list of classroom options' },
);

export const viewSchema = z.object(
  { focus: oneOf(FOCUS_SECTIONS).optional() },
  { error: 'must be a list of view options' },
);

export const presetSchema = oneOf(PRESET_NAMES as [PresetName, ...PresetName[]]);

/** The whole config in one schema (the decoder validates part by part to keep what it can). */
export const configSchema = z.object({
  v: z.literal(CONFIG_VERSION),
  model: modelSchema,
  training: z.object(trainingFieldSchemas),
  preset: presetSchema.optional(),
  view: viewSchema.optional(),
  classroom: classroomSchema.optional(),
});

// Compile-time check: what the schema produces is a Config.
type SchemaOutput = z.output<typeof configSchema>;
const _outputIsConfig = (c: SchemaOutput): Config => c;
void _outputIsConfig;
