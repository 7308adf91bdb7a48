import { stat } from 'node:fs/promises';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { parseArchiveQuery } from '../../contract/archive-index.js';
import type { ArchiveService } from '../archive-service.js';
import { contentDisposition, fileStream, parseRange } from '../download.js';
import type { WebEnv } from '../types.js';
import { readJsonBody } from './body.js';

const PathBodySchema = z.object({ path: z.string() }).strict();
const smallBody = bodyLimit({
  maxSize: 16 * 1024,
  onError: (c) => c.json({ ok: false, error: 'request body too large' }, 413),
});

/** The archive: pages of the index, verify on demand, download (with ranges), delete with its sidecars, rescan, scrub. */
export function archiveRoutes(archive: ArchiveService): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  // limit, offset, sort (date|name|size), order (asc|desc), q, group, type, result, check.
  app.get('/api/archive', async (c) => c.json(await archive.list(parseArchiveQuery(c.req.query()))));

  app.post('/api/archive/rescan', async (c) => {
    const result = await archive.rescan();
    return result ? c.json({ ok: true, ...result }) : c.json({ ok: false, error: 'no archive index in this server' }, 503);
  });

  app.post('/api/archive/scrub', async (c) => {
    const result = await archive.scrubNow();
    return result ? c.json({ ok: true, ...result }, 202) : c.json({ ok: false, error: 'no archive index in this server' }, 503);
  });

  app.post('/api/archive/verify', smallBody, async (c) => {
    const body = await readJsonBody(c, PathBodySchema);
    if (!body.ok) return c.json({ ok: false, error: body.error }, 400);
    const result = await archive.verify(body.value.path);
    return c.json({ ok: true, ...result }, 202);
  });

  app.post('/api/archive/delete', smallBody, async (c) => {
    const body = await readJsonBody(c, PathBodySchema);
    if (!body.ok) return c.json({ ok: false, error: body.error }, 400);
    const removed = await archive.delete(body.value.path);
    return c.json({ ok: true, removed });
  });

  app.get('/api/archive/download', async (c) => {
    const item = await archive.resolve(c.req.query('path'));
    if (item.kind !== 'image') return c.json({ ok: false, error: 'only images can be downloaded' }, 400);
    const info = await stat(item.abs);
    const size = info.size;
    const etag = `"${size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    c.header('Accept-Ranges', 'bytes');
    c.header('Content-Type', 'application/x-iso9660-image');
    c.header('Content-Disposition', contentDisposition(item.rel.split('/').at(-1) ?? 'image.iso'));
    c.header('Last-Modified', info.mtime.toUTCString());
    c.header('ETag', etag);
    c.header('Cache-Control', 'private, no-cache');
    const ifRange = c.req.header('if-range');
    const range = ifRange === undefined || ifRange === etag ? parseRange(c.req.header('range'), size) : null;
    if (range === 'unsatisfiable') {
      c.header('Content-Range', `bytes */${size}`);
      return c.body(null, 416);
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    c.header('Content-Length', String(Math.max(0, end - start + 1)));
    if (range) c.header('Content-Range', `bytes ${start}-${end}/${size}`);
    if (c.req.method === 'HEAD' || size === 0) return c.body(null, range ? 206 : 200);
    return c.body(fileStream(item.abs, start, end), range ? 206 : 200);
  });

  return app;
}
