import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, HistorySchema, readContractValue } from '../../src/contract/index.js';
import { writeImageMetadata } from '../../src/copy/index.js';
import { ContractStore } from '../../src/machine/index.js';
import { historyEntry as entry } from '../helpers/history.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('ContractStore: nothing is ever silently thrown away', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let api: string;
  let output: string;
  let lines: { level: number; msg: string }[];
  let stores: ContractStore[];

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    api = join(dir, 'api');
    output = join(dir, 'output');
    await mkdir(api, { recursive: true });
    lines = [];
    stores = [];
  });
  afterEach(async () => {
    for (const store of stores) await store.stop();
    await cleanup();
  });

  async function start(): Promise<ContractStore> {
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const store = new ContractStore(api, 500, 1024 * 1024, logger, { outputDir: output });
    stores.push(store);
    await store.start();
    return store;
  }

  const asides = async () => (await readdir(api)).filter((n) => n.startsWith('history.json.invalid-'));
  const onDisk = async () => readContractValue(apiPaths(api).history, HistorySchema);

  it('keeps every entry that still validates when one entry is unknown, and keeps the original aside', async () => {
    const original = JSON.stringify({
      schema_version: 1,
      entries: [entry('a', 'success'), { ...entry('b', 'success'), result: 'verified_by_a_newer_version' }, entry('c', 'failed')],
      archived_total: { sr0: 41 },
      updated: '2026-01-01T00:02:00Z',
    });
    await writeFile(apiPaths(api).history, original);
    const store = await start();
    expect(store.history.entries.map((e) => e.id)).toEqual(['a', 'c']);
    expect(store.history.archived_total).toEqual({ sr0: 41 });
    const [aside] = await asides();
    expect(aside).toBeDefined();
    expect(await readFile(join(api, aside ?? ''), 'utf8')).toBe(original);
    expect(lines.some((l) => l.level === 40 && /1 of its entries do not match.*kept aside as/.test(l.msg))).toBe(true);
    await store.stop();
    expect((await onDisk())?.entries.map((e) => e.id)).toEqual(['a', 'c']);
  });

  it('tolerates entries from a newer version (new fields, newer schema_version)', async () => {
    const newer = {
      schema_version: 2,
      entries: [{ ...entry('a', 'success'), rating: 5 }, { ...entry('b', 'degraded'), cover: 'x.jpg' }],
      archived_total: { sr0: 2 },
      updated: '2026-01-01T00:02:00Z',
      index: { pages: 1 },
    };
    await writeFile(apiPaths(api).history, JSON.stringify(newer));
    const store = await start();
    expect(store.history.entries.map((e) => e.id)).toEqual(['a', 'b']);
    expect(store.history.archived_total).toEqual({ sr0: 2 });
    // The newer file is kept as it was before this version writes its own.
    expect(await asides()).toHaveLength(1);
    // What the newer version added to its entries is written back with them.
    await store.addHistory(entry('c', 'success'));
    await store.stop();
    const raw = JSON.parse(await readFile(apiPaths(api).history, 'utf8')) as { entries: Record<string, unknown>[] };
    expect(raw.entries.map((e) => [e.id, e.rating ?? e.cover ?? null])).toEqual([
      ['c', null],
      ['a', 5],
      ['b', 'x.jpg'],
    ]);
  });

  it('leaves a valid history alone', async () => {
    const valid = JSON.stringify({ schema_version: 1, entries: [entry('a', 'success')], archived_total: { sr0: 1 }, updated: 'x' });
    await writeFile(apiPaths(api).history, valid);
    const store = await start();
    expect(store.history.entries).toHaveLength(1);
    expect(await asides()).toEqual([]);
    expect(await readFile(apiPaths(api).history, 'utf8')).toBe(valid);
  });

  async function archiveImage(folder: string, name: string, fields: { drive?: string; result?: 'success' | 'degraded'; created: string }) {
    await mkdir(join(output, folder), { recursive: true });
    const image = join(output, folder, name);
    await writeFile(image, 'image bytes');
    await writeImageMetadata(image, {
      fingerprint: `fp-${name}`,
      label: name.replace('.iso', ''),
      disc_type: 'cd-rom',
      created: fields.created,
      bytes: 11,
      checksums: {},
      method: 'block-copy',
      result: fields.result ?? 'success',
      bad_ranges: fields.result === 'degraded' ? [[0, 4096]] : [],
      ...(fields.drive ? { drive_id: fields.drive, job_id: `job-${name}` } : {}),
    });
    return image;
  }

  it('rebuilds a history cut short from the records next to the images, and recounts the archive', async () => {
    const cut = JSON.stringify({ schema_version: 1, entries: [entry('a', 'success')], archived_total: { sr0: 9 } }).slice(0, 120);
    await writeFile(apiPaths(api).history, cut);
    const older = await archiveImage('data', 'OLD.iso', { created: '2025-01-01T00:00:00.000Z' });
    const newer = await archiveImage('dvd', 'NEW.iso', { drive: 'sr0', result: 'degraded', created: '2026-01-01T00:00:00.000Z' });
    // A record whose image is gone is not an archived disc.
    await archiveImage('data', 'GONE.iso', { drive: 'sr0', created: '2026-01-02T00:00:00.000Z' });
    await rm(join(output, 'data', 'GONE.iso'));

    const store = await start();
    expect(store.history.entries.map((e) => [e.image_path, e.drive_id, e.result])).toEqual([
      [newer, 'sr0', 'degraded'],
      [older, 'archive', 'success'],
    ]);
    expect(store.history.entries[0]?.id).toBe('job-NEW.iso');
    expect(store.history.entries[0]?.bad_sectors).toBe(2);
    expect(store.history.archived_total).toEqual({ sr0: 1, archive: 1 });
    const [aside] = await asides();
    expect(await readFile(join(api, aside ?? ''), 'utf8')).toBe(cut);
    await store.stop();
    expect((await onDisk())?.entries).toHaveLength(2);
  });

  it('rebuilds a missing history from the archive (the archive is its own source of truth)', async () => {
    await archiveImage('data', 'ONE.iso', { drive: 'sr1', created: '2026-01-01T00:00:00.000Z' });
    const store = await start();
    expect(store.history.entries.map((e) => e.disc_label)).toEqual(['ONE']);
    expect(store.history.archived_total).toEqual({ sr1: 1 });
    expect(await asides()).toEqual([]);
  });
});
