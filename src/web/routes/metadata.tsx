import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Hono } from 'hono';
import { CoverFileSchema } from '../../contract/index.js';
import type { ContractReader } from '../contract-reader.js';
import type { WebEnv } from '../types.js';
import { MetadataPanel } from '../views/metadata-panel.js';

/** The core checks covers before it keeps them; this is the web server's own limit on what it reads into memory. */
const MAX_COVER_BYTES = 8 * 1024 * 1024;
const COVER_TYPES: Readonly<Record<string, string>> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };

/** The content type of a cover file name, or null for a name the contract does not allow. */
function coverType(file: string): string | null {
  if (!CoverFileSchema.safeParse(file).success) return null;
  return COVER_TYPES[file.slice(file.lastIndexOf('.') + 1)] ?? null;
}

/**
 * The candidates of a drive waiting for the user: their covers (`drives/<id>/covers/<file>`) and
 * the panel as an HTML fragment, which the dashboard script swaps in when the pending choice changes.
 */
export function metadataRoutes(reader: ContractReader): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const notFound = () => new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });

  app.get('/api/drives/:id/covers/:file', async (c) => {
    const id = c.req.param('id');
    const file = c.req.param('file');
    const type = coverType(file);
    if (!reader.knownDrive(id) || type === null) return notFound();
    const path = join(reader.paths.covers(id), file);
    // lstat: a symbolic link (or anything but a plain file) is never followed out of the folder.
    const info = await lstat(path).catch(() => null);
    if (!info?.isFile() || info.size > MAX_COVER_BYTES) return notFound();
    const etag = `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    c.header('Cache-Control', 'private, max-age=300');
    c.header('ETag', etag);
    c.header('X-Content-Type-Options', 'nosniff');
    if (c.req.header('if-none-match') === etag) return c.body(null, 304);
    const bytes = await readFile(path).catch(() => null);
    if (!bytes) return notFound();
    c.header('Content-Type', type);
    return c.body(new Uint8Array(bytes), 200);
  });

  app.get('/api/drives/:id/metadata-panel', async (c) => {
    const id = c.req.param('id');
    if (!reader.knownDrive(id)) return c.json({ ok: false, error: `unknown drive "${id}"` }, 404);
    c.header('Cache-Control', 'no-store');
    return c.html(<MetadataPanel view={await reader.drive(id)} t={c.get('t')} lang={c.get('lang')} />);
  });

  return app;
}
