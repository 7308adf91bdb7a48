import { u16, u32 } from './bytes.js';
import { decodeDString, decodeUdfTimestamp } from './osta.js';
import type { BoundedSource } from './source.js';
import { parseLongAd, type Extent } from './udf-entry.js';
import type { PartitionDescriptor } from './udf-partitions.js';
import { TAG, verifyTag } from './udf-tag.js';

/** An anchor volume descriptor pointer (ECMA-167 3/10.2) and where it was found. */
export interface Anchor {
  readonly sector: number;
  readonly sectorSize: number;
  readonly main: { readonly location: number; readonly length: number };
  readonly reserve: { readonly location: number; readonly length: number };
}

/** The volume descriptor sequence, reduced to what identification uses. */
export interface VolumeDescriptors {
  readonly volumeId: string | null;
  readonly recordingDate: string | null;
  readonly logicalVolumeId: string | null;
  readonly blockSize: number;
  readonly fileSet: Extent;
  readonly lvd: Buffer;
  readonly partitions: PartitionDescriptor[];
  readonly integrityEnd: number;
}

const SECTOR_SIZES = [2048, 512, 1024, 4096];
const MAX_VDS_SECTORS = 64;
const MAX_VDS_POINTERS = 4;

/** The anchor at `sector` of size `sectorSize`, or null when there is no valid one. */
export async function readAnchor(src: BoundedSource, sector: number, sectorSize: number): Promise<Anchor | null> {
  const block = await src.bytes(sector * sectorSize, sectorSize);
  if (block === null || verifyTag(block, 0, sector) !== TAG.anchor) return null;
  return {
    sector,
    sectorSize,
    main: { length: u32(block, 16), location: u32(block, 20) },
    reserve: { length: u32(block, 24), location: u32(block, 28) },
  };
}

/** The anchor at sector 256: 2048-byte sectors, or (`probe`) also the other common sector sizes. */
export async function findAnchorAt256(src: BoundedSource, probe: boolean): Promise<Anchor | null> {
  for (const size of probe ? SECTOR_SIZES : SECTOR_SIZES.slice(0, 1)) {
    const anchor = await readAnchor(src, 256, size);
    if (anchor !== null) return anchor;
  }
  return null;
}

interface Collected {
  pvd: Buffer | null;
  lvd: Buffer | null;
  partitions: Map<number, PartitionDescriptor>;
}

async function collect(src: BoundedSource, anchor: Anchor, extent: { location: number; length: number }, into: Collected): Promise<void> {
  const seen = new Set<number>();
  let at = extent;
  for (let hop = 0; hop <= MAX_VDS_POINTERS && !seen.has(at.location); hop += 1) {
    seen.add(at.location);
    const sectors = Math.min(Math.ceil(at.length / anchor.sectorSize), MAX_VDS_SECTORS);
    let next: { location: number; length: number } | null = null;
    for (let i = 0; i < sectors; i += 1) {
      const sector = at.location + i;
      const block = await src.bytes(sector * anchor.sectorSize, anchor.sectorSize);
      if (block === null) break;
      const id = verifyTag(block, 0, sector);
      if (id === null || id === TAG.terminating) break;
      if (id === TAG.primaryVolume && (into.pvd === null || u32(block, 16) > u32(into.pvd, 16))) into.pvd = block;
      else if (id === TAG.logicalVolume && (into.lvd === null || u32(block, 16) > u32(into.lvd, 16))) into.lvd = block;
      else if (id === TAG.partition) {
        const number = u16(block, 22);
        if (!into.partitions.has(number)) into.partitions.set(number, { number, start: u32(block, 188), length: u32(block, 192) });
      } else if (id === TAG.volumePointer) {
        next = { length: u32(block, 20), location: u32(block, 24) };
        break;
      }
    }
    if (next === null) return;
    at = next;
  }
}

/** Reads the main volume descriptor sequence, falling back to the reserve one. */
export async function readVolumeDescriptors(src: BoundedSource, anchor: Anchor): Promise<VolumeDescriptors | null> {
  const found: Collected = { pvd: null, lvd: null, partitions: new Map() };
  await collect(src, anchor, anchor.main, found);
  if (found.lvd === null || found.partitions.size === 0) await collect(src, anchor, anchor.reserve, found);
  const { pvd, lvd } = found;
  if (lvd === null || found.partitions.size === 0) return null;
  const blockSize = u32(lvd, 212);
  if (![512, 1024, 2048, 4096, 8192, 16384, 32768].includes(blockSize)) return null;
  const integrity = { length: u32(lvd, 432), location: u32(lvd, 436) };
  return {
    volumeId: pvd === null ? null : decodeDString(pvd.subarray(24, 56)),
    recordingDate: pvd === null ? null : decodeUdfTimestamp(pvd, 376),
    logicalVolumeId: decodeDString(lvd.subarray(84, 212)),
    blockSize,
    fileSet: parseLongAd(lvd, 248),
    lvd,
    partitions: [...found.partitions.values()],
    integrityEnd: integrity.length > 0 ? integrity.location + Math.ceil(integrity.length / anchor.sectorSize) : 0,
  };
}
