import { errorMessage } from '../util/errors.js';

/** Why a metadata request gave nothing usable; the lookup turns it into a note, never a failed copy. */
export class LookupError extends Error {
  constructor(
    readonly service: string,
    readonly reason: 'offline' | 'timeout' | 'http' | 'too_large' | 'invalid',
    detail: string,
  ) {
    super(`${service}: ${detail}`);
    this.name = 'LookupError';
  }
}

export interface GetOptions {
  /** Service name for errors and logs (`musicbrainz`, `tmdb`, `coverart`). */
  readonly service: string;
  readonly userAgent: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal;
  readonly accept?: string;
}

export interface GetResult {
  readonly status: number;
  readonly body: Buffer;
  readonly contentType: string | null;
}

/**
 * GET `url` (redirects followed) with a User-Agent, a time limit and a size cap; the body is read
 * only for 2xx and 404 answers. Throws `LookupError` for the network, the time limit and the cap.
 */
export async function getBounded(url: string, opts: GetOptions): Promise<GetResult> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { signal, redirect: 'follow', headers: { 'User-Agent': opts.userAgent, Accept: opts.accept ?? 'application/json' } });
  } catch (error) {
    throw new LookupError(opts.service, timeout.aborted ? 'timeout' : 'offline', timeout.aborted ? `no answer within ${opts.timeoutMs} ms` : errorMessage(error));
  }
  const contentType = response.headers.get('content-type');
  if (!response.ok && response.status !== 404) {
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status, body: Buffer.alloc(0), contentType };
  }
  try {
    return { status: response.status, body: await readBounded(response, opts.maxBytes, opts.service), contentType };
  } catch (error) {
    if (error instanceof LookupError) throw error;
    throw new LookupError(opts.service, timeout.aborted ? 'timeout' : 'offline', errorMessage(error));
  }
}

async function readBounded(response: Response, limit: number, service: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new LookupError(service, 'too_large', `answer too large (${declared} bytes)`);
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new LookupError(service, 'too_large', `answer larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * One request at a time, at least `intervalMs` apart (MusicBrainz asks for 1 request/s per
 * client): callers queue in order; a cancelled caller gives up its place.
 */
export class Pacer {
  #next = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(readonly intervalMs: number) {}

  /** Resolves when it is this caller's turn (and counts it as a request). */
  turn(signal?: AbortSignal): Promise<void> {
    const mine = this.#queue.then(async () => {
      const wait = this.#next - Date.now();
      if (wait > 0) await sleep(wait, signal);
      this.#next = Date.now() + this.intervalMs;
    });
    this.#queue = mine.catch(() => undefined);
    return mine;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
