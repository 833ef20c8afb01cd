/** Configs built from the engine's presets, and the default one the builder starts with. */
import { PRESETS, type PresetName } from '../engine/presets';
import { CONFIG_VERSION, configSchema, type Config } from './schema';

/** The preset a fresh builder (or a link with an unusable model) starts from. */
export const DEFAULT_PRESET: PresetName = 'keras-small-cnn';

/** A fresh, validated config for a preset: its model and its training settings. */
export function configFromPreset(name: PresetName): Config {
  const preset = PRESETS[name] ?? PRESETS[DEFAULT_PRESET];
  // Parsing fills every optional optimizer field, so a preset's config is in canonical form.
  return configSchema.parse({ v: CONFIG_VERSION, model: preset.model, training: preset.training, preset: preset.name });
}

/** The config a first-time visitor sees. */
export function defaultConfig(): Config {
  return configFromPreset(DEFAULT_PRESET);
}
