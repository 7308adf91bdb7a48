import { u16, u32, u64, u8 } from './bytes.js';
import { TAG } from './udf-tag.js';

/** A logical block address: block `lbn` of the partition with reference number `ref`. */
export interface LbAddr {
  readonly ref: number;
  readonly lbn: number;
}

/**
 * One allocation extent. `type`: 0 recorded, 1 allocated but not recorded, 2 neither,
 * 3 the next extent of allocation descriptors (ECMA-167 4/14.14.1.1).
 */
export interface Extent extends LbAddr {
  readonly length: number;
  readonly type: number;
}

/** ICB allocation descriptor kinds (the low 3 bits of the ICB tag flags). */
export const AD = { short: 0, long: 1, extended: 2, embedded: 3 } as const;

/** The parts of a File Entry (tag 261) or Extended File Entry (tag 266) that reading a file needs. */
export interface FileEntry {
  readonly fileType: number;
  readonly strategy: number;
  readonly adType: number;
  readonly infoLength: number;
  /** The allocation descriptors, or the file's bytes when `adType` is embedded. */
  readonly adArea: Buffer;
}

/** UDF file types (ECMA-167 4/14.6.6, UDF 2.50 2.3.5.2). */
export const FILE_TYPE = { unspecified: 0, directory: 4, file: 5, vat: 248, metadata: 250, metadataMirror: 251 } as const;

export function parseLongAd(buf: Buffer, offset: number): Extent {
  const raw = u32(buf, offset);
  return { length: raw & 0x3fff_ffff, type: raw >>> 30, lbn: u32(buf, offset + 4), ref: u16(buf, offset + 8) };
}

/** Parses an FE or EFE already verified to carry `tagId`; null when its lengths do not fit the block. */
export function parseFileEntry(block: Buffer, tagId: number): FileEntry | null {
  const extended = tagId === TAG.extendedFileEntry;
  if (!extended && tagId !== TAG.fileEntry) return null;
  const base = extended ? 216 : 176;
  const eaLength = u32(block, extended ? 208 : 168);
  const adLength = u32(block, extended ? 212 : 172);
  if (eaLength > block.length || adLength > block.length || base + eaLength + adLength > block.length) return null;
  return {
    fileType: u8(block, 16 + 11),
    strategy: u16(block, 16 + 4),
    adType: u16(block, 16 + 18) & 0x07,
    infoLength: u64(block, 56),
    adArea: Buffer.from(block.subarray(base + eaLength, base + eaLength + adLength)),
  };
}

/**
 * Allocation descriptors of `area` as extents; short ones are relative to `ref`, the partition of
 * the ICB. Zero-length descriptors end the list (ECMA-167 4/12).
 */
export function parseAllocationDescriptors(area: Buffer, adType: number, ref: number, max: number): Extent[] {
  const size = adType === AD.short ? 8 : adType === AD.long ? 16 : adType === AD.extended ? 20 : 0;
  const extents: Extent[] = [];
  if (size === 0) return extents;
  for (let offset = 0; offset + size <= area.length && extents.length < max; offset += size) {
    let extent: Extent;
    if (adType === AD.short) {
      const raw = u32(area, offset);
      extent = { length: raw & 0x3fff_ffff, type: raw >>> 30, lbn: u32(area, offset + 4), ref };
    } else if (adType === AD.long) {
      extent = parseLongAd(area, offset);
    } else {
      const raw = u32(area, offset);
      extent = { length: raw & 0x3fff_ffff, type: raw >>> 30, lbn: u32(area, offset + 12), ref: u16(area, offset + 16) };
    }
    if (extent.length === 0) break;
    extents.push(extent);
  }
  return extents;
}

/** One File Identifier Descriptor (ECMA-167 4/14.4). */
export interface FileIdentifier {
  readonly nameBytes: Buffer;
  readonly isDir: boolean;
  readonly icb: Extent;
}
