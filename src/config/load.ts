import { readFile, realpath } from 'node:fs/promises';
import { posix } from 'node:path';
import type { z } from 'zod';
import { Disk2isoError } from '../util/errors.js';
import { OptionsSchema, type Options } from './schema.js';

const DEFAULT_OPTIONS_PATH = '/data/options.json';

export class ConfigError extends Disk2isoError {
  constructor(readonly problems: readonly string[], path: string) {
    super(`Invalid options in ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { context: { path } });
  }
}

/** A drive entry resolved from the `drives` option. */
export type DriveSpec =
  | { kind: 'device'; id: string; path: string }
  | { kind: 'simulated'; id: string; folder: string };

/** The frozen, validated configuration handed down from the composition root. */
export interface Config extends Options {
  readonly optionsPath: string;
  readonly driveSpecs: readonly DriveSpec[];
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function bound(issue: z.ZodIssue & { code: 'too_small' | 'too_big' }): string {
  const limit = issue.code === 'too_small' ? issue.minimum : issue.maximum;
  const word = issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than';
  const unit = issue.type === 'array' ? ' entries' : issue.type === 'string' ? ' characters' : '';
  return `must be ${word} ${String(limit)}${unit}`;
}

/** One line per problem: the option, the value given and what is allowed. */
function describeIssue(issue: z.ZodIssue, raw: unknown): string {
  const name = issue.path.map(String).join('.') || '(options)';
  const given = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'invalid_enum_value':
      return `option "${name}": got ${show(given)}, allowed: ${issue.options.map((v) => String(v)).join(', ')}`;
    case 'invalid_type':
      return `option "${name}": got ${show(given)}, expected ${issue.expected}`;
    case 'too_small':
    case 'too_big':
      return `option "${name}": got ${show(given)}, ${bound(issue)}`;
    case 'unrecognized_keys':
      return `unknown option(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them or check the spelling`;
    default:
      return `option "${name}": got ${show(given)}, ${issue.message}`;
  }
}

function driveSpec(entry: string, index: number): DriveSpec {
  if (entry.startsWith('sim:')) {
    const folder = entry.slice(4);
    const id = (folder.split('/').filter(Boolean).at(-1) ?? `sim${index}`).replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
    return { kind: 'simulated', id, folder };
  }
  const id = (entry.split('/').filter(Boolean).at(-1) ?? `drive${index}`).replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
  return { kind: 'device', id, path: entry };
}

interface DriveEntry {
  readonly option: 'drives' | 'extra_drives';
  readonly index: number;
  readonly entry: string;
}

/** `drives` then `extra_drives`; an extra entry naming a path already listed is left out. */
function driveEntries(drives: readonly string[], extra: readonly string[]): DriveEntry[] {
  const entries: DriveEntry[] = drives.map((entry, index) => ({ option: 'drives', index, entry }));
  const listed = new Set(drives);
  extra.forEach((entry, index) => {
    if (listed.has(entry)) return;
    listed.add(entry);
    entries.push({ option: 'extra_drives', index, entry });
  });
  return entries;
}

function driveProblems(entries: readonly DriveEntry[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  entries.forEach(({ option, index, entry }, position) => {
    const name = `option "${option}.${index}"`;
    if (option === 'extra_drives' ? !entry.startsWith('/dev/') : !entry.startsWith('sim:') && !entry.startsWith('/dev/')) {
      problems.push(`${name}: got ${show(entry)}, expected a device path such as /dev/sr0`);
    }
    if (entry.startsWith('sim:') && !entry.slice(4).startsWith('/')) {
      problems.push(`${name}: got ${show(entry)}, a simulated drive needs an absolute folder (sim:/path)`);
    }
    const { id } = driveSpec(entry, position);
    if (ids.has(id)) problems.push(`${name}: got ${show(entry)}, drive id "${id}" is used twice`);
    ids.add(id);
  });
  return problems;
}

/** Folders the Supervisor maps into the add-on read-write (config.yaml `map`): images go there and nowhere else. */
const ADDON_OUTPUT_ROOTS = ['/media', '/share'] as const;

function outputDirProblems(outputDir: string): string[] {
  const normalized = posix.normalize(outputDir);
  if (ADDON_OUTPUT_ROOTS.some((root) => normalized === root || normalized.startsWith(`${root}/`))) return [];
  return [`option "output_dir": got ${show(outputDir)}, must lie under ${ADDON_OUTPUT_ROOTS.join(' or ')} (the folders Home Assistant shares with the add-on)`];
}

/** Where the options are used. */
export interface ParseContext {
  /** Running as a Home Assistant add-on: `output_dir` must lie under /media or /share. */
  readonly addon?: boolean;
}

/**
 * Running as an add-on: the Supervisor gives every add-on container `SUPERVISOR_TOKEN`; a
 * development run or a test does not have it (the options path alone says nothing: tests and
 * the demo point DISK2ISO_OPTIONS elsewhere, and a development machine may have a /data).
 */
export function isAddon(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.SUPERVISOR_TOKEN ?? '') !== '';
}

/** Pure: raw options (parsed JSON) → frozen Config, or every problem at once. */
export function parseOptions(raw: unknown, optionsPath: string, context: ParseContext = {}): Config {
  const parsed = OptionsSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => describeIssue(i, raw)), optionsPath);
  const entries = driveEntries(parsed.data.drives, parsed.data.extra_drives);
  const problems = [...(context.addon === true ? outputDirProblems(parsed.data.output_dir) : []), ...driveProblems(entries)];
  if (problems.length > 0) throw new ConfigError(problems, optionsPath);
  const driveSpecs = Object.freeze(entries.map(({ entry }, position) => driveSpec(entry, position)));
  return Object.freeze({ ...parsed.data, optionsPath, driveSpecs });
}

/**
 * Leaves out every device drive that is, through a symlink (`/dev/cdrom`, `/dev/disk/by-id/…`),
 * the same device as a drive listed before it: one drive, one state machine. A path that does
 * not resolve (drive unplugged) stands for itself.
 */
export async function withoutDriveAliases(config: Config, resolve: (path: string) => Promise<string> = realpath): Promise<Config> {
  const seen = new Set<string>();
  const kept: DriveSpec[] = [];
  for (const spec of config.driveSpecs) {
    if (spec.kind === 'device') {
      const target = await resolve(spec.path).catch(() => spec.path);
      if (seen.has(target)) continue;
      seen.add(target);
    }
    kept.push(spec);
  }
  if (kept.length === config.driveSpecs.length) return config;
  return Object.freeze({ ...config, driveSpecs: Object.freeze(kept) });
}

/** Reads the add-on options once. A missing file means all defaults. */
export async function loadConfig(
  optionsPath = process.env.DISK2ISO_OPTIONS ?? DEFAULT_OPTIONS_PATH,
  context: ParseContext = { addon: isAddon() },
): Promise<Config> {
  let text: string;
  try {
    text = await readFile(optionsPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return withoutDriveAliases(parseOptions({}, optionsPath, context));
    throw new ConfigError([`cannot read the options file: ${(error as Error).message}`], optionsPath);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`the options file is not valid JSON: ${(error as Error).message}`], optionsPath);
  }
  return withoutDriveAliases(parseOptions(raw, optionsPath, context));
}
