import { SECTOR_SIZE } from '../drive/index.js';
import { readExactly, readFailure, writeAt, type CopyIo } from './io.js';

/** Read size when splitting a failed first-pass chunk (GNU ddrescue's default cluster, 64 KiB). */
export const SPLIT_BYTES = 64 * 1024;

/**
 * ddrescue's passes after the first one, over the failed areas only: splitting (a failed large
 * chunk is re-read in 64 KiB pieces, so one bad sector costs at most one small area to trim),
 * trimming (`*`: read forward from the leading edge and backward from the trailing edge up to
 * the first bad sector; the rest becomes non-scraped `/`), scraping (`/`: every sector once) and
 * `retries` retry passes over the bad sectors (`-`), alternating direction like ddrescue.
 * Unreadable sectors stay unwritten (zeros in the image).
 */
export async function rescue(io: CopyIo, retries: number): Promise<void> {
  const buffer = Buffer.allocUnsafeSlow(SPLIT_BYTES);
  const writer = new BackgroundWriter(io);
  try {
    await passes(io, writer, buffer, retries);
    await writer.drain();
  } finally {
    writer.abandon();
  }
}

async function passes(io: CopyIo, writer: BackgroundWriter, buffer: Buffer, retries: number): Promise<void> {
  const readSector = (pos: number, areaEnd: number): Promise<boolean> =>
    readArea(io, writer, buffer, pos, sectorEnd(pos, areaEnd), '-');

  io.cursor.status = '?';
  io.cursor.pass = 2;
  for (const [start, end] of io.map.ranges('*')) {
    if (end - start <= SPLIT_BYTES) continue;
    for (let pos = start; pos < end; ) {
      const next = Math.min(end, (Math.floor(pos / SPLIT_BYTES) + 1) * SPLIT_BYTES);
      await readArea(io, writer, buffer, pos, next, '*');
      pos = next;
    }
  }
  io.cursor.pass = 1;
  await writer.drain();

  io.cursor.status = '*';
  for (const [start, end] of io.map.ranges('*')) {
    let front = start;
    while (front < end && (await readSector(front, end))) front = sectorEnd(front, end);
    if (front >= end) continue;
    let back = lastSectorStart(end);
    while (back > front && (await readSector(back, end))) back -= SECTOR_SIZE;
    if (back > front) io.map.set(sectorEnd(front, end), back, '/');
    io.changed();
  }

  await writer.drain();

  io.cursor.status = '/';
  for (const [start, end] of io.map.ranges('/')) {
    for (let pos = start; pos < end; pos = sectorEnd(pos, end)) await readSector(pos, end);
  }

  io.cursor.status = '-';
  for (let pass = 1; pass <= retries && io.map.bytesWith('-') > 0; pass++) {
    io.cursor.pass = pass;
    await writer.drain();
    const sectors = io.map.ranges('-').flatMap(([start, end]) => sectorsOf(start, end));
    if (pass % 2 === 0) sectors.reverse();
    for (const [pos, end] of sectors) await readSector(pos, end);
  }
  io.cursor.pass = 1;
}

/** Reads [pos, end): queued for writing (then `+`) on success, marked `failed` on a read error. */
async function readArea(
  io: CopyIo,
  writer: BackgroundWriter,
  buffer: Buffer,
  pos: number,
  end: number,
  failed: '*' | '-',
): Promise<boolean> {
  io.cursor.pos = pos;
  try {
    await readExactly(io, buffer, pos, end - pos);
  } catch (error) {
    readFailure(io, error, pos);
    io.map.set(pos, end, failed);
    io.changed();
    return false;
  }
  await writer.push(Buffer.from(buffer.subarray(0, end - pos)), pos, end);
  return true;
}

/** Writes above this many queued areas wait: bounds memory if the output is slow. */
const MAX_QUEUED_WRITES = 64;

/**
 * Writes rescued areas in order while the next sector is read (one thread-pool round trip
 * less per sector); an area becomes `+` only once written. `drain()` before anything that
 * reads the map's `+`/`-` state; a failed write surfaces at the next push or drain.
 */
class BackgroundWriter {
  #tail: Promise<void> = Promise.resolve();
  #queued = 0;
  #failure: Error | null = null;

  constructor(private readonly io: CopyIo) {}

  async push(data: Buffer, pos: number, end: number): Promise<void> {
    if (this.#failure !== null) throw this.#failure;
    if (this.#queued >= MAX_QUEUED_WRITES) await this.drain();
    this.#queued++;
    const io = this.io;
    this.#tail = this.#tail
      .then(async () => {
        if (this.#failure !== null) return;
        await writeAt(io, data, end - pos, pos);
        io.guard.activity();
        io.map.set(pos, end, '+');
        io.changed();
      })
      .catch((error: unknown) => {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.#queued--;
      });
  }

  async drain(): Promise<void> {
    await this.io.guard.race(this.#tail);
    if (this.#failure !== null) throw this.#failure;
  }

  /** After a stop: later queued writes are skipped (the output is being removed or kept as is). */
  abandon(): void {
    this.#failure ??= new Error('rescue ended');
  }
}

function sectorEnd(pos: number, areaEnd: number): number {
  return Math.min(areaEnd, (Math.floor(pos / SECTOR_SIZE) + 1) * SECTOR_SIZE);
}

function lastSectorStart(end: number): number {
  return Math.floor((end - 1) / SECTOR_SIZE) * SECTOR_SIZE;
}

function sectorsOf(start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  for (let pos = start; pos < end; pos = sectorEnd(pos, end)) out.push([pos, end]);
  return out;
}
