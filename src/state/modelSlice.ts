/**
 * The model + training config being edited: edit actions, a bounded undo/redo history, and the
 * error of a link or file that could not be loaded. Every action keeps `config` schema-valid
 * (an edit that would break a bound is ignored), so it can always be encoded into a link.
 */
import type { StateCreator } from 'zustand/vanilla';
import type { LayerKind, LayerSpec } from '../engine/layers';
import type { OptimizerConfig } from '../engine/ops/optimizer/cpu';
import type { ScheduleConfig } from '../engine/schedules';
import type { PresetName } from '../engine/presets';
import {
  configFromPreset,
  configSchema,
  defaultConfig,
  isPresetModel,
  layerSchema,
  MAX_LAYERS,
  type ClassroomConfig,
  type Config,
  type DecodeResult,
  type TrainingConfig,
  type ViewConfig,
} from '../config';
import { insertionIndex } from './layerInsertion';

/** Undo steps kept; older ones are dropped. */
export const HISTORY_LIMIT = 100;

/**
 * What kind of change produced the current config. The URL sync replaces the history entry for
 * `small` edits and undo/redo (`history`), pushes one for `big` edits, and leaves the URL alone
 * for `load` (the config came from the URL) and `reset` (startup).
 */
export type ChangeKind = 'small' | 'big' | 'history' | 'load' | 'reset';

export interface ConfigChange {
  /** Increases with every change. */
  id: number;
  kind: ChangeKind;
  /** The field a small edit touched; repeated small edits of one field make one undo step. */
  key?: string;
}

export interface ConfigLoadError {
  source: 'link' | 'file';
  errors: string[];
  /** The readable parts with defaults for the rest, when some parts could be kept. */
  salvaged: Config | null;
}

export interface ModelSlice {
  config: Config;
  configHistory: { past: Config[]; future: Config[] };
  configChange: ConfigChange;
  configLoadError: ConfigLoadError | null;
  /**
   * The `c=` text of the link the route was last opened or navigated with (null without one), as
   * the URL sync applied it; later edits rewrite the URL, not this. A view that offers "the
   * network from the link" (the Train page) reads it with linkedNetwork().
   */
  configLink: string | null;

  /** Adds a layer at `at`, or where insertionIndex puts it (before a final Softmax, image layers before Flatten). */
  addLayer: (kind: LayerKind, at?: number) => void;
  removeLayer: (index: number) => void;
  moveLayer: (from: number, to: number) => void;
  duplicateLayer: (index: number) => void;
  /** Changes options of one layer (a small edit: typing several digits makes one undo step). */
  updateLayer: (index: number, patch: Partial<Record<string, number>>) => void;
  /** Replaces a layer by a new one of another kind, with that kind's default options. */
  setLayerKind: (index: number, kind: LayerKind) => void;
  /** Switches the data: MNIST images ([1, 28, 28], cross-entropy) or the toy set ([2], squared error). */
  setDataset: (dataset: 'mnist' | 'toy') => void;
  setTrainingConfig: (patch: Partial<TrainingConfig>, key?: string) => void;
  setOptimizer: (optimizer: OptimizerConfig, key?: string) => void;
  setSchedule: (schedule: ScheduleConfig, key?: string) => void;
  setClassroom: (patch: Partial<ClassroomConfig>) => void;
  setViewConfig: (patch: Partial<ViewConfig>) => void;
  loadPreset: (name: PresetName) => void;
  /** Loads a whole config: 'load' from the URL, 'big' for an import the user asked for. */
  loadConfig: (config: Config, kind?: 'load' | 'big') => void;
  /** Starts over with `config` and an empty history (startup, tests). */
  resetConfig: (config?: Config) => void;
  undoConfig: () => void;
  redoConfig: () => void;
  setConfigLoadError: (error: ConfigLoadError | null) => void;
  /**
   * Applies a route's `c=` link, decoded once by the URL sync: a whole config is loaded (as a
   * 'load', so the URL is left as it is); one with errors is kept as `configLoadError` with its
   * salvaged parts, and the student's work stays. Null: the route has no link.
   */
  applyConfigLink: (link: { text: string; decoded: DecodeResult } | null) => void;
  /** Loads the salvaged parts of the failed link or file. */
  applySalvagedConfig: () => void;
}

