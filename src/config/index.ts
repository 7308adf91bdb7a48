/** Add-on options: one zod schema, read once, validated with every problem reported. */
export { OptionsSchema } from './schema.js';
export { loadConfig, parseOptions, isAddon, withoutDriveAliases, ConfigError, type Config, type DriveSpec } from './load.js';
export { commandConfig } from './command.js';
