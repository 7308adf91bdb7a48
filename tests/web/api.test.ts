import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/web/index.js';
import {
  attributes,
  historyEntry,
  makeFixture,
  peerEnv,
  progress,
  status,
  system,
  writeDrive,
  writeHistory,
  type WebFixture,
} from './fixtures.js';
import { writeJsonAtomic } from '../../src/contract/index.js';

let fx: WebFixture;
let app: ReturnType<typeof createApp>;
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers }, peerEnv());

beforeEach(async () => {
  fx = await makeFixture();
  app = createApp(fx.deps);
});
afterEach(async () => {
  await fx.cleanup();
});

describe('REST JSON', () => {
  it('GET /healthz answers {"status":"ok"}', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('api/status is a snapshot of every configured drive, null where files are missing', async () => {
    const body = (await (await get('/api/status')).json()) as { drives: { id: string; status: unknown }[] };
    expect(body.drives).toEqual([{ id: 'sim0', status: null, progress: null, attributes: null }]);
    await writeDrive(fx, { status: status({ state: 'copying', job_id: 'job-1' }), progress: progress(), attributes: attributes() });
    await writeHistory(fx, [historyEntry({ disc_label: 'A' }), historyEntry({ disc_label: 'B', result: 'failed' })]);
    await writeJsonAtomic(fx.paths.system, system());
    const snap = (await (await get('/api/status')).json()) as {
      drives: { id: string; status: { state: string }; progress: { percent: number } }[];
      history: { count: number; recent: unknown[]; archived_total: Record<string, number> };
      system: { version: string };
    };
    expect(snap.drives[0]?.status.state).toBe('copying');
    expect(snap.drives[0]?.progress.percent).toBe(42);
    expect(snap.history.count).toBe(2);
    expect(snap.history.archived_total).toEqual({ sim0: 1 });
    expect(snap.system.version).toBe('0.1.0-test');
    expect(snap.drives).toHaveLength(1);
    expect(body.drives[0]?.id).toBe('sim0');
  });

  it('a contract file that fails its schema reads as null instead of breaking the page', async () => {
    await writeJsonAtomic(fx.paths.status('sim0'), { schema_version: 1, state: 'exploded' });
    const res = await get('/api/drives/sim0');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: unknown }).status).toBeNull();
    expect((await get('/')).status).toBe(200);
  });

  it('api/drives/:id is 404 for a drive that is not configured', async () => {
    const res = await get('/api/drives/nope');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { ok: boolean }).ok).toBe(false);
  });

  it('api/history filters by drive, type and result', async () => {
    await writeHistory(fx, [
      historyEntry({ disc_label: 'A', disc_type: 'dvd-video', result: 'success' }),
      historyEntry({ disc_label: 'B', disc_type: 'cd-rom', result: 'failed', error_message: 'read error' }),
      historyEntry({ disc_label: 'C', disc_type: 'dvd-video', result: 'failed' }),
    ]);
    const labels = async (query: string) =>
      ((await (await get(`/api/history${query}`)).json()) as { entries: { disc_label: string }[] }).entries.map((e) => e.disc_label);
    expect(await labels('')).toEqual(['A', 'B', 'C']);
    expect(await labels('?type=dvd-video')).toEqual(['A', 'C']);
    expect(await labels('?result=failed')).toEqual(['B', 'C']);
    expect(await labels('?type=dvd-video&result=failed')).toEqual(['C']);
    expect(await labels('?drive=other')).toEqual(['A', 'B', 'C']); // unknown value means "all"
    expect(await labels('?limit=1')).toEqual(['A']);
  });

  it('api/history searches, sorts and pages; the History page has the search box, sort and page links', async () => {
    const entries = Array.from({ length: 60 }, (_, i) =>
      historyEntry({
        disc_label: i === 17 ? 'Wedding <video>' : `Disc ${String(i).padStart(2, '0')}`,
        bytes: (i + 1) * 1000,
        finished: `2024-05-01T10:${String(59 - i).padStart(2, '0')}:00.000Z`,
        image_path: `/media/disk2iso/data/D${i}.iso`,
      }),
    );
    await writeHistory(fx, entries);
    type Page = { entries: { disc_label: string; bytes: number }[]; matched: number; offset: number; next_offset: number | null };
    const query = async (q: string) => (await (await get(`/api/history${q}`)).json()) as Page;
    const first = await query('?limit=25');
    expect(first).toMatchObject({ matched: 60, offset: 0, next_offset: 25 });
    expect(first.entries[0]?.disc_label).toBe('Disc 00');
    const last = await query('?limit=25&offset=50');
    expect(last.entries.map((e) => e.disc_label).at(-1)).toBe('Disc 59');
    expect(last.next_offset).toBeNull();
    expect((await query('?q=wedding')).entries.map((e) => e.disc_label)).toEqual(['Wedding <video>']);
    expect((await query('?q=D42.iso')).entries.map((e) => e.disc_label)).toEqual(['Disc 42']);
    expect((await query('?sort=size&limit=1')).entries[0]?.bytes).toBe(60_000);
    expect((await query('?sort=size&order=asc&limit=1')).entries[0]?.bytes).toBe(1000);
    expect((await query('?sort=name&limit=2')).entries.map((e) => e.disc_label)).toEqual(['Disc 00', 'Disc 01']);
    expect((await query('?sort=date&order=asc&limit=1')).entries[0]?.disc_label).toBe('Disc 59');

    const html = await (await get('/history')).text();
    expect(html).toContain('name="q"');
    expect(html.match(/class="history-item"/g)?.length).toBe(50);
    expect(html).toContain('Page 1 of 2');
    expect(html).toContain('href="history?offset=50"');
    const found = await (await get('/history?q=wedding')).text();
    expect(found.match(/class="history-item"/g)?.length).toBe(1);
    expect(found).toContain('Wedding &lt;video&gt;');
    expect(found).toContain('Showing 1 of 1 matching (60 in all)');
    const german = await (await get('/history?offset=50', { 'accept-language': 'de' })).text();
    expect(german).toContain('Seite 2 von 2');
  });

  it('api/logs returns recent lines newest first, filtered by level', async () => {
    fx.logger.info('first info');
    fx.logger.warn('a warning');
    fx.logger.debug('some debug');
    const all = (await (await get('/api/logs')).json()) as { lines: { msg: string; level: string }[] };
    expect(all.lines.map((l) => l.msg).slice(0, 3)).toEqual(['some debug', 'a warning', 'first info']);
    const warn = (await (await get('/api/logs?level=warn')).json()) as { lines: { msg: string; level: string }[] };
    expect(warn.lines.map((l) => l.msg)).toEqual(['a warning']);
    expect(warn.lines[0]?.level).toBe('warn');
  });

  it('api/system combines system.json, drive info and live free space', async () => {
    await writeDrive(fx, { status: status() });
    await writeJsonAtomic(fx.paths.system, system());
    const view = (await (await get('/api/system')).json()) as {
      version: string;
      drives: { id: string; vendor: string; model: string; present: boolean }[];
      core: { tools: Record<string, string | null> };
      free_bytes: number | null;
    };
    expect(view.version).toBe('0.1.0-test');
    expect(view.drives[0]).toMatchObject({ id: 'sim0', vendor: 'ASUS', model: 'BW-16D1HT', present: true });
    expect(view.core.tools.cdparanoia).toBeNull();
    expect(typeof view.free_bytes === 'number' || view.free_bytes === null).toBe(true);
  });

  it('unknown api paths get a JSON 404, unknown pages an HTML 404', async () => {
    const api = await get('/api/nothing');
    expect(api.status).toBe(404);
    expect(api.headers.get('content-type')).toContain('application/json');
    const page = await get('/nothing');
    expect(page.status).toBe(404);
    expect(await page.text()).toContain('<main');
  });
});

