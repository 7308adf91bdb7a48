import { close as closeCallback, constants, open as openCallback, statSync } from 'node:fs';
import { open as openHandle, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ClosingReaders } from '../closing-readers.js';
import { DriveOperationError, DriveReadError } from '../errors.js';
import type { DiscKind, DiscReader, Drive, DriveIdentity, DriveStatusKind, Toc } from '../types.js';
import {
  BLKGETSIZE64,
  CDROM_DISC_STATUS,
  CDROM_DRIVE_STATUS,
  CDROM_LEADOUT,
  CDROM_LOCKDOOR,
  CDROM_MEDIA_CHANGED,
  CDROMCLOSETRAY,
  CDROMEJECT,
  CDROMREADTOCENTRY,
  CDROMREADTOCHDR,
  CDSL_CURRENT,
  TOCHDR_SIZE,
} from './constants.js';
import { buildToc, discKindFromCode, driveStatusFromCode, isGoneCode, systemErrorCode, parseTocEntry, parseTocHeader, tocEntryRequest, type TocEntry } from './decode.js';
import { ErrnoError, ioctl, ioctlOrThrow } from './libc.js';
import { OpLane } from './lane.js';
import { LinuxDiscReader } from './reader.js';
import { readSysfsIdentity } from './sysfs.js';

const openFd = promisify(openCallback);
const closeFd = promisify(closeCallback);

/** Milliseconds each blocking operation may take before it rejects with ETIMEDOUT. */
export interface LinuxDriveTimeouts {
  /** open + CDROM_DRIVE_STATUS / CDROM_DISC_STATUS + close. */
  readonly status: number;
  readonly toc: number;
  /** Includes the EBUSY retries. */
  readonly eject: number;
  /** Close tray and door lock. */
  readonly tray: number;
  /** Opening the medium for reading (the drive may spin up first). */
  readonly open: number;
  /** One read; the kernel's own retries on a scratched disc take minutes. */
  readonly read: number;
  readonly close: number;
}

const DEFAULT_LINUX_TIMEOUTS: LinuxDriveTimeouts = {
  status: 10_000,
  toc: 20_000,
  eject: 30_000,
  tray: 20_000,
  open: 30_000,
  read: 120_000,
  close: 30_000,
};

export interface LinuxDriveOptions {
  readonly timeouts?: Partial<LinuxDriveTimeouts>;
  /** Root of sysfs, for tests with a fake tree. */
  readonly sysfsRoot?: string;
  /** Pause between eject attempts refused with EBUSY (someone else has the device open). */
  readonly ejectRetryDelayMs?: number;
}

/** Control operations open the node non-blocking: works with no disc and an open tray. */
const CONTROL_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
const EJECT_ATTEMPTS = 5;

/**
 * A real optical drive through the Linux CD-ROM driver (sr): status, disc kind, TOC, eject,
 * tray and door lock by ioctl (koffi, on libuv worker threads), vendor/model from sysfs, the
 * medium through the block device. Nothing spawns a process; every blocking call has a
 * time-out and runs on a lane that a hung drive cannot turn into a stuck process.
 */
export class LinuxDrive implements Drive {
  readonly id: string;
  readonly #timeouts: LinuxDriveTimeouts;
  readonly #control: OpLane;
  /** Readers closing behind a stuck read: open, eject, tray and lock wait for them. */
  readonly #closing = new ClosingReaders();
  readonly #sysfsRoot: string;
  readonly #ejectRetryDelayMs: number;
  /** The previous answer of status() (null before the first: a change seen then is old news). */
  #lastStatus: DriveStatusKind | null = null;

  constructor(
    readonly path: string,
    id?: string,
    options: LinuxDriveOptions = {},
  ) {
    this.id = id ?? basename(path);
    this.#timeouts = { ...DEFAULT_LINUX_TIMEOUTS, ...options.timeouts };
    this.#control = new OpLane(path);
    this.#sysfsRoot = options.sysfsRoot ?? '/sys';
    this.#ejectRetryDelayMs = options.ejectRetryDelayMs ?? 1000;
  }

