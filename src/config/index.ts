/** Add-on options: one zod schema, read once, validated with every problem reported. */
export { OptionsSchema, type Options } from './schema.js';
export { loadConfig, parseOptions, isAddon, withoutDriveAliases, ConfigError, type Config, type DriveSpec, type ParseContext } from './load.js';
