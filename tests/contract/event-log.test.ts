import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiPaths, EventLogTail, EventLogWriter, parseEventLines, readEventsAfter } from '../../src/contract/index.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('event log', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => cleanup());

  it('numbers events monotonically in call order, even when appends overlap', async () => {
    const writer = new EventLogWriter(apiPaths(dir), 1 << 20);
    await writer.start();
    const appended = await Promise.all(
      Array.from({ length: 200 }, (_, i) => writer.append('sr0', 'state_changed', { i })),
    );
    await writer.stop();
    expect(appended.map((e) => e.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const onDisk = await readEventsAfter(apiPaths(dir), 0);
    expect(onDisk.map((e) => e.data.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('continues the sequence after a restart', async () => {
    const first = new EventLogWriter(apiPaths(dir), 1 << 20);
    await first.start();
    await first.append(null, 'service_started');
    await first.append('sr0', 'disc_inserted');
    await first.stop();
    const second = new EventLogWriter(apiPaths(dir), 1 << 20);
    await second.start();
    expect((await second.append('sr0', 'disc_removed')).seq).toBe(3);
    await second.stop();
  });

  it('never goes backwards after a restart: lines of a newer version (unknown type) still count for seq', async () => {
    const paths = apiPaths(dir);
    const line = (seq: number, type: string) => JSON.stringify({ seq, ts: 't', drive: 'sr0', type, data: {} });
    await writeFile(paths.events, `${line(1, 'disc_inserted')}\n${line(2, 'metadata_chosen')}\n${line(3, 'cover_saved')}\n`);
    const writer = new EventLogWriter(paths, 1 << 20);
    await writer.start();
    expect((await writer.append('sr0', 'disc_removed')).seq).toBe(4);
    await writer.stop();
  });

  it('closes a torn last line left by a crash, so the next event is a line of its own', async () => {
    const paths = apiPaths(dir);
    const first = JSON.stringify({ seq: 1, ts: 't', drive: null, type: 'service_started', data: {} });
    const torn = JSON.stringify({ seq: 2, ts: 't', drive: 'sr0', type: 'disc_inserted', data: {} }).slice(0, 25);
    await writeFile(paths.events, `${first}\n${torn}`);
    const writer = new EventLogWriter(paths, 1 << 20);
    await writer.start();
    const next = await writer.append('sr0', 'disc_removed');
    await writer.stop();
    expect((await readEventsAfter(paths, 0)).map((e) => e.seq)).toEqual([1, next.seq]);
    // The torn fragment stays in the file (nothing is thrown away), on its own line.
    expect((await readFile(paths.events, 'utf8')).split('\n')).toContain(torn);
  });

  it('rotates by size, keeps one generation, and readers see every event across the rotation', async () => {
    const paths = apiPaths(dir);
    const writer = new EventLogWriter(paths, 4096);
    await writer.start();
    const tail = new EventLogTail(paths, 0);
    const seen: number[] = [];
    for (let i = 0; i < 60; i++) {
      await writer.append('sr0', 'state_changed', { from: 'idle', to: 'waiting_for_media', pad: 'x'.repeat(40) });
      if (i % 7 === 0) seen.push(...(await tail.readNew()).map((e) => e.seq));
    }
    seen.push(...(await tail.readNew()).map((e) => e.seq));
    await writer.stop();
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const current = await readFile(paths.events, 'utf8');
    expect(Buffer.byteLength(current)).toBeLessThanOrEqual(4096);
    expect(await readFile(paths.eventsRotated, 'utf8')).not.toBe('');
  });

  it('skips a torn last line and garbage lines instead of failing', async () => {
    const paths = apiPaths(dir);
    await writeFile(
      paths.events,
      `${JSON.stringify({ seq: 1, ts: 't', drive: null, type: 'service_started', data: {} })}\nnot json\n{"seq":2,"ts":"t","drive":"../x","type":"disc_inserted","data":{}}\n{"seq":3,"ts":"t","dri`,
    );
    expect((await readEventsAfter(paths, 0)).map((e) => e.seq)).toEqual([1]);
    await appendFile(paths.events, 've":"sr0","type":"disc_removed","data":{}}\n');
    expect((await readEventsAfter(paths, 0)).map((e) => e.seq)).toEqual([1, 3]);
    expect(parseEventLines('')).toEqual([]);
    expect(join('a', 'b')).toBe('a/b');
  });

  it('tails incrementally: a torn line is delivered once it is complete, never twice', async () => {
    const paths = apiPaths(dir);
    const line = (seq: number) => JSON.stringify({ seq, ts: 't', drive: 'sr0', type: 'state_changed', data: { seq } });
    await writeFile(paths.events, `${line(1)}\n`);
    const tail = new EventLogTail(paths, 0);
    expect((await tail.readNew()).map((e) => e.seq)).toEqual([1]);
    const torn = line(2);
    await appendFile(paths.events, torn.slice(0, 20));
    expect(await tail.readNew()).toEqual([]);
    await appendFile(paths.events, `${torn.slice(20)}\n${line(3)}\n`);
    expect((await tail.readNew()).map((e) => e.seq)).toEqual([2, 3]);
    expect(await tail.readNew()).toEqual([]);
    expect(tail.lastSeq).toBe(3);
  });
});