  async identity(): Promise<DriveIdentity> {
    const { vendor, model } = await readSysfsIdentity(this.path, this.#sysfsRoot);
    return { path: this.path, vendor, model, simulated: false };
  }

  /** devtmpfs adds and removes the node with the device; a stat of it never touches hardware. */
  #nodeExists(): boolean {
    return statSync(this.path, { throwIfNoEntry: false }) !== undefined;
  }

  /** Runs `task` with a non-blocking descriptor of the drive on the control lane. */
  #withControlFd<T>(operation: string, timeoutMs: number, task: (fd: number, signal: AbortSignal) => Promise<T>): Promise<T> {
    return this.#control.run(operation, timeoutMs, async (signal) => {
      const fd = await openFd(this.path, CONTROL_FLAGS);
      try {
        return await task(fd, signal);
      } finally {
        await closeFd(fd).catch(() => undefined);
      }
    });
  }

  #operationError(operation: string, error: unknown): DriveOperationError {
    if (error instanceof DriveOperationError) return error;
    return new DriveOperationError(this.path, operation, systemErrorCode(error) ?? 'EIO', { cause: error });
  }

  /**
   * The drive's status (CDROM_DRIVE_STATUS), `absent` when the node is gone.
   *
   * A disc swapped between two polls (tray opened, disc changed and tray closed within one poll
   * interval) would otherwise go unseen: the drive says `disc_ok` before and after. The kernel
   * records the media change (CDROM_MEDIA_CHANGED, cleared by each call), so a change after a
   * `disc_ok` answer is reported as one `no_disc` — the disc did leave — and `disc_ok` on the
   * next poll, exactly what a poll during the swap would have shown.
   */
  async status(): Promise<DriveStatusKind> {
    const status = await this.#pollStatus();
    this.#lastStatus = status;
    return status;
  }

  async #pollStatus(): Promise<DriveStatusKind> {
    if (!this.#nodeExists()) return 'absent';
    try {
      const { code, changed } = await this.#withControlFd('status', this.#timeouts.status, async (fd) => {
        const result = await ioctlOrThrow(fd, CDROM_DRIVE_STATUS, CDSL_CURRENT, 'CDROM_DRIVE_STATUS');
        const media = await ioctl(fd, CDROM_MEDIA_CHANGED, CDSL_CURRENT);
        return { code: result, changed: media.result === 1 };
      });
      const status = driveStatusFromCode(code);
      return changed && status === 'disc_ok' && this.#lastStatus === 'disc_ok' ? 'no_disc' : status;
    } catch (error) {
      const code = systemErrorCode(error);
      if (isGoneCode(code)) return 'absent';
      if (code === 'ENOMEDIUM') return 'no_disc';
      // ENOTTY/EINVAL: the path is not a CD-ROM drive (a disk, a file): say so, not 'absent'.
      throw this.#operationError('status', error);
    }
  }

  async discKind(): Promise<DiscKind> {
    if (!this.#nodeExists()) return 'unknown';
    try {
      const code = await this.#withControlFd('disc status', this.#timeouts.status, (fd) =>
        ioctlOrThrow(fd, CDROM_DISC_STATUS, 0, 'CDROM_DISC_STATUS'),
      );
      return discKindFromCode(code);
    } catch (error) {
      if (error instanceof DriveOperationError) throw error; // time-out: the caller must know
      return 'unknown';
    }
  }

  async toc(): Promise<Toc | null> {
    if (!this.#nodeExists()) return null;
    try {
      return await this.#withControlFd('read TOC', this.#timeouts.toc, async (fd, signal) => {
        const headerBuffer = Buffer.alloc(TOCHDR_SIZE);
        await ioctlOrThrow(fd, CDROMREADTOCHDR, headerBuffer, 'CDROMREADTOCHDR');
        const header = parseTocHeader(headerBuffer);
        if (header === null) return null;
        const readEntry = async (track: number): Promise<TocEntry | null> => {
          const request = tocEntryRequest(track);
          await ioctlOrThrow(fd, CDROMREADTOCENTRY, request, 'CDROMREADTOCENTRY');
          return parseTocEntry(request);
        };
        const entries: TocEntry[] = [];
        for (let track = header.first; track <= header.last && !signal.aborted; track += 1) {
          const entry = await readEntry(track);
          if (entry === null) return null;
          entries.push(entry);
        }
        const leadOut = await readEntry(CDROM_LEADOUT);
        return leadOut === null ? null : buildToc(header, entries, leadOut);
      });
    } catch (error) {
      if (error instanceof DriveOperationError) throw error;
      return null; // no disc, blank disc, not a CD drive: no TOC
    }
  }

  async eject(): Promise<void> {
    await this.#closing.settled(this.path, 'eject', this.#timeouts.eject);
    if (!this.#nodeExists()) throw new DriveOperationError(this.path, 'eject', 'ENOENT');
    try {
      await this.#withControlFd('eject', this.#timeouts.eject, async (fd, signal) => {
        // A door locked with setLocked(true) stays locked (keeplocked) and refuses CDROMEJECT.
        await ioctl(fd, CDROM_LOCKDOOR, 0);
        for (let attempt = 1; ; attempt += 1) {
          const { result, errno } = await ioctl(fd, CDROMEJECT, 0);
          if (result >= 0) return;
          // EBUSY: another descriptor is open (a reader closing, udev's probe): wait and retry.
          if (errno !== 'EBUSY' || attempt >= EJECT_ATTEMPTS || signal.aborted) throw new ErrnoError(errno ?? 'EIO', 'CDROMEJECT');
          await sleep(this.#ejectRetryDelayMs);
        }
      });
    } catch (error) {
      throw this.#operationError('eject', error);
    }
  }

  async closeTray(): Promise<void> {
    await this.#simpleIoctl('close tray', CDROMCLOSETRAY, 0);
  }

  async setLocked(locked: boolean): Promise<void> {
    await this.#simpleIoctl(locked ? 'lock door' : 'unlock door', CDROM_LOCKDOOR, locked ? 1 : 0);
  }

  async #simpleIoctl(operation: string, request: number, arg: number): Promise<void> {
    await this.#closing.settled(this.path, operation, this.#timeouts.tray);
    if (!this.#nodeExists()) throw new DriveOperationError(this.path, operation, 'ENOENT');
    try {
      await this.#withControlFd(operation, this.#timeouts.tray, (fd) => ioctlOrThrow(fd, request, arg, operation));
    } catch (error) {
      throw this.#operationError(operation, error);
    }
  }

  /**
   * Opens the medium. Plain O_RDONLY (not O_NONBLOCK): the CD-ROM driver then checks for a disc
   * (ENOMEDIUM) and locks the door while the reader is open, unlocking it on close.
   */
  async open(): Promise<DiscReader> {
    if (!this.#nodeExists()) throw new DriveReadError(this.path, 0, 'ENOENT');
    await this.#closing.settled(this.path, 'open', this.#timeouts.open);
    try {
      return await this.#control.run('open', this.#timeouts.open, async (signal) => {
        const handle = await openHandle(this.path, constants.O_RDONLY);
        try {
          const size = await mediumSize(handle);
          if (signal.aborted) throw new Error('open timed out');
          return this.#closing.track(new LinuxDiscReader(this.path, handle, size, { read: this.#timeouts.read, close: this.#timeouts.close }));
        } catch (error) {
          await handle.close().catch(() => undefined);
          throw error;
        }
      });
    } catch (error) {
      if (error instanceof DriveOperationError) throw error;
      throw new DriveReadError(this.path, 0, systemErrorCode(error) ?? 'EIO', { cause: error });
    }
  }

  async dispose(): Promise<void> {
    // Nothing is held between calls: every operation opens and closes its own descriptor, so a
    // drive that is unplugged and plugged back is simply found again.
  }
}

/** Size of the medium: BLKGETSIZE64 on a block device, the file size otherwise. */
async function mediumSize(handle: FileHandle): Promise<number> {
  const out = Buffer.alloc(8);
  const { result } = await ioctl(handle.fd, BLKGETSIZE64, out);
  if (result >= 0) return Number(out.readBigUInt64LE(0));
  return (await handle.stat()).size;
}
