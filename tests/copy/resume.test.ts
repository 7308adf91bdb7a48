import { mkdir, readFile, symlink, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatMapfile, parseMapfile, partPaths, runCopy, type Mapfile } from '../../src/copy/index.js';
import { useIsoImage } from '../helpers/images.js';
import { copyRequest, flakyReader, head, listDir, sha256, simDrive, waitFor } from './helpers.js';

const repo = join(import.meta.dirname, '..', '..');

/** Bytes per status of a mapfile. */
function bytesBy(map: Mapfile, status: string): number {
  return map.blocks.filter((b) => b.status === status).reduce((sum, b) => sum + b.size, 0);
}

describe('resume after the process was killed', () => {
  const disc = useIsoImage('resume-', 6);
  let child: string;

  beforeAll(async () => {
    // No tsx here: compile the child fixture (and what it imports) with tsc into a runnable tree.
    const build = join(disc.dir, 'build');
    await execa(process.execPath, [
      join(repo, 'node_modules/typescript/bin/tsc'),
      ...['--ignoreConfig', '--outDir', build, '--rootDir', repo, '--module', 'nodenext', '--moduleResolution', 'nodenext'],
      ...['--target', 'ES2022', '--skipLibCheck', '--noCheck', '--types', 'node', 'tests/copy/fixtures/copy-child.ts'],
    ], { cwd: repo });
    await writeFile(join(build, 'package.json'), '{"type":"module"}\n');
    await symlink(join(repo, 'node_modules'), join(build, 'node_modules'));
    child = join(build, 'tests/copy/fixtures/copy-child.js');
    await access(child);
  }, 120_000);

  /** Starts a copy in a child process from a slow drive and SIGKILLs it once the mapfile shows progress. */
  async function killMidCopy(name: string): Promise<{ target: string; map: Mapfile }> {
    const { folder } = await simDrive(join(disc.dir, `sim-${name}`), disc.image, { bytes_per_second: 2_000_000 });
    const target = join(disc.dir, name, 'R.iso');
    const paths = partPaths(target);
    const proc: ResultPromise = execa(process.execPath, [child, folder, target, String(disc.fsBytes)], { reject: false });
    let map: Mapfile | null = null;
    await waitFor(async () => {
      map = await readFile(paths.map, 'utf8').then(parseMapfile, () => null);
      return map !== null && bytesBy(map, '+') >= 1024 * 1024;
    }, 60_000, 'the child to copy 1 MiB');
    proc.kill('SIGKILL');
    const exit = await proc;
    expect(exit.signal).toBe('SIGKILL');
    // The last mapfile the child saved.
    map = parseMapfile(await readFile(paths.map, 'utf8'));
    // (A kill during a mapfile save may also leave its temp file; resume removes it.)
    expect((await listDir(join(disc.dir, name))).filter((n) => !n.endsWith('.tmp'))).toEqual(['R.iso.part', 'R.iso.part.map']);
    return { target, map };
  }

  it('continues from the mapfile, reads only what was missing, and the image equals the source', async () => {
    const { target, map } = await killMidCopy('kill1');
    expect(bytesBy(map, '?')).toBeGreaterThan(0);

    const { drive } = await simDrive(join(disc.dir, 'sim-kill1-again'), disc.image);
    const inner = await drive.open();
    const reader = flakyReader(inner, [], 0);
    const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { checksums: ['sha256'], verify: true }).request);
    await inner.close();

    expect(result).toMatchObject({ outcome: 'success', resumed: true, imagePath: target, badRanges: [] });
    expect(reader.bytesRead).toBe(bytesBy(map, '?'));
    const source = await head(disc.image, disc.fsBytes);
    expect((await readFile(target)).equals(source)).toBe(true);
    expect(result.checksums.sha256).toBe(sha256(source));
    await execa('sha256sum', ['-c', 'R.iso.sha256'], { cwd: join(disc.dir, 'kill1') });
    expect(await listDir(join(disc.dir, 'kill1'))).toEqual(['R.iso', 'R.iso.sha256']);
  });

  it('leaves a mapfile GNU ddrescue itself can finish', async () => {
    const { target } = await killMidCopy('kill2');
    const { part, map } = partPaths(target);
    await execa('ddrescue', ['--size', String(disc.fsBytes), disc.image, part, map]);
    expect((await readFile(part)).equals(await head(disc.image, disc.fsBytes))).toBe(true);
  });

  it('starts over with resume: false', async () => {
    const { target } = await killMidCopy('kill3');
    const { drive } = await simDrive(join(disc.dir, 'sim-kill3-again'), disc.image);
    const inner = await drive.open();
    const reader = flakyReader(inner, [], 0);
    const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { resume: false }).request);
    await inner.close();

    expect(result).toMatchObject({ outcome: 'success', resumed: false });
    expect(reader.bytesRead).toBe(disc.fsBytes);
    expect((await readFile(target)).equals(await head(disc.image, disc.fsBytes))).toBe(true);
  });

  it('starts over when the leftover mapfile is for another size or not a mapfile', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-other'), disc.image);
    for (const [name, mapText] of [
      ['other-size', '0x0 + 1\n0x0 0x1000 +\n'],
      ['garbage', 'not a mapfile\n'],
    ] as const) {
      const target = join(disc.dir, name, 'X.iso');
      const { part, map } = partPaths(target);
      await mkdir(join(disc.dir, name), { recursive: true });
      await writeFile(part, Buffer.alloc(4096, 0xaa));
      await writeFile(map, mapText);
      const inner = await drive.open();
      const reader = flakyReader(inner, [], 0);
      const result = await runCopy(copyRequest(reader, disc.fsBytes, target).request);
      await inner.close();

      expect(result).toMatchObject({ outcome: 'success', resumed: false });
      expect(reader.bytesRead).toBe(disc.fsBytes);
      expect((await readFile(target)).equals(await head(disc.image, disc.fsBytes))).toBe(true);
    }
  });
});

