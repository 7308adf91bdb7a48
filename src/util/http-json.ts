import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface JsonResponse {
  readonly status: number;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  readonly body: unknown;
}

export class HttpTimeoutError extends Error {
  constructor(readonly url: string, readonly timeoutMs: number) {
    super(`${url} did not answer within ${timeoutMs} ms`);
    this.name = 'HttpTimeoutError';
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * A small JSON request over node:http(s). The watcher processes use this instead of fetch():
 * fetch loads undici, about 11 MiB of resident memory the MQTT bridge cannot afford.
 */
export function requestJson(
  url: URL,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs: number },
): Promise<JsonResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error(`${url.href}: answer larger than ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text.length > 0 ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(new HttpTimeoutError(url.href, options.timeoutMs)), options.timeoutMs);
    timer.unref();
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(options.body);
  });
}
