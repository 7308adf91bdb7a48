import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { requireTools } from '../helpers/ci.js';

/** The repository root, which is also the add-on folder. */
export const REPO = resolve(import.meta.dirname, '..', '..');

/**
 * The official linter's schemas (frenck/action-addon-linter, MIT), committed as a fixture so a
 * clean clone runs the linter tests; `SHARED_LINTER_DIR` is the copy the project was handed, which
 * a test compares with the fixture when it is there.
 */
export const LINTER_DIR = resolve(REPO, 'tests', 'fixtures', 'ha-addon-linter');
export const SHARED_LINTER_DIR = resolve(REPO, '..', 'shared', 'ha-addon-linter');

export function readText(relative: string): string {
  return readFileSync(join(REPO, relative), 'utf8');
}

export function readYaml(relative: string): unknown {
  return parse(readText(relative)) as unknown;
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The add-on's config.yaml as a plain object (fails the test if it is not a mapping). */
export function addonConfig(): JsonObject {
  const config = readYaml('config.yaml');
  if (!isObject(config)) throw new Error('config.yaml is not a mapping');
  return config;
}

export function objectAt(object: JsonObject, key: string): JsonObject {
  const value = object[key];
  if (!isObject(value)) throw new Error(`"${key}" is not a mapping`);
  return value;
}

/** Keys of `configuration` in a translation file. */
export function translationConfiguration(language: string): JsonObject {
  const file = readYaml(join('translations', `${language}.yaml`));
  if (!isObject(file)) throw new Error(`translations/${language}.yaml is not a mapping`);
  return objectAt(file, 'configuration');
}

/**
 * Tools that .ci/run installs: missing on CI is an error, missing on a developer's machine
 * skips the test with a line that says so.
 */
export function requireTool(tool: string, apt: string): boolean {
  return requireTools([tool], apt);
}
