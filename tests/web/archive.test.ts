import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, symlink, writeFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { ArchiveIndex, archiveControl } from '../../src/archive/index.js';
import { CONTROL_HEADER } from '../../src/contract/index.js';
import { writeImageMetadata } from '../../src/copy/index.js';
import { createApp } from '../../src/web/index.js';
import { makeFixture, peerEnv, waitFor, type WebFixture } from './fixtures.js';

let fx: WebFixture;
let app: ReturnType<typeof createApp>;
let archiveEvents: Array<{ type: string; data: Record<string, unknown> }> = [];
let index: ArchiveIndex;
let iso: Buffer;

interface Listing {
  items: { path: string; group: string; kind: string; size: number; checksum: { status: string; detail?: string | null }; metadata: { disc_label: string | null; result: string | null } | null }[];
}

const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers }, peerEnv());
const post = (path: string, body: unknown) =>
  app.request(path, { method: 'POST', headers: { [CONTROL_HEADER]: '1', 'content-type': 'application/json' }, body: JSON.stringify(body) }, peerEnv());
const listing = async () => (await (await get('/api/archive')).json()) as Listing;
/** What the core does when the folder changed by hand: the UI's "Rescan folder". */
const rescan = async () => expect((await post('/api/archive/rescan', {})).status).toBe(200);

function record(label: string, extra: Partial<Parameters<typeof writeImageMetadata>[1]> = {}): Parameters<typeof writeImageMetadata>[1] {
  return { fingerprint: null, label, disc_type: 'cd-rom', created: '2024-05-01T10:00:00.000Z', bytes: 0, checksums: {}, method: 'block-copy', result: 'success', bad_ranges: [], ...extra };
}

/** A real ISO 9660 image made by genisoimage. */
function makeIso(dir: string, label: string): Buffer {
  execFileSync('genisoimage', ['-quiet', '-V', label, '-o', join(dir, 'tmp.iso'), join(dir, 'src')]);
  return execFileSync('cat', [join(dir, 'tmp.iso')]);
}

beforeEach(async () => {
  fx = await makeFixture();
  await mkdir(join(fx.root, 'src'), { recursive: true });
  await writeFile(join(fx.root, 'src', 'readme.txt'), 'hello archive\n'.repeat(3000));
  iso = makeIso(fx.root, 'HOLIDAY');
  const sha = createHash('sha256').update(iso).digest('hex');
  const md5 = createHash('md5').update(iso).digest('hex');
  for (const group of ['data', 'dvd', 'audio']) await mkdir(join(fx.outputDir, group), { recursive: true });
  await writeFile(join(fx.outputDir, 'data', 'HOLIDAY.iso'), iso);
  await writeFile(join(fx.outputDir, 'data', 'HOLIDAY.iso.sha256'), `${sha}  HOLIDAY.iso\n`);
  await writeFile(join(fx.outputDir, 'data', 'HOLIDAY.iso.md5'), `${md5}  HOLIDAY.iso\n`);
  await writeImageMetadata(join(fx.outputDir, 'data', 'HOLIDAY.iso'), record('Holiday <2019>', { bytes: iso.length }));
  await writeFile(join(fx.outputDir, 'dvd', 'BROKEN.iso'), iso);
  await writeFile(join(fx.outputDir, 'dvd', 'BROKEN.iso.sha256'), `${'0'.repeat(64)}  BROKEN.iso\n`);
  await writeFile(join(fx.outputDir, 'dvd', 'PARTIAL.iso.part'), 'partial');
  await mkdir(join(fx.outputDir, 'audio', 'Some Album'));
  await writeFile(join(fx.outputDir, 'audio', 'Some Album', '01.flac'), 'x'.repeat(1000));
  await writeFile(join(fx.root, 'secret.iso'), 'outside the archive');
  await symlink(join(fx.root, 'secret.iso'), join(fx.outputDir, 'data', 'LINK.iso'));
  // The core's index of the folder, as the core builds it at start.
  index = new ArchiveIndex(fx.outputDir, fx.apiDir, pino({ level: 'silent' }));
  await index.start();
  archiveEvents = [];
  app = createApp({ ...fx.deps, archive: archiveControl(index, undefined, (type, data) => Promise.resolve(archiveEvents.push({ type, data }))) });
});
afterEach(async () => {
  await index.stop();
  await fx.cleanup();
});

