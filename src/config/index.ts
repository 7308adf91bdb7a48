/** Add-on options: one zod schema, read once, validated with every problem reported. */
export { OptionsSchema, type Options, type LogLevelOption } from './schema.js';
export {
  loadConfig,
  parseOptions,
  isAddon,
  withoutDriveAliases,
  describeIssue,
  ConfigError,
  ADDON_OUTPUT_ROOTS,
  DEFAULT_OPTIONS_PATH,
  type Config,
  type DriveSpec,
  type ParseContext,
} from './load.js';
