import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/web/index.js';
import { makeFixture, peerEnv, type WebFixture } from './fixtures.js';

/** /app.js and /app.css: the bundle of src/web/browser (tests/setup/browser-assets.ts), served as static files. */
describe('browser assets', () => {
  let fx: WebFixture;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    fx = await makeFixture();
    app = createApp(fx.deps);
  });
  afterAll(() => fx.cleanup());

  it('serves the bundled script and stylesheet with cache headers and an ETag', async () => {
    for (const [path, type] of [
      ['/app.js', 'text/javascript'],
      ['/app.css', 'text/css'],
    ] as const) {
      const res = await app.request(path, {}, peerEnv());
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toContain(type);
      expect(res.headers.get('cache-control'), path).toBe('public, max-age=86400');
      const etag = res.headers.get('etag') ?? '';
      expect(etag, path).toMatch(/^"[\w-]{16}"$/);
      const body = await res.text();
      expect(body).toBe(await readFile(join(process.env.DISK2ISO_WEB_ASSETS ?? '', path.slice(1)), 'utf8'));
      const again = await app.request(path, { headers: { 'if-none-match': etag } }, peerEnv());
      expect(again.status, path).toBe(304);
    }
  });

  it('the script is one small ES2017 IIFE with the shared modules and without zod', async () => {
    const js = await (await app.request('/app.js', {}, peerEnv())).text();
    expect(() => new Script(js)).not.toThrow();
    expect(js.length).toBeLessThan(40 * 1024);
    expect(js).not.toMatch(/\bzod\b|ZodError|require\(/);
    // The server's formatters and the command rules are in it (their words survive minifying).
    expect(js).toContain('KiB');
    expect(js).toContain('waiting_for_metadata');
    const css = await (await app.request('/app.css', {}, peerEnv())).text();
    expect(css).toContain('prefers-color-scheme:dark');
  });
});
