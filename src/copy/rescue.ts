import { SECTOR_SIZE } from '../drive/index.js';
import { readExactly, readFailure, writeAt, type CopyIo } from './io.js';

/**
 * ddrescue's passes after the first one, sector by sector over the failed areas only:
 * trimming (`*`: read forward from the leading edge and backward from the trailing edge up to
 * the first bad sector; the rest becomes non-scraped `/`), scraping (`/`: every sector once) and
 * `retries` retry passes over the bad sectors (`-`), alternating direction like ddrescue.
 * Unreadable sectors stay unwritten (zeros in the image).
 */
export async function rescue(io: CopyIo, retries: number): Promise<void> {
  const buffer = Buffer.allocUnsafeSlow(SECTOR_SIZE);

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
async function readSector(io: CopyIo, buffer: Buffer, pos: number, areaEnd: number): Promise<boolean> {
  const end = sectorEnd(pos, areaEnd);
  io.cursor.pos = pos;
  try {
    await readExactly(io, buffer, pos, end - pos);
  } catch (error) {
    readFailure(io, error, pos);
    io.map.set(pos, end, '-');
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
