import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCopy } from '../../src/copy/index.js';
import { parseMapfile } from '../../src/copy/mapfile.js';
import { DriveReadError, type DiscReader } from '../../src/drive/index.js';
import { useIsoImage } from '../helpers/images.js';
import { copyRequest, head, listDir, simDrive } from './helpers.js';

const S = 2048;

/**
 * What the Linux reader does once a read has timed out: that read and every later one reject
 * with ETIMEDOUT (the lane fails fast while the hung read holds its thread).
 */
function hangingReader(inner: DiscReader, hangAtByte: number): DiscReader & { reads: number } {
  let hung = false;
  const wrapper = {
    sizeBytes: inner.sizeBytes,
    devicePath: inner.devicePath,
    reads: 0,
    async read(buffer: Buffer, position: number, length: number): Promise<number> {
      wrapper.reads++;
      if (hung || position + length > hangAtByte) {
        hung = true;
        throw new DriveReadError('/dev/sr0', position, 'ETIMEDOUT');
      }
      return inner.read(buffer, position, length);
    },
    close: () => inner.close(),
  };
  return wrapper;
}

/** A drive that answers every read with EIO after a moment: nothing ever progresses. */
function failingReader(sizeBytes: number): DiscReader {
  return {
    sizeBytes,
    devicePath: null,
    read: async (_buffer, position) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      throw new DriveReadError('/dev/sr0', position, 'EIO');
    },
    close: () => Promise.resolve(),
  };
}

describe('a drive that hangs', () => {
  const disc = useIsoImage('hung-', 4);

  it('ends the job at a read timeout with "stopped responding at byte N" and keeps the partial, which resumes', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-timeout'), disc.image);
    const inner = await drive.open();
    const hangAt = 1024 * 1024 + 5 * S;
    const reader = hangingReader(inner, hangAt);
    const out = join(disc.dir, 'timeout');
    const target = join(out, 'HUNG.iso');
    const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { readRetries: 2, chunkBytes: 256 * 1024 }).request);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'drive_timeout', imagePath: null, partialKept: true });
    // Not a bad sector: nothing is listed as unreadable.
    expect(result.badSectors).toBe(0);
    expect(result.error?.reason).toBe('drive_timeout');
    expect(result.error?.message).toMatch(/failed after 1.0 MiB: the drive stopped responding at byte 1048576 \(a read timed out\); what was read is kept to resume$/);
    expect(result.error?.cause).toBeInstanceOf(DriveReadError);
    expect(result.error?.context).toMatchObject({ reason: 'drive_timeout', bytesCopied: 1024 * 1024 });
    // The first timed-out read ends the copy: no rescue of the rest of the disc.
    expect(reader.reads).toBeLessThan(10);
    expect(await listDir(out)).toEqual(['HUNG.iso.part', 'HUNG.iso.part.map']);
    const map = parseMapfile(await readFile(join(out, 'HUNG.iso.part.map'), 'utf8'));
    expect(map.blocks.filter((b) => b.status === '+')).toEqual([{ pos: 0, size: 1024 * 1024, status: '+' }]);
    expect(map.blocks.some((b) => b.status === '-' || b.status === '*')).toBe(false);

    // The drive answers again: the same target resumes and completes byte-exact.
    const again = await runCopy(copyRequest(inner, disc.fsBytes, target, { readRetries: 2, chunkBytes: 256 * 1024 }).request);
    await inner.close();
    expect(again).toMatchObject({ outcome: 'success', resumed: true, badSectors: 0 });
    expect((await readFile(target)).equals(await head(disc.image, disc.fsBytes))).toBe(true);
    expect((await stat(target)).size).toBe(disc.fsBytes);
  });

  it('ends a copy whose drive only fails (no progress at all) through the stall watchdog', async () => {
    const out = join(disc.dir, 'only-fails');
    // 64 MiB of sectors that each fail after a millisecond: a rescue would take minutes.
    const result = await runCopy(
      copyRequest(failingReader(64 * 1024 * 1024), 64 * 1024 * 1024, join(out, 'DEAD.iso'), { readRetries: 1, stallTimeoutMs: 400 }).request,
    );
    expect(result).toMatchObject({ outcome: 'failed', reason: 'stalled', imagePath: null });
    expect(result.error?.message).toMatch(/no progress for/);
    expect(await listDir(out)).toEqual([]);
  }, 20_000);
});
