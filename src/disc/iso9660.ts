import { u16, u32, u32be, u8 } from './bytes.js';
import { isoNode, parseDirRecord, type IsoTreeContext } from './iso-dir.js';
import type { BoundedSource } from './source.js';
import { SECTOR } from './source.js';
import { cleanText, decodeByteText, decodeUtf16be, isoTimestamp } from './text.js';
import type { FsTree } from './tree.js';
import type { Warnings } from './warnings.js';

/** What the ISO 9660 volume descriptors (and the UDF volume recognition sequence after them) say. */
export interface IsoVolume {
  readonly volumeId: string | null;
  readonly jolietVolumeId: string | null;
  readonly blockSize: number;
  readonly volumeBlocks: number;
  /** Volume space size × logical block size: the exact filesystem size. */
  readonly sizeBytes: number;
  readonly creationDate: string | null;
  readonly primary: FsTree | null;
  readonly joliet: FsTree | null;
}

export interface VolumeRecognition {
  readonly iso: IsoVolume | null;
  /** An NSR02/NSR03 descriptor was seen: the disc claims UDF. */
  readonly udfClaimed: boolean;
}

const MAX_DESCRIPTORS = 64;
const VRS_IDS = new Set(['BEA01', 'NSR02', 'NSR03', 'TEA01', 'BOOT2', 'CDW02']);

/** ECMA-119 8.4.26.1: sixteen ASCII digits and an offset in 15-minute units; all zeros means unset. */
function decodeIsoDate(buf: Buffer, offset: number): string | null {
  const digits = buf.subarray(offset, offset + 16).toString('latin1');
  if (!/^\d{16}$/.test(digits) || /^0+$/.test(digits)) return null;
  const n = (from: number, len: number): number => Number(digits.slice(from, from + len));
  const zone = buf.readInt8(offset + 16);
  return isoTimestamp(
    { year: n(0, 4), month: n(4, 2), day: n(6, 2), hour: n(8, 2), minute: n(10, 2), second: n(12, 2), millis: n(14, 2) * 10 },
    zone >= -48 && zone <= 52 ? zone * 15 : 0,
  );
}

function isJoliet(svd: Buffer): boolean {
  return svd[88] === 0x25 && svd[89] === 0x2f && [0x40, 0x43, 0x45].includes(svd[90] ?? 0);
}

function treeOf(ctx: IsoTreeContext, descriptor: Buffer, kind: FsTree['kind']): FsTree | null {
  const root = parseDirRecord(descriptor.subarray(156, 190), 0, false);
  if (root === null || !root.isDir || root.extent === 0 || root.extent >= ctx.endBlock) return null;
  return { kind, root: isoNode(ctx, { ...root, name: '' }) };
}

/** Block size and volume size of a primary or supplementary descriptor, or null when implausible. */
function geometry(descriptor: Buffer): { blockSize: number; volumeBlocks: number } | null {
  const blockSize = u16(descriptor, 128);
  const volumeBlocks = u32(descriptor, 80);
  return [512, 1024, 2048].includes(blockSize) && volumeBlocks > 0 ? { blockSize, volumeBlocks } : null;
}

/**
 * The volume from its primary descriptor; when that one is unreadable or corrupt, from the Joliet
 * descriptor (same layout), so a damaged sector 16 costs the ISO 9660 tree, not the disc.
 */
