import { open, readFile } from 'node:fs/promises';
import { DriveReadError, type DiscReader, type LentSource } from '../drive/index.js';
import { errnoCode } from '../util/errors.js';

/**
 * A `DiscReader` over any file or block device (`/dev/sr0`, `/dev/loop0`, an image file):
 * errors become `DriveReadError` with the byte position and errno code.
 */
export async function openFileReader(path: string): Promise<DiscReader> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new DriveReadError(path, 0, errnoCode(error) ?? 'EIO', { cause: error });
  }
  try {
    const stats = await handle.stat();
    const sizeBytes = stats.isBlockDevice() ? await blockDeviceSize(stats.rdev) : stats.size;
    const file = handle;
    // Settles once a lent descriptor is back (close waits for it).
    let lent: Promise<unknown> = Promise.resolve();
    return {
      sizeBytes,
      devicePath: path,
      async read(buffer: Buffer, position: number, length: number): Promise<number> {
        try {
          const { bytesRead } = await file.read(buffer, 0, Math.min(length, buffer.length), position);
          return bytesRead;
        } catch (error) {
          throw new DriveReadError(path, position, errnoCode(error) ?? 'EIO', { cause: error });
        }
      },
      lend<T>(task: (source: LentSource) => Promise<T>): Promise<T> {
        const run = lent.then(() => task({ fd: file.fd, aligned: null, readTimeoutMs: 0 }));
        lent = run.catch(() => undefined);
        return run;
      },
      close: async () => {
        await lent;
        await file.close();
      },
    };
  } catch (error) {
    await handle.close().catch(() => undefined);
    if (error instanceof DriveReadError) throw error;
    throw new DriveReadError(path, 0, errnoCode(error) ?? 'EIO', { cause: error });
  }
}

/** stat() of a block device says size 0; sysfs has it in 512-byte units. */
async function blockDeviceSize(rdev: number): Promise<number> {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  const sectors = Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim());
  if (!Number.isSafeInteger(sectors)) throw new Error(`unreadable size of block device ${major}:${minor}`);
  return sectors * 512;
}
