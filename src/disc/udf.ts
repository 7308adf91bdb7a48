import { decodeDString } from './osta.js';
import type { BoundedSource } from './source.js';
import { cleanText } from './text.js';
import { FILE_TYPE, parseLongAd } from './udf-entry.js';
import { readDescriptor, readIcb, udfNode, type UdfContext } from './udf-files.js';
import { loadMetadataPartition, loadVirtualPartition, parsePartitionMaps, type VatInfo } from './udf-partitions.js';
import { TAG } from './udf-tag.js';
import { findAnchorAt256, readAnchor, readVolumeDescriptors, type Anchor } from './udf-volume.js';
import type { FsTree } from './tree.js';
import type { Warnings } from './warnings.js';

/** What identification learns from a UDF volume. */
export interface UdfVolume {
  /** The logical volume id (of the VAT header, else of the LVD; the primary volume id when both are empty). */
  readonly logicalVolumeId: string | null;
  /** The file set id (of the file set descriptor), null when empty or unreadable. */
  readonly fileSetId: string | null;
  readonly recordingDate: string | null;
  readonly sizeBytes: number | null;
  readonly tree: FsTree | null;
  /** Sectors holding the volume's own descriptors (anchor, VDS), for the fingerprint. */
  readonly descriptorSectors: readonly number[];
}

export interface UdfOptions {
  /** Bytes on the medium, when known (for the anchor at the last sector and the VAT). */
  readonly mediumBytes: number | null;
  /**
   * The disc claims UDF (NSR descriptor) or has no ISO 9660: then other sector sizes and the
   * anchors at the end of the medium are tried too. A plain ISO 9660 CD only costs one read at
   * sector 256 (its last sectors may not even read).
   */
  readonly expectUdf: boolean;
}

async function findAnchor(src: BoundedSource, options: UdfOptions): Promise<{ anchor: Anchor; atEnd: boolean } | null> {
  const at256 = await findAnchorAt256(src, options.expectUdf);
  const size = at256?.sectorSize ?? 2048;
  const lastSector = options.mediumBytes === null ? -1 : Math.floor(options.mediumBytes / size) - 1;
  if (!options.expectUdf || lastSector <= 256) return at256 === null ? null : { anchor: at256, atEnd: false };
  const atEnd = await readAnchor(src, lastSector, size);
  if (at256 !== null) return { anchor: at256, atEnd: atEnd !== null };
  if (atEnd !== null) return { anchor: atEnd, atEnd: true };
  const minus256 = await readAnchor(src, lastSector - 256, size);
  return minus256 === null ? null : { anchor: minus256, atEnd: false };
}

/**
 * Opens a UDF volume (UDF 1.02–2.60: physical, sparable, virtual/VAT and metadata partitions),
 * degrading to whatever could be read; null when there is no valid anchor or descriptor sequence.
 */
export async function readUdf(src: BoundedSource, options: UdfOptions, warnings: Warnings): Promise<UdfVolume | null> {
  const found = await findAnchor(src, options);
  if (found === null) return null;
  const { anchor } = found;
  const vds = await readVolumeDescriptors(src, anchor);
  if (vds === null) {
    warnings.add('UDF anchor found but its volume descriptor sequence is unreadable');
    return null;
  }
  const ctx: UdfContext = { src, warnings, blockSize: vds.blockSize, maps: parsePartitionMaps(vds.lvd, vds.partitions, anchor.sectorSize, vds.blockSize) };
  let vat: VatInfo | null = null;
  for (const [ref, map] of ctx.maps.entries()) {
    if (map.kind === 'metadata') await loadMetadataPartition(ctx, ref);
    if (map.kind === 'virtual' && vat === null) vat = await loadVirtualPartition(ctx, ref, lastMediumSector(options));
    if (map.kind === 'unsupported') warnings.add(`UDF partition map ${ref} is not supported`);
  }
  const logicalVolumeId = cleanText(vat?.logicalVolumeId ?? '') ?? cleanText(vds.logicalVolumeId ?? '') ?? cleanText(vds.volumeId ?? '');
  const fileSet = await openFileSet(ctx, vds.fileSet);
  return {
    logicalVolumeId,
    fileSetId: fileSet.id,
    recordingDate: vds.recordingDate,
    sizeBytes: volumeSize(ctx, anchor, found.atEnd, options, vds.integrityEnd, vat, warnings),
    tree: fileSet.tree,
    descriptorSectors: descriptorSectors(anchor),
  };
}

/** The file set descriptor's id (ECMA-167 4/14.1, offset 304) and root directory. */
async function openFileSet(ctx: UdfContext, fileSet: { ref: number; lbn: number }): Promise<{ id: string | null; tree: FsTree | null }> {
  const fsd = await readDescriptor(ctx, fileSet);
  if (fsd?.id !== TAG.fileSet) {
    ctx.warnings.add('UDF file set descriptor is unreadable');
    return { id: null, tree: null };
  }
  const id = cleanText(decodeDString(fsd.block.subarray(304, 336)) ?? '');
  const rootIcb = parseLongAd(fsd.block, 400);
  const root = await readIcb(ctx, rootIcb);
  if (root?.fileType !== FILE_TYPE.directory) {
    ctx.warnings.add('UDF root directory entry is unreadable');
    return { id, tree: null };
  }
  return { id, tree: { kind: 'udf', root: udfNode(ctx, '', true, rootIcb) } };
}

function lastMediumSector(options: UdfOptions): number | null {
  return options.mediumBytes === null || options.mediumBytes < 2048 ? null : Math.floor(options.mediumBytes / 2048) - 1;
}

/**
 * The filesystem size: the recorded area up to the VAT on a write-once disc; up to the anchor at
 * the last sector when there is one; else the end of the furthest UDF structure (partition,
 * descriptor sequences, integrity sequence). Never more than the medium.
 */
function volumeSize(
  ctx: UdfContext,
  anchor: Anchor,
  atEnd: boolean,
  options: UdfOptions,
  integrityEnd: number,
  vat: VatInfo | null,
  warnings: Warnings,
): number | null {
  const sectorSize = anchor.sectorSize;
  const medium = options.mediumBytes;
  if (vat !== null) return (vat.sector + 1) * 2048;
  if (atEnd && medium !== null) return Math.floor(medium / sectorSize) * sectorSize;
  const extentEnd = (extent: { location: number; length: number }): number => (extent.location + Math.ceil(extent.length / sectorSize)) * sectorSize;
  let end = Math.max((anchor.sector + 1) * sectorSize, extentEnd(anchor.main), extentEnd(anchor.reserve), integrityEnd * sectorSize);
  for (const map of ctx.maps) if (map.kind === 'physical') end = Math.max(end, map.startByte + map.blocks * ctx.blockSize);
  if (medium !== null && medium > 0 && end > medium) {
    warnings.add(`UDF structures reach past the end of the medium (${end} > ${medium} bytes)`);
    return medium;
  }
  return end;
}

function descriptorSectors(anchor: Anchor): number[] {
  const toSector = (n: number): number => Math.floor((n * anchor.sectorSize) / 2048);
  const out = [toSector(anchor.sector)];
  for (let i = 0; i < Math.min(16, Math.ceil(anchor.main.length / anchor.sectorSize)); i += 1) out.push(toSector(anchor.main.location + i));
  return [...new Set(out)];
}