describe('archive listing', () => {
  it('lists images by type with sidecars and metadata, skipping partial files and symlinks', async () => {
    const { items } = await listing();
    expect(items.map((i) => i.path).sort()).toEqual(['audio/Some Album', 'data/HOLIDAY.iso', 'dvd/BROKEN.iso']);
    const holiday = items.find((i) => i.path === 'data/HOLIDAY.iso');
    expect(holiday).toMatchObject({ group: 'data', kind: 'image', size: iso.length, checksum: { status: 'unverified' } });
    expect(holiday?.metadata?.disc_label).toBe('Holiday <2019>');
    expect(items.find((i) => i.kind === 'folder')).toMatchObject({ group: 'audio', size: 1000 });
  });

  it('renders the archive page with escaped metadata', async () => {
    const html = await (await get('/archive')).text();
    expect(html).toContain('HOLIDAY.iso');
    expect(html).toContain('Holiday &lt;2019&gt;');
    expect(html).toContain('href="api/archive/download?path=data%2FHOLIDAY.iso"');
  });
});

describe('archive paging, sorting and search', () => {
  it('api/archive answers pages of the index: limit, offset, sort, q and filters', async () => {
    for (let i = 1; i <= 120; i++) {
      const name = `DISC_${String(i).padStart(3, '0')}.iso`;
      const image = join(fx.outputDir, i % 3 === 0 ? 'dvd' : 'data', name);
      await writeFile(image, Buffer.alloc(i));
      await writeImageMetadata(image, record(i === 77 ? 'Wedding 2019' : `Disc ${i}`, { created: new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString(), bytes: i }));
    }
    await rescan();
    type Page = { items: { path: string; size: number }[]; matched: number; total: number; offset: number; next_offset: number | null };
    const page = async (q: string) => (await (await get(`/api/archive${q}`)).json()) as Page;
    const first = await page('');
    expect(first).toMatchObject({ matched: 123, total: 123, offset: 0, next_offset: 50 });
    expect(first.items).toHaveLength(50);
    // Newest first: items without a record by their file's time (now), then by the record's date.
    expect(first.items.slice(0, 2).map((i) => i.path).sort()).toEqual(['audio/Some Album', 'dvd/BROKEN.iso']);
    expect(first.items.slice(2, 4).map((i) => i.path)).toEqual(['data/HOLIDAY.iso', 'dvd/DISC_120.iso']);
    const third = await page('?offset=100&limit=50');
    expect(third.items).toHaveLength(23);
    expect(third.next_offset).toBeNull();
    expect((await page('?sort=name&limit=3')).items.map((i) => i.path)).toEqual(['dvd/BROKEN.iso', 'data/DISC_001.iso', 'data/DISC_002.iso']);
    expect((await page('?sort=size&order=asc&limit=1')).items[0]?.size).toBe(1);
    expect((await page('?q=wedding')).items.map((i) => i.path)).toEqual(['data/DISC_077.iso']);
    expect((await page('?q=disc_07&group=dvd')).items.map((i) => i.path)).toEqual(['dvd/DISC_078.iso', 'dvd/DISC_075.iso', 'dvd/DISC_072.iso']);
    expect((await page('?group=audio')).items.map((i) => i.path)).toEqual(['audio/Some Album']);
    expect((await page('?limit=0')).items).toHaveLength(1);

    const html = await (await get('/archive')).text();
    expect(html.match(/class="archive-item"/g)?.length).toBe(50);
    expect(html).toContain('Page 1 of 3');
    expect(html).toContain('href="archive?offset=50"');
    const sorted = await (await get('/archive?sort=name&offset=50')).text();
    expect(sorted).toContain('Page 2 of 3');
    expect(sorted).toContain('href="archive?sort=name&amp;offset=100"');
    const found = await (await get('/archive?q=wedding')).text();
    expect(found.match(/class="archive-item"/g)?.length).toBe(1);
    expect(found).toContain('value="wedding"');
  });
});

