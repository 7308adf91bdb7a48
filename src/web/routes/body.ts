import type { Context } from 'hono';
import type { z } from 'zod';

export type BodyResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Reads a JSON body and validates it; malformed input becomes a message for a 400, never a throw. */
export async function readJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<BodyResult<z.infer<S>>> {
  let text: string;
  try {
    text = await c.req.text();
  } catch {
    return { ok: false, error: 'could not read the request body' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'malformed JSON body' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
    return { ok: false, error: `invalid request: ${issues.join('; ')}` };
  }
  return { ok: true, value: parsed.data as z.infer<S> };
}
