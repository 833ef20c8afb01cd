/** Configs built from the engine's presets, and the default one the builder starts with. */
import { PRESETS, type PresetName } from '../engine/presets';
import { CONFIG_VERSION, configSchema, type Config } from './schema';

/** The preset a fresh builder (or a link with an unusable model) starts from. */
export const DEFAULT_PRESET: PresetName = 'keras-small-cnn';

/** A fresh, validated config for a preset: its model and its training settings. */
export function configFromPreset(name: PresetName): Config {
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : PRESETS[DEFAULT_PRESET];
  // Parsing fills every optional optimizer field, so a preset's config is in canonical form.
  return configSchema.parse({ v: CONFIG_VERSION, model: preset.model, training: preset.training, preset: preset.name });
}

/** The config a first-time visitor sees. */
export function defaultConfig(): Config {
  return configFromPreset(DEFAULT_PRESET);
}

const presetModels = new Map<PresetName, string>();

/** True when the config's model is exactly its preset's model (what "edited away from a preset" tests). */
export function isPresetModel(config: Config): boolean {
  const name = config.preset;
  if (!name || !Object.hasOwn(PRESETS, name)) return false;
  if (!presetModels.has(name)) presetModels.set(name, JSON.stringify(configFromPreset(name).model));
  return presetModels.get(name) === JSON.stringify(config.model);
}

/** What to call a network: its preset's title while it is that preset's model, else "Custom network". */
export function networkName(config: Config): string {
  return config.preset && isPresetModel(config) ? PRESETS[config.preset].title : 'Custom network';
}

/**
 * The student's own copy of a network: the model and training settings without a link's classroom
 * restrictions or view options. This is what is saved on the device, so a locked classroom link
 * never locks a later visit.
 */
export function ownNetwork(config: Config): Config {
  const { classroom: _classroom, view: _view, ...own } = config;
  void _classroom;
  void _view;
  return own;
}
