import { Hono } from 'hono';
import { CLIENT_SCRIPT } from '../client/script.js';
import { CLIENT_STYLES } from '../client/styles.js';
import type { WebEnv } from '../types.js';

/** The page's one script and one stylesheet, served from strings (no build step, no CDN). */
export function assetRoutes(): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  // URLs carry ?v=<version>, so a day of caching never serves a stale script after an update.
  const cache = 'public, max-age=86400';
  app.get('/app.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', cache);
    return c.body(CLIENT_SCRIPT);
  });
  app.get('/app.css', (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8');
    c.header('Cache-Control', cache);
    return c.body(CLIENT_STYLES);
  });
  return app;
}