function parseVolume(src: BoundedSource, warnings: Warnings, pvd: Buffer | null, svd: Buffer | null, baseLba: number): IsoVolume | null {
  const primaryGeometry = pvd === null ? null : geometry(pvd);
  if (pvd !== null && primaryGeometry === null) {
    warnings.add(`ISO 9660 primary volume descriptor ignored (block size ${u16(pvd, 128)}, ${u32(pvd, 80)} blocks)`);
  }
  const jolietGeometry = svd === null ? null : geometry(svd);
  const main = primaryGeometry !== null ? pvd : jolietGeometry !== null ? svd : null;
  const { blockSize, volumeBlocks } = primaryGeometry ?? jolietGeometry ?? { blockSize: 0, volumeBlocks: 0 };
  if (main === null) return null;
  if (main === svd) warnings.add('ISO 9660 primary volume descriptor unreadable; the Joliet descriptor is used');
  if (u32be(main, 84) !== volumeBlocks) warnings.add('ISO 9660 volume space size differs between byte orders; little-endian used');
  const endBlock = volumeBlocks + (baseLba * SECTOR) / blockSize;
  const ctx: IsoTreeContext = { src, warnings, blockSize, endBlock, joliet: false };
  const primary = main === pvd ? treeOf(ctx, main, 'iso9660') : null;
  if (main === pvd && primary === null) warnings.add('ISO 9660 root directory record is corrupt');
  let joliet: FsTree | null = null;
  let jolietVolumeId: string | null = null;
  if (svd !== null) {
    joliet = treeOf({ ...ctx, joliet: true }, svd, 'joliet');
    if (joliet === null) warnings.add('corrupt Joliet descriptor ignored');
    else jolietVolumeId = cleanText(decodeUtf16be(svd.subarray(40, 72)));
  }
  return {
    volumeId: main === pvd ? cleanText(decodeByteText(main.subarray(40, 72))) : null,
    jolietVolumeId,
    blockSize,
    volumeBlocks,
    sizeBytes: volumeBlocks * blockSize,
    creationDate: decodeIsoDate(main, 813),
    primary,
    joliet,
  };
}

/**
 * The sectors of the volume descriptor area from `first`, at most MAX_DESCRIPTORS; an unreadable
 * one comes as null and the next ones are still read (one bad sector must not hide its neighbours).
 */
async function* descriptorArea(src: BoundedSource, first: number): AsyncGenerator<Buffer | null> {
  const end = Math.min(first + MAX_DESCRIPTORS, src.sectorLimit ?? Number.MAX_SAFE_INTEGER);
  for (let lba = first; lba < end; ) {
    const wanted = Math.min(16, end - lba);
    const chunk = await src.leadingSectors(lba, wanted);
    const count = Math.floor(chunk.length / SECTOR);
    for (let i = 0; i < count; i += 1) yield chunk.subarray(i * SECTOR, (i + 1) * SECTOR);
    lba += count;
    if (count < wanted) {
      yield null;
      lba += 1;
    }
  }
}

/**
 * Reads the volume descriptor set at `baseLba + 16` (ISO 9660 descriptors, then possibly the UDF
 * volume recognition sequence), bounded to 64 descriptors. A single unreadable or unrecognised
 * sector is stepped over (a damaged primary descriptor with a good Joliet one after it); two in a
 * row end the set.
 */
export async function readVolumeRecognition(src: BoundedSource, baseLba: number, warnings: Warnings): Promise<VolumeRecognition> {
  let pvd: Buffer | null = null;
  let svd: Buffer | null = null;
  let udfClaimed = false;
  let sawIso = false;
  let strangers = 0;
  for await (const sector of descriptorArea(src, baseLba + 16)) {
    const id = sector === null ? null : sector.subarray(1, 6).toString('latin1');
    if (sector !== null && id === 'CD001') {
      sawIso = true;
      strangers = 0;
      const type = u8(sector, 0);
      if (type === 1 && pvd === null) pvd = Buffer.from(sector);
      else if (type === 2 && svd === null && isJoliet(sector)) svd = Buffer.from(sector);
      continue;
    }
    if (id === null || !VRS_IDS.has(id)) {
      strangers += 1;
      if (strangers >= 2) break;
      continue;
    }
    strangers = 0;
    if (id === 'NSR02' || id === 'NSR03') udfClaimed = true;
    if (id === 'TEA01') break;
  }
  if (sawIso && pvd === null) warnings.add('ISO 9660 descriptors without a primary volume descriptor');
  return { iso: parseVolume(src, warnings, pvd, svd, baseLba), udfClaimed };
}