describe('degraded images', () => {
  it('marks an image whose record says degraded, in English and German, and escapes its label', async () => {
    const image = join(fx.outputDir, 'data', 'SCRATCHED.iso');
    await writeFile(image, iso);
    await writeImageMetadata(image, {
      fingerprint: 'f'.repeat(64),
      label: 'Scratched <b>disc</b>',
      disc_type: 'cd-rom',
      created: new Date().toISOString(),
      bytes: iso.length,
      checksums: {},
      method: 'block-copy',
      result: 'degraded',
      bad_ranges: [[2048, 4096]],
    });
    await rescan();
    const item = (html: string, name: string): string => /<li class="archive-item"[^>]*>[\s\S]*?<\/li>/g.exec(html.slice(html.indexOf(`data-path="data/${name}"`) - 40))?.[0] ?? '';
    const en = await (await get('/archive', { 'accept-language': 'en' })).text();
    expect(item(en, 'SCRATCHED.iso')).toContain('data-result="degraded"');
    expect(item(en, 'SCRATCHED.iso')).toContain('>Degraded<');
    expect(item(en, 'SCRATCHED.iso')).toContain('Scratched &lt;b&gt;disc&lt;/b&gt;');
    expect(item(en, 'HOLIDAY.iso')).not.toContain('data-result="degraded"');
    const de = await (await get('/archive', { 'accept-language': 'de' })).text();
    expect(item(de, 'SCRATCHED.iso')).toContain('>Beschädigt<');
    expect(item(de, 'SCRATCHED.iso')).toContain('title="Einige Sektoren der Disc waren unlesbar: dieses Abbild hat Lücken"');
    const { items } = await listing();
    expect(items.find((i) => i.path === 'data/SCRATCHED.iso')?.metadata).toMatchObject({ result: 'degraded' });
  });
});

