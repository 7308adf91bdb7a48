import type { FileHandle } from 'node:fs/promises';
import { DriveReadError, type DiscReader } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import { errnoCode, errorMessage } from '../util/errors.js';
import { outputOp } from './errors.js';
import { CopyStopped, type CopyGuard } from './guard.js';
import type { PassStatus } from './mapfile.js';
import type { ReadFailureLog } from './read-failures.js';
import type { RescueMap } from './rescue-map.js';

/** What the read passes share: source, output, map, guard, and where the run is. */
export interface CopyIo {
  readonly reader: DiscReader;
  readonly out: FileHandle;
  readonly partPath: string;
  readonly map: RescueMap;
  readonly guard: CopyGuard;
  readonly logger: Logger;
  /** Read errors, logged rate-limited. */
  readonly failures: ReadFailureLog;
  /** Mapfile status line: position, phase character and pass number. */
  readonly cursor: { pos: number; status: PassStatus; pass: number };
  /** Called after every map change (progress sample, throttled mapfile save). */
  changed(): void;
}

const GONE_CODES = new Set(['ENOENT', 'ENOMEDIUM', 'ENXIO', 'ENODEV']);
/** Read error codes that end the copy instead of marking a bad area (see readFailure). */
export const STOP_CODES: readonly string[] = [...GONE_CODES, 'ETIMEDOUT'];

/**
 * The code of a read that returned less than it asked for before the end of what it asked:
 * the kernel returns what it read before an error, so reading on would only fail there (a
 * second failed read of the same bad area). The bad area starts after the bytes read.
 */
export const SHORT_READ = 'SHORT_READ';

/**
 * Sorts a failed read: a stop passes through; a vanished drive or disc stops the copy
 * (`drive_gone`); a read that timed out stops it too (`drive_timeout`: the drive hangs, which
 * says nothing about the sector, and every later read would only time out as well); anything
 * else is a bad area the caller records (`count` failed reads of it, the last at `position`). A failure is not progress: the stall watchdog keeps
 * running, so a drive that only fails still ends the job.
 */
export function readFailure(io: CopyIo, error: unknown, position: number, count = 1): void {
  if (error instanceof CopyStopped) throw error;
  const code = (error instanceof DriveReadError ? error.code : errnoCode(error)) ?? 'EIO';
  const at = error instanceof DriveReadError ? error.position : position;
  const gone = error instanceof DriveReadError ? error.isGone : GONE_CODES.has(code);
  if (gone) {
    throw io.guard.stop('drive_gone', `the drive or the disc disappeared (${code} at byte ${at})`, error);
  }
  if (code === 'ETIMEDOUT') {
    throw io.guard.stop('drive_timeout', `the drive stopped responding at byte ${at} (a read timed out); what was read is kept to resume`, error);
  }
  io.failures.note(at, error instanceof DriveReadError || errnoCode(error) !== undefined ? code : errorMessage(error), count);
}

/**
 * Reads exactly `length` bytes at `position` (a read of 0 bytes before that is an error).
 * `progress.got` says how many were read when it rejects (a short read, then a failed one).
 * With `shortEnds`, a short read rejects at once (SHORT_READ, at the byte after it) instead of
 * reading on.
 */
export async function readExactly(
  io: CopyIo,
  buffer: Buffer,
  position: number,
  length: number,
  progress: { got: number } = { got: 0 },
  shortEnds = false,
): Promise<void> {
  progress.got = 0;
  while (progress.got < length) {
    const got = progress.got;
    const target = got === 0 ? buffer : buffer.subarray(got);
    const n = await io.guard.race(io.reader.read(target, position + got, length - got));
    if (n <= 0) throw new DriveReadError(io.reader.devicePath ?? 'disc', position + got, 'EOF');
    progress.got += n;
    if (shortEnds && n < length - got) throw new DriveReadError(io.reader.devicePath ?? 'disc', position + progress.got, SHORT_READ);
  }
  io.guard.activity();
}

/** Writes all of `buffer[0, length)` at `position` of the `.part` file. */
export async function writeAt(io: CopyIo, buffer: Buffer, length: number, position: number): Promise<void> {
  await outputOp('write', io.partPath, async () => {
    let done = 0;
    while (done < length) {
      const { bytesWritten } = await io.out.write(buffer, done, length - done, position + done);
      done += bytesWritten;
    }
  });
}
