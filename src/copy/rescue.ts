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

  io.cursor.status = '?';
  io.cursor.pass = 2;
  for (const [start, end] of io.map.ranges('*')) {
    if (end - start <= SPLIT_BYTES) continue;
    for (let pos = start; pos < end; ) {
      const next = Math.min(end, (Math.floor(pos / SPLIT_BYTES) + 1) * SPLIT_BYTES);
      await readArea(io, buffer, pos, next, '*');
      pos = next;
    }
  }
  io.cursor.pass = 1;

  io.cursor.status = '*';
  for (const [start, end] of io.map.ranges('*')) {
    let front = start;
    while (front < end && (await readSector(io, buffer, front, end))) front = sectorEnd(front, end);
    if (front >= end) continue;
    let back = lastSectorStart(end);
    while (back > front && (await readSector(io, buffer, back, end))) back -= SECTOR_SIZE;
    if (back > front) io.map.set(sectorEnd(front, end), back, '/');
    io.changed();
  }

  io.cursor.status = '/';
  for (const [start, end] of io.map.ranges('/')) {
    for (let pos = start; pos < end; pos = sectorEnd(pos, end)) await readSector(io, buffer, pos, end);
  }

  io.cursor.status = '-';
  for (let pass = 1; pass <= retries && io.map.bytesWith('-') > 0; pass++) {
    io.cursor.pass = pass;
    const sectors = io.map.ranges('-').flatMap(([start, end]) => sectorsOf(start, end));
    if (pass % 2 === 0) sectors.reverse();
    for (const [pos, end] of sectors) await readSector(io, buffer, pos, end);
  }
  io.cursor.pass = 1;
}

/** One sector (shortened at the end of the area): `+` and written on success, `-` on failure. */
function readSector(io: CopyIo, buffer: Buffer, pos: number, areaEnd: number): Promise<boolean> {
  return readArea(io, buffer, pos, sectorEnd(pos, areaEnd), '-');
}

/** Reads [pos, end): `+` and written on success, `failed` on a read error. */
async function readArea(io: CopyIo, buffer: Buffer, pos: number, end: number, failed: '*' | '-'): Promise<boolean> {
  io.cursor.pos = pos;
  try {
    await readExactly(io, buffer, pos, end - pos);
  } catch (error) {
    readFailure(io, error, pos);
    io.map.set(pos, end, failed);
    io.changed();
    return false;
  }
  await io.guard.race(writeAt(io, buffer, end - pos, pos));
  io.guard.activity();
  io.map.set(pos, end, '+');
  io.changed();
  return true;
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
