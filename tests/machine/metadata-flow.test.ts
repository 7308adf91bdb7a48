import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, AttributesSchema, readContractValue, type Attributes } from '../../src/contract/index.js';
import type { Config } from '../../src/config/index.js';
import { readImageMetadata } from '../../src/copy/index.js';
import { DEMO_CATALOGUE, startMetadataStandin, type MetadataStandin, type StandinCatalogue } from '../../src/demo/metadata-standin.js';
import { simInsert, simRemoveDisc } from '../../src/drive/index.js';
import { historyFromRecords } from '../../src/machine/history-rebuild.js';
import { resolveArchivePath } from '../../src/web/archive-fs.js';
import { deleteArchiveItem } from '../../src/web/archive-ops.js';
import { makeDvdVideo } from '../helpers/dvd-video.js';
import { driveState, history, stateTrail, startTestCore, testConfig, waitForState } from '../helpers/core.js';
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
    // Deleting the image from the archive page takes its cover and NFO along.
    const item = await resolveArchivePath(output, 'dvd/My_Movie (2019).iso');
    expect((await deleteArchiveItem(item)).sort()).toEqual(['dvd/My_Movie (2019).iso', 'dvd/My_Movie (2019).iso.disk2iso.json', 'dvd/My_Movie (2019).iso.sha256', 'dvd/My_Movie (2019).nfo', 'dvd/My_Movie (2019).png']);
    expect(await readdir(join(output, 'dvd'))).toEqual([]);
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
  it('the time limit takes the default (chosen_by timeout)', { timeout: 60_000 }, async () => {
    const cfg = config();
    fx.core = await startTestCore(cfg, { metadataTimeoutMs: 400 });
    await simInsert(fx.sim, dvd);
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(basename(entry?.image_path ?? '')).toBe('My_Movie (2004).iso');
    expect(entry?.metadata).toMatchObject({ source_id: 'movie-9001', chosen_by: 'timeout' });
    expect(await stateTrail(cfg, 'sim0')).toContain('waiting_for_metadata');
  });

  it('skip_metadata: the label names the ISO; no cover, no NFO', { timeout: 60_000 }, async () => {
    const cfg = config();
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, dvd);
    await waitForState(cfg, 'sim0', 'waiting_for_metadata');
    expect(await fx.core.control.execute('sim0', { action: 'skip_metadata' })).toMatchObject({ ok: true, code: 'cmd_metadata_skipped' });
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(basename(entry?.image_path ?? '')).toBe('MY_MOVIE_DISC_1.iso');
    expect(entry?.metadata).toMatchObject({ source: 'label', title: 'MY_MOVIE_DISC_1', chosen_by: 'skipped', cover_file: null });
    expect(entry?.cover_path).toBeNull();
    expect((await readdir(join(fx.dir, 'output', 'dvd'))).sort()).toEqual(['MY_MOVIE_DISC_1.iso', 'MY_MOVIE_DISC_1.iso.disk2iso.json', 'MY_MOVIE_DISC_1.iso.sha256']);
  });

  it('set_title: the typed title names the ISO (made safe) and its NFO; answers are refused once the drive copies', { timeout: 60_000 }, async () => {
    const cfg = config();
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, dvd);
    await waitForState(cfg, 'sim0', 'waiting_for_metadata');
    expect(await fx.core.control.execute('sim0', { action: 'set_title', title: "Mein Film: Director's <Cut>" })).toMatchObject({ ok: true, code: 'cmd_title_set' });
    expect(await fx.core.control.execute('sim0', { action: 'skip_metadata' })).toMatchObject({ ok: false, status: 409 });
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(basename(entry?.image_path ?? '')).toBe('Mein_Film_Director_s_Cut.iso');
    expect(entry?.metadata).toMatchObject({ source: 'user', source_id: null, title: "Mein Film: Director's <Cut>", chosen_by: 'typed' });
    const nfo = await readFile(join(fx.dir, 'output', 'dvd', 'Mein_Film_Director_s_Cut.nfo'), 'utf8');
    expect(nfo).toContain('<title>Mein Film: Director&apos;s &lt;Cut&gt;</title>');
    expect(nfo).not.toContain('uniqueid');
  });

  it('search_metadata: new candidates and a new deadline, the drive keeps waiting; then a series is chosen (<tvshow> NFO)', { timeout: 60_000 }, async () => {
    const cfg = config();
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, dvd);
    await waitForState(cfg, 'sim0', 'waiting_for_metadata');
    const before = (await attributes(cfg))?.pending;
    expect(await fx.core.control.execute('sim0', { action: 'search_metadata', query: 'the series' })).toMatchObject({ ok: true, code: 'cmd_metadata_searched', params: { count: 1 } });
    const after = (await attributes(cfg))?.pending;
    expect(after?.query).toBe('the series');
    expect(after?.candidates.map((c) => c.id)).toEqual(['tmdb:tv-9101']);
    expect(after?.default_id).toBe('tmdb:tv-9101');
    expect(after?.candidates[0]?.cover_file).toMatch(/\.png$/);
    expect(Date.parse(after?.deadline ?? '')).toBeGreaterThanOrEqual(Date.parse(before?.deadline ?? ''));
    // A search with no match keeps the candidates and says so.
    expect(await fx.core.control.execute('sim0', { action: 'search_metadata', query: 'zzz nothing' })).toMatchObject({ ok: true, params: { count: 0 } });
    const none = (await attributes(cfg))?.pending;
    expect(none?.candidates.map((c) => c.id)).toEqual(['tmdb:tv-9101']);
    expect(none?.notes).toEqual([{ code: 'note_no_match', params: { query: 'zzz nothing' } }]);
    expect(await driveState(cfg, 'sim0')).toBe('waiting_for_metadata');
    await fx.core.control.execute('sim0', { action: 'select_metadata', candidate_id: 'tmdb:tv-9101' });
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    expect(basename((await history(cfg))?.entries[0]?.image_path ?? '')).toBe('My_Movie_The_Series (2021).iso');
    expect(await readFile(join(fx.dir, 'output', 'dvd', 'My_Movie_The_Series (2021).nfo'), 'utf8')).toContain('<tvshow>');
  });

  it('auto-copy off: waits for Start (awaiting start, candidates shown, no deadline); Start takes the default', { timeout: 60_000 }, async () => {
    const cfg = config({ auto_copy: false });
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, dvd);
    await waitForState(cfg, 'sim0', 'waiting_for_metadata');
    const pending = (await attributes(cfg))?.pending;
    expect(pending).toMatchObject({ awaiting: 'start', deadline: null, default_id: 'tmdb:movie-9001' });
    expect(pending?.candidates).toHaveLength(3);
    expect(await fx.core.control.execute('sim0', { action: 'start' })).toMatchObject({ ok: true });
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    expect((await history(cfg))?.entries[0]?.metadata).toMatchObject({ source_id: 'movie-9001', chosen_by: 'start' });
  });

  it('no TMDB key: no request, no wait, the label names the ISO; with auto-copy off the note is shown while waiting', { timeout: 60_000 }, async () => {
    const before = standin.requests.length;
    const cfg = config({ tmdb_api_key: '' });
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, dvd);
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(basename(entry?.image_path ?? '')).toBe('MY_MOVIE_DISC_1.iso');
    expect(entry?.metadata).toMatchObject({ source: 'label', chosen_by: 'none' });
    expect(await stateTrail(cfg, 'sim0')).not.toContain('waiting_for_metadata');
    expect(standin.requests.length).toBe(before);
    await fx.core.stop();
    fx.core = null;

    const off = testConfig(fx.dir, [fx.sim], { tmdb_api_key: '', auto_copy: false, dvd_video_mode: 'raw', eject_after_copy: false, duplicate_policy: 'suffix' });
    await simRemoveDisc(fx.sim);
    fx.core = await startTestCore(off);
    await waitForState(off, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, dvd);
    await waitFor(async () => (await attributes(off))?.pending?.awaiting === 'start', { timeoutMs: 30_000, message: 'waiting for Start' });
    expect((await attributes(off))?.pending?.notes).toEqual([{ code: 'note_tmdb_no_key', params: {} }]);
  });

  it('TMDB unreachable (offline): no wait, the label names the ISO, the copy is not held', { timeout: 60_000 }, async () => {
    const saved = process.env.DISK2ISO_TMDB_URL;
    process.env.DISK2ISO_TMDB_URL = 'http://127.0.0.1:9/3';
    try {
      const cfg = config();
      fx.core = await startTestCore(cfg);
      await simInsert(fx.sim, dvd);
      await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
      const entry = (await history(cfg))?.entries[0];
      expect(entry?.result).toBe('success');
      expect(basename(entry?.image_path ?? '')).toBe('MY_MOVIE_DISC_1.iso');
      expect(entry?.metadata?.chosen_by).toBe('none');
    } finally {
      process.env.DISK2ISO_TMDB_URL = saved;
    }
  });

  it('the answers are cached on disk: the same disc again, even after a restart, asks nothing', { timeout: 60_000 }, async () => {
    standin.catalogue = { ...DEMO_CATALOGUE, titles: DEMO_CATALOGUE.titles.filter((t) => t.id === 9001) };
    const cfg = config();
    fx.core = await startTestCore(cfg);
    const start = standin.requests.length;
    await simInsert(fx.sim, dvd);
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the first copy' });
    const asked = standin.requests.length - start;
    expect(asked).toBe(3); // search/movie, search/tv, the poster
    await fx.core.stop();
    await simRemoveDisc(fx.sim);
    fx.core = await startTestCore(cfg);
    await waitForState(cfg, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, dvd);
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 1, { timeoutMs: 30_000, message: 'the second copy' });
    expect(standin.requests.length - start).toBe(asked);
    const second = (await history(cfg))?.entries[0];
    expect(basename(second?.image_path ?? '')).toBe('My_Movie (2004)_1.iso');
    expect(second?.metadata?.cover_file).toMatch(/\.png$/);
    expect(await exists(join(fx.dir, 'output', 'dvd', 'My_Movie (2004)_1.png'))).toBe(true);
  });

  it('hostile metadata: `../` and markup titles, 10 kB of text, a cover that is HTML and one of 50 MB — safe names, no such covers, no crash', { timeout: 90_000 }, async () => {
    const long = 'Long '.repeat(2_000);
    standin.catalogue = {
      tmdbApiKey: 'demo-key',
      titles: [
        { id: 1, kind: 'movie', title: '../../etc/passwd My Movie', date: '1999-01-01', overview: long, poster: '/html.jpg' },
        { id: 2, kind: 'movie', title: '<script>alert(1)</script> My Movie \u202Egpj.exe', date: 'not a date', overview: '</plot>', poster: '/huge.jpg' },
        { id: 3, kind: 'movie', title: `My Movie ${long}`, date: '2001-01-01', overview: null as unknown as string, poster: '/../../secret.jpg' },
      ],
      releases: [],
      images: { '/w342/html.jpg': Buffer.from('<html><script>alert(1)</script></html>'), '/w342/huge.jpg': 'huge' },
    };
    const cfg = config();
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, dvd);
    await waitForState(cfg, 'sim0', 'waiting_for_metadata', 60_000);
    const pending = (await attributes(cfg))?.pending;
    expect(pending?.candidates.map((c) => c.cover_file)).toEqual([null, null, null]);
    expect(pending?.candidates[2]?.cover_url).toBeNull();
    expect(pending?.candidates[1]?.year).toBeNull();
    expect(pending?.candidates[1]?.title).not.toContain('\u202E');
    expect(pending?.candidates[0]?.overview?.length).toBeLessThanOrEqual(1000);
    expect(pending?.candidates[2]?.title.length).toBeLessThanOrEqual(300);
    expect(await readdir(apiPaths(cfg.api_dir).covers('sim0')).catch(() => [])).toEqual([]);

    await fx.core.control.execute('sim0', { action: 'select_metadata', candidate_id: 'tmdb:movie-1' });
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 30_000, message: 'the copy in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(entry?.result).toBe('success');
    const rel = relative(join(fx.dir, 'output'), entry?.image_path ?? '');
    expect(rel).toBe('dvd/etc_passwd_My_Movie (1999).iso');
    expect(entry?.cover_path).toBeNull();
    const nfo = await readFile(join(fx.dir, 'output', 'dvd', 'etc_passwd_My_Movie (1999).nfo'), 'utf8');
    expect(nfo).toContain('<title>../../etc/passwd My Movie</title>');
    await fx.core.stop();
    fx.core = null;

    // The markup title and the 10 kB title name files safely too.
    for (const [id, expected] of [
      ['tmdb:movie-2', /^script_alert\(1\)_script_My_Movie_gpj\.exe\.iso$/],
      ['tmdb:movie-3', /^My_Movie_(Long_)+L?o?n?g? \(2001\)\.iso$/],
    ] as const) {
      await simRemoveDisc(fx.sim);
      fx.core = await startTestCore(cfg);
      await waitForState(cfg, 'sim0', 'waiting_for_media');
      await simInsert(fx.sim, dvd);
      await waitForState(cfg, 'sim0', 'waiting_for_metadata', 60_000);
      const count = (await history(cfg))?.entries.length ?? 0;
      await fx.core.control.execute('sim0', { action: 'select_metadata', candidate_id: id });
      await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > count, { timeoutMs: 30_000, message: 'the copy in history' });
      const name = basename((await history(cfg))?.entries[0]?.image_path ?? '');
      expect(name).toMatch(expected);
      expect(Buffer.byteLength(name)).toBeLessThanOrEqual(120);
      await fx.core.stop();
      fx.core = null;
    }
  });
});
