import { Disk2isoError, errnoCode } from '../util/errors.js';
import { formatBytes } from '../util/format.js';

/** Why a copy ended without a (possibly degraded) image; the first reason wins. */
export type CopyReason =
  | 'cancelled'
  | 'stalled'
  | 'disk_full'
  | 'drive_gone'
  /** A read timed out: the drive stopped answering. The partial image is kept for a resume. */
  | 'drive_timeout'
  | 'read_error'
  | 'io_error'
  | 'verify_mismatch';

/**
 * A copy ended without an image. The message says what, where, how far and why:
 * "Copy of /dev/sr0 to /media/disk2iso/data/FOO.iso failed after 1.2 GiB: no space left on device".
 */
export class CopyError extends Disk2isoError {
  constructor(
    readonly device: string,
    readonly targetPath: string,
    readonly bytesCopied: number,
    readonly reason: CopyReason,
    readonly detail: string,
    options: { cause?: unknown } = {},
  ) {
    const verb = reason === 'cancelled' ? 'was cancelled' : 'failed';
    super(`Copy of ${device} to ${targetPath} ${verb} after ${formatBytes(bytesCopied)}: ${detail}`, {
      ...options,
      context: { device, targetPath, bytesCopied, reason },
    });
  }
}

/** The planned output path is unusable (escapes the output directory, bad base name…). */
export class OutputPathError extends Disk2isoError {
  constructor(
    readonly outputDir: string,
    readonly baseName: string,
    detail: string,
  ) {
    super(`Cannot place image '${baseName}' in ${outputDir}: ${detail}`, { context: { outputDir, baseName } });
  }
}

/** A write, truncate, sync or rename of the output failed; classified as disk_full or io_error. */
export class OutputWriteError extends Disk2isoError {
  readonly reason: 'disk_full' | 'io_error';

  constructor(
    readonly operation: string,
    readonly path: string,
    cause: unknown,
  ) {
    const code = errnoCode(cause);
    const full = code === 'ENOSPC' || code === 'EDQUOT';
    super(full ? 'no space left on device' : `${operation} ${path}: ${describeErrno(cause)}`, {
      cause,
      context: { operation, path, code },
    });
    this.reason = full ? 'disk_full' : 'io_error';
  }
}

const ERRNO_TEXT: Record<string, string> = {
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  EIO: 'input/output error',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
};

function describeErrno(error: unknown): string {
  const code = errnoCode(error);
  if (code && ERRNO_TEXT[code]) return `${ERRNO_TEXT[code]} (${code})`;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Runs an output operation, turning any failure into an `OutputWriteError`. */
export async function outputOp<T>(operation: string, path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw error instanceof OutputWriteError ? error : new OutputWriteError(operation, path, error);
  }
}
