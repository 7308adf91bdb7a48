import { open, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClosingReaders } from './closing-readers.js';
import { isCuePath, parseCueLayout, RAW_SECTOR_BYTES, type CueLayout } from './cue.js';
import { DriveOperationError, DriveReadError } from './errors.js';
import { readSimState, simRemoveDisc, trayImage, updateSimState, type SimState } from './simulated-state.js';
import { SECTOR_SIZE, type DiscKind, type DiscReader, type Drive, type DriveIdentity, type DriveStatusKind, type Toc } from './types.js';

/** How often an open reader re-reads state.json (to notice unplug, pulled disc, new errors). */
const STATE_REFRESH_MS = 200;
/** How long open, eject and the tray wait for a reader whose reads are stuck (see ClosingReaders). */
const SETTLE_WAIT_MS = 30_000;

/**
 * The Drive interface backed by image files in a folder (see simulated-state.ts): for tests,
 * the demo and machines without a drive.
 */
export class SimulatedDrive implements Drive {
  readonly path: string;
  readonly #closing = new ClosingReaders();

  constructor(
    readonly id: string,
    readonly folder: string,
  ) {
    this.path = `sim:${folder}`;
  }

  async identity(): Promise<DriveIdentity> {
    const state = await readSimState(this.folder);
    return { path: this.path, vendor: state.vendor, model: state.model, simulated: true };
  }

  async status(): Promise<DriveStatusKind> {
    const state = await readSimState(this.folder);
    if (state.unplugged) return 'absent';
    if (state.tray_open) return 'tray_open';
    return (await trayImage(this.folder)) ? 'disc_ok' : 'no_disc';
  }

  async discKind(): Promise<DiscKind> {
    if ((await this.status()) !== 'disc_ok') return 'unknown';
    const cue = await this.#cue();
    if (!cue) return 'data';
    return cue.layout.toc.tracks.every((t) => t.type === 'audio') ? 'audio' : 'mixed';
  }

  async toc(): Promise<Toc | null> {
    const image = await trayImage(this.folder);
    if (!image || (await this.status()) !== 'disc_ok') return null;
    const cue = await this.#cue();
    if (cue) return cue.layout.toc;
    const sectors = Math.ceil((await stat(image)).size / SECTOR_SIZE);
    return { firstTrack: 1, lastTrack: 1, tracks: [{ number: 1, start: 0, type: 'data' }], leadOut: sectors };
  }

  /**
   * A BIN/CUE in the tray: its layout, the cue's real path (what cd-paranoia and cd-info read, as
   * they read /dev/sr0) and the BIN's. Null for any other image; a cue that cannot be parsed or
   * whose BIN is missing is an unreadable disc (null too, reads fail).
   */
  async #cue(): Promise<{ layout: CueLayout; cuePath: string; binPath: string } | null> {
    const image = await trayImage(this.folder);
    if (!image || !isCuePath(image)) return null;
    try {
      const cuePath = await realpath(image);
      const text = await readFile(cuePath, 'utf8');
      const bin = /^\s*FILE\s+(?:"([^"]*)"|(\S+))/im.exec(text);
      const binPath = resolve(dirname(cuePath), bin?.[1] ?? bin?.[2] ?? '');
      const layout = parseCueLayout(text, (await stat(binPath)).size);
      return layout ? { layout, cuePath, binPath } : null;
    } catch {
      return null;
    }
  }

  async open(): Promise<DiscReader> {
    await this.#closing.settled(this.path, 'open', SETTLE_WAIT_MS);
    const state = await readSimState(this.folder);
    if (state.unplugged) throw new DriveReadError(this.path, 0, 'ENOENT');
    const image = await trayImage(this.folder);
    if (!image || state.tray_open) throw new DriveReadError(this.path, 0, 'ENOMEDIUM');
    if (isCuePath(image)) {
      const cue = await this.#cue();
      if (!cue) throw new DriveReadError(this.path, 0, 'EIO');
      return this.#closing.track(new CueDataReader(cue.cuePath, await open(cue.binPath, 'r'), cue.layout));
    }
    const handle = await open(image, 'r');
    const size = (await handle.stat()).size;
    // External tools (dvdbackup) may read the image itself only when nothing is injected.
    const faultless = state.bad_sectors.length === 0 && state.hang_at_byte === null && state.bytes_per_second === 0;
    return this.#closing.track(new SimulatedReader(this, handle, size, state, faultless ? await realpath(image) : null));
  }

  async eject(): Promise<void> {
    await this.#closing.settled(this.path, 'eject', SETTLE_WAIT_MS);
    const state = await readSimState(this.folder);
    if (state.unplugged) throw new DriveOperationError(this.path, 'eject', 'ENOENT');
    if (state.eject_fails) throw new DriveOperationError(this.path, 'eject', 'EIO');
    // The user takes the disc off the open tray: the simulation does both at once.
    await simRemoveDisc(this.folder);
    await updateSimState(this.folder, { tray_open: true });
  }

  async closeTray(): Promise<void> {
    await this.#closing.settled(this.path, 'close tray', SETTLE_WAIT_MS);
    const state = await readSimState(this.folder);
    if (state.unplugged) throw new DriveOperationError(this.path, 'close tray', 'ENOENT');
    await updateSimState(this.folder, { tray_open: false });
  }

  async setLocked(_locked: boolean): Promise<void> {
    // A simulated tray has no lock.
  }

  async dispose(): Promise<void> {}
}

