import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCopy } from '../../src/copy/index.js';
import { simRemoveDisc, updateSimState } from '../../src/drive/index.js';
import { useIsoImage } from '../helpers/images.js';
import { mountTmpfs } from '../helpers/tmpfs.js';
import { copyRequest, listDir, simDrive, waitFor } from './helpers.js';

describe('copies that end early', () => {
  const disc = useIsoImage('fail-', 5);

  it('cancels mid-copy from a slow drive and removes .part and .map', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-cancel'), disc.image, { bytes_per_second: 1_000_000 });
    const reader = await drive.open();
    const out = join(disc.dir, 'cancel');
    const { request, samples, controller } = copyRequest(reader, disc.fsBytes, join(out, 'C.iso'), { chunkBytes: 128 * 1024 });
    const running = runCopy(request);
    await waitFor(() => samples.some((s) => s.bytesDone >= 256 * 1024), 30_000, 'some progress');
    controller.abort();
    const result = await running;
    await reader.close();

    expect(result).toMatchObject({ outcome: 'cancelled', reason: 'cancelled', imagePath: null, checksums: {} });
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.bytes).toBeLessThan(disc.fsBytes);
    expect(result.error?.message).toMatch(/^Copy of .+ to .*C\.iso was cancelled after [\d.]+ (KiB|MiB): cancelled by request$/);
    expect(await listDir(out)).toEqual([]);
  });

  it('is cancelled at once when the signal is already aborted', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-pre'), disc.image);
    const reader = await drive.open();
    const out = join(disc.dir, 'pre');
    const { request, controller } = copyRequest(reader, disc.fsBytes, join(out, 'P.iso'));
    controller.abort();
    const result = await runCopy(request);
    await reader.close();
    expect(result).toMatchObject({ outcome: 'cancelled', reason: 'cancelled', bytes: 0 });
    expect(await listDir(out)).toEqual([]);
  });

  it('ends a hung read as stalled and removes the partial output', async () => {
    const { folder, drive } = await simDrive(join(disc.dir, 'sim-hang'), disc.image, { hang_at_byte: 1024 * 1024 });
    const reader = await drive.open();
    const out = join(disc.dir, 'hang');
    const { request } = copyRequest(reader, disc.fsBytes, join(out, 'H.iso'), { stallTimeoutMs: 1000, chunkBytes: 256 * 1024 });
    const result = await runCopy(request);
    // Like a real drive, the reader closes only once the stuck read has returned.
    await updateSimState(folder, { hang_at_byte: null });
    await reader.close();

    expect(result).toMatchObject({ outcome: 'failed', reason: 'stalled', imagePath: null, bytes: 1024 * 1024 });
    expect(result.error?.message).toContain('no progress for 1 s');
    expect(await listDir(out)).toEqual([]);
  });

  it.each([
    { how: 'unplugged', code: 'ENOENT' },
    { how: 'disc pulled', code: 'ENOMEDIUM' },
  ])('ends with drive_gone when the drive is $how mid-copy', async ({ how, code }) => {
    const { folder, drive } = await simDrive(join(disc.dir, `sim-gone-${code}`), disc.image, { bytes_per_second: 1_000_000 });
    const reader = await drive.open();
    const out = join(disc.dir, `gone-${code}`);
    const { request, samples } = copyRequest(reader, disc.fsBytes, join(out, 'G.iso'), { chunkBytes: 128 * 1024, readRetries: 3 });
    const running = runCopy(request);
    await waitFor(() => samples.some((s) => s.bytesDone >= 256 * 1024), 30_000, 'some progress');
    if (how === 'unplugged') await updateSimState(folder, { unplugged: true });
    else await simRemoveDisc(folder);
    const result = await running;
    await reader.close();

    expect(result).toMatchObject({ outcome: 'failed', reason: 'drive_gone', imagePath: null });
    expect(result.error?.message).toContain(`the drive or the disc disappeared (${code} at byte`);
    expect(await listDir(out)).toEqual([]);
  });

  it('fails with verify_mismatch when the written image differs from what was read', async () => {
    const { drive } = await simDrive(join(disc.dir, 'sim-verify'), disc.image);
    const reader = await drive.open();
    const out = join(disc.dir, 'verify');
    const part = join(out, 'V.iso.part');
    const { request } = copyRequest(reader, disc.fsBytes, join(out, 'V.iso'), {
      verify: true,
      // The storage flips a byte between the copy and the verify pass.
      onProgress: (p) => {
        if (p.phase !== 'verifying' || p.bytesDone !== 0) return;
        const fd = openSync(part, 'r+');
        writeSync(fd, Buffer.from([0xff]), 0, 1, 40_000);
        closeSync(fd);
      },
    });
    const result = await runCopy(request);
    await reader.close();

    expect(result).toMatchObject({ outcome: 'failed', reason: 'verify_mismatch', imagePath: null, bytes: disc.fsBytes });
    expect(result.error?.message).toMatch(/verification failed: the written image has sha256 [0-9a-f]{64}, the disc gave [0-9a-f]{64}$/);
    expect(await listDir(out)).toEqual([]);
  });

  describe('output filesystem problems (root: mounts a tmpfs)', () => {
    it('ends with disk_full on a full filesystem and removes the partial file', async (ctx) => {
      const mnt = await mountTmpfs(ctx, 'size=2m');
      const { drive } = await simDrive(join(disc.dir, 'sim-full'), disc.image);
      const reader = await drive.open();
      const target = join(mnt, 'data', 'FULL.iso');
      const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { chunkBytes: 256 * 1024 }).request);
      await reader.close();

      expect(result).toMatchObject({ outcome: 'failed', reason: 'disk_full', imagePath: null });
      expect(result.error?.message).toMatch(/^Copy of .+ to .*FULL\.iso failed after [\d.]+ (KiB|MiB): no space left on device$/);
      expect(await listDir(join(mnt, 'data'))).toEqual([]);
    });

    it('ends with io_error and a clear message on a read-only output folder', async (ctx) => {
      const mnt = await mountTmpfs(ctx, 'ro,size=1m');
      const { drive } = await simDrive(join(disc.dir, 'sim-ro'), disc.image);
      const reader = await drive.open();
      const result = await runCopy(copyRequest(reader, disc.fsBytes, join(mnt, 'RO.iso')).request);
      await reader.close();

      expect(result).toMatchObject({ outcome: 'failed', reason: 'io_error', imagePath: null, bytes: 0 });
      expect(result.error?.message).toContain('read-only file system (EROFS)');
      expect(await listDir(mnt)).toEqual([]);
    });
  });
});
