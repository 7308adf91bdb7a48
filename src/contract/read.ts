import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

export type ReadResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'missing' | 'invalid_json' | 'invalid_schema'; detail: string };

/** Reads and validates one contract file; never throws for a missing or invalid file. */
export async function readContractFile<S extends z.ZodType>(
  path: string,
  schema: S,
): Promise<ReadResult<z.infer<S>>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, reason: 'missing', detail: (error as Error).message };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: 'invalid_json', detail: (error as Error).message };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'invalid_schema', detail: parsed.error.message };
  return { ok: true, value: parsed.data as z.infer<S> };
}

/** The value of a contract file, or `null` when it is missing or invalid. */
export async function readContractValue<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | null> {
  const result = await readContractFile(path, schema);
  return result.ok ? result.value : null;
}

/** The part of a pino logger contract readers use (contract/ does not import log/). */
export interface ContractLog {
  warn(obj: object, msg: string, ...args: unknown[]): void;
  info(obj: object, msg: string, ...args: unknown[]): void;
}

/**
 * The one rule for a contract file read again and again (the watcher, the web's snapshots):
 * missing reads as null; invalid (torn JSON, wrong schema) keeps the last good value and is
 * logged once, until the file is valid (or gone) again.
 */
export class LastGoodReader {
  readonly #values = new Map<string, unknown>();
  readonly #invalid = new Set<string>();

  constructor(private readonly log: ContractLog) {}

  async read<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | null> {
    const result = await readContractFile(path, schema);
    if (result.ok || result.reason === 'missing') {
      if (this.#invalid.delete(path)) this.log.info({ path }, 'the contract file %s is no longer invalid', path);
      const value = result.ok ? result.value : null;
      this.#values.set(path, value);
      return value;
    }
    if (!this.#invalid.has(path)) {
      this.#invalid.add(path);
      this.log.warn({ path, reason: result.reason }, 'ignoring an invalid contract file %s (%s: %s); keeping its last good value', path, result.reason, result.detail);
    }
    return this.#values.get(path) ?? null;
  }
}
