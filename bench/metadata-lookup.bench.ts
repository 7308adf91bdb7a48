import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { DEMO_CATALOGUE, startMetadataStandin } from '../src/demo/metadata-standin.js';
import { MetadataLookup } from '../src/metadata/lookup.js';

/**
 * What a lookup before the copy costs against the loopback stand-in (the network itself is not
 * measured): a TMDB search with three posters, cold and from the disk cache, and the time three
 * MusicBrainz requests take under the 1 request/s rule. Prints milliseconds and request counts.
 */
it('metadata lookup: cold, cached, and MusicBrainz pacing', { timeout: 60_000 }, async () => {
  const standin = await startMetadataStandin(DEMO_CATALOGUE);
  const dir = await mkdtemp(join(tmpdir(), 'disk2iso-bench-metadata-'));
  try {
    const settings = { enabled: true, tmdbApiKey: 'demo-key', language: 'en', cacheDir: join(dir, 'cache'), userAgent: 'disk2iso-bench', requestTimeoutMs: 10_000, urls: { tmdb: `${standin.baseUrl}/3`, tmdbImage: `${standin.baseUrl}/t/p`, musicbrainz: `${standin.baseUrl}/ws/2`, coverArt: `${standin.baseUrl}/coverart` } };
    const silent = pino({ level: 'silent' });
    const run = async (label: string, covers: string): Promise<void> => {
      const lookup = new MetadataLookup(settings, silent);
      const before = standin.requests.length;
      const t0 = performance.now();
      const found = await lookup.lookUp({ kind: 'video', label: 'MY_MOVIE_DISC_1' });
      const withCovers = await lookup.withCovers(found.candidates, join(dir, covers));
      const ms = performance.now() - t0;
      expect(withCovers.filter((c) => c.cover_file !== null)).toHaveLength(3);
      console.log(`${label}: ${ms.toFixed(1)} ms, ${standin.requests.length - before} requests, ${withCovers.length} candidates with covers`);
    };
    await run('TMDB lookup, cold cache', 'a');
    await run('TMDB lookup, from the disk cache', 'b');
    const lookup = new MetadataLookup(settings, silent);
    const t0 = performance.now();
    for (const q of ['one', 'two', 'three']) await lookup.search('audio', q);
    console.log(`3 MusicBrainz searches (1 request/s): ${(performance.now() - t0).toFixed(0)} ms`);
  } finally {
    await standin.close();
    await rm(dir, { recursive: true, force: true });
  }
});
