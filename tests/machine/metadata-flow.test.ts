import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, AttributesSchema, readContractValue, type Attributes } from '../../src/contract/index.js';
import type { Config } from '../../src/config/index.js';
import { readImageMetadata } from '../../src/copy/index.js';
import { DEMO_CATALOGUE, startMetadataStandin, type MetadataStandin, type StandinCatalogue } from '../../src/demo/metadata-standin.js';
import { simInsert, simRemoveDisc } from '../../src/drive/index.js';
import { historyFromRecords } from '../../src/machine/history-rebuild.js';
import { makeDvdVideo } from '../helpers/dvd-video.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { useSimCore } from '../helpers/sim-core.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

async function attributes(config: Config): Promise<Attributes | null> {
  return readContractValue(apiPaths(config.api_dir).attributes('sim0'), AttributesSchema);
}

/** The environment pointing the core at the stand-in; restored after each test. */
function useStandinEnv(standin: () => MetadataStandin): void {
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [key, value] of Object.entries(standin().env())) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}

describe('metadata before the copy: a DVD-Video looked up in TMDB, through the real core', () => {
  const fx = useSimCore();
  let standin: MetadataStandin;
  let dvd = '';
  let cleanupDvd: () => Promise<void> = async () => {};
  beforeAll(async () => {
    standin = await startMetadataStandin(DEMO_CATALOGUE);
    const made = await makeTempDir();
    cleanupDvd = made.cleanup;
    await mkdir(join(made.dir, 'dvd'), { recursive: true });
    dvd = (await makeDvdVideo(join(made.dir, 'dvd'), 'MY_MOVIE_DISC_1')).iso;
  }, 120_000);
  afterAll(async () => {
    await standin.close();
    await cleanupDvd();
  });
  useStandinEnv(() => standin);
  afterEach(() => {
    standin.catalogue = DEMO_CATALOGUE;
  });

  const config = (extra: Record<string, unknown> = {}): Config =>
    testConfig(fx.dir, [fx.sim], { tmdb_api_key: 'demo-key', dvd_video_mode: 'raw', eject_after_copy: false, ...extra });

  it('several matches: waits with the candidates and their covers; select_metadata names the ISO `Title (Year)` with cover, NFO, history and record', { timeout: 60_000 }, async () => {
    const cfg = config();
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, dvd);
    await waitForState(cfg, 'sim0', 'waiting_for_metadata');
    const waiting = await attributes(cfg);
    const pending = waiting?.pending;
    expect(pending?.awaiting).toBe('metadata');
    expect(pending?.query).toBe('My Movie');
    expect(pending?.candidates.map((c) => [c.id, c.title, c.year])).toEqual([
      ['tmdb:movie-9001', 'My Movie', 2004],
      ['tmdb:movie-9002', 'My Movie', 2019],
      ['tmdb:tv-9101', 'My Movie: The Series', 2021],
    ]);
    expect(pending?.default_id).toBe('tmdb:movie-9001');
    expect(Date.parse(pending?.deadline ?? '') - Date.now()).toBeGreaterThan(60_000);
    // Every cover downloaded and checked into drives/sim0/covers/.
    const covers = apiPaths(cfg.api_dir).covers('sim0');
    for (const c of pending?.candidates ?? []) {
      expect(c.cover_file, c.id).toMatch(/\.png$/);
      expect((await readFile(join(covers, c.cover_file ?? ''))).subarray(1, 4).toString()).toBe('PNG');
    }
    // The TMDB key went to TMDB only, with the language; the User-Agent names disk2iso.
    const search = standin.requests.find((r) => r.url.startsWith('/3/search/movie'));
    expect(new URL(search?.url ?? '', 'http://x').searchParams.get('language')).toBe('en');
    expect(search?.headers['user-agent']).toMatch(/^disk2iso\/\d+\.\d+\.\d+ \(/);
    expect(standin.requests.filter((r) => r.url.startsWith('/t/p/')).every((r) => !r.url.includes('api_key'))).toBe(true);

    // An unknown candidate is refused; the remake is chosen.
    expect(await fx.core.control.execute('sim0', { action: 'select_metadata', candidate_id: 'tmdb:movie-1' })).toMatchObject({ ok: false, status: 404, code: 'cmd_unknown_candidate' });
    expect(await fx.core.control.execute('sim0', { action: 'select_metadata', candidate_id: 'tmdb:movie-9002' })).toMatchObject({ ok: true, code: 'cmd_metadata_selected' });
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(entry?.result).toBe('success');
    const output = join(fx.dir, 'output');
    expect(relative(output, entry?.image_path ?? '')).toBe('dvd/My_Movie (2019).iso');
    expect(entry?.metadata).toMatchObject({ source: 'tmdb', source_id: 'movie-9002', kind: 'movie', title: 'My Movie', year: 2019, chosen_by: 'user' });
    expect(entry?.disc_label).toBe('MY_MOVIE_DISC_1');
    const cover = join(output, 'dvd', 'My_Movie (2019).png');
    expect(entry?.cover_path).toBe(cover);
    expect((await readFile(cover)).subarray(1, 4).toString()).toBe('PNG');
    const nfo = await readFile(join(output, 'dvd', 'My_Movie (2019).nfo'), 'utf8');
    expect(nfo).toContain('<movie>');
    expect(nfo).toContain('<title>My Movie</title>');
    expect(nfo).toContain('<year>2019</year>');
    expect(nfo).toContain('<plot>The remake, with more covers.</plot>');
    expect(nfo).toContain('<uniqueid type="tmdb" default="true">9002</uniqueid>');
    // The record beside the image carries the choice; the history rebuilt from records too.
    expect((await readImageMetadata(entry?.image_path ?? ''))?.metadata).toMatchObject({ source_id: 'movie-9002', chosen_by: 'user' });
    const rebuilt = (await historyFromRecords(output))[0];
    expect(rebuilt?.metadata).toMatchObject({ source: 'tmdb', source_id: 'movie-9002' });
    expect(rebuilt?.cover_path).toBe(cover);
    // Attributes while copying/after: the metadata, nothing pending.
    const after = await attributes(cfg);
    expect(after?.pending ?? null).toBeNull();
    expect(after?.metadata?.source_id).toBe('movie-9002');
    expect(basename(after?.target_path ?? '')).toBe('My_Movie (2019).iso');
    // The disc leaves: its covers go.
    await simRemoveDisc(fx.sim);
    await waitForState(cfg, 'sim0', 'waiting_for_media');
    expect(await readdir(apiPaths(cfg.api_dir).covers('sim0')).catch(() => [])).toEqual([]);
  });

  it('one match: copies without waiting, named after it (single_match)', { timeout: 60_000 }, async () => {
    standin.catalogue = { ...DEMO_CATALOGUE, titles: DEMO_CATALOGUE.titles.filter((t) => t.id === 9001) } satisfies StandinCatalogue;
    const cfg = config();
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, dvd);
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(basename(entry?.image_path ?? '')).toBe('My_Movie (2004).iso');
    expect(entry?.metadata?.chosen_by).toBe('single_match');
    expect(await exists(join(fx.dir, 'output', 'dvd', 'My_Movie (2004).png'))).toBe(true);
  });
});
