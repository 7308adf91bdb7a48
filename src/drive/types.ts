/** Logical sector size of data CDs, DVDs and Blu-rays. */
export const SECTOR_SIZE = 2048;

/**
 * What the drive says about itself and its tray (Linux `CDROM_DRIVE_STATUS` semantics, plus
 * `absent` when the device node is gone).
 */
export type DriveStatusKind = 'absent' | 'no_disc' | 'tray_open' | 'not_ready' | 'disc_ok';

/** What kind of tracks the disc has (Linux `CDROM_DISC_STATUS`). */
export type DiscKind = 'audio' | 'data' | 'mixed' | 'unknown';

export interface DriveIdentity {
  readonly path: string;
  readonly vendor: string | null;
  readonly model: string | null;
  readonly simulated: boolean;
}

export interface TocTrack {
  readonly number: number;
  /** First logical block (LBA) of the track. */
  readonly start: number;
  readonly type: 'audio' | 'data';
}

/** Table of contents; `leadOut` is the LBA just after the last track. */
export interface Toc {
  readonly firstTrack: number;
  readonly lastTrack: number;
  readonly tracks: readonly TocTrack[];
  readonly leadOut: number;
}

/**
 * Reads the medium. Errors of the medium (EIO, ENOMEDIUM, ENOENT after an unplug) reject with
 * a `DriveReadError` carrying the byte position.
 */
export interface DiscReader {
  /** Size of the medium in bytes as the block device reports it (may exceed the filesystem). */
  readonly sizeBytes: number;
  /** Path for external tools (dvdbackup, cdparanoia, ddrescue), when there is one. */
  readonly devicePath: string | null;
  /** Reads up to `length` bytes at `position` into `buffer` at offset 0; resolves the count read (0 at the end). */
  read(buffer: Buffer, position: number, length: number): Promise<number>;
  close(): Promise<void>;
  /**
   * Optional: lends a descriptor of the medium for synchronous reads (a worker thread's pread)
   * until the promise `task` returns has settled. Meanwhile nothing else of this reader touches the
   * medium, and close() waits for it; `task` must settle only once no read of the descriptor is
   * running any more. Readers that cannot (simulated faults) leave it out; callers then use read().
   */
  lend?<T>(task: (source: LentSource) => Promise<T>): Promise<T>;
}

/** A descriptor lent by `DiscReader.lend`. */
export interface LentSource {
  readonly fd: number;
  /**
   * Memory to read into, when the descriptor needs aligned buffers (O_DIRECT): `size` bytes at
   * `offset` of `memory`. Null: any buffer will do.
   */
  readonly aligned: { readonly memory: SharedArrayBuffer; readonly offset: number; readonly size: number } | null;
  /** A single read running longer than this means the drive stopped responding (0: no limit). */
  readonly readTimeoutMs: number;
}

/**
 * One optical drive. Every method is cheap enough to poll (no process spawned) and must not
 * hang: implementations time out what the hardware may block on.
 */
export interface Drive {
  /** Stable id used in file paths and MQTT topics (`sr0`, `sim0`). */
  readonly id: string;
  readonly path: string;
  identity(): Promise<DriveIdentity>;
  status(): Promise<DriveStatusKind>;
  discKind(): Promise<DiscKind>;
  /** The TOC, or null when there is no disc or it cannot be read. */
  toc(): Promise<Toc | null>;
  open(): Promise<DiscReader>;
  eject(): Promise<void>;
  closeTray(): Promise<void>;
  setLocked(locked: boolean): Promise<void>;
  /** Releases timers or handles the drive holds. */
  dispose(): Promise<void>;
}
