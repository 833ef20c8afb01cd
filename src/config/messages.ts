/** Turns schema issues into plain-English sentences a student can act on. */
import type * as z from 'zod';

export type Where = 'link' | 'file';

const LAYER_NAMES: Record<string, string> = {
  dense: 'Dense',
  conv2d: 'Conv2D',
  maxpool: 'Max pooling',
  avgpool: 'Average pooling',
  flatten: 'Flatten',
  dropout: 'Dropout',
  relu: 'ReLU',
  leakyRelu: 'Leaky ReLU',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  softmax: 'Softmax',
};

const LAYER_FIELDS: Record<string, string> = {
  units: 'the number of units',
  filters: 'the number of filters',
  kernel: 'the kernel size',
  stride: 'the stride',
  padding: 'the padding',
  size: 'the pooling window size',
  rate: 'the dropout rate',
  alpha: 'the slope',
};

const TRAINING_FIELDS: Record<string, string> = {
  optimizer: 'the optimizer',
  schedule: 'the learning-rate schedule',
  batchSize: 'the batch size',
  epochs: 'the number of epochs',
  seed: 'the random seed',
  trainSubset: 'the training subset size',
  init: 'the weight initialisation',
};

const OPTIMIZER_FIELDS: Record<string, string> = {
  kind: 'the optimizer',
  learningRate: 'the learning rate',
  momentum: 'the momentum',
  nesterov: 'the Nesterov setting',
  weightDecay: 'the weight decay',
  beta1: "Adam's beta1",
  beta2: "Adam's beta2",
  epsilon: "the optimizer's epsilon",
  alpha: "RMSprop's smoothing constant",
};

const SCHEDULE_FIELDS: Record<string, string> = {
  kind: 'the learning-rate schedule',
  everySteps: 'the steps between decays',
  everyEpochs: 'the epochs between decays',
  gamma: 'the decay factor',
  maxLearningRate: 'the peak learning rate',
  pctStart: 'the warm-up fraction',
  divFactor: 'the starting divisor',
  finalDivFactor: 'the final divisor',
};

const OTHER_FIELDS: Record<string, string> = {
  preset: 'the preset name',
  view: 'the view options',
  classroom: 'the classroom options',
  lockSeed: 'the "fix the seed" option',
  hide: 'the list of hidden controls',
  lock: 'the list of locked controls',
  presenter: 'the presenter-mode option',
  startView: 'the start view',
  focus: 'the section to open',
  model: 'the model',
  training: 'the training settings',
};

type Path = readonly PropertyKey[];

/** A table entry for a key from a link: own keys only, so "__proto__" or "constructor" finds nothing. */
function named(table: Record<string, string>, key: unknown): string | undefined {
  return typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;
}

function at(root: unknown, path: Path): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** A short, safe rendering of a received value (strings are quoted and cut; nothing is executed). */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex
    const clean = value.replace(/[\u0000-\u001f\u007f]/g, ' ');
    return JSON.stringify(clean.length > 24 ? `${clean.slice(0, 24)}…` : clean);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value))
    return `a list of ${value.length.toLocaleString('en-US')} item${value.length === 1 ? '' : 's'}`;
  return 'a group of settings';
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function layerTitle(root: unknown, i: number): string {
  const kind = at(root, ['model', 'layers', i, 'kind']);
  const name = typeof kind === 'string' && Object.hasOwn(LAYER_NAMES, kind) ? ` (${LAYER_NAMES[kind]})` : '';
  return `layer ${i + 1}${name}`;
}

