/** fast-check generators of valid configs in canonical form (what the schema's parse returns). */
import fc from 'fast-check';
import type { LayerSpec } from '../engine/layers';
import { INIT_SCHEMES } from './schema';
import { PRESET_NAMES } from '../engine/presets';
import {
  BOUNDS,
  CONFIG_VERSION,
  CONTROL_IDS,
  FOCUS_SECTIONS,
  MAX_LAYERS,
  START_VIEWS,
  type Bound,
  type Config,
} from './schema';

/** A number within a bound (whole numbers for integer bounds; never NaN or infinite). */
export function inBound(b: Bound): fc.Arbitrary<number> {
  if (b.int) return fc.integer({ min: b.min, max: b.max });
  return fc
    .double({ min: b.min, max: b.max, minExcluded: b.minExclusive, noNaN: true, noDefaultInfinity: true })
    .map((x) => (Object.is(x, -0) ? 0 : x));
}

const layer: fc.Arbitrary<LayerSpec> = fc.oneof(
  fc.record({ kind: fc.constant('dense' as const), units: inBound(BOUNDS.units) }),
  fc.record({
    kind: fc.constant('conv2d' as const),
    filters: inBound(BOUNDS.filters),
    kernel: inBound(BOUNDS.kernel),
    stride: inBound(BOUNDS.convStride),
    padding: inBound(BOUNDS.padding),
  }),
  fc.record({
    kind: fc.constantFrom('maxpool' as const, 'avgpool' as const),
    size: inBound(BOUNDS.poolSize),
    stride: inBound(BOUNDS.poolStride),
  }),
  fc.record({ kind: fc.constant('dropout' as const), rate: inBound(BOUNDS.dropoutRate) }),
  fc.record({ kind: fc.constant('leakyRelu' as const), alpha: inBound(BOUNDS.leakyAlpha) }),
  fc.constantFrom<LayerSpec>(
    { kind: 'flatten' },
    { kind: 'relu' },
    { kind: 'sigmoid' },
    { kind: 'tanh' },
    { kind: 'softmax' },
  ),
);

const optimizer = fc.oneof(
  fc.record({
    kind: fc.constant('sgd' as const),
    learningRate: inBound(BOUNDS.learningRate),
    momentum: inBound(BOUNDS.momentum),
    nesterov: fc.boolean(),
    weightDecay: inBound(BOUNDS.weightDecay),
  }),
  fc.record({
    kind: fc.constant('adam' as const),
    learningRate: inBound(BOUNDS.learningRate),
    beta1: inBound(BOUNDS.beta1),
    beta2: inBound(BOUNDS.beta2),
    epsilon: inBound(BOUNDS.epsilon),
    weightDecay: inBound(BOUNDS.weightDecay),
  }),
  fc.record({
    kind: fc.constant('rmsprop' as const),
    learningRate: inBound(BOUNDS.learningRate),
    alpha: inBound(BOUNDS.rmsAlpha),
    epsilon: inBound(BOUNDS.epsilon),
    momentum: inBound(BOUNDS.momentum),
  }),
);

const schedule = fc.oneof(
  fc.constant({ kind: 'constant' as const }),
  fc.record(
    {
      kind: fc.constant('step' as const),
      everySteps: inBound(BOUNDS.everySteps),
      everyEpochs: inBound(BOUNDS.everyEpochs),
      gamma: inBound(BOUNDS.gamma),
    },
    { requiredKeys: ['kind', 'gamma'] },
  ),
  fc.record({
    kind: fc.constant('oneCycle' as const),
    maxLearningRate: inBound(BOUNDS.maxLearningRate),
    pctStart: inBound(BOUNDS.pctStart),
    divFactor: inBound(BOUNDS.divFactor),
    finalDivFactor: inBound(BOUNDS.finalDivFactor),
  }),
);

const controls = fc.subarray([...CONTROL_IDS]);

/** Any valid config, including models whose shapes do not fit (the builder must round-trip those too). */
export const configArbitrary: fc.Arbitrary<Config> = fc.record(
  {
    v: fc.constant(CONFIG_VERSION),
    model: fc.oneof(
      fc.record({
        input: fc.constant<number[]>([1, 28, 28]),
        layers: fc.array(layer, { maxLength: MAX_LAYERS }),
        loss: fc.constantFrom('softmaxCrossEntropy' as const, 'mse' as const),
      }),
      fc.record({
        input: fc.constant<number[]>([2]),
        layers: fc.array(layer, { maxLength: 4 }),
        loss: fc.constant('mse' as const),
      }),
    ),
    training: fc.record(
      {
        optimizer,
        schedule,
        batchSize: inBound(BOUNDS.batchSize),
        epochs: inBound(BOUNDS.epochs),
        seed: inBound(BOUNDS.seed),
        trainSubset: inBound(BOUNDS.trainSubset),
        init: fc.constantFrom(...INIT_SCHEMES),
      },
      { requiredKeys: ['optimizer', 'schedule', 'batchSize', 'epochs', 'seed'] },
    ),
    preset: fc.constantFrom(...PRESET_NAMES),
    view: fc.record({ focus: fc.constantFrom(...FOCUS_SECTIONS) }),
    classroom: fc
      .record(
        {
          lockSeed: fc.boolean(),
          hide: controls,
          lock: controls,
          presenter: fc.boolean(),
          startView: fc.constantFrom(...START_VIEWS),
        },
        { requiredKeys: [] },
      )
      .filter((c) => Object.keys(c).length > 0),
  },
  { requiredKeys: ['v', 'model', 'training'] },
);
