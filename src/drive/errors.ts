import { Disk2isoError } from '../util/errors.js';

/** Reading the medium failed at `position` (EIO on a scratch, ENOMEDIUM, ENOENT after unplug…). */
export class DriveReadError extends Disk2isoError {
  constructor(
    readonly drivePath: string,
    readonly position: number,
    readonly code: string,
    options: { cause?: unknown } = {},
  ) {
    super(`Read of ${drivePath} failed at byte ${position}: ${code}`, { ...options, context: { drivePath, position, code } });
  }

  /** The drive or medium is gone; retrying is pointless. */
  get isGone(): boolean {
    return this.code === 'ENOENT' || this.code === 'ENOMEDIUM' || this.code === 'ENXIO' || this.code === 'ENODEV';
  }
}

/** A drive operation (eject, status, open…) failed or timed out. */
export class DriveOperationError extends Disk2isoError {
  constructor(
    readonly drivePath: string,
    readonly operation: string,
    readonly code: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${operation} on ${drivePath} failed: ${code}`, { ...options, context: { drivePath, operation, code } });
  }
}
