import { u16, u32, u8 } from './bytes.js';
import { decodeDString, regidIdentifier } from './osta.js';
import { SECTOR } from './source.js';
import { FILE_TYPE } from './udf-entry.js';
import { fileExtents, readFileData, readIcb, type PartitionMap, type UdfContext } from './udf-files.js';
import { TAG, verifyTag } from './udf-tag.js';

/** A Partition Descriptor (ECMA-167 3/10.5): where partition `number` starts and how long it is. */
export interface PartitionDescriptor {
  readonly number: number;
  readonly start: number;
  readonly length: number;
}

const MAX_MAPS = 16;
const MAX_VAT_BYTES = 2 * 1024 * 1024;
/** How far back from the last sector the VAT file entry is searched (recorders leave padding). */
const VAT_SEARCH_SECTORS = 32;

/** Partition maps of a Logical Volume Descriptor (ECMA-167 3/10.6.13, UDF 2.2.8–2.2.10). */
export function parsePartitionMaps(lvd: Buffer, descriptors: readonly PartitionDescriptor[], sectorSize: number, blockSize: number): PartitionMap[] {
  const tableLength = u32(lvd, 264);
  const count = Math.min(u32(lvd, 268), MAX_MAPS);
  const end = Math.min(440 + tableLength, lvd.length);
  const maps: PartitionMap[] = [];
  const physical = (number: number): PartitionMap => {
    const pd = descriptors.find((d) => d.number === number);
    if (pd === undefined) return { kind: 'unsupported', number };
    return { kind: 'physical', number, startByte: pd.start * sectorSize, blocks: Math.floor((pd.length * sectorSize) / blockSize) };
  };
  for (let offset = 440, i = 0; i < count && offset + 2 <= end; i += 1) {
    const type = u8(lvd, offset);
    const length = u8(lvd, offset + 1);
    if (length < 6 || offset + length > end) break;
    if (type === 1) {
      maps.push(physical(u16(lvd, offset + 4)));
    } else if (type === 2 && length >= 40) {
      const ident = regidIdentifier(lvd, offset + 4);
      const number = u16(lvd, offset + 38);
      if (ident === '*UDF Sparable Partition') maps.push(physical(number)); // sparing only remaps defective packets
      else if (ident === '*UDF Virtual Partition') maps.push({ kind: 'virtual', number, physical: -1, vat: null });
      else if (ident === '*UDF Metadata Partition' && length >= 48)
        maps.push({ kind: 'metadata', number, physical: -1, fileLbn: u32(lvd, offset + 40), mirrorLbn: u32(lvd, offset + 44), extents: null });
      else maps.push({ kind: 'unsupported', number });
    } else {
      maps.push({ kind: 'unsupported', number: -1 });
    }
    offset += length;
  }
  return maps.map((map) => {
    if (map.kind !== 'virtual' && map.kind !== 'metadata') return map;
    const index = maps.findIndex((other) => other.kind === 'physical' && other.number === map.number);
    return { ...map, physical: index };
  });
}

/** Loads the metadata file (or its mirror) of a UDF 2.50 metadata partition: its extents map the partition. */
export async function loadMetadataPartition(ctx: UdfContext, ref: number): Promise<boolean> {
  const map = ctx.maps[ref];
  if (map?.kind !== 'metadata' || map.physical < 0) return false;
  for (const lbn of [map.fileLbn, map.mirrorLbn]) {
    const entry = await readIcb(ctx, { ref: map.physical, lbn });
    if (entry === null || (entry.fileType !== FILE_TYPE.metadata && entry.fileType !== FILE_TYPE.metadataMirror)) continue;
    const extents = await fileExtents(ctx, entry);
    if (extents.length === 0) continue;
    map.extents = extents.map((extent) => ({ ...extent, ref: map.physical }));
    return true;
  }
  ctx.warnings.add('UDF metadata partition file is unreadable');
  return false;
}

export interface VatInfo {
  /** Absolute sector of the VAT's file entry (the last recorded sector). */
  readonly sector: number;
  /** Logical volume identifier from a UDF 2.00+ VAT header, which overrides the LVD's. */
  readonly logicalVolumeId: string | null;
}

/**
 * Finds the Virtual Allocation Table of a write-once disc at the end of the recorded area
 * (UDF 2.2.11/6.9) and installs it in the virtual partition map.
 */
export async function loadVirtualPartition(ctx: UdfContext, ref: number, lastSector: number | null): Promise<VatInfo | null> {
  const map = ctx.maps[ref];
  const physical = map?.kind === 'virtual' ? ctx.maps[map.physical] : undefined;
  if (map?.kind !== 'virtual' || physical?.kind !== 'physical' || lastSector === null || ctx.blockSize !== SECTOR) {
    ctx.warnings.add('UDF virtual partition without a findable VAT');
    return null;
  }
  const first = Math.max(0, lastSector - VAT_SEARCH_SECTORS + 1);
  const tail = await ctx.src.leadingSectors(first, lastSector - first + 1);
  for (let sector = first + Math.floor(tail.length / SECTOR) - 1; sector >= first; sector -= 1) {
    const lbn = (sector * SECTOR - physical.startByte) / ctx.blockSize;
    if (!Number.isInteger(lbn) || lbn < 0) continue;
    const id = verifyTag(tail.subarray((sector - first) * SECTOR, (sector - first + 1) * SECTOR), 0, lbn);
    if (id !== TAG.fileEntry && id !== TAG.extendedFileEntry) continue;
    const entry = await readIcb(ctx, { ref: map.physical, lbn });
    if (entry === null || (entry.fileType !== FILE_TYPE.vat && entry.fileType !== FILE_TYPE.unspecified)) continue;
    const data = await readFileData(ctx, entry, MAX_VAT_BYTES);
    if (data === null) continue;
    if (entry.infoLength > MAX_VAT_BYTES) ctx.warnings.add('UDF VAT truncated');
    const vat = parseVat(data, entry.fileType === FILE_TYPE.vat);
    if (vat === null) continue;
    map.vat = vat.entries;
    return { sector, logicalVolumeId: vat.logicalVolumeId };
  }
  ctx.warnings.add('UDF virtual partition: no VAT near the end of the recorded area');
  return null;
}

function parseVat(data: Buffer, udf200: boolean): { entries: Uint32Array; logicalVolumeId: string | null } | null {
  let start = 0;
  let end = data.length;
  let logicalVolumeId: string | null = null;
  if (udf200) {
    start = u16(data, 0);
    if (start < 152 || start > data.length) return null;
    logicalVolumeId = decodeDString(data.subarray(4, 132));
  } else {
    // UDF 1.50: the entries are followed by the "*UDF Virtual Alloc Tbl" regid and the previous VAT location.
    if (data.length < 36 || regidIdentifier(data, data.length - 36) !== '*UDF Virtual Alloc Tbl') return null;
    end = data.length - 36;
  }
  const count = Math.floor((end - start) / 4);
  const entries = new Uint32Array(count);
  for (let i = 0; i < count; i += 1) entries[i] = u32(data, start + i * 4);
  return { entries, logicalVolumeId };
}