/**
 * Like the kernel's block device: a read that hangs (`hang_at_byte`) returns once the hang is
 * lifted (the drive answers again), and close() waits for the reads in flight.
 */
class SimulatedReader implements DiscReader {
  readonly devicePath: string | null;
  readonly #inFlight = new Set<Promise<unknown>>();
  /** A read timed out and has not returned: later reads fail fast (the Linux reader's lane). */
  #hung = false;
  #state: SimState;
  #stateReadAt = Date.now();
  #started = Date.now();
  #bytesRead = 0;

  constructor(
    private readonly drive: SimulatedDrive,
    private readonly handle: FileHandle,
    readonly sizeBytes: number,
    state: SimState,
    devicePath: string | null,
  ) {
    this.#state = state;
    this.devicePath = devicePath;
  }

  async #currentState(): Promise<SimState> {
    if (Date.now() - this.#stateReadAt >= STATE_REFRESH_MS) {
      this.#state = await readSimState(this.drive.folder);
      this.#stateReadAt = Date.now();
    }
    return this.#state;
  }

  read(buffer: Buffer, position: number, length: number): Promise<number> {
    if (this.#hung) return Promise.reject(new DriveReadError(this.drive.path, position, 'ETIMEDOUT'));
    const read = this.#read(buffer, position, length);
    const settled = read.then(
      () => undefined,
      () => undefined,
    );
    this.#inFlight.add(settled);
    void settled.then(() => this.#inFlight.delete(settled));
    const timeoutMs = this.#state.read_timeout_ms;
    if (timeoutMs <= 0) return read;
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#hung = true;
        void settled.then(() => {
          this.#hung = false;
        });
        reject(new DriveReadError(this.drive.path, position, 'ETIMEDOUT'));
      }, timeoutMs);
      read.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  async #read(buffer: Buffer, position: number, length: number): Promise<number> {
    let state = await this.#currentState();
    if (state.unplugged) throw new DriveReadError(this.drive.path, position, 'ENOENT');
    if (state.tray_open || !(await trayImage(this.drive.folder))) {
      throw new DriveReadError(this.drive.path, position, 'ENOMEDIUM');
    }
    const end = Math.min(position + length, this.sizeBytes);
    while (state.hang_at_byte !== null && end > state.hang_at_byte) {
      await sleep(STATE_REFRESH_MS);
      state = await this.#currentState();
    }
    const first = Math.floor(position / SECTOR_SIZE);
    const last = Math.floor((end - 1) / SECTOR_SIZE);
    const bad = state.bad_sectors.find((s) => s >= first && s <= last);
    if (bad !== undefined) {
      throw new DriveReadError(this.drive.path, Math.max(position, bad * SECTOR_SIZE), 'EIO');
    }
    const { bytesRead } = await this.handle.read(buffer, 0, Math.max(0, end - position), position);
    this.#bytesRead += bytesRead;
    if (state.bytes_per_second > 0) {
      const due = this.#started + (this.#bytesRead / state.bytes_per_second) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    return bytesRead;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#inFlight]);
    await this.handle.close();
  }
}

/**
 * A BIN/CUE read like a CD's block device: 2048-byte sectors of its data tracks (mixed-mode and
 * Enhanced CDs) at their TOC positions; audio sectors and gaps fail with EIO as on a drive.
 * `devicePath` is the cue itself, which cd-paranoia and cd-info read as they read /dev/sr0.
 */
class CueDataReader implements DiscReader {
  readonly sizeBytes: number;

  constructor(
    readonly devicePath: string,
    private readonly handle: FileHandle,
    private readonly layout: CueLayout,
  ) {
    this.sizeBytes = Math.max(0, ...layout.data.map((d) => d.end)) * SECTOR_SIZE;
  }

  async read(buffer: Buffer, position: number, length: number): Promise<number> {
    const end = Math.min(position + length, this.sizeBytes);
    let done = 0;
    const raw = Buffer.alloc(RAW_SECTOR_BYTES);
    while (position + done < end) {
      const at = position + done;
      const lba = Math.floor(at / SECTOR_SIZE);
      const extent = this.layout.data.find((d) => lba >= d.start && lba < d.end);
      if (!extent) throw new DriveReadError(this.devicePath, at, 'EIO');
      await this.handle.read(raw, 0, RAW_SECTOR_BYTES, (extent.binSector + lba - extent.start) * RAW_SECTOR_BYTES);
      const within = at % SECTOR_SIZE;
      const count = Math.min(SECTOR_SIZE - within, end - at);
      raw.copy(buffer, done, extent.userOffset + within, extent.userOffset + within + count);
      done += count;
    }
    return done;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
