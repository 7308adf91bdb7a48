import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { DriveOperationError, DriveReadError } from '../errors.js';
import type { DiscKind, DiscReader, Drive, DriveIdentity, DriveStatusKind, Toc } from '../types.js';

/**
 * PLACEHOLDER until the ioctl-based drive lands (issue 6): reports only whether the device
 * node exists. Replaced by the real implementation.
 */
export class LinuxDrive implements Drive {
  readonly id: string;

  constructor(readonly path: string, id?: string) {
    this.id = id ?? basename(path);
  }

  async identity(): Promise<DriveIdentity> {
    return { path: this.path, vendor: null, model: null, simulated: false };
  }

  async status(): Promise<DriveStatusKind> {
    try {
      await access(this.path);
      return 'not_ready';
    } catch {
      return 'absent';
    }
  }

  async discKind(): Promise<DiscKind> {
    return 'unknown';
  }

  async toc(): Promise<Toc | null> {
    return null;
  }

  async open(): Promise<DiscReader> {
    throw new DriveReadError(this.path, 0, 'ENOTSUP');
  }

  async eject(): Promise<void> {
    throw new DriveOperationError(this.path, 'eject', 'ENOTSUP');
  }

  async closeTray(): Promise<void> {
    throw new DriveOperationError(this.path, 'close tray', 'ENOTSUP');
  }

  async setLocked(_locked: boolean): Promise<void> {}

  async dispose(): Promise<void> {}
}
