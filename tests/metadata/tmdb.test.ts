import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CATALOGUE, startMetadataStandin, type MetadataStandin } from '../../src/demo/metadata-standin.js';
import type { LookupContext } from '../../src/metadata/fetch-json.js';
import { MetadataLookup } from '../../src/metadata/lookup.js';
import { searchTmdb } from '../../src/metadata/tmdb.js';
import { makeTempDir } from '../helpers/tmp.js';

const silent = pino({ level: 'silent' });

describe('TMDB v3 search against the stand-in', () => {
  let standin: MetadataStandin;
  const ctx: LookupContext = { userAgent: 'disk2iso-test', timeoutMs: 5_000, cache: null, logger: silent };
  beforeAll(async () => {
    standin = await startMetadataStandin(DEMO_CATALOGUE);
  });
  afterAll(async () => standin.close());
  const opts = (apiKey = 'demo-key') => ({ apiKey, language: 'de-DE', baseUrl: `${standin.baseUrl}/3`, imageUrl: `${standin.baseUrl}/t/p` });

  it('films then series, with year, overview and the w342 poster address; key and language sent', async () => {
    const found = await searchTmdb(ctx, 'my movie', opts());
    expect(found.map((c) => [c.id, c.kind, c.title, c.year, c.cover_url])).toEqual([
      ['tmdb:movie-9001', 'movie', 'My Movie', 2004, `${standin.baseUrl}/t/p/w342/my-movie-2004.jpg`],
      ['tmdb:movie-9002', 'movie', 'My Movie', 2019, `${standin.baseUrl}/t/p/w342/my-movie-2019.jpg`],
      ['tmdb:tv-9101', 'tv', 'My Movie: The Series', 2021, `${standin.baseUrl}/t/p/w342/my-movie-series.jpg`],
    ]);
    const search = new URL(standin.requests.at(-2)?.url ?? '', 'http://x');
    expect(search.pathname).toBe('/3/search/movie');
    expect(Object.fromEntries(search.searchParams)).toMatchObject({ api_key: 'demo-key', query: 'my movie', language: 'de-DE' });
  });

  it('a wrong key is TMDB 401: a LookupError; the lookup service makes it a note, never a throw', async () => {
    await expect(searchTmdb(ctx, 'my movie', opts('wrong'))).rejects.toMatchObject({ name: 'LookupError', reason: 'http' });
    const lookup = new MetadataLookup(
      { enabled: true, tmdbApiKey: 'wrong', language: 'en', cacheDir: null, userAgent: 'x', requestTimeoutMs: 5_000, urls: { tmdb: `${standin.baseUrl}/3` } },
      silent,
    );
    const found = await lookup.lookUp({ kind: 'video', label: 'MY_MOVIE_DISC_1' });
    expect(found.candidates).toEqual([]);
    expect(found.notes.map((n) => [n.code, n.params])).toEqual([['note_lookup_failed', { service: 'TMDB', error: 'HTTP 401' }]]);
    expect((await lookup.lookUp({ kind: 'video', label: 'DVD_VIDEO' })).notes.map((n) => n.code)).toEqual(['note_no_title']);
    expect((await lookup.lookUp({ kind: 'none' })).notes).toEqual([]);
  });

  it('the disk cache answers a repeated search (and its covers) without a request', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const settings = { enabled: true, tmdbApiKey: 'demo-key', language: 'en', cacheDir: dir, userAgent: 'x', requestTimeoutMs: 5_000, urls: { tmdb: `${standin.baseUrl}/3`, tmdbImage: `${standin.baseUrl}/t/p` } };
      const first = new MetadataLookup(settings, silent);
      const found = await first.lookUp({ kind: 'video', label: 'MY_MOVIE' });
      await first.withCovers(found.candidates, `${dir}/covers-a`);
      const before = standin.requests.length;
      const again = new MetadataLookup(settings, silent);
      const cached = await again.lookUp({ kind: 'video', label: 'MY_MOVIE' });
      const withCovers = await again.withCovers(cached.candidates, `${dir}/covers-b`);
      expect(cached.candidates.map((c) => c.id)).toEqual(found.candidates.map((c) => c.id));
      expect(withCovers.every((c) => c.cover_file !== null)).toBe(true);
      expect(standin.requests.length).toBe(before);
    } finally {
      await cleanup();
    }
  });
});
