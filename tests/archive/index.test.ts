import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArchiveIndex } from '../../src/archive/index.js';
import {
  ArchiveIndexReader,
  archiveIndexPath,
  archiveSummaryPath,
  ArchiveSummarySchema,
  parseArchiveQuery,
  parseLogLine,
  queryArchive,
} from '../../src/contract/archive-index.js';
import { findArchivedByFingerprint, writeImageMetadata, type ImageMetadata } from '../../src/copy/index.js';
import { simInsert } from '../../src/drive/index.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { useSimCore } from '../helpers/sim-core.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

// Every readFile of a `.disk2iso.json` record is counted (and still done by the real fs): with the
// index, the duplicate check must read none.
const reads = vi.hoisted(() => ({ records: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const readFile = ((path: Parameters<typeof real.readFile>[0], ...rest: unknown[]) => {
    if (typeof path === 'string' && path.endsWith('.disk2iso.json')) reads.records++;
    return (real.readFile as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
  }) as typeof real.readFile;
  return { ...real, default: { ...real, readFile }, readFile };
});

const silent = pino({ level: 'silent' });

function record(label: string, extra: Partial<ImageMetadata> = {}): ImageMetadata {
  return { fingerprint: null, label, disc_type: 'dvd-rom', created: '2024-05-01T10:00:00.000Z', bytes: 4, checksums: {}, method: 'block-copy', result: 'success', bad_ranges: [], drive_id: 'sim0', ...extra };
}

async function image(dir: string, rel: string, label: string | null, bytes = 4, extra: Partial<ImageMetadata> = {}): Promise<string> {
  const abs = join(dir, rel);
  await mkdir(join(abs, '..'), { recursive: true });
  await writeFile(abs, Buffer.alloc(bytes, 7));
  if (label !== null) await writeImageMetadata(abs, record(label, extra));
  return abs;
}

describe('archive index', () => {
  let dir = '';
  let out = '';
  let api = '';
  let cleanup: () => Promise<void> = async () => {};
  let index: ArchiveIndex | null = null;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    out = join(dir, 'output');
    api = join(dir, 'api');
    await mkdir(out, { recursive: true });
  });
  afterEach(async () => {
    await index?.stop();
    index = null;
    await cleanup();
  });

  it('is built from the folder and the records at start: metadata, audio folders, a record whose image is gone', async () => {
    await image(out, 'dvd/MOVIE.iso', 'Movie night', 10, { disc_type: 'dvd-video' });
    await image(out, 'data/PHOTOS.iso', 'Photos 2019', 20, { result: 'degraded' });
    await image(out, 'data/NORECORD.iso', null, 30);
    await writeImageMetadata(join(out, 'data', 'LOST.iso'), record('Lost disc'));
    await mkdir(join(out, 'audio', 'Album'), { recursive: true });
    await writeFile(join(out, 'audio', 'Album', '01.flac'), 'x'.repeat(100));
    await writeFile(join(out, 'data', 'TORN.iso.part'), 'partial');
    index = new ArchiveIndex(out, api, silent);
    expect(await index.start()).toEqual({ added: 5, removed: 0, changed: 0 });
    expect((await index.get('dvd/MOVIE.iso'))?.metadata).toMatchObject({ disc_label: 'Movie night', disc_type: 'dvd-video', result: 'success', drive_id: 'sim0' });
    expect((await index.get('data/PHOTOS.iso'))?.metadata?.result).toBe('degraded');
    expect((await index.get('data/NORECORD.iso'))).toMatchObject({ size: 30, metadata: null, present: true });
    expect((await index.get('data/LOST.iso'))).toMatchObject({ present: false, verify: { status: 'missing' } });
    expect((await index.get('audio/Album'))).toMatchObject({ kind: 'folder', size: 100, files: 1 });
    expect((await index.get('data/TORN.iso.part'))).toBeUndefined();
    const summary = ArchiveSummarySchema.parse(JSON.parse(await readFile(archiveSummaryPath(api), 'utf8')));
    expect(summary).toMatchObject({ items: 5, images: 4, corrupt: 1, missing: 1, by_group: { dvd: 1, data: 3, audio: 1 } });
  });

  it('leaves out audio rips still being written (`.part`, `.work`), flat or under a new artist, and lists them once they are renamed', async () => {
    const track = async (rel: string) => {
      await mkdir(join(out, 'audio', rel), { recursive: true });
      await writeFile(join(out, 'audio', rel, '01 - One.flac'), 'x'.repeat(10));
    };
    await track('Old Artist - Old Album');
    await track('Flat Artist - Album.part');
    await track('New Artist/Album (2020).part');
    await track('Known Artist/First (2019)');
    await track('Known Artist/Second (2021).work');
    index = new ArchiveIndex(out, api, silent);
    await index.start();
    const paths = async () => (await index!.query(parseArchiveQuery({ limit: '100' }))).page.items.map((item) => item.path).sort();
    expect(await paths()).toEqual(['audio/Known Artist/First (2019)', 'audio/Old Artist - Old Album']);
    expect(await index.refresh(join(out, 'audio', 'New Artist', 'Album (2020).part'))).toBeNull();
    expect(await index.refresh(join(out, 'audio', 'Flat Artist - Album.part'))).toBeNull();

    await rename(join(out, 'audio', 'New Artist', 'Album (2020).part'), join(out, 'audio', 'New Artist', 'Album (2020)'));
    expect(await index.refresh(join(out, 'audio', 'New Artist', 'Album (2020)'))).toMatchObject({ kind: 'folder', name: 'Album (2020)' });
    await index.reconcile();
    expect(await paths()).toEqual(['audio/Known Artist/First (2019)', 'audio/New Artist/Album (2020)', 'audio/Old Artist - Old Album']);
  });

  it('finds at the next start what was added and removed by hand, and keeps the check of an unchanged image', async () => {
    await image(out, 'data/KEEP.iso', 'Keep');
    await image(out, 'data/GONE.iso', null);
    index = new ArchiveIndex(out, api, silent);
    await index.start();
    await index.setVerify('data/KEEP.iso', { status: 'ok', at: '2025-01-01T00:00:00.000Z', algorithm: 'sha256', detail: null });
    await index.stop();
    await rm(join(out, 'data', 'GONE.iso'));
    await image(out, 'dvd/NEW.iso', 'New');
    index = new ArchiveIndex(out, api, silent);
    expect(await index.start()).toEqual({ added: 1, removed: 1, changed: 0 });
    expect((await index.query(parseArchiveQuery({ sort: 'name' }))).page.items.map((i) => i.path)).toEqual(['data/KEEP.iso', 'dvd/NEW.iso']);
    expect((await index.get('data/KEEP.iso'))?.verify?.status).toBe('ok');
  });

  it('changes are appended to the log and a reader takes in only the new lines', async () => {
    await image(out, 'data/A.iso', 'A');
    index = new ArchiveIndex(out, api, silent);
    await index.start();
    const reader = new ArchiveIndexReader(archiveIndexPath(api));
    expect(await reader.refresh()).toBe(true);
    expect([...reader.items.keys()]).toEqual(['data/A.iso']);
    const before = await stat(index.logPath);
    await index.refresh(await image(out, 'data/B.iso', 'Bee'));
    await rm(join(out, 'data', 'A.iso'), { force: true });
    await rm(join(out, 'data', 'A.iso.disk2iso.json'), { force: true });
    await index.remove('data/A.iso'); // what the UI's delete reports
    await reader.refresh();
    expect([...reader.items.keys()]).toEqual(['data/B.iso']);
    expect(reader.items.get('data/B.iso')?.metadata?.disc_label).toBe('Bee');
    const after = await stat(index.logPath);
    expect(after.ino).toBe(before.ino);
    expect(after.size).toBeGreaterThan(before.size);
    // The next start keeps the log (the folder did not change): the reader goes on from where it was.
    await index.stop();
    index = new ArchiveIndex(out, api, silent);
    await index.start();
    await image(out, 'data/C.iso', 'C');
    await index.reconcile();
    await reader.refresh();
    expect([...reader.items.keys()].sort()).toEqual(['data/B.iso', 'data/C.iso']);
  });

  it('a start with an unchanged folder keeps the log as it is; a change is appended, not rewritten', async () => {
    for (const name of ['A', 'B', 'C']) await image(out, `data/${name}.iso`, name);
    index = new ArchiveIndex(out, api, silent);
    await index.start();
    await index.stop();
    const first = await stat(index.logPath);
    const generation = index.summary().generation;
    index = new ArchiveIndex(out, api, silent);
    expect(await index.start()).toEqual({ added: 0, removed: 0, changed: 0 });
    await index.stop();
    const second = await stat(index.logPath);
    expect([second.ino, second.size, second.mtimeMs]).toEqual([first.ino, first.size, first.mtimeMs]);
    expect(index.summary().generation).toBe(generation);
    await image(out, 'data/D.iso', 'D');
    index = new ArchiveIndex(out, api, silent);
    expect(await index.start()).toEqual({ added: 1, removed: 0, changed: 0 });
    const third = await stat(index.logPath);
    expect(third.ino).toBe(first.ino);
    expect(third.size).toBeGreaterThan(first.size);
    expect(index.size).toBe(4);
  });

  it('pages of the whole index in one order are sorted once and made again after each change', async () => {
    for (const name of ['B', 'D']) await image(out, `data/${name}.iso`, name);
    index = new ArchiveIndex(out, api, silent);
    await index.start();
    const names = async (): Promise<string[]> => (await index!.query(parseArchiveQuery({ sort: 'name' }))).page.items.map((i) => i.name);
    expect(await names()).toEqual(['B.iso', 'D.iso']);
    await index.refresh(await image(out, 'data/C.iso', 'C'));
    expect(await names()).toEqual(['B.iso', 'C.iso', 'D.iso']);
    await index.remove('data/B.iso');
    expect(await names()).toEqual(['C.iso', 'D.iso']);
    await index.setVerify('data/D.iso', { status: 'mismatch', at: '2025-01-01T00:00:00.000Z', algorithm: 'sha256', detail: 'x' });
    const page = await index.query(parseArchiveQuery({ sort: 'name', limit: '1', offset: '1' }));
    expect(page.page).toMatchObject({ matched: 2, next_offset: null, items: [{ path: 'data/D.iso', verify: { status: 'mismatch' } }] });
    expect(page.counts).toMatchObject({ items: 2, corrupt: 1 });
  });

  it('a log with many more lines than items is rewritten at the next start, every item read back from the old one', async () => {
    for (const name of ['A', 'B']) await image(out, `data/${name}.iso`, name);
    index = new ArchiveIndex(out, api, silent);
    await index.start();
    for (let i = 0; i < 2_100; i++) await index.setVerify('data/A.iso', { status: 'ok', at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(), algorithm: 'sha256', detail: null });
    await index.stop();
    const before = await stat(index.logPath);
    index = new ArchiveIndex(out, api, silent);
    expect(await index.start()).toEqual({ added: 0, removed: 0, changed: 0 });
    const after = await stat(index.logPath);
    expect(after.ino).not.toBe(before.ino);
    expect((await readFile(index.logPath, 'utf8')).trim().split('\n')).toHaveLength(3); // header and two items
    expect((await index.get('data/A.iso'))?.verify).toMatchObject({ status: 'ok', at: '2025-01-01T00:34:59.000Z' });
    expect((await index.get('data/B.iso'))?.metadata?.disc_label).toBe('B');
    expect((await index.query(parseArchiveQuery({ check: 'ok' }))).page.items.map((i) => i.path)).toEqual(['data/A.iso']);
  });

  it('a log cut short by a crash is read up to its last whole line, and rewritten whole', async () => {
    await image(out, 'data/A.iso', 'A');
    index = new ArchiveIndex(out, api, silent);
    await index.start();
    await index.stop();
    await writeFile(index.logPath, `${await readFile(index.logPath, 'utf8')}{"op":"put","item":{"pa`);
    index = new ArchiveIndex(out, api, silent);
    expect(await index.start()).toEqual({ added: 0, removed: 0, changed: 0 });
    expect(index.size).toBe(1);
    expect((await readFile(index.logPath, 'utf8')).endsWith('\n')).toBe(true);
  });

  describe('answers the duplicate check', () => {
    const fp = (fingerprint: string | null) => ({ fingerprint });
    const start = async (): Promise<ArchiveIndex> => {
      await index?.stop();
      index = new ArchiveIndex(out, api, silent);
      await index.start();
      return index;
    };

    it('after start, what the folder scan gives (first by name, image folders in turn, gone images passed over), reading no record', async () => {
      await image(out, 'data/B.iso', 'B', 4, fp('twice'));
      await image(out, 'data/A.iso', 'A', 4, fp('twice'));
      await image(out, 'dvd/0.iso', '0', 4, fp('twice'));
      for (const [rel, fingerprint] of [['audio/Artist/Album (2001)', 'album'], ['audio/Other/Single (2002)', 'single']] as const) {
        await mkdir(join(out, rel), { recursive: true });
        await writeFile(join(out, rel, '01.flac'), 'x');
        await writeImageMetadata(join(out, rel), record(rel, fp(fingerprint)));
      }
      await image(out, 'audio/Artist - Album.iso', 'Album', 4, fp('album'));
      await writeImageMetadata(join(out, 'bluray', 'LOST.iso'), record('Lost', fp('lost')));
      await image(out, 'LOOSE.iso', 'Loose', 4, fp('loose'));
      await image(out, 'data/NONE.iso', 'None');
      const idx = await start();
      const fingerprints = ['twice', 'album', 'single', 'lost', 'loose', 'unknown'];
      const expected = ['data/A.iso', 'audio/Artist - Album.iso', 'audio/Other/Single (2002)', null, null, null].map((rel) => (rel === null ? null : join(out, rel)));
      reads.records = 0;
      expect(await Promise.all(fingerprints.map((f) => idx.findByFingerprint(f)))).toEqual(expected);
      expect(reads.records).toBe(0);
      // The same answers as today's scan, which reads every record.
      expect(await Promise.all(fingerprints.map((f) => findArchivedByFingerprint(out, f)))).toEqual(expected);
      expect(reads.records).toBeGreaterThanOrEqual(8);
      // Deleted by hand, not yet reconciled: the access() check passes over it to the next by name.
      await rm(join(out, 'data', 'A.iso'));
      expect(await idx.findByFingerprint('twice')).toBe(join(out, 'data', 'B.iso'));
      await rm(join(out, 'data', 'B.iso'));
      expect(await idx.findByFingerprint('twice')).toBe(join(out, 'dvd', '0.iso'));
    });

    it('after a job refresh: a new image is found, a record whose fingerprint changed by the new one only', async () => {
      const idx = await start();
      const abs = await image(out, 'data/NEW.iso', 'New', 4, fp('new'));
      expect(await idx.findByFingerprint('new')).toBeNull(); // not indexed yet
      void idx.refresh(abs);
      // The lookup waits for the refresh already asked for (the history entry asks it before the next disc).
      expect(await idx.findByFingerprint('new')).toBe(abs);
      await image(out, 'data/NEW.iso', 'New', 4, fp('newer'));
      await idx.refresh(abs);
      expect([await idx.findByFingerprint('new'), await idx.findByFingerprint('newer')]).toEqual([null, abs]);
    });

    it('after a delete through the UI the item is no answer; a Rescan finds what was added or removed by hand', async () => {
      await image(out, 'data/A.iso', 'A', 4, fp('same'));
      await image(out, 'data/B.iso', 'B', 4, fp('same'));
      const idx = await start();
      // remove() is what the UI reports after deleting; the files are left here so only the index decides.
      await idx.remove('data/A.iso');
      expect(await idx.findByFingerprint('same')).toBe(join(out, 'data', 'B.iso'));
      await idx.remove('data/B.iso');
      expect(await idx.findByFingerprint('same')).toBeNull();
      const byHand = await image(out, 'dvd/HAND.iso', 'Hand', 4, fp('hand'));
      expect(await idx.findByFingerprint('hand')).toBeNull(); // until the next reconciliation
      expect(await idx.reconcile()).toEqual({ added: 3, removed: 0, changed: 0 });
      expect(await idx.findByFingerprint('hand')).toBe(byHand);
      expect(await idx.findByFingerprint('same')).toBe(join(out, 'data', 'A.iso'));
      await rm(join(out, 'data', 'A.iso'));
      await rm(join(out, 'data', 'A.iso.disk2iso.json'));
      expect(await idx.reconcile()).toEqual({ added: 0, removed: 1, changed: 0 });
      expect(await idx.findByFingerprint('same')).toBe(join(out, 'data', 'B.iso'));
    });

    it('a compaction of the log keeps the answers', async () => {
      await image(out, 'data/A.iso', 'A', 4, fp('a'));
      await image(out, 'data/B.iso', 'B', 4, fp('b'));
      const idx = await start();
      const before = await stat(idx.logPath);
      for (let i = 0; i < 2_100; i++) await idx.setVerify('data/A.iso', { status: 'ok', at: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(), algorithm: 'sha256', detail: null });
      await idx.reconcile();
      expect((await stat(idx.logPath)).ino).not.toBe(before.ino);
      expect([await idx.findByFingerprint('a'), await idx.findByFingerprint('b')]).toEqual([join(out, 'data', 'A.iso'), join(out, 'data', 'B.iso')]);
    });

    it('an old log without fingerprints: its items are read again at start (their check kept), then answered', async () => {
      await image(out, 'data/OLD.iso', 'Old', 4, fp('old'));
      await image(out, 'data/NONE.iso', null);
      let idx = await start();
      await idx.setVerify('data/OLD.iso', { status: 'ok', at: '2025-01-01T00:00:00.000Z', algorithm: 'sha256', detail: null });
      await idx.stop();
      // What a core before this change wrote: the metadata without `fingerprint`.
      const old = (await readFile(idx.logPath, 'utf8')).replace(/,"fingerprint":(null|"[^"]*")/g, '');
      expect(old).not.toContain('fingerprint');
      await writeFile(idx.logPath, old);
      expect(parseLogLine(old.split('\n').find((l) => l.includes('OLD.iso')) ?? '')).toMatchObject({ op: 'put', item: { path: 'data/OLD.iso', metadata: { disc_label: 'Old' } } });
      index = new ArchiveIndex(out, api, silent);
      reads.records = 0;
      expect(await index.start()).toEqual({ added: 0, removed: 0, changed: 1 });
      expect(reads.records).toBe(1); // OLD's record; NONE has none, there is nothing to miss
      idx = index;
      expect(await idx.findByFingerprint('old')).toBe(join(out, 'data', 'OLD.iso'));
      expect((await idx.get('data/OLD.iso'))?.verify?.status).toBe('ok');
      expect(await (await start()).findByFingerprint('old')).toBe(join(out, 'data', 'OLD.iso'));
      expect(reads.records).toBe(1); // the next start finds the fingerprint in the log
    });
  });
});

describe('archive index log lines', () => {
  const item = {
    path: 'dvd/MOVIE.iso', group: 'dvd', name: 'MOVIE.iso', kind: 'image', size: 10, mtime: '2025-01-01T00:00:00.000Z', files: null,
    sidecars: { sha256: true, md5: false, metadata: true }, present: true,
    metadata: { disc_label: 'Movie', disc_type: 'dvd-video', method: 'block-copy', result: 'success', finished: '2025-01-01T00:00:00.000Z', drive_id: 'sr0' },
    verify: { status: 'ok', at: '2025-01-02T00:00:00.000Z', algorithm: 'sha256', detail: null },
  };
  const line = (value: unknown): string => JSON.stringify({ op: 'put', item: value });

  it('takes a whole put line and refuses one with a field of the wrong kind, as the schema does', () => {
    expect(parseLogLine(line(item))).toEqual({ op: 'put', item });
    expect(parseLogLine(line({ ...item, metadata: null, verify: null, kind: 'folder', files: 3 }))).not.toBeNull();
    const bad = [
      { ...item, path: '' }, { ...item, group: 'tape' }, { ...item, size: -1 }, { ...item, size: 1.5 }, { ...item, files: 'x' },
      { ...item, sidecars: { ...item.sidecars, md5: 'no' } }, { ...item, present: 1 }, { ...item, metadata: { ...item.metadata, disc_type: 'vhs' } },
      { ...item, metadata: { disc_label: 'Movie' } }, { ...item, verify: { ...item.verify, status: 'fine' } }, { ...item, verify: { ...item.verify, algorithm: 'crc' } },
      { ...item, mtime: undefined }, null, [],
    ];
    for (const value of bad) expect([value, parseLogLine(line(value))]).toEqual([value, null]);
    expect(parseLogLine('{"op":"put","item":{"pa')).toBeNull();
    expect(parseLogLine(JSON.stringify({ op: 'del', path: 'dvd/MOVIE.iso' }))).toEqual({ op: 'del', path: 'dvd/MOVIE.iso' });
  });
});

describe('archive query', () => {
  it('searches, filters, sorts and pages', async () => {
    const { dir, cleanup } = await makeTempDir();
    try {
      const out = join(dir, 'output');
      for (let i = 1; i <= 25; i++) {
        const rel = `${i % 2 ? 'dvd' : 'data'}/DISC_${String(i).padStart(2, '0')}.iso`;
        await image(out, rel, i === 7 ? 'Wedding video' : `Disc ${i}`, 100 * i, { created: `2024-01-${String(i).padStart(2, '0')}T00:00:00.000Z`, disc_type: i % 2 ? 'dvd-video' : 'data' });
      }
      const index = new ArchiveIndex(out, join(dir, 'api'), silent);
      await index.start();
      const items = (await index.query(parseArchiveQuery({ limit: '500' }))).page.items;
      const page1 = queryArchive(items, parseArchiveQuery({ limit: '10' }));
      expect(page1).toMatchObject({ matched: 25, offset: 0, next_offset: 10 });
      expect(page1.items[0]?.name).toBe('DISC_25.iso'); // newest first
      const page3 = queryArchive(items, parseArchiveQuery({ limit: '10', offset: '20' }));
      expect(page3.items.map((i) => i.name)).toEqual(['DISC_05.iso', 'DISC_04.iso', 'DISC_03.iso', 'DISC_02.iso', 'DISC_01.iso']);
      expect(page3.next_offset).toBeNull();
      expect(queryArchive(items, parseArchiveQuery({ sort: 'name', limit: '2' })).items.map((i) => i.name)).toEqual(['DISC_01.iso', 'DISC_02.iso']);
      expect(queryArchive(items, parseArchiveQuery({ sort: 'size', limit: '1' })).items[0]?.size).toBe(2500);
      expect(queryArchive(items, parseArchiveQuery({ q: 'WEDDING' })).items.map((i) => i.path)).toEqual(['dvd/DISC_07.iso']);
      expect(queryArchive(items, parseArchiveQuery({ q: 'disc_1', group: 'data' })).items.map((i) => i.name).sort()).toEqual(['DISC_10.iso', 'DISC_12.iso', 'DISC_14.iso', 'DISC_16.iso', 'DISC_18.iso']);
      expect(queryArchive(items, parseArchiveQuery({ type: 'dvd-video' })).matched).toBe(13);
      expect(queryArchive(items, parseArchiveQuery({ check: 'unverified', limit: '9999' })).matched).toBe(25);
      expect(parseArchiveQuery({ limit: '100000', offset: '-4', sort: 'bogus' })).toMatchObject({ limit: 500, offset: 0, sort: 'date' });
      await index.stop();
    } finally {
      await cleanup();
    }
  });
});

describe('the core keeps the index', () => {
  const t = useSimCore();

  it('an image a job writes is in the index as soon as the job is in the history', async () => {
    const config = testConfig(t.dir, [t.sim], { eject_after_copy: false });
    await image(config.output_dir, 'data/OLD.iso', 'Old');
    t.core = await startTestCore(config);
    expect((await t.core.archive.query(parseArchiveQuery({}))).page.items.map((i) => i.path)).toEqual(['data/OLD.iso']);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(t.sim, await makeDataIso(t.dir, { label: 'FRESH', seed: 3 }));
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'copied' });
    const item = await waitFor(async () => t.core?.archive.get('data/FRESH.iso'), { message: 'indexed' });
    expect(item).toMatchObject({ present: true, sidecars: { sha256: true, metadata: true }, metadata: { disc_label: 'FRESH', result: 'success', drive_id: 'sim0' } });
    const reader = new ArchiveIndexReader(archiveIndexPath(config.api_dir));
    await reader.refresh();
    expect([...reader.items.keys()].sort()).toEqual(['data/FRESH.iso', 'data/OLD.iso']);
  });

  it('answers the duplicate check of the machines: a disc already archived is skipped without reading a record', async () => {
    const config = testConfig(t.dir, [t.sim], { duplicate_policy: 'skip' });
    t.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    const disc = await makeDataIso(t.dir, { label: 'ONCE', seed: 21 });
    await simInsert(t.sim, disc);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'copied' });
    await waitFor(async () => (await t.core?.archive.get('data/ONCE.iso'))?.metadata?.fingerprint, { message: 'indexed' });
    await waitForState(config, 'sim0', 'waiting_for_media');
    reads.records = 0;
    await simInsert(t.sim, disc);
    await waitFor(async () => (await history(config))?.entries.length === 2, { message: 'skip recorded' });
    expect((await history(config))?.entries[0]).toMatchObject({ result: 'skipped_duplicate', image_path: join(config.output_dir, 'data', 'ONCE.iso') });
    expect(reads.records).toBe(0);
  });
});