describe('pages', () => {
  it('every page renders with relative URLs only', async () => {
    await writeDrive(fx, { status: status({ state: 'copying', job_id: 'job-1' }), progress: progress(), attributes: attributes() });
    await writeHistory(fx, [historyEntry()]);
    for (const path of ['/', '/history', '/archive', '/logs', '/system']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html.startsWith('<!DOCTYPE html>'), path).toBe(true);
      expect(html, path).not.toMatch(/(href|src|action)="\/(?!\/)/);
      expect(html, path).not.toMatch(/(href|src)="https?:/);
      expect(html, path).toContain('src="app.js?v=');
    }
  });

  it('the dashboard shows state, disc and progress from the contract', async () => {
    await writeDrive(fx, { status: status({ state: 'copying', job_id: 'job-1' }), progress: progress({ bad_sectors: 3, bad_ranges: [[0, 2048 * 3]] }), attributes: attributes() });
    const html = await (await get('/', { 'accept-language': 'en' })).text();
    expect(html).toContain('data-state="copying"');
    expect(html).toContain('>Copying<');
    expect(html).toContain('HOLIDAY_2019');
    expect(html).toContain('DVD-ROM');
    expect(html).toMatch(/<progress[^>]*value="42.0"/);
    expect(html).toContain('class="badmap-bad"');
  });

  it('German for a German browser, and the cookie overrides the browser', async () => {
    await writeDrive(fx, { status: status({ state: 'copying' }) });
    const de = await (await get('/', { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' })).text();
    expect(de).toContain('<html lang="de"');
    expect(de).toContain('Kopie abbrechen');
    const en = await (await get('/', { 'accept-language': 'de-DE', cookie: 'disk2iso_lang=en' })).text();
    expect(en).toContain('<html lang="en"');
    expect(en).toContain('Cancel copy');
  });

  it('X-Ingress-Path becomes the base of every relative URL; a hostile value is ignored', async () => {
    const html = await (await get('/', { 'x-ingress-path': '/api/hassio_ingress/AbC123' })).text();
    expect(html).toContain('<base href="/api/hassio_ingress/AbC123/"/>');
    const hostile = await (await get('/', { 'x-ingress-path': '"><script>alert(1)</script>' })).text();
    expect(hostile).not.toContain('<base');
    expect(hostile).not.toContain('<script>alert(1)');
  });
});
