import { open } from 'node:fs/promises';
import type { DiscReader } from '../drive/index.js';
import { errorMessage } from '../util/errors.js';
import type { Warnings } from './warnings.js';

/** Logical sector size of data discs; every `SectorSource` counts in these. */
export const SECTOR = 2048;

/** Reads `count` 2048-byte sectors starting at logical block `lba`; may throw (read errors) or return fewer bytes at the end of the medium. */
export type SectorSource = (lba: number, count: number) => Promise<Buffer>;

/** Most sectors one `SectorSource` call may be asked for (keeps every allocation small). */
const MAX_SECTORS_PER_READ = 512;

function checkRange(lba: number, count: number): void {
  if (!Number.isSafeInteger(lba) || lba < 0 || !Number.isSafeInteger(count) || count < 0 || count > MAX_SECTORS_PER_READ) {
    throw new RangeError(`bad sector range: lba ${lba}, count ${count}`);
  }
}

/** A `SectorSource` over an image file (opened per call, so nothing needs closing). */
export function fileSectorSource(path: string): SectorSource {
  return async (lba, count) => {
    checkRange(lba, count);
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(count * SECTOR);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, lba * SECTOR);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  };
}

/** A `SectorSource` over an open drive reader (its errors propagate, as identification expects). */
export function discReaderSource(reader: DiscReader): SectorSource {
  return async (lba, count) => {
    checkRange(lba, count);
    const buffer = Buffer.alloc(count * SECTOR);
    let filled = 0;
    while (filled < buffer.length) {
      const chunk = Buffer.alloc(buffer.length - filled);
      const n = await reader.read(chunk, lba * SECTOR + filled, chunk.length);
      if (n <= 0) break;
      chunk.copy(buffer, filled, 0, n);
      filled += n;
    }
    return buffer.subarray(0, filled);
  };
}

export interface ReadLimits {
  /** Total sectors one identification may read (a hostile disc must not make us read gigabytes). */
  readonly maxSectors: number;
  /** After this many failed reads the disc is not read any further. */
  readonly maxErrors: number;
  /** A read pending this long counts as a hung drive: nothing more is read. Null: no limit. */
  readonly readTimeoutMs: number | null;
}

export const DEFAULT_LIMITS: ReadLimits = { maxSectors: 16_384, maxErrors: 8, readTimeoutMs: null };

class ReadTimeout extends Error {}

/** `promise`, or a ReadTimeout rejection after `ms` (the hung read itself is abandoned, not cancelled). */
async function withTimeout<T>(promise: Promise<T>, ms: number | null): Promise<T> {
  if (ms === null) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadTimeout(`no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const CHUNK = 64;
/** Most sectors one `bytes`/`sectors` call may span (4 MiB). */
const MAX_SECTORS_PER_CALL = 2048;
const CACHE_SECTORS = 2048;

/**
 * The only way the parsers touch the disc: cached, bounded in total volume and in errors, and
 * never throwing — a failed or short read yields `null` and a warning.
 */
export class BoundedSource {
  private readonly cache = new Map<number, Buffer>();
  private readonly failed = new Set<number>();
  private sectorsRead = 0;
  private errors = 0;
  private hung = false;

  constructor(
    private readonly source: SectorSource,
    private readonly warnings: Warnings,
    /** Sectors on the medium when known; nothing at or past it is read. */
    readonly sectorLimit: number | null,
    private readonly limits: ReadLimits = DEFAULT_LIMITS,
  ) {}

  /** Exactly `length` bytes at byte `offset`, or null. */
  async bytes(offset: number, length: number): Promise<Buffer | null> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) return null;
    if (length === 0) return Buffer.alloc(0);
    const first = Math.floor(offset / SECTOR);
    const last = Math.floor((offset + length - 1) / SECTOR);
    const data = await this.sectors(first, last - first + 1);
    if (data === null) return null;
    const start = offset - first * SECTOR;
    return data.subarray(start, start + length);
  }

  /** Exactly `count` whole sectors, or null. */
  async sectors(lba: number, count: number): Promise<Buffer | null> {
    const got = await this.leadingSectors(lba, count);
    return got.length === count * SECTOR ? got : null;
  }

  /** As many of the `count` sectors from `lba` as can be read without a gap (possibly none). */
  async leadingSectors(lba: number, count: number): Promise<Buffer> {
    if (!this.inRange(lba, count)) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (let at = lba; at < lba + count; ) {
      const cached = this.cache.get(at);
      if (cached !== undefined) {
        parts.push(cached);
        at += 1;
        continue;
      }
      let run = 1;
      while (run < CHUNK && at + run < lba + count && !this.cache.has(at + run)) run += 1;
      const fetched = await this.fetch(at, run);
      if (fetched === 0) break;
      const stop = at + fetched;
      for (; at < stop; at += 1) parts.push(this.cache.get(at) ?? Buffer.alloc(SECTOR));
      if (fetched < run) break;
    }
    return Buffer.concat(parts);
  }

  private inRange(lba: number, count: number): boolean {
    if (!Number.isSafeInteger(lba) || !Number.isSafeInteger(count) || lba < 0 || count <= 0) return false;
    if (count > MAX_SECTORS_PER_CALL) return false;
    if (lba + count > 0xffff_ffff + 1) return false;
    return this.sectorLimit === null || lba + count <= this.sectorLimit;
  }

  /** Reads `count` uncached sectors into the cache; returns how many leading ones arrived. */
  private async fetch(lba: number, count: number): Promise<number> {
    if (this.failed.has(lba) || this.hung) return 0;
    if (this.errors >= this.limits.maxErrors) {
      this.warnings.add(`stopped reading after ${this.errors} read errors`);
      return 0;
    }
    if (this.sectorsRead + count > this.limits.maxSectors) {
      this.warnings.add(`read budget of ${this.limits.maxSectors} sectors exhausted`);
      return 0;
    }
    this.sectorsRead += count;
    let data: Buffer;
    try {
      data = await withTimeout(this.source(lba, count), this.limits.readTimeoutMs);
    } catch (error) {
      if (error instanceof ReadTimeout) {
        // A drive that hung once hangs again: reading on would only multiply the wait.
        this.hung = true;
        this.warnings.add(`read of sector ${lba} timed out (${error.message}); not reading further`);
        return 0;
      }
      this.errors += 1;
      this.warnings.add(`read error at sector ${lba}: ${errorMessage(error)}`);
      if (count > 1) return this.fetchSingly(lba, count);
      this.failed.add(lba);
      return 0;
    }
    if (!Buffer.isBuffer(data)) return 0;
    const whole = Math.min(count, Math.floor(data.length / SECTOR));
    for (let i = 0; i < whole; i += 1) this.remember(lba + i, Buffer.from(data.subarray(i * SECTOR, (i + 1) * SECTOR)));
    return whole;
  }

  /** After a failed multi-sector read, sector by sector: one bad sector should not hide its neighbours. */
  private async fetchSingly(lba: number, count: number): Promise<number> {
    for (let i = 0; i < count; i += 1) {
      if ((await this.fetch(lba + i, 1)) === 0) return i;
    }
    return count;
  }

  private remember(lba: number, sector: Buffer): void {
    if (this.cache.size >= CACHE_SECTORS) {
      const oldest = this.cache.keys().next();
      if (oldest.done !== true) this.cache.delete(oldest.value);
    }
    this.cache.set(lba, sector);
  }
}
