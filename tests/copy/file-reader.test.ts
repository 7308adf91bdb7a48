import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { openFileReader, runCopy } from '../../src/copy/index.js';
import { DriveReadError } from '../../src/drive/index.js';
import { IS_ROOT, skipUnlessCi } from '../helpers/ci.js';
import { useIsoImage } from '../helpers/images.js';
import { copyRequest, head, sha256 } from './helpers.js';

describe('openFileReader', () => {
  const disc = useIsoImage('file-', 4);

  it('reads an image file and reports its size', async () => {
    const reader = await openFileReader(disc.image);
    try {
      expect(reader.sizeBytes).toBe((await stat(disc.image)).size);
      expect(reader.devicePath).toBe(disc.image);
      const buffer = Buffer.alloc(2048);
      expect(await reader.read(buffer, 16 * 2048, 2048)).toBe(2048);
      expect(buffer.subarray(1, 6).toString('latin1')).toBe('CD001');
      expect(await reader.read(buffer, reader.sizeBytes, 2048)).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it('turns a missing device into a DriveReadError that says the drive is gone', async () => {
    const error: unknown = await openFileReader(join(disc.dir, 'no-such-device')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DriveReadError);
    expect(error).toMatchObject({ code: 'ENOENT', isGone: true, position: 0 });
  });

  it('copies from a real block device (read-only loop device)', async (ctx) => {
    if (!IS_ROOT) return skipUnlessCi(ctx, 'losetup needs root');
    const attached = await execa('losetup', ['-r', '-f', '--show', disc.image], { reject: false });
    if (attached.failed) return skipUnlessCi(ctx, `losetup failed: ${attached.stderr}`);
    const device = attached.stdout.trim();
    try {
      const reader = await openFileReader(device);
      try {
        expect(reader.sizeBytes).toBe((await stat(disc.image)).size);
        const target = join(disc.dir, 'loop', 'LOOP.iso');
        const result = await runCopy(copyRequest(reader, disc.fsBytes, target, { checksums: ['sha256'], verify: true }).request);
        expect(result).toMatchObject({ outcome: 'success', bytes: disc.fsBytes });
        const source = await head(disc.image, disc.fsBytes);
        expect((await readFile(target)).equals(source)).toBe(true);
        expect(result.checksums.sha256).toBe(sha256(source));
        expect(result.error).toBeNull();
      } finally {
        await reader.close();
      }
    } finally {
      await execa('losetup', ['-d', device], { reject: false });
    }
  });
});