describe('resume of a mapfile with bad areas', () => {
  const disc = useIsoImage('resume-bad-', 3);

  it("re-reads only the '-', '*' and '?' areas, keeps '+' data, and completes", async () => {
    const target = join(disc.dir, 'out', 'B.iso');
    const { part, map } = partPaths(target);
    await mkdir(join(disc.dir, 'out'));
    const source = await head(disc.image, disc.fsBytes);
    // A killed run: first MiB done except 3 bad sectors, then an untried tail; '+' data is real.
    const done = 1024 * 1024;
    const partial = Buffer.from(source.subarray(0, done));
    partial.fill(0, 100 * 2048, 103 * 2048);
    await writeFile(part, partial);
    const blocks: Mapfile['blocks'] = [
      { pos: 0, size: 100 * 2048, status: '+' },
      { pos: 100 * 2048, size: 2 * 2048, status: '-' },
      { pos: 102 * 2048, size: 2048, status: '*' },
      { pos: 103 * 2048, size: done - 103 * 2048, status: '+' },
      { pos: done, size: disc.fsBytes - done, status: '?' },
    ];
    await writeFile(map, formatMapfile({ currentPos: done, currentStatus: '?', currentPass: 1, blocks }));

    const { drive } = await simDrive(join(disc.dir, 'sim'), disc.image);
    const inner = await drive.open();
    const reader = flakyReader(inner, [], 0);
    const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { readRetries: 1, checksums: ['md5', 'sha256'] }).request);
    await inner.close();

    expect(result).toMatchObject({ outcome: 'success', resumed: true, badSectors: 0 });
    expect(reader.bytesRead).toBe(3 * 2048 + (disc.fsBytes - done));
    expect((await readFile(target)).equals(source)).toBe(true);
    expect(result.checksums.sha256).toBe(sha256(source));
    await execa('md5sum', ['-c', 'B.iso.md5'], { cwd: join(disc.dir, 'out') });
  });

  it('keeps .part and .map on an abort the caller marks as resumable (shutdown), then resumes', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-shutdown'), disc.image, { bytes_per_second: 1_000_000 });
    const slow = await drive.open();
    const target = join(disc.dir, 'shutdown', 'K.iso');
    const { request, samples, controller } = copyRequest(slow, disc.fsBytes, target, {
      chunkBytes: 128 * 1024,
      keepPartialOnAbort: (reason) => reason === 'shutdown',
    });
    const running = runCopy(request);
    await waitFor(() => samples.some((s) => s.bytesDone >= 512 * 1024), 30_000, 'some progress');
    controller.abort('shutdown');
    const aborted = await running;
    await slow.close();

    expect(aborted).toMatchObject({ outcome: 'cancelled', reason: 'cancelled', partialKept: true, imagePath: null });
    expect(await listDir(join(disc.dir, 'shutdown'))).toEqual(['K.iso.part', 'K.iso.part.map']);
    const map = parseMapfile(await readFile(partPaths(target).map, 'utf8'));
    // The last save happened at the abort: it records everything copied.
    expect(bytesBy(map, '+')).toBe(aborted.bytes);

    const { drive: fast } = await simDrive(join(disc.dir, 'sim-shutdown-2'), disc.image);
    const inner = await fast.open();
    const reader = flakyReader(inner, [], 0);
    const result = await runCopy(copyRequest(reader, disc.fsBytes, target).request);
    await inner.close();
    expect(result).toMatchObject({ outcome: 'success', resumed: true });
    expect(reader.bytesRead).toBe(disc.fsBytes - aborted.bytes);
    expect((await readFile(target)).equals(await head(disc.image, disc.fsBytes))).toBe(true);
  });

  it('removes the partial output on an ordinary cancel even with keepPartialOnAbort', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-cancel'), disc.image, { bytes_per_second: 1_000_000 });
    const reader = await drive.open();
    const { request, samples, controller } = copyRequest(reader, disc.fsBytes, join(disc.dir, 'cancel', 'C.iso'), {
      chunkBytes: 128 * 1024,
      keepPartialOnAbort: (reason) => reason === 'shutdown',
    });
    const running = runCopy(request);
    await waitFor(() => samples.some((s) => s.bytesDone >= 256 * 1024), 30_000, 'some progress');
    controller.abort('cancel');
    const result = await running;
    await reader.close();
    expect(result).toMatchObject({ outcome: 'cancelled', partialKept: false });
    expect(await listDir(join(disc.dir, 'cancel'))).toEqual([]);
  });

  it('does not stall a slow copy that keeps making progress', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-slow'), disc.image, { bytes_per_second: 3_000_000 });
    const reader = await drive.open();
    const result = await runCopy(copyRequest(reader, disc.fsBytes, join(disc.dir, 'slow', 'S.iso'), { stallTimeoutMs: 1500, chunkBytes: 128 * 1024 }).request);
    await reader.close();
    expect(result).toMatchObject({ outcome: 'success', reason: null });
  });

  it('survives a progress listener that throws', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-throw'), disc.image);
    const reader = await drive.open();
    const target = join(disc.dir, 'throw', 'T.iso');
    const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { onProgress: () => { throw new Error('listener bug'); } }).request);
    await reader.close();
    expect(result).toMatchObject({ outcome: 'success', imagePath: target });
  });
});
