import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { Logger } from '../../log/index.js';
import { errorMessage } from '../../util/errors.js';
import type { WebEnv } from '../types.js';

/**
 * Where the bundled browser code is: `dist/web/assets/` next to the compiled server (`npm run
 * build` bundles src/web/browser there, scripts/build-browser.mjs), or DISK2ISO_WEB_ASSETS (the
 * tests run the server from src/ and bundle into a folder of their own).
 */
function browserAssetsDir(): string {
  return process.env.DISK2ISO_WEB_ASSETS ?? fileURLToPath(new URL('../assets/', import.meta.url));
}

const ASSETS = {
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const;

/** The page's one script and one stylesheet: static files, read once, served with cache headers (no CDN). */
export function assetRoutes(logger: Logger, dir = browserAssetsDir()): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const loaded = new Map<string, { body: string; etag: string }>();
  const load = (file: string): { body: string; etag: string } | null => {
    const hit = loaded.get(file);
    if (hit) return hit;
    try {
      const body = readFileSync(join(dir, file), 'utf8');
      const asset = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
      loaded.set(file, asset);
      return asset;
    } catch (error) {
      logger.error({ err: errorMessage(error), dir }, 'browser assets missing: run "npm run build"');
      return null;
    }
  };
  for (const [path, { file, type }] of Object.entries(ASSETS)) {
    app.get(path, (c) => {
      const asset = load(file);
      if (!asset) return c.text('browser assets missing', 500);
      // URLs carry ?v=<version>, so a day of caching never serves a stale script after an update.
      c.header('Cache-Control', 'public, max-age=86400');
      c.header('ETag', asset.etag);
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
      c.header('Content-Type', type);
      return c.body(asset.body);
    });
  }
  return app;
}
