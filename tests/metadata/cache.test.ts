import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MetadataCache } from '../../src/metadata/cache.js';
import { makeTempDir } from '../helpers/tmp.js';

const DAY = 24 * 3600 * 1000;

describe('the metadata cache on disk', () => {
  let cleanup: () => Promise<void> = async () => {};
  afterEach(() => cleanup());

  it('keeps what it was given and gives it back; another key is a miss', async () => {
    const made = await makeTempDir();
    cleanup = made.cleanup;
    const cache = new MetadataCache(join(made.dir, 'metadata-cache'));
    await cache.putAnswer('tmdb:search:my movie', 200, '{"results":[]}');
    await cache.putCover('https://image.example/p.jpg', Buffer.from([0xff, 0xd8, 0xff]));
    expect(await cache.answer('tmdb:search:my movie')).toEqual({ status: 200, body: '{"results":[]}' });
    expect(await cache.answer('tmdb:search:other')).toBeNull();
    expect((await cache.cover('https://image.example/p.jpg'))?.toString('hex')).toBe('ffd8ff');
  });

  it('prunes files older than 30 days, crash leftovers, then the oldest until it fits its size', async () => {
    const made = await makeTempDir();
    cleanup = made.cleanup;
    const root = join(made.dir, 'metadata-cache');
    const now = Date.now();
    const file = async (sub: string, name: string, bytes: number, ageMs: number) => {
      await mkdir(join(root, sub), { recursive: true });
      const path = join(root, sub, name);
      await writeFile(path, Buffer.alloc(bytes, 1));
      const when = new Date(now - ageMs);
      await utimes(path, when, when);
    };
    await file('answers', 'expired.json', 10, 31 * DAY);
    await file('answers', 'fresh.json', 10, 1 * DAY);
    await file('answers', 'left.json.123.tmp', 10, 2 * 3600 * 1000);
    await file('covers', 'oldest.img', 400, 20 * DAY);
    await file('covers', 'older.img', 400, 10 * DAY);
    await file('covers', 'new.img', 400, 2 * DAY);
    await file('covers', 'writing.img.456.tmp', 10, 60 * 1000);

    const result = await new MetadataCache(root).prune(1000, now);
    expect(result).toEqual({ removed: 3, kept: 4, bytes: 820 });
    expect((await readdir(join(root, 'answers'))).sort()).toEqual(['fresh.json']);
    expect((await readdir(join(root, 'covers'))).sort()).toEqual(['new.img', 'older.img', 'writing.img.456.tmp']);
    // Nothing to prune, or no cache folder yet: nothing removed, no error.
    expect((await new MetadataCache(root).prune(1000, now)).removed).toBe(0);
    expect(await new MetadataCache(join(made.dir, 'none')).prune()).toEqual({ removed: 0, kept: 0, bytes: 0 });
  });
});
