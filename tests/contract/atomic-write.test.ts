import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { execa } from 'execa';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/contract/index.js';
import { IS_ROOT } from '../helpers/ci.js';
import { REPO_ROOT } from '../helpers/process.js';
import { makeTempDir } from '../helpers/tmp.js';
import { mountTmpfs } from '../helpers/tmpfs.js';

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

  it('fails with EACCES in a folder the process may not write, and leaves the old file intact', async () => {
    // Root ignores permissions (and CI runs as root), so the write runs in a child process that
    // drops to an unprivileged user; any other user is unprivileged already.
    const path = join(dir, 'ro', 'x.json');
    await writeJsonAtomic(path, { v: 1 });
    await chmod(join(dir, 'ro'), 0o555);
    await chmod(dir, 0o755);
    let result;
    try {
      result = await writeAsUnprivileged(path, { v: 2 });
    } finally {
      await chmod(join(dir, 'ro'), 0o755);
    }
    expect(result).toMatchObject({ exitCode: 0, stdout: 'EACCES' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ v: 1 });
    expect(await readdir(join(dir, 'ro'))).toEqual(['x.json']);
  });

  it('fails with ENOSPC on a full disk, leaves the old file intact and no temp file behind', async (ctx) => {
    const mnt = await mountTmpfs(ctx, 'size=64k');
    const path = join(mnt, 'x.json');
    await writeJsonAtomic(path, { v: 1 });
    await writeFile(join(mnt, 'filler'), Buffer.alloc(1024 * 1024)).catch(() => undefined);
    await expect(writeJsonAtomic(path, { v: 2, pad: 'x'.repeat(64 * 1024) })).rejects.toThrow(/ENOSPC/);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ v: 1 });
    expect((await readdir(mnt)).sort()).toEqual(['filler', 'x.json']);
  });
});

/**
 * Runs writeJsonAtomic(path, value) in a child node process, as user nobody when this process
 * is root (setpriv); prints the error code it failed with, or "ok". The module is transpiled
 * from its source because the child has no TypeScript loader.
 */
async function writeAsUnprivileged(path: string, value: unknown): Promise<{ exitCode: number | undefined; stdout: string }> {
  const work = await mkdtemp(join(tmpdir(), 'disk2iso-child-'));
  try {
    await chmod(work, 0o755);
    const source = await readFile(join(REPO_ROOT, 'src', 'contract', 'atomic-write.ts'), 'utf8');
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    await writeFile(join(work, 'atomic-write.mjs'), js, { mode: 0o644 });
    const child = join(work, 'child.mjs');
    await writeFile(
      child,
      `import { writeJsonAtomic } from './atomic-write.mjs';
       writeJsonAtomic(process.argv[2], JSON.parse(process.argv[3])).then(() => console.log('ok'), (e) => console.log(e.code));`,
      { mode: 0o644 },
    );
    const command = IS_ROOT ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath] : [process.execPath];
    const [file = '', ...args] = command;
    const result = await execa(file, [...args, child, path, JSON.stringify(value)], { reject: false, stdin: 'ignore' });
    return { exitCode: result.exitCode, stdout: result.stdout.trim() };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
