import { constants } from 'node:os';
import koffi from 'koffi';
import type { DiscKind, DriveStatusKind, Toc, TocTrack } from '../types.js';
import {
  CDROM_DATA_TRACK,
  CDROM_LBA,
  CDS_AUDIO,
  CDS_DATA_1,
  CDS_DATA_2,
  CDS_DISC_OK,
  CDS_DRIVE_NOT_READY,
  CDS_MIXED,
  CDS_NO_DISC,
  CDS_NO_INFO,
  CDS_TRAY_OPEN,
  CDS_XA_2_1,
  CDS_XA_2_2,
  TOCENTRY_SIZE,
  TOCHDR_SIZE,
} from './constants.js';

/** The DriveStatusKind of a CDROM_DRIVE_STATUS result. */
export function driveStatusFromCode(code: number): DriveStatusKind {
  switch (code) {
    case CDS_NO_DISC:
      return 'no_disc';
    case CDS_TRAY_OPEN:
      return 'tray_open';
    case CDS_DISC_OK:
      return 'disc_ok';
    case CDS_DRIVE_NOT_READY:
    case CDS_NO_INFO:
    default:
      // NO_INFO: the driver cannot tell; treat like a drive still spinning up and ask again.
      return 'not_ready';
  }
}

/** The DiscKind of a CDROM_DISC_STATUS result (NO_INFO, NO_DISC, TRAY_OPEN… are `unknown`). */
export function discKindFromCode(code: number): DiscKind {
  switch (code) {
    case CDS_AUDIO:
      return 'audio';
    case CDS_DATA_1:
    case CDS_DATA_2:
    case CDS_XA_2_1:
    case CDS_XA_2_2:
      return 'data';
    case CDS_MIXED:
      return 'mixed';
    default:
      return 'unknown';
  }
}

const errnoNames = new Map<number, string>();
// Node's table (libuv's) lacks Linux-only names such as ENOMEDIUM; koffi's has the platform's.
for (const [name, value] of [...Object.entries(koffi.os.errno), ...Object.entries(constants.errno)]) {
  // First name wins: EAGAIN before EWOULDBLOCK, ENOTSUP before EOPNOTSUPP.
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}

/** `EIO` for 5 etc.; `ERRNO_<n>` for numbers the platform does not name. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `ERRNO_${errno}`;
}

/**
 * The errno name of a thrown system error. Node reports errnos libuv does not know (ENOMEDIUM:
 * an empty drive) with a code like `Unknown system error -123` (or `UNKNOWN`) and a negative
 * `errno`; those get their real name here.
 */
export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, errno } = error as { code?: unknown; errno?: unknown };
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  if (typeof errno === 'number' && errno !== 0) return errnoName(Math.abs(errno));
  return typeof code === 'string' ? code : undefined;
}

/** Codes meaning the device itself is gone (unplugged, node removed, driver detached). */
export function isGoneCode(code: string | undefined): boolean {
  return code === 'ENOENT' || code === 'ENXIO' || code === 'ENODEV';
}

export interface TocHeader {
  readonly first: number;
  readonly last: number;
}

/** struct cdrom_tochdr { u8 cdth_trk0, cdth_trk1 }. */
export function parseTocHeader(buffer: Buffer): TocHeader | null {
  if (buffer.length < TOCHDR_SIZE) return null;
  const first = buffer.readUInt8(0);
  const last = buffer.readUInt8(1);
  // Untrusted disc data: track numbers are 1…99 and ascending.
  if (first < 1 || last > 99 || first > last) return null;
  return { first, last };
}

/** A struct cdrom_tocentry asking for `track` in LBA format. */
export function tocEntryRequest(track: number): Buffer {
  const buffer = Buffer.alloc(TOCENTRY_SIZE);
  buffer.writeUInt8(track, 0);
  buffer.writeUInt8(CDROM_LBA, 2);
  return buffer;
}

export interface TocEntry {
  readonly track: number;
  readonly ctrl: number;
  readonly lba: number;
}

/**
 * struct cdrom_tocentry: u8 track; u8 adr:4, ctrl:4 (adr in the low nibble on little-endian
 * targets); u8 format; union { msf; int lba } at offset 4; u8 datamode.
 */
export function parseTocEntry(buffer: Buffer): TocEntry | null {
  if (buffer.length < TOCENTRY_SIZE) return null;
  if (buffer.readUInt8(2) !== CDROM_LBA) return null;
  return { track: buffer.readUInt8(0), ctrl: buffer.readUInt8(1) >> 4, lba: buffer.readInt32LE(4) };
}

/** Assembles a Toc, or null when the entries do not describe a sane disc. */
export function buildToc(header: TocHeader, entries: readonly TocEntry[], leadOut: TocEntry): Toc | null {
  const tracks: TocTrack[] = [];
  for (const entry of entries) {
    // Untrusted disc data: starts are non-negative and ascending.
    if (entry.lba < 0 || entry.lba < (tracks.at(-1)?.start ?? 0)) return null;
    tracks.push({ number: entry.track, start: entry.lba, type: entry.ctrl & CDROM_DATA_TRACK ? 'data' : 'audio' });
  }
  const lastStart = tracks.at(-1)?.start ?? 0;
  if (tracks.length === 0 || leadOut.lba < lastStart) return null;
  return { firstTrack: header.first, lastTrack: header.last, tracks, leadOut: leadOut.lba };
}
