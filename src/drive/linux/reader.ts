import { constants, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { alignedOffset } from '../aligned.js';
import { DriveReadError } from '../errors.js';
import { SECTOR_SIZE, type DiscReader, type LentSource } from '../types.js';
import { systemErrorCode } from './decode.js';
import { OpLane } from './lane.js';

/** Memory alignment for O_DIRECT buffers (covers the 512-byte DMA alignment of block queues). */
const DIRECT_ALIGNMENT = 4096;
/**
 * Aligned memory lent with the O_DIRECT descriptor: the worker reads what the first pass left
 * after a read error in its 1 MiB chunks, one read each (the rescue's reads are 64 KiB at most).
 */
const LEND_BYTES = 1024 * 1024;
/** The lane's limit for a lend: none in effect (the borrower times each read; setTimeout's maximum). */
const LEND_LIMIT_MS = 2 ** 31 - 1;

export interface LinuxReaderTimeouts {
  readonly read: number;
  readonly close: number;
}

/**
 * Reads the medium through the block device with positioned FileHandle reads, each on its own
 * lane with a time-out (a read of a scratched disc can take the kernel minutes of retries).
 *
 * The fast pass uses buffered reads (kernel read-ahead keeps the drive streaming). Buffered
 * reads fail a whole 4 KiB page — two 2048-byte sectors — around one bad sector, so after the
 * first read error the reader switches sector-aligned reads to a second, O_DIRECT descriptor:
 * the rescue then sees EIO on exactly the sectors the drive cannot read.
 */
export class LinuxDiscReader implements DiscReader {
  readonly #lane: OpLane;
  #direct: FileHandle | null = null;
  #directTried = false;
  #bounce: { buffer: Buffer; offset: number; size: number } | null = null;
  #closed = false;

  constructor(
    readonly devicePath: string,
    private readonly handle: FileHandle,
    readonly sizeBytes: number,
    private readonly timeouts: LinuxReaderTimeouts,
  ) {
    this.#lane = new OpLane(devicePath);
  }

  /** True once reads go through O_DIRECT (after the first read error). */
  get direct(): boolean {
    return this.#direct !== null;
  }

  read(buffer: Buffer, position: number, length: number): Promise<number> {
    if (this.#closed) return Promise.reject(new DriveReadError(this.devicePath, position, 'EBADF'));
    if (length <= 0) return Promise.resolve(0);
    return this.#lane.run('read', this.timeouts.read, () => this.#read(buffer, position, Math.min(length, buffer.length)), {
      onTimeout: () => new DriveReadError(this.devicePath, position, 'ETIMEDOUT'),
    });
  }

  async #read(buffer: Buffer, position: number, length: number): Promise<number> {
    // Queued behind a hung read by a caller that has since given up and closed: never start it.
    if (this.#closed) throw new DriveReadError(this.devicePath, position, 'EBADF');
    try {
      const direct = this.#direct;
      if (direct !== null && position % SECTOR_SIZE === 0 && length % SECTOR_SIZE === 0) {
        return await this.#readDirect(direct, buffer, position, length);
      }
      const { bytesRead } = await this.handle.read(buffer, 0, length, position);
      if (bytesRead === 0 && position < this.sizeBytes) throw this.#vanished(position);
      return bytesRead;
    } catch (error) {
      if (error instanceof DriveReadError) throw error;
      const code = systemErrorCode(error) ?? 'EIO';
      if (code === 'EIO') await this.#enableDirect();
      throw new DriveReadError(this.devicePath, position, code, { cause: error });
    }
  }

  /**
   * End of file before the medium's end: the kernel has dropped the medium (unplugged drive,
   * disc pulled) and the device now reads as empty. Not an end: the copy must not stop short.
   */
  #vanished(position: number): DriveReadError {
    const nodeExists = statSync(this.devicePath, { throwIfNoEntry: false }) !== undefined;
    return new DriveReadError(this.devicePath, position, nodeExists ? 'ENOMEDIUM' : 'ENODEV');
  }

  async #readDirect(direct: FileHandle, buffer: Buffer, position: number, length: number): Promise<number> {
    const bounce = this.#alignedBuffer(length);
    const { bytesRead } = await direct.read(bounce.buffer, bounce.offset, length, position);
    if (bytesRead === 0 && position < this.sizeBytes) throw this.#vanished(position);
    bounce.buffer.copy(buffer, 0, bounce.offset, bounce.offset + bytesRead);
    return bytesRead;
  }

  /** A reusable buffer slice whose address is DIRECT_ALIGNMENT-aligned, as O_DIRECT requires. */
  #alignedBuffer(length: number): { buffer: Buffer; offset: number } {
    if (this.#bounce === null || this.#bounce.size < length) {
      const buffer = Buffer.allocUnsafeSlow(length + DIRECT_ALIGNMENT);
      this.#bounce = { buffer, offset: alignedOffset(buffer, DIRECT_ALIGNMENT), size: length };
    }
    return this.#bounce;
  }

  /**
   * Lends the O_DIRECT descriptor (the buffered one where O_DIRECT is not available) for the
   * rescue's synchronous reads, on the lane like any read: no other read or the close runs
   * until `task` has settled, and while a lent read is stuck, close() waits for it as it waits
   * for a stuck read(). The borrower times each read itself (`readTimeoutMs`).
   */
  lend<T>(task: (source: LentSource) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new DriveReadError(this.devicePath, 0, 'EBADF'));
    return this.#lane.run(
      'rescue',
      LEND_LIMIT_MS,
      async () => {
        await this.#enableDirect();
        const direct = this.#direct;
        const aligned = direct === null ? null : this.#sharedAligned();
        return task({ fd: (direct ?? this.handle).fd, aligned, readTimeoutMs: this.timeouts.read });
      },
      { onTimeout: () => new DriveReadError(this.devicePath, 0, 'ETIMEDOUT') },
    );
  }

  /** LEND_BYTES of memory another thread can read into, DIRECT_ALIGNMENT-aligned. */
  #sharedAligned(): { memory: SharedArrayBuffer; offset: number; size: number } {
    const memory = new SharedArrayBuffer(LEND_BYTES + DIRECT_ALIGNMENT);
    return { memory, offset: alignedOffset(Buffer.from(memory), DIRECT_ALIGNMENT), size: LEND_BYTES };
  }

  async #enableDirect(): Promise<void> {
    if (this.#directTried) return;
    this.#directTried = true;
    try {
      this.#direct = await open(this.devicePath, constants.O_RDONLY | constants.O_DIRECT);
    } catch {
      // No O_DIRECT here (tmpfs, some FUSE): stay with buffered reads.
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // mustRun: even behind a hung read the descriptors are closed once the read returns, so the
    // kernel unlocks the door and a later eject is not refused with EBUSY.
    await this.#lane.run(
      'close',
      this.timeouts.close,
      async () => {
        await this.#direct?.close().catch(() => undefined);
        await this.handle.close();
      },
      { mustRun: true },
    );
  }
}
