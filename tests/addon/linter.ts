import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Ajv, type ValidateFunction } from 'ajv';
import { isObject, LINTER_DIR, type JsonObject } from './support.js';

/** Loads one of the linter's JSON schemas, translated for JavaScript regular expressions. */
export function loadLinterSchema(file: 'config.schema.json' | 'build.schema.json'): JsonObject {
  // The schemas use Python's named groups `(?P<name>…)`; JavaScript spells them `(?<name>…)`.
  const text = readFileSync(join(LINTER_DIR, file), 'utf8').replaceAll('(?P<', '(?<');
  const schema = JSON.parse(text) as unknown;
  if (!isObject(schema)) throw new Error(`${file} is not a JSON object`);
  return schema;
}

export function compileLinterSchema(schema: JsonObject): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The formats the schemas name; checked loosely, as the linter's validator does.
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
  ajv.addFormat('uri-reference', /^\S*$/);
  return ajv.compile(schema);
}

/** Validation errors of `config` as readable lines (empty when valid). */
export function schemaProblems(validate: ValidateFunction, config: unknown): string[] {
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}

const DEPRECATED_ARCH = new Set(['armhf', 'armv7', 'i386']);

/**
 * The rules frenck/action-addon-linter adds on top of the JSON schema (see the README beside
 * the schema). Deprecated architectures are only a warning there; they count here, since this
 * add-on must not declare any.
 */
export function linterRuleProblems(config: JsonObject, schema: JsonObject): string[] {
  const problems: string[] = [];
  const properties = isObject(schema.properties) ? schema.properties : {};
  for (const [key, value] of Object.entries(config)) {
    const property = properties[key];
    if (isObject(property) && 'default' in property && isDeepStrictEqual(property.default, value)) {
      problems.push(`"${key}" should be removed, it uses a default value`);
    }
  }
  if ('watchdog' in config) problems.push('"watchdog" is not allowed: use a Docker HEALTHCHECK');
  if ('webui' in config && config.ingress === true) problems.push('"webui" together with "ingress: true"');
  const devices = Array.isArray(config.devices) ? config.devices : [];
  for (const device of devices) {
    if (typeof device === 'string' && device.includes(':')) problems.push(`device "${device}" must be a path only`);
  }
  if (config.full_access === true && ['devices', 'usb', 'uart', 'gpio'].some((k) => k in config)) {
    problems.push('"full_access" together with devices/usb/uart/gpio');
  }
  if ('tmpfs' in config && typeof config.tmpfs !== 'boolean') problems.push('"tmpfs" must be a boolean');
  if ('codenotary' in config) problems.push('"codenotary" is not allowed');
  if ('auto_uart' in config) problems.push('"auto_uart" is not allowed');
  const arch = Array.isArray(config.arch) ? config.arch : [];
  for (const a of arch) {
    if (typeof a === 'string' && DEPRECATED_ARCH.has(a)) problems.push(`arch "${a}" is deprecated`);
  }
  return problems;
}
