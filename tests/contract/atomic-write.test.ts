import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/contract/index.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('writeJsonAtomic', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => cleanup());

  it('creates missing folders and leaves no temp files', async () => {
    const path = join(dir, 'a', 'b', 'status.json');
    await writeJsonAtomic(path, { hello: 'world' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ hello: 'world' });
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['status.json']);
  });

  it('never lets a concurrent reader see a torn file under thousands of writes', async () => {
    const path = join(dir, 'progress.json');
    await writeJsonAtomic(path, { n: 0, pad: '' });
    // Readers run in worker threads so they really overlap with the writer's syscalls.
    const readerSource = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { readFileSync } = require('node:fs');
      let reads = 0, invalid = 0, last = -1, backwards = 0;
      const stop = new Int32Array(workerData.stop);
      while (Atomics.load(stop, 0) === 0) {
        const text = readFileSync(workerData.path, 'utf8');
        reads++;
        try { const v = JSON.parse(text); if (v.n < last) backwards++; last = v.n; } catch { invalid++; }
      }
      parentPort.postMessage({ reads, invalid, backwards });
    `;
    const stop = new SharedArrayBuffer(4);
    const readers = Array.from({ length: 2 }, () => new Worker(readerSource, { eval: true, workerData: { path, stop } }));
    const results = readers.map((w) => new Promise<{ reads: number; invalid: number; backwards: number }>((r) => w.once('message', r)));
    const writes = 3000;
    for (let n = 1; n <= writes; n++) {
      // Varying sizes make a torn write visible as invalid JSON.
      await writeJsonAtomic(path, { n, pad: 'x'.repeat((n * 37) % 5000) });
    }
    Atomics.store(new Int32Array(stop), 0, 1);
    const stats = await Promise.all(results);
    await Promise.all(readers.map((w) => w.terminate()));
    const totalReads = stats.reduce((s, r) => s + r.reads, 0);
    expect(totalReads).toBeGreaterThan(100);
    expect(stats.map((s) => s.invalid)).toEqual([0, 0]);
    expect(stats.map((s) => s.backwards)).toEqual([0, 0]);
    expect((JSON.parse(await readFile(path, 'utf8')) as { n: number }).n).toBe(writes);
  });

  it('reports a clear error for an unwritable folder and leaves the old file intact', async () => {
    const path = join(dir, 'ro', 'x.json');
    await writeJsonAtomic(path, { v: 1 });
    const { chmod } = await import('node:fs/promises');
    await chmod(join(dir, 'ro'), 0o500);
    try {
      if (process.getuid?.() === 0) return; // root ignores permissions; the rename path is covered above
      await expect(writeJsonAtomic(path, { v: 2 })).rejects.toThrow(/EACCES/);
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ v: 1 });
    } finally {
      await chmod(join(dir, 'ro'), 0o700);
    }
  });
});