describe('download', () => {
  it('serves the whole image with length and disposition', async () => {
    const res = await get('/api/archive/download?path=data/HOLIDAY.iso');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(iso.length));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-disposition')).toContain('filename="HOLIDAY.iso"');
    expect(Buffer.from(await res.arrayBuffer()).equals(iso)).toBe(true);
  });

  it('serves byte ranges (206) including the ISO volume descriptor', async () => {
    const res = await get('/api/archive/download?path=data/HOLIDAY.iso', { range: 'bytes=32768-32773' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 32768-32773/${iso.length}`);
    expect(Buffer.from(await res.arrayBuffer()).toString('latin1')).toBe('\x01CD001');
    const tail = await get('/api/archive/download?path=data/HOLIDAY.iso', { range: 'bytes=-10' });
    expect(Buffer.from(await tail.arrayBuffer()).equals(iso.subarray(iso.length - 10))).toBe(true);
    const open = await get('/api/archive/download?path=data/HOLIDAY.iso', { range: `bytes=${iso.length - 4}-` });
    expect(open.headers.get('content-length')).toBe('4');
  });

  it('answers 416 to a range past the end', async () => {
    const res = await get('/api/archive/download?path=data/HOLIDAY.iso', { range: `bytes=${iso.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${iso.length}`);
  });

  it('HEAD answers the headers without a body', async () => {
    const res = await app.request('/api/archive/download?path=data/HOLIDAY.iso', { method: 'HEAD' }, peerEnv());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe(String(iso.length));
  });

  it.each([
    ['parent segments', '../secret.iso', 400],
    ['encoded parent segments', '%2e%2e/secret.iso', 400],
    ['nested parents', 'data/../../secret.iso', 400],
    ['absolute path', '/etc/passwd', 400],
    ['absolute encoded', '%2Fetc%2Fpasswd', 400],
    ['not an image', 'data/HOLIDAY.iso.sha256', 400],
    ['unknown group', 'etc/HOLIDAY.iso', 400],
    ['symlink leaving the folder', 'data/LINK.iso', 403],
    ['missing file', 'data/NOPE.iso', 404],
    ['no path', '', 400],
    ['NUL byte', 'data/HOLIDAY.iso%00', 400],
  ])('refuses %s', async (_name, path, status) => {
    const res = await get(`/api/archive/download?path=${path}`);
    expect(res.status).toBe(status);
    const text = await res.text();
    expect(text).not.toContain('outside the archive');
    expect(text).not.toContain('root:');
  });

  it('refuses a symlinked group folder that points outside', async () => {
    await mkdir(join(fx.root, 'elsewhere'));
    await writeFile(join(fx.root, 'elsewhere', 'X.iso'), 'secret');
    await symlink(join(fx.root, 'elsewhere'), join(fx.outputDir, 'bluray'));
    await rescan();
    expect((await get('/api/archive/download?path=bluray/X.iso')).status).toBe(403);
    expect((await listing()).items.some((i) => i.path.startsWith('bluray/'))).toBe(false);
  });
});

describe('verify', () => {
  it('verifies against the sidecars in the background: ok for a good image, mismatch for a bad one', async () => {
    const started = await post('/api/archive/verify', { path: 'data/HOLIDAY.iso' });
    expect(started.status).toBe(202);
    expect(['queued', 'verifying']).toContain(((await started.json()) as { checksum: { status: string } }).checksum.status);
    await post('/api/archive/verify', { path: 'dvd/BROKEN.iso' });
    const done = await waitFor(async () => {
      const items = (await listing()).items;
      const states = Object.fromEntries(items.map((i) => [i.path, i.checksum.status]));
      return states['data/HOLIDAY.iso'] === 'ok' && states['dvd/BROKEN.iso'] === 'mismatch' ? items : undefined;
    });
    expect(done.find((i) => i.path === 'dvd/BROKEN.iso')?.checksum.detail).toContain('sha256');
    // The same events as the scrub's, marked as the Verify button's.
    await waitFor(() => archiveEvents.length === 2 || undefined);
    expect(archiveEvents).toEqual(
      expect.arrayContaining([
        { type: 'image_verified', data: { path: 'data/HOLIDAY.iso', algorithm: 'sha256', label: 'Holiday <2019>', source: 'verify' } },
      ]),
    );
    expect(archiveEvents.find((e) => e.type === 'image_corrupt')?.data).toMatchObject({ path: 'dvd/BROKEN.iso', reason: 'mismatch', algorithm: 'sha256', source: 'verify' });
    // Whole again is no news: a second check of a verified image writes no event; a mismatch always does.
    await post('/api/archive/verify', { path: 'data/HOLIDAY.iso' });
    await post('/api/archive/verify', { path: 'dvd/BROKEN.iso' });
    await waitFor(() => archiveEvents.length === 3 || undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(archiveEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['image_verified', 'image_corrupt', 'image_corrupt']));
    expect(archiveEvents).toHaveLength(3);
  });

  it('forgets a result when the file changes', async () => {
    await post('/api/archive/verify', { path: 'data/HOLIDAY.iso' });
    await waitFor(async () => (await listing()).items.find((i) => i.path === 'data/HOLIDAY.iso')?.checksum.status === 'ok');
    await writeFile(join(fx.outputDir, 'data', 'HOLIDAY.iso'), Buffer.concat([iso, Buffer.from('x')]));
    await rescan();
    expect((await listing()).items.find((i) => i.path === 'data/HOLIDAY.iso')?.checksum.status).toBe('unverified');
  });

  it('refuses traversal and malformed bodies', async () => {
    expect((await post('/api/archive/verify', { path: '../secret.iso' })).status).toBe(400);
    const bad = await app.request('/api/archive/verify', { method: 'POST', headers: { [CONTROL_HEADER]: '1' }, body: '{nope' }, peerEnv());
    expect(bad.status).toBe(400);
  });
});

describe('delete', () => {
  it('deletes the image and all its sidecars, nothing else', async () => {
    const res = await post('/api/archive/delete', { path: 'data/HOLIDAY.iso' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { removed: string[] }).removed.sort()).toEqual([
      'data/HOLIDAY.iso',
      'data/HOLIDAY.iso.disk2iso.json',
      'data/HOLIDAY.iso.md5',
      'data/HOLIDAY.iso.sha256',
    ]);
    expect((await readdir(join(fx.outputDir, 'data'))).sort()).toEqual(['LINK.iso']);
    expect(await readFile(join(fx.root, 'secret.iso'), 'utf8')).toBe('outside the archive');
    // The core's index learns it at once: the listing no longer has it.
    expect((await listing()).items.map((i) => i.path)).not.toContain('data/HOLIDAY.iso');
    expect((await index.get('data/HOLIDAY.iso'))).toBeUndefined();
  });

  it('deletes an audio folder', async () => {
    expect((await post('/api/archive/delete', { path: 'audio/Some Album' })).status).toBe(200);
    expect(await readdir(join(fx.outputDir, 'audio'))).toEqual([]);
  });

  it('never deletes through a symlink or outside the folder, and never without the header', async () => {
    expect((await post('/api/archive/delete', { path: 'data/LINK.iso' })).status).toBe(403);
    expect((await post('/api/archive/delete', { path: '../secret.iso' })).status).toBe(400);
    expect((await post('/api/archive/delete', { path: join(fx.root, 'secret.iso') })).status).toBe(400);
    const noHeader = await app.request('/api/archive/delete', { method: 'POST', body: JSON.stringify({ path: 'data/HOLIDAY.iso' }) }, peerEnv());
    expect(noHeader.status).toBe(403);
    expect(await readFile(join(fx.root, 'secret.iso'), 'utf8')).toBe('outside the archive');
    expect((await readdir(join(fx.outputDir, 'data'))).length).toBe(5);
  });
});
