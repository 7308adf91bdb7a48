import { u32, u8 } from './bytes.js';
import type { BoundedSource } from './source.js';
import { SECTOR } from './source.js';
import { decodeUtf16be, wellFormed } from './text.js';
import { MAX_DIR_BYTES, MAX_DIR_ENTRIES, type FsNode } from './tree.js';
import type { Warnings } from './warnings.js';

/** One ISO 9660 directory record (ECMA-119 9.1), as far as identification needs it. */
export interface DirRecord {
  readonly extent: number;
  readonly size: number;
  readonly isDir: boolean;
  readonly name: string;
}

export interface IsoTreeContext {
  readonly src: BoundedSource;
  readonly warnings: Warnings;
  readonly blockSize: number;
  /**
   * Extents must end before this block: the volume size plus the session start, because a later
   * session (CD-Extra) records absolute extents but may count only its own blocks.
   */
  readonly endBlock: number;
  readonly joliet: boolean;
}

/** Parses the record at `offset`; null when it is malformed. Names are decoded but not normalised. */
export function parseDirRecord(buf: Buffer, offset: number, joliet: boolean): DirRecord | null {
  const length = u8(buf, offset);
  if (length < 34 || offset + length > buf.length) return null;
  const nameLength = u8(buf, offset + 32);
  if (33 + nameLength > length) return null;
  const rawName = buf.subarray(offset + 33, offset + 33 + nameLength);
  let name: string;
  if (nameLength === 1 && (rawName[0] === 0 || rawName[0] === 1)) name = rawName[0] === 0 ? '.' : '..';
  else name = joliet ? decodeUtf16be(rawName) : wellFormed(rawName.toString('latin1'));
  return {
    extent: u32(buf, offset + 2),
    size: u32(buf, offset + 10),
    isDir: (u8(buf, offset + 25) & 0x02) !== 0,
    name,
  };
}

/** Records of a directory extent; records never cross a 2048-byte sector, a zero length byte skips to the next. */
function parseDirectory(data: Buffer, joliet: boolean): DirRecord[] {
  const records: DirRecord[] = [];
  let offset = 0;
  while (offset < data.length && records.length < MAX_DIR_ENTRIES) {
    const sectorEnd = (Math.floor(offset / SECTOR) + 1) * SECTOR;
    const length = u8(data, offset);
    const record = length === 0 ? null : parseDirRecord(data.subarray(0, Math.min(sectorEnd, data.length)), offset, joliet);
    if (record === null) {
      offset = sectorEnd;
      continue;
    }
    if (record.name !== '.' && record.name !== '..') records.push(record);
    offset += length;
  }
  return records;
}

function extentInVolume(ctx: IsoTreeContext, record: DirRecord, bytes: number): boolean {
  const blocks = Math.ceil(bytes / ctx.blockSize);
  return record.extent > 0 && record.extent + blocks <= ctx.endBlock;
}

async function readExtent(ctx: IsoTreeContext, record: DirRecord, maxBytes: number): Promise<Buffer | null> {
  const length = Math.min(record.size, maxBytes);
  if (!extentInVolume(ctx, record, length)) {
    ctx.warnings.add(`ISO 9660 extent of "${record.name}" lies outside the volume`);
    return null;
  }
  return ctx.src.bytes(record.extent * ctx.blockSize, length);
}

/** A lazily read node of the ISO 9660 (or Joliet) tree. */
export function isoNode(ctx: IsoTreeContext, record: DirRecord): FsNode {
  return {
    name: record.name,
    isDir: record.isDir,
    async list() {
      if (!record.isDir) return [];
      if (record.size > MAX_DIR_BYTES) ctx.warnings.add(`ISO 9660 directory "${record.name}" truncated to ${MAX_DIR_BYTES} bytes`);
      const data = await readExtent(ctx, record, MAX_DIR_BYTES);
      if (data === null) return [];
      return parseDirectory(data, ctx.joliet).map((child) => isoNode(ctx, child));
    },
    async read(maxBytes) {
      if (record.isDir) return null;
      return readExtent(ctx, record, Math.max(0, maxBytes));
    },
  };
}
