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
