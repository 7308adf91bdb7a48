import { u16, u32, u8 } from './bytes.js';
import { decodeCs0 } from './osta.js';
import type { BoundedSource } from './source.js';
import { AD, FILE_TYPE, parseAllocationDescriptors, parseFileEntry, parseLongAd, type Extent, type FileEntry, type FileIdentifier, type LbAddr } from './udf-entry.js';
import { TAG, verifyTag } from './udf-tag.js';
import { MAX_DIR_BYTES, MAX_DIR_ENTRIES, type FsNode } from './tree.js';
import type { Warnings } from './warnings.js';

/** How a partition reference number resolves to bytes on the medium. */
export type PartitionMap =
  | { readonly kind: 'physical'; readonly number: number; readonly startByte: number; readonly blocks: number }
  | { readonly kind: 'virtual'; readonly number: number; readonly physical: number; vat: Uint32Array | null }
  | { readonly kind: 'metadata'; readonly number: number; readonly physical: number; readonly fileLbn: number; readonly mirrorLbn: number; extents: Extent[] | null }
  | { readonly kind: 'unsupported'; readonly number: number };

export interface UdfContext {
  readonly src: BoundedSource;
  readonly warnings: Warnings;
  readonly blockSize: number;
  readonly maps: PartitionMap[];
}

const MAX_EXTENTS = 4096;
const MAX_AD_CONTINUATIONS = 64;
const MAX_ICB_HOPS = 8;

/** Byte offset on the medium of block `lbn` of partition `ref`, or null when it maps nowhere. */
function blockOffset(ctx: UdfContext, ref: number, lbn: number, depth = 0): number | null {
  const map = ctx.maps[ref];
  if (map === undefined || depth > 2 || lbn < 0) return null;
  switch (map.kind) {
    case 'physical':
      if (map.blocks > 0 && lbn >= map.blocks) return null;
      return map.startByte + lbn * ctx.blockSize;
    case 'virtual': {
      const target = map.vat?.[lbn];
      if (target === undefined || target === 0xffff_ffff) return null;
      return blockOffset(ctx, map.physical, target, depth + 1);
    }
    case 'metadata': {
      let first = 0;
      for (const extent of map.extents ?? []) {
        const blocks = Math.ceil(extent.length / ctx.blockSize);
        if (lbn < first + blocks) return extent.type === 0 ? blockOffset(ctx, map.physical, extent.lbn + lbn - first, depth + 1) : null;
        first += blocks;
      }
      return null;
    }
    case 'unsupported':
      return null;
  }
}

/** One verified descriptor block at `addr` (its tag must record `addr.lbn`); null otherwise. */
export async function readDescriptor(ctx: UdfContext, addr: LbAddr): Promise<{ id: number; block: Buffer } | null> {
  const offset = blockOffset(ctx, addr.ref, addr.lbn);
  if (offset === null) return null;
  const block = await ctx.src.bytes(offset, ctx.blockSize);
  if (block === null) return null;
  const id = verifyTag(block, 0, addr.lbn);
  return id === null ? null : { id, block };
}

/** The file entry at `addr`, following indirect entries (strategy 4096) a bounded number of times. */
export async function readIcb(ctx: UdfContext, addr: LbAddr): Promise<(FileEntry & { readonly ref: number }) | null> {
  const seen = new Set<string>();
  let at = addr;
  for (let hop = 0; hop < MAX_ICB_HOPS; hop += 1) {
    const key = `${at.ref}:${at.lbn}`;
    if (seen.has(key)) break;
    seen.add(key);
    const found = await readDescriptor(ctx, at);
    if (found === null) return null;
    if (found.id === TAG.indirectEntry) {
      at = parseLongAd(found.block, 36);
      continue;
    }
    const entry = parseFileEntry(found.block, found.id);
    if (entry === null) return null;
    if (entry.strategy === 4096) {
      // Strategy 4096 (write-once media): a newer entry may be linked from the block after this one.
      const next = await readDescriptor(ctx, { ref: at.ref, lbn: at.lbn + 1 });
      if (next?.id === TAG.indirectEntry) {
        at = parseLongAd(next.block, 36);
        continue;
      }
    }
    return { ...entry, ref: at.ref };
  }
  ctx.warnings.add('UDF indirect entries loop or nest too deep');
  return null;
}

