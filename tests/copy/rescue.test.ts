import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runCopy } from '../../src/copy/index.js';
import { useIsoImage } from '../helpers/images.js';
import { copyRequest, flakyReader, head, listDir, sha256, simDrive } from './helpers.js';

const S = 2048;

describe('rescue of bad sectors', () => {
  const disc = useIsoImage('rescue-', 5);

  /** The source with the given sectors zeroed: what a degraded image must contain. */
  async function expectedImage(size: number, badSectors: number[]): Promise<Buffer> {
    const data = Buffer.from(await head(disc.image, size));
    for (const sector of badSectors) data.fill(0, sector * S, Math.min(size, (sector + 1) * S));
    return data;
  }

  it.each([
    { chunkBytes: 64 * 1024, name: '64 KiB chunks' },
    { chunkBytes: undefined, name: 'default 1 MiB chunks' },
    { chunkBytes: 4 * 1024 * 1024, name: '4 MiB chunks' },
  ])('keeps a degraded image with the exact bad ranges and zeros there ($name)', async ({ chunkBytes }) => {
    const lastSector = Math.ceil(disc.fsBytes / S) - 1;
    const bad = [100, 101, 102, 700, lastSector];
    const { drive } = await simDrive(join(disc.dir, `sim-${chunkBytes ?? 'default'}`), disc.image, { bad_sectors: bad });
    const reader = await drive.open();
    const target = join(disc.dir, `degraded-${chunkBytes ?? 'default'}`, 'BAD.iso');
    const { request, samples } = copyRequest(reader, disc.fsBytes, target, { readRetries: 2, checksums: ['sha256', 'md5'], chunkBytes });
    const result = await runCopy(request);
    await reader.close();

    expect(result).toMatchObject({ outcome: 'degraded', reason: null, error: null, imagePath: target, bytes: disc.fsBytes, badSectors: 5 });
    expect(result.badRanges).toEqual([
      [100 * S, 103 * S],
      [700 * S, 701 * S],
      [lastSector * S, disc.fsBytes],
    ]);
    const copy = await readFile(target);
    const expected = await expectedImage(disc.fsBytes, bad);
    expect(copy.length).toBe(disc.fsBytes);
    expect(copy.equals(expected)).toBe(true);
    expect(result.checksums.sha256).toBe(sha256(expected));
    await execa('sha256sum', ['-c', 'BAD.iso.sha256'], { cwd: join(disc.dir, `degraded-${chunkBytes ?? 'default'}`) });
    await execa('md5sum', ['-c', 'BAD.iso.md5'], { cwd: join(disc.dir, `degraded-${chunkBytes ?? 'default'}`) });
    expect(samples.some((s) => s.phase === 'rescuing')).toBe(true);
    expect(await listDir(join(disc.dir, `degraded-${chunkBytes ?? 'default'}`))).toEqual(['BAD.iso', 'BAD.iso.md5', 'BAD.iso.sha256']);
  });

  it("fails with reason read_error and leaves nothing when on_read_error is 'fail'", async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-fail'), disc.image, { bad_sectors: [42] });
    const reader = await drive.open();
    const out = join(disc.dir, 'fail');
    const { request } = copyRequest(reader, disc.fsBytes, join(out, 'FAIL.iso'), { onReadError: 'fail', readRetries: 1, chunkBytes: 256 * 1024 });
    const result = await runCopy(request);
    await reader.close();

    expect(result).toMatchObject({ outcome: 'failed', reason: 'read_error', imagePath: null, badSectors: 1, badRanges: [[42 * S, 43 * S]] });
    expect(result.error?.reason).toBe('read_error');
    expect(result.error?.message).toMatch(/^Copy of .+ to .*FAIL\.iso failed after [\d.]+ MiB: 1 unreadable sector\(s\) and on_read_error is 'fail'$/);
    expect(await listDir(out)).toEqual([]);
  });

  it('recovers a sector that reads only on a retry pass', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-flaky'), disc.image);
    const inner = await drive.open();
    const reader = flakyReader(inner, [300, 301], 3);
    const target = join(disc.dir, 'flaky', 'FLAKY.iso');
    const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { readRetries: 1, chunkBytes: 128 * 1024 }).request);
    await inner.close();

    // Attempt 1 in the first pass (128 KiB), 2 when splitting (64 KiB), 3 trimming, 4 in the retry pass.
    expect(reader.attempts.get(300)).toBe(4);
    expect(reader.attempts.get(301)).toBe(4);
    expect(result).toMatchObject({ outcome: 'success', badSectors: 0, badRanges: [] });
    const source = await head(disc.image, disc.fsBytes);
    expect((await readFile(target)).equals(source)).toBe(true);
    expect(result.checksums.sha256).toBe(sha256(source));
  });

  it('gives up after readRetries passes', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-flaky2'), disc.image);
    const inner = await drive.open();
    const reader = flakyReader(inner, [300], 100);
    const target = join(disc.dir, 'flaky2', 'FLAKY.iso');
    const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { readRetries: 2, chunkBytes: 128 * 1024 }).request);
    await inner.close();

    // First pass, split, trim, then exactly 2 retry passes.
    expect(reader.attempts.get(300)).toBe(5);
    expect(result).toMatchObject({ outcome: 'degraded', badSectors: 1, badRanges: [[300 * S, 301 * S]] });
    expect((await stat(target)).size).toBe(disc.fsBytes);
  });
});
