/**
 * The rescue through a descriptor the reader lends (a worker thread reading synchronously),
 * against a source with real read errors: a FUSE file answering EIO for chosen sectors.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFileReader, parseMapfile, partPaths, runCopy } from '../../src/copy/index.js';
import { DriveReadError, type DiscReader, type LentSource } from '../../src/drive/index.js';
import { LinuxDiscReader } from '../../src/drive/linux/index.js';
import { requireOnCi } from '../helpers/ci.js';
import { fuseUnavailable, sectorRanges, startFuseDisc, type FuseDisc, type FuseDiscOptions } from '../helpers/fuse-disc.js';
import { copyRequest, sha256, tempDir } from './helpers.js';

const S = 2048;
const SECTORS = 4096; // 8 MiB
const BAD = [5, 100, 101, 102, 103, 700, ...Array.from({ length: 40 }, (_, i) => 1500 + i), 2047, 2048, 4095];

const HAS_FUSE = requireOnCi(await fuseUnavailable());

/** The source with the given sectors zeroed: what a rescue that cannot read them writes. */
function zeroed(source: Buffer, sectors: readonly number[]): Buffer {
  const copy = Buffer.from(source);
  for (const s of sectors) copy.fill(0, s * S, (s + 1) * S);
  return copy;
}

/** A reader whose read() fails where `failAt` sectors are and that lends with a read time-out. */
function timedReader(inner: DiscReader, failAt: readonly number[], readTimeoutMs: number): DiscReader {
  const lend = inner.lend?.bind(inner);
  return {
    sizeBytes: inner.sizeBytes,
    devicePath: inner.devicePath,
    read: (buffer, position, length) => {
      if (failAt.some((s) => s * S < position + length && (s + 1) * S > position)) {
        return Promise.reject(new DriveReadError('/dev/sr0', position, 'EIO'));
      }
      return inner.read(buffer, position, length);
    },
    lend: <T,>(task: (source: LentSource) => Promise<T>): Promise<T> => {
      if (!lend) throw new Error('the inner reader lends nothing');
      return lend((source) => task({ ...source, readTimeoutMs }));
    },
    close: () => inner.close(),
  };
}

