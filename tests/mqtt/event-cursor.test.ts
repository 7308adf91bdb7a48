import { appendFile, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { apiPaths, EventLogTail, EventLogWriter } from '../../src/contract/index.js';
import { CursorStore } from '../../src/mqtt/index.js';
import { tmpDir } from './support.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(maxBytes = 1024 * 1024) {
  const dir = await tmpDir();
  cleanups.push(dir.remove);
  const paths = apiPaths(dir.path);
  const writer = new EventLogWriter(paths, maxBytes);
  await writer.start();
  cleanups.push(() => writer.stop());
  return { paths, writer, dir: dir.path };
}

describe('EventLogTail', () => {
  it('returns only new events, in seq order, and leaves a torn last line for later', async () => {
    const { paths, writer } = await setup();
    const source = new EventLogTail(paths, 0);
    await writer.append('sr0', 'disc_inserted', { n: 1 });
    await writer.append('sr0', 'copy_started', { n: 2 });
    expect((await source.readNew()).map((e) => e.seq)).toEqual([1, 2]);
    expect(await source.readNew()).toEqual([]);
    await writer.append('sr0', 'copy_completed', {});
    // A half-written line (what a reader can see mid-append).
    await writer.stop();
    await appendFile(paths.events, '{"seq":4,"ts":"2025-01-01T00:00:00Z","drive":"sr0","type":"disc_rem');
    expect((await source.readNew()).map((e) => e.seq)).toEqual([3]);
    await appendFile(paths.events, 'oved","data":{}}\n');
    expect((await source.readNew()).map((e) => [e.seq, e.type])).toEqual([[4, 'disc_removed']]);
  });

  it('follows rotations to events.1.jsonl without losing or repeating events', async () => {
    const { paths, writer } = await setup(2048);
    const source = new EventLogTail(paths, 0);
    const seen: number[] = [];
    for (let i = 0; i < 200; i++) {
      await writer.append('sr0', 'state_changed', { from: 'idle', to: 'copying', i });
      if (i % 7 === 0) seen.push(...(await source.readNew()).map((e) => e.seq));
    }
    seen.push(...(await source.readNew()).map((e) => e.seq));
    expect(await readFile(paths.eventsRotated, 'utf8')).not.toBe('');
    // Rotation keeps one generation: everything read in time is complete and in order.
    expect(seen).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
  });

  it('starts after a saved seq and can be rewound', async () => {
    const { paths, writer } = await setup();
    for (let i = 0; i < 5; i++) await writer.append('sr0', 'disc_inserted', {});
    const source = new EventLogTail(paths, 3);
    expect((await source.readNew()).map((e) => e.seq)).toEqual([4, 5]);
    source.reset(1);
    expect((await source.readNew()).map((e) => e.seq)).toEqual([2, 3, 4, 5]);
    expect(await source.maxSeqOnDisk()).toBe(5);
  });
});

describe('CursorStore', () => {
  it('keeps the last saved seq across instances and coalesces writes', async () => {
    const dir = await tmpDir();
    cleanups.push(dir.remove);
    const path = `${dir.path}/mqtt/state.json`;
    const store = new CursorStore(path);
    expect(await store.load()).toBeNull();
    for (let seq = 1; seq <= 50; seq++) store.save(seq);
    await store.flush();
    expect(await new CursorStore(path).load()).toBe(50);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ schema_version: 1, last_seq: 50 });
  });

  it('spaces its writes but flush() always writes the newest value', async () => {
    const dir = await tmpDir();
    cleanups.push(dir.remove);
    const path = `${dir.path}/state.json`;
    const store = new CursorStore(path, 60_000);
    for (let seq = 1; seq <= 50; seq++) store.save(seq);
    await store.flush();
    expect(await new CursorStore(path).load()).toBe(50);
  });

  it('reads a corrupt file as "no cursor"', async () => {
    const dir = await tmpDir();
    cleanups.push(dir.remove);
    await appendFile(`${dir.path}/state.json`, '{"last_seq": ');
    expect(await new CursorStore(`${dir.path}/state.json`).load()).toBeNull();
  });
});