/** Every extent of a file, following allocation extent descriptors with loop and size bounds. */
export async function fileExtents(ctx: UdfContext, entry: FileEntry & { readonly ref: number }): Promise<Extent[]> {
  const out: Extent[] = [];
  const seen = new Set<string>();
  let pending = parseAllocationDescriptors(entry.adArea, entry.adType, entry.ref, MAX_EXTENTS);
  for (let hops = 0; hops <= MAX_AD_CONTINUATIONS; hops += 1) {
    let next: Extent | null = null;
    for (const extent of pending) {
      if (extent.type === 3) {
        next = extent;
        break;
      }
      out.push(extent);
      if (out.length >= MAX_EXTENTS) return out;
    }
    if (next === null) return out;
    const key = `${next.ref}:${next.lbn}`;
    if (seen.has(key)) break;
    seen.add(key);
    const found = await readDescriptor(ctx, next);
    if (found?.id !== TAG.allocationExtent) break;
    const length = u32(found.block, 20);
    pending = parseAllocationDescriptors(found.block.subarray(24, 24 + Math.min(length, ctx.blockSize - 24)), entry.adType, entry.ref, MAX_EXTENTS);
  }
  ctx.warnings.add('UDF allocation descriptor chain is corrupt or too long');
  return out;
}

/** Reads a byte range spread over partition blocks, in runs of physically contiguous blocks. */
async function readMapped(ctx: UdfContext, ref: number, lbn: number, length: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  const blocks = Math.ceil(length / ctx.blockSize);
  for (let i = 0; i < blocks; ) {
    const start = blockOffset(ctx, ref, lbn + i);
    if (start === null) return null;
    let run = 1;
    while (i + run < blocks && blockOffset(ctx, ref, lbn + i + run) === start + run * ctx.blockSize) run += 1;
    const bytes = Math.min(run * ctx.blockSize, length - i * ctx.blockSize);
    const data = await ctx.src.bytes(start, bytes);
    if (data === null) return null;
    parts.push(data);
    i += run;
  }
  return Buffer.concat(parts);
}

/** The first `maxBytes` (at most) of a file; sparse extents read as zeros; null on any read failure. */
export async function readFileData(ctx: UdfContext, entry: FileEntry & { readonly ref: number }, maxBytes: number): Promise<Buffer | null> {
  const wanted = Math.max(0, Math.min(entry.infoLength, maxBytes));
  if (entry.adType === AD.embedded) return entry.adArea.subarray(0, wanted);
  const parts: Buffer[] = [];
  let have = 0;
  for (const extent of await fileExtents(ctx, entry)) {
    if (have >= wanted) break;
    const take = Math.min(extent.length, wanted - have);
    const data = extent.type === 0 ? await readMapped(ctx, extent.ref, extent.lbn, take) : Buffer.alloc(take);
    if (data === null) return null;
    parts.push(data);
    have += take;
  }
  return Buffer.concat(parts).subarray(0, wanted);
}

/** File identifiers of a directory's data; stops at the first malformed one. Parent and deleted entries are skipped. */
function parseFileIdentifiers(data: Buffer): FileIdentifier[] {
  const out: FileIdentifier[] = [];
  let offset = 0;
  while (offset + 38 <= data.length && out.length < MAX_DIR_ENTRIES) {
    const nameLength = u8(data, offset + 19);
    const implLength = u16(data, offset + 36);
    const length = (38 + implLength + nameLength + 3) & ~3;
    if (offset + 38 + implLength + nameLength > data.length) break;
    const fid = data.subarray(offset, Math.min(offset + length, data.length));
    if (verifyTag(fid, 0, null) !== TAG.fileIdentifier) break;
    const characteristics = u8(data, offset + 18);
    const isParent = (characteristics & 0x08) !== 0;
    const isDeleted = (characteristics & 0x04) !== 0;
    if (!isParent && !isDeleted && nameLength > 0) {
      out.push({
        nameBytes: Buffer.from(data.subarray(offset + 38 + implLength, offset + 38 + implLength + nameLength)),
        isDir: (characteristics & 0x02) !== 0,
        icb: parseLongAd(data, offset + 20),
      });
    }
    offset += length;
  }
  return out;
}

/** A lazily read node of the UDF tree whose file entry is at `icb`. */
export function udfNode(ctx: UdfContext, name: string, isDir: boolean, icb: LbAddr): FsNode {
  return {
    name,
    isDir,
    async list() {
      if (!isDir) return [];
      const entry = await readIcb(ctx, icb);
      if (entry === null || entry.fileType !== FILE_TYPE.directory) {
        ctx.warnings.add(`UDF directory "${name}" has no readable directory entry`);
        return [];
      }
      if (entry.infoLength > MAX_DIR_BYTES) ctx.warnings.add(`UDF directory "${name}" truncated to ${MAX_DIR_BYTES} bytes`);
      const data = await readFileData(ctx, entry, MAX_DIR_BYTES);
      if (data === null) return [];
      const nodes: FsNode[] = [];
      for (const fid of parseFileIdentifiers(data)) {
        const childName = decodeCs0(fid.nameBytes);
        if (childName !== null) nodes.push(udfNode(ctx, childName, fid.isDir, fid.icb));
      }
      return nodes;
    },
    async read(maxBytes) {
      if (isDir) return null;
      const entry = await readIcb(ctx, icb);
      return entry === null ? null : readFileData(ctx, entry, maxBytes);
    },
  };
}