describe.skipIf(!HAS_FUSE)('rescue through a lent descriptor (FUSE source with EIO sectors)', () => {
  let dir: string;
  let image: string;
  let source: Buffer;
  const discs: FuseDisc[] = [];

  const disc = async (name: string, options: FuseDiscOptions): Promise<FuseDisc> => {
    const d = await startFuseDisc(join(dir, name), image, options);
    discs.push(d);
    return d;
  };

  beforeAll(async () => {
    dir = await tempDir('rescue-worker-');
    source = randomBytes(SECTORS * S);
    image = join(dir, 'disc.img');
    await writeFile(image, source);
  });
  afterAll(async () => {
    for (const d of discs) await d.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('finds exactly the bad sectors, writes the same image and map as GNU ddrescue, and checksums the image', async () => {
    const fuse = await disc('plain', { bad: BAD });
    const reader = await openFileReader(fuse.path);
    expect(typeof reader.lend).toBe('function');
    const target = join(dir, 'plain', 'OURS.iso');
    const result = await runCopy(copyRequest(reader, SECTORS * S, target, { readRetries: 3 }).request);
    await reader.close();

    expect(result).toMatchObject({ outcome: 'degraded', badSectors: BAD.length, badRanges: sectorRanges(BAD) });
    const written = await readFile(target);
    expect(written.equals(zeroed(source, BAD))).toBe(true);
    // The digest is of the image as written (here computed ahead, during the retry passes).
    expect(result.checksums.sha256).toBe(sha256(written));
    expect((await readFile(`${target}.sha256`, 'utf8')).startsWith(sha256(written))).toBe(true);

    const dd = join(dir, 'plain', 'dd.img');
    await execa('ddrescue', ['-q', '-b', String(S), '-r', '3', fuse.path, dd, `${dd}.map`]);
    // ddrescue leaves an unreadable last sector out of the file; ours has the exact size.
    await execa('truncate', ['-s', String(SECTORS * S), dd]);
    expect((await readFile(dd)).equals(written)).toBe(true);
    const ddBad = await execa('ddrescuelog', ['-b', String(S), '--list-blocks=-', `${dd}.map`]);
    expect(ddBad.stdout.trim().split('\n').map(Number)).toEqual(BAD);
  });

  it('keeps a sector a retry pass recovers, and the checksum covers it', async () => {
    // Sector 1200 fails the first pass, the split, the trim and two retries; the third retry reads it.
    const fuse = await disc('flaky', { bad: [100, 101], flaky: { 1200: 5 } });
    const reader = await openFileReader(fuse.path);
    const target = join(dir, 'flaky', 'FLAKY.iso');
    const result = await runCopy(copyRequest(reader, SECTORS * S, target, { readRetries: 3 }).request);
    await reader.close();

    expect(result).toMatchObject({ outcome: 'degraded', badRanges: sectorRanges([100, 101]) });
    const written = await readFile(target);
    expect(written.subarray(1200 * S, 1201 * S).equals(source.subarray(1200 * S, 1201 * S))).toBe(true);
    expect(written.equals(zeroed(source, [100, 101]))).toBe(true);
    expect(result.checksums.sha256).toBe(sha256(written));
  });

  it('fails one read per pass over a bad sector: a short read before the error starts the bad area', async () => {
    // The kernel answers a large read that meets a bad sector with the bytes before it (a short
    // read); reading on from there would fail a second time at the same place.
    const fuse = await disc('short', { bad: [700, 3000] });
    const reader = await openFileReader(fuse.path);
    const target = join(dir, 'short', 'SHORT.iso');
    const harness = copyRequest(reader, SECTORS * S, target, { readRetries: 0 });
    const result = await runCopy(harness.request);
    await reader.close();
    // The worker may take over the rest of the first pass: still 'reading' until all of it is tried.
    const phases = harness.samples.map((p) => p.phase);
    expect(phases.lastIndexOf('reading')).toBeLessThan(phases.indexOf('rescuing'));

    expect(result).toMatchObject({ outcome: 'degraded', badRanges: sectorRanges([700, 3000]) });
    expect((await readFile(target)).equals(zeroed(source, [700, 3000]))).toBe(true);
    // Per bad sector: the first pass, the split (64 KiB) and the trim each fail once.
    expect((await fuse.stats()).errors).toBe(6);
  });

  it('keeps the mapfile in step with the image when cancelled mid-rescue, and resumes to the same image', async () => {
    const fuse = await disc('resume', { bad: BAD, hang: [3000] });
    const reader = await openFileReader(fuse.path);
    const target = join(dir, 'resume', 'RESUME.iso');
    const harness = copyRequest(reader, SECTORS * S, target, { readRetries: 1, keepPartialOnAbort: () => true });
    const copy = runCopy(harness.request);
    // The worker is stuck in the read of sector 3000 (the trimming pass): stop there.
    await fuse.stuck();
    harness.controller.abort('shutdown');
    const result = await copy;
    expect(result).toMatchObject({ outcome: 'cancelled', partialKept: true });
    // The lent read is still stuck: the reader closes once it has returned.
    let closed = false;
    const closing = reader.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false);
    await fuse.release();
    await closing;

    const map = parseMapfile(await readFile(partPaths(target).map, 'utf8'));
    const part = await readFile(partPaths(target).part);
    for (const block of map.blocks.filter((b) => b.status === '+')) {
      expect(part.subarray(block.pos, block.pos + block.size).equals(source.subarray(block.pos, block.pos + block.size))).toBe(true);
    }
    const again = await openFileReader(fuse.path);
    const resumed = await runCopy(copyRequest(again, SECTORS * S, target, { readRetries: 1 }).request);
    await again.close();
    expect(resumed).toMatchObject({ outcome: 'degraded', resumed: true, badRanges: sectorRanges(BAD) });
    expect((await readFile(target)).equals(zeroed(source, BAD))).toBe(true);
  });

  it('ends the copy at a lent read that outlasts the read time-out ("stopped responding") and keeps the partial', async () => {
    const fuse = await disc('hang', { bad: [10], hang: [2500] });
    const inner = await openFileReader(fuse.path);
    // A time-out well above any read of a busy machine, so only the stuck read reaches it.
    const reader = timedReader(inner, [2500], 2000);
    const target = join(dir, 'hang', 'HUNG.iso');
    const result = await runCopy(copyRequest(reader, SECTORS * S, target, { readRetries: 1 }).request);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'drive_timeout', partialKept: true });
    expect(result.error?.message).toMatch(new RegExp(`the drive stopped responding at byte ${2500 * S} \\(a read timed out\\)`));
    expect(result.badSectors).toBeGreaterThan(0);
    expect((await stat(partPaths(target).map)).isFile()).toBe(true);
    await fuse.release();
    await inner.close();
  });

  it('the Linux reader lends its descriptor on its lane; a stuck lent read times out and close waits for it', async () => {
    const fuse = await disc('linux', { bad: BAD, hang: [3500] });
    const handle = await open(fuse.path, 'r');
    const reader = new LinuxDiscReader(fuse.path, handle, SECTORS * S, { read: 2000, close: 60_000 });
    const target = join(dir, 'linux', 'LINUX.iso');
    const result = await runCopy(copyRequest(reader, SECTORS * S, target, { readRetries: 1 }).request);
    expect(result).toMatchObject({ outcome: 'failed', reason: 'drive_timeout', partialKept: true });
    expect(result.error?.message).toMatch(new RegExp(`stopped responding at byte ${3500 * S}`));
    // Nothing else touches the drive while the lent read is stuck: a read waits behind it and
    // times out, and close() waits until the stuck read has returned.
    const read = await reader.read(Buffer.alloc(S), 0, S).catch((error: unknown) => error);
    expect(read).toBeInstanceOf(DriveReadError);
    expect((read as DriveReadError).code).toBe('ETIMEDOUT');
    let closed = false;
    const closing = reader.close().then(() => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false);
    await fuse.release();
    await closing;
  });
});
