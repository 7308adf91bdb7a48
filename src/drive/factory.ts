import type { DriveSpec } from '../config/index.js';
import { LinuxDrive } from './linux/index.js';
import { SimulatedDrive } from './simulated.js';
import type { Drive } from './types.js';

/**
 * The read time-out of Linux drives, when `DISK2ISO_DRIVE_READ_TIMEOUT_MS` is set (default
 * 120 s): the QEMU rig shortens it so a hung drive ends the job in seconds.
 */
function readTimeoutOverride(): { timeouts: { read: number } } | Record<string, never> {
  const ms = Number(process.env.DISK2ISO_DRIVE_READ_TIMEOUT_MS);
  return Number.isSafeInteger(ms) && ms > 0 ? { timeouts: { read: ms } } : {};
}

/** The Drive for one entry of the `drives` option: simulated folder or Linux device. */
export function createDrive(spec: DriveSpec): Drive {
  switch (spec.kind) {
    case 'simulated':
      return new SimulatedDrive(spec.id, spec.folder);
    case 'device':
      return new LinuxDrive(spec.path, spec.id, readTimeoutOverride());
  }
}
