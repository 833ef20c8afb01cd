/** The shareable config: schema, defaults, presets, encode/decode, migrations. */
export * from './schema';
export { configFromPreset, defaultConfig, DEFAULT_PRESET, isPresetModel, networkName, ownNetwork } from './defaults';
export { encodeConfig, decodeConfig, configToJsonFile, configFromJsonFile, MAX_ENCODED_LENGTH } from './codec';
export { validateConfig, type DecodeResult } from './validate';
export { migrate, MIGRATIONS } from './migrations';
