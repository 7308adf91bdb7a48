import type { z } from 'zod';
import type { Logger } from '../log/index.js';
import type { MetadataCache } from './cache.js';
import { getBounded, LookupError, type Pacer } from './http.js';

/** What every lookup of one disc shares: who we are, how long we wait, where answers are kept. */
export interface LookupContext {
  readonly userAgent: string;
  /** Per request. */
  readonly timeoutMs: number;
  /** The whole lookup's end (the disc left, the time limit). */
  readonly signal?: AbortSignal;
  readonly cache: MetadataCache | null;
  readonly logger: Logger;
}

/** A JSON answer is a few kB to a few hundred kB; anything larger is not one. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;

export interface JsonRequest<T> {
  readonly service: string;
  readonly url: string;
  /** The request without secrets (the TMDB key): what the cache is keyed by. */
  readonly cacheKey: string;
  readonly schema: z.ZodType<T>;
  readonly pacer?: Pacer;
}

/**
 * A validated JSON answer, from the cache when it has one; null for 404 (not known there).
 * Throws `LookupError` for everything else: the caller notes it and goes on without.
 */
export async function getJson<T>(ctx: LookupContext, req: JsonRequest<T>): Promise<T | null> {
  const cached = await ctx.cache?.answer(req.cacheKey);
  let status: number;
  let text: string;
  if (cached) {
    ({ status, body: text } = cached);
  } else {
    await req.pacer?.turn(ctx.signal);
    const answer = await getBounded(req.url, { service: req.service, userAgent: ctx.userAgent, timeoutMs: ctx.timeoutMs, maxBytes: MAX_JSON_BYTES, signal: ctx.signal });
    status = answer.status;
    text = answer.body.toString('utf8');
    if (status !== 200 && status !== 404) throw new LookupError(req.service, 'http', `HTTP ${status}`);
  }
  if (status === 404) {
    if (!cached) await ctx.cache?.putAnswer(req.cacheKey, 404, '');
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LookupError(req.service, 'invalid', 'answer is not JSON');
  }
  const parsed = req.schema.safeParse(json);
  if (!parsed.success) {
    ctx.logger.warn({ service: req.service, issues: parsed.error.issues.slice(0, 3) }, '%s answer not understood', req.service);
    throw new LookupError(req.service, 'invalid', 'answer not understood');
  }
  if (!cached) await ctx.cache?.putAnswer(req.cacheKey, 200, text);
  return parsed.data;
}
