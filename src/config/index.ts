/** Add-on options: one zod schema, read once, validated with every problem reported. */
export { OptionsSchema, type Options, type LogLevelOption } from './schema.js';
export { loadConfig, parseOptions, withoutDriveAliases, describeIssue, ConfigError, DEFAULT_OPTIONS_PATH, type Config, type DriveSpec } from './load.js';
