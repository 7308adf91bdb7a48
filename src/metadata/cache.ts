import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/** Answers older than this are asked again (a release or a film's data rarely changes). */
const MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** The cache's size past which the oldest files go (covers are at most 5 MB; a few hundred discs fit). */
const MAX_CACHE_BYTES = 100 * 1024 * 1024;
/** A write that a crash cut short leaves `<file>.<pid>.tmp`; one this old is nobody's. */
const STALE_TEMP_MS = 3600 * 1000;

const EntrySchema = z.object({ key: z.string(), stored: z.number(), status: z.number().int(), body: z.string() });

/**
 * Answers of the metadata services on disk (`<data>/metadata-cache/`), so a disc put in again
 * asks nothing: JSON answers (200 and 404) by request, cover images by address. Keys are hashed;
 * the TMDB key is never part of one. A cache that cannot be written only costs a new request.
 */
export class MetadataCache {
  constructor(readonly dir: string) {}

  #file(kind: 'answer' | 'cover', key: string, ext = 'json'): string {
    return join(this.dir, kind === 'answer' ? 'answers' : 'covers', `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.${ext}`);
  }

  async answer(key: string): Promise<{ status: number; body: string } | null> {
    try {
      const entry = EntrySchema.parse(JSON.parse(await readFile(this.#file('answer', key), 'utf8')));
      if (entry.key !== key || Date.now() - entry.stored > MAX_AGE_MS) return null;
      return { status: entry.status, body: entry.body };
    } catch {
      return null;
    }
  }

  async putAnswer(key: string, status: number, body: string): Promise<void> {
    await this.#write(this.#file('answer', key), JSON.stringify({ key, stored: Date.now(), status, body })).catch(() => undefined);
  }

  /** A cover fetched before: its bytes, or null. */
  async cover(url: string): Promise<Buffer | null> {
    return readFile(this.#file('cover', url, 'img')).catch(() => null);
  }

  async putCover(url: string, bytes: Buffer): Promise<void> {
    await this.#write(this.#file('cover', url, 'img'), bytes).catch(() => undefined);
  }

  /**
   * Removes answers and covers written more than 30 days ago, crash leftovers, and then the
   * oldest files until the cache is at most `maxBytes`: it never grows without bound.
   */
  async prune(maxBytes = MAX_CACHE_BYTES, now = Date.now()): Promise<{ removed: number; kept: number; bytes: number }> {
    const files: Array<{ path: string; size: number; mtime: number }> = [];
    for (const sub of ['answers', 'covers']) {
      const dir = join(this.dir, sub);
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const info = await stat(join(dir, name)).catch(() => null);
        if (info?.isFile()) files.push({ path: join(dir, name), size: info.size, mtime: info.mtimeMs });
      }
    }
    const doomed = new Set(files.filter((f) => now - f.mtime > (f.path.endsWith('.tmp') ? STALE_TEMP_MS : MAX_AGE_MS)));
    let bytes = files.reduce((sum, f) => (doomed.has(f) ? sum : sum + f.size), 0);
    for (const f of files.filter((file) => !doomed.has(file)).sort((a, b) => a.mtime - b.mtime)) {
      if (bytes <= maxBytes) break;
      doomed.add(f);
      bytes -= f.size;
    }
    let removed = 0;
    for (const f of doomed) if (await unlink(f.path).then(() => true, () => false)) removed++;
    return { removed, kept: files.length - doomed.size, bytes };
  }

  async #write(path: string, data: string | Buffer): Promise<void> {
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, path);
  }
}