const same = (a: Config, b: Config) => JSON.stringify(a) === JSON.stringify(b);

/** The layer defaults of a kind (those the schema fills in). */
export function newLayer(kind: LayerKind): LayerSpec {
  return layerSchema.parse({ kind });
}

export const createModelSlice: StateCreator<ModelSlice, [], [], ModelSlice> = (set, get) => {
  /** Applies a change if the result is valid and different; records history as the kind asks. */
  const commit = (edit: (c: Config) => Config | null, kind: ChangeKind, key?: string) => {
    const state = get();
    const draft = edit(structuredClone(state.config));
    if (!draft) return;
    const parsed = configSchema.safeParse(draft);
    if (!parsed.success) return;
    const next = parsed.data as Config;
    // A model edited away from its preset is a custom network, so the preset's name no longer applies.
    if (next.preset && !isPresetModel(next)) delete next.preset;
    if (same(next, state.config)) return;
    const { past } = state.configHistory;
    const last = state.configChange;
    const coalesce =
      kind === 'small' && last.kind === 'small' && key !== undefined && last.key === key && past.length > 0;
    set({
      config: next,
      configHistory: {
        past: coalesce ? past : [...past, state.config].slice(-HISTORY_LIMIT),
        future: [],
      },
      configChange: { id: last.id + 1, kind, ...(key !== undefined ? { key } : {}) },
      configLoadError: null,
    });
  };

  const withLayers = (edit: (layers: LayerSpec[]) => LayerSpec[] | null) => (c: Config) => {
    const layers = edit([...c.model.layers]);
    return layers && layers.length <= MAX_LAYERS ? { ...c, model: { ...c.model, layers } } : null;
  };
  const inRange = (i: number, n: number) => Number.isInteger(i) && i >= 0 && i < n;

  return {
    config: defaultConfig(),
    configHistory: { past: [], future: [] },
    configChange: { id: 0, kind: 'reset' },
    configLoadError: null,
    configLink: null,

    addLayer: (kind, at) =>
      commit(
        withLayers((ls) => {
          const index = at === undefined ? insertionIndex(ls, kind) : Math.max(0, Math.min(ls.length, at));
          ls.splice(index, 0, newLayer(kind));
          return ls;
        }),
        'big',
      ),
    removeLayer: (index) =>
      commit(
        withLayers((ls) => (inRange(index, ls.length) ? (ls.splice(index, 1), ls) : null)),
        'big',
      ),
    moveLayer: (from, to) =>
      commit(
        withLayers((ls) => {
          if (!inRange(from, ls.length) || !inRange(to, ls.length) || from === to) return null;
          const [moved] = ls.splice(from, 1);
          ls.splice(to, 0, moved);
          return ls;
        }),
        'big',
      ),
    duplicateLayer: (index) =>
      commit(
        withLayers((ls) => (inRange(index, ls.length) ? (ls.splice(index + 1, 0, { ...ls[index] }), ls) : null)),
        'big',
      ),
    updateLayer: (index, patch) =>
      commit(
        withLayers((ls) => {
          if (!inRange(index, ls.length)) return null;
          ls[index] = { ...ls[index], ...patch, kind: ls[index].kind } as LayerSpec;
          return ls;
        }),
        'small',
        `layer-${index}-${Object.keys(patch).join(',')}`,
      ),
    setLayerKind: (index, kind) =>
      commit(
        withLayers((ls) => {
          if (!inRange(index, ls.length) || ls[index].kind === kind) return null;
          ls[index] = newLayer(kind);
          return ls;
        }),
        'big',
      ),
    setDataset: (dataset) =>
      commit(
        (c) => ({
          ...c,
          model: {
            ...c.model,
            ...(dataset === 'mnist'
              ? { input: [1, 28, 28], loss: 'softmaxCrossEntropy' }
              : { input: [2], loss: 'mse' }),
          },
        }),
        'big',
      ),
    setTrainingConfig: (patch, key) =>
      commit(
        (c) => {
          const training = { ...c.training, ...patch };
          if ('trainSubset' in patch && patch.trainSubset === undefined) delete training.trainSubset;
          return { ...c, training };
        },
        key ? 'small' : 'big',
        key,
      ),
    setOptimizer: (optimizer, key) =>
      commit((c) => ({ ...c, training: { ...c.training, optimizer } }), key ? 'small' : 'big', key),
    setSchedule: (schedule, key) =>
      commit((c) => ({ ...c, training: { ...c.training, schedule } }), key ? 'small' : 'big', key),
    setClassroom: (patch) =>
      commit((c) => {
        const classroom: ClassroomConfig = { ...c.classroom, ...patch };
        for (const k of Object.keys(classroom) as (keyof ClassroomConfig)[]) {
          const v = classroom[k];
          if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) delete classroom[k];
        }
        const next: Config = { ...c, classroom };
        if (Object.keys(classroom).length === 0) delete next.classroom;
        return next;
      }, 'big'),
    setViewConfig: (patch) =>
      commit((c) => {
        const view: ViewConfig = { ...c.view, ...patch };
        if (view.focus === undefined) delete view.focus;
        const next: Config = { ...c, view };
        if (Object.keys(view).length === 0) delete next.view;
        return next;
      }, 'big'),
    loadPreset: (name) =>
      commit((c) => ({ ...configFromPreset(name), ...(c.classroom ? { classroom: c.classroom } : {}) }), 'big'),
    loadConfig: (config, kind = 'load') => commit(() => config, kind),
    resetConfig: (config) =>
      set({
        config: config ?? defaultConfig(),
        configHistory: { past: [], future: [] },
        configChange: { id: get().configChange.id + 1, kind: 'reset' },
        configLoadError: null,
      }),
    undoConfig: () => {
      const {
        config,
        configHistory: { past, future },
        configChange,
      } = get();
      if (past.length === 0) return;
      set({
        config: past[past.length - 1],
        configHistory: { past: past.slice(0, -1), future: [config, ...future].slice(0, HISTORY_LIMIT) },
        configChange: { id: configChange.id + 1, kind: 'history' },
        configLoadError: null,
      });
    },
    redoConfig: () => {
      const {
        config,
        configHistory: { past, future },
        configChange,
      } = get();
      if (future.length === 0) return;
      set({
        config: future[0],
        configHistory: { past: [...past, config].slice(-HISTORY_LIMIT), future: future.slice(1) },
        configChange: { id: configChange.id + 1, kind: 'history' },
        configLoadError: null,
      });
    },
    setConfigLoadError: (configLoadError) => set({ configLoadError }),
    applyConfigLink: (link) => {
      const before = get().configLoadError;
      if (!link) return set({ configLink: null, ...(before?.source === 'link' ? { configLoadError: null } : {}) });
      const { config, errors, partial } = link.decoded;
      if (errors.length > 0)
        return set({
          configLink: link.text,
          configLoadError: { source: 'link', errors, salvaged: partial ? config : null },
        });
      commit(() => config, 'load');
      set({ configLink: link.text, ...(get().configLoadError?.source === 'link' ? { configLoadError: null } : {}) });
    },
    applySalvagedConfig: () => {
      const salvaged = get().configLoadError?.salvaged;
      if (salvaged) commit(() => salvaged, 'big');
    },
  };
};

/** The network a route's link gave, or null without a link. */
export interface LinkedNetwork {
  /** The link's `c=` text. */
  text: string;
  /** The link's config (its readable parts with defaults when some were not); null when none could be read. */
  config: Config | null;
  /** Why parts of the link were not used; empty when it loaded whole. */
  errors: string[];
}

/** The network the route's link gave (see applyConfigLink): a whole link is the config now in the store. */
export function linkedNetwork(
  state: Pick<ModelSlice, 'config' | 'configLink' | 'configLoadError'>,
): LinkedNetwork | null {
  if (state.configLink === null) return null;
  const failed = state.configLoadError?.source === 'link' ? state.configLoadError : null;
  return failed
    ? { text: state.configLink, config: failed.salvaged, errors: failed.errors }
    : { text: state.configLink, config: state.config, errors: [] };
}