function subject(path: Path, root: unknown): string {
  const [a, b, c, d] = path.map((k) => (typeof k === 'number' ? k : String(k)));
  if (a === 'model') {
    if (b === 'layers' && typeof c === 'number') {
      const title = layerTitle(root, c);
      return d === undefined ? title : `${title}: ${named(LAYER_FIELDS, d) ?? String(d)}`;
    }
    if (b === 'layers') return 'the list of layers';
    if (b === 'input') return "the model's input";
    if (b === 'loss') return 'the loss';
    return 'the model';
  }
  if (a === 'training') {
    if (b === 'optimizer' && c !== undefined) return named(OPTIMIZER_FIELDS, c) ?? 'the optimizer';
    if (b === 'schedule' && c !== undefined) return named(SCHEDULE_FIELDS, c) ?? 'the learning-rate schedule';
    return named(TRAINING_FIELDS, b) ?? 'the training settings';
  }
  if (a === 'classroom' && (b === 'hide' || b === 'lock') && typeof c === 'number')
    return `a name in ${named(OTHER_FIELDS, b)}`;
  const last = [d, c, b, a].find((k) => k !== undefined);
  return named(OTHER_FIELDS, String(last)) ?? 'a setting';
}

/** One sentence for one schema issue; `prefix` is where the validated part sits in `root`. */
export function issueSentence(issue: z.core.$ZodIssue, prefix: Path, root: unknown, where: Where): string {
  const path = [...prefix, ...issue.path];
  const value = at(root, path);
  const isLayerKind = path.length === 4 && path[0] === 'model' && path[1] === 'layers' && path[3] === 'kind';
  if (isLayerKind || (issue.code === 'invalid_union' && path.length === 3 && path[1] === 'layers')) {
    const i = path[2] as number;
    const kind = at(root, ['model', 'layers', i, 'kind']);
    return `Layer ${i + 1} has the kind ${shown(kind)}, which is not a kind of layer GPU Learn knows.`;
  }
  const named = kindSentence(path, issue, root, where);
  if (named) return named;
  const received =
    issue.code === 'too_big' && Array.isArray(value) ? `${value.length.toLocaleString('en-US')}` : shown(value);
  const last = path[path.length - 1];
  if ((last === 'learningRate' || last === 'maxLearningRate') && typeof value === 'number' && value > 0 && value < 1) {
    return (
      `${capitalise(subject(path, root))} ${issue.message}, but the ${where} has ${received}: ` +
      'a step that small would not change the weights at all.'
    );
  }
  return `${capitalise(subject(path, root))} ${issue.message}, but the ${where} has ${received}.`;
}

const KINDS: Record<string, { what: string; names: readonly string[] }> = {
  optimizer: { what: 'an optimizer', names: ['sgd', 'adam', 'rmsprop'] },
  schedule: { what: 'a learning-rate schedule', names: ['constant', 'step', 'oneCycle'] },
};

/**
 * "The link asks for an optimizer called "__proto__", which is not one of sgd, adam, rmsprop."
 * for an unknown optimizer or schedule kind, naming what the link had rather than "nothing".
 */
function kindSentence(path: Path, issue: z.core.$ZodIssue, root: unknown, where: Where): string | null {
  if (path[0] !== 'training' || typeof path[1] !== 'string' || !Object.hasOwn(KINDS, path[1])) return null;
  const atKind = path.length === 3 && path[2] === 'kind';
  if (!atKind && path.length !== 2) return null;
  const { what, names } = KINDS[path[1]];
  const group = at(root, path.slice(0, 2));
  const kind = at(root, [...path.slice(0, 2), 'kind']);
  const choices = names.join(', ');
  if (typeof group !== 'object' || group === null || Array.isArray(group))
    return `The ${where} has ${shown(group)} where the settings of ${what} should be (a group with a kind: one of ${choices}).`;
  if (!atKind && issue.code !== 'invalid_union') return null;
  if (kind === undefined) return `The ${where} gives ${what} without a name; it must be one of ${choices}.`;
  return `The ${where} asks for ${what} called ${shown(kind)}, which is not one of ${choices}.`;
}

/** Sentences for every issue of a failed parse, at most `max` of them plus a count of the rest. */
export function issueSentences(error: z.ZodError, prefix: Path, root: unknown, where: Where, max = 5): string[] {
  const all = [...new Set(error.issues.map((i) => issueSentence(i, prefix, root, where)))];
  if (all.length <= max) return all;
  const rest = all.length - max;
  return [...all.slice(0, max), `…and ${rest} more problem${rest === 1 ? '' : 's'} like these.`];
}

/** "a, b and c" */
export function listText(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
