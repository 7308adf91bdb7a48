/*
 * No tool here writes UDF 2.50 metadata partitions (mkudffs 2.3 makes VAT volumes only, and the
 * Linux driver cannot create one), yet pressed Blu-rays use them. This turns a real populated
 * mkudffs/Linux UDF image into one: a Type 2 "*UDF Metadata Partition" map is added whose
 * metadata file (and mirror) map metadata blocks onto the physical partition in three extents
 * (identity overall over the whole partition, so every recorded tag location stays right), and the file set descriptor
 * and root directory are then reached through that map, as on a Blu-ray.
 */
import { crcItuT } from '../../src/disc/udf-tag.js';

const BS = 2048;

function finishTag(block: Buffer, id: number, location: number, crcLength: number): void {
  block.writeUInt16LE(id, 0);
  block.writeUInt16LE(3, 2);
  block.writeUInt16LE(crcLength, 10);
  block.writeUInt32LE(location, 12);
  block.writeUInt16LE(crcItuT(block.subarray(16, 16 + crcLength)), 8);
  let sum = 0;
  for (let i = 0; i < 16; i += 1) if (i !== 4) sum += block[i] ?? 0;
  block[4] = sum & 0xff;
}

function metadataFile(fileType: number, location: number, extents: Array<[number, number]>): Buffer {
  const block = Buffer.alloc(BS);
  block.writeUInt16LE(4, 16 + 4); // strategy 4
  block.writeUInt16LE(1, 16 + 8); // max entries
  block[16 + 11] = fileType;
  block.writeUInt16LE(0, 16 + 18); // short allocation descriptors
  block.writeUInt16LE(1, 48); // link count
  const blocks = extents.reduce((sum, [, count]) => sum + count, 0);
  block.writeBigUInt64LE(BigInt(blocks * BS), 56);
  block.writeBigUInt64LE(BigInt(blocks), 64);
  block.writeUInt32LE(1, 108); // checkpoint
  block.writeUInt32LE(0, 168); // L_EA
  block.writeUInt32LE(extents.length * 8, 172); // L_AD
  extents.forEach(([lbn, count], i) => {
    block.writeUInt32LE(count * BS, 176 + i * 8);
    block.writeUInt32LE(lbn, 176 + i * 8 + 4);
  });
  finishTag(block, 261, location, 176 + extents.length * 8 - 16);
  return block;
}

function sector(image: Buffer, n: number): Buffer {
  return image.subarray(n * BS, (n + 1) * BS);
}

/** Returns a patched copy of `original` (a UDF image with one physical partition, 2048-byte blocks). */
export function addMetadataPartition(original: Buffer): Buffer {
  const image = Buffer.from(original);
  const anchor = sector(image, 256);
  const vdsStart = anchor.readUInt32LE(20);
  let lvd: Buffer | null = null;
  let pd: Buffer | null = null;
  let lvdSector = 0;
  for (let n = vdsStart; n < vdsStart + 16; n += 1) {
    const block = sector(image, n);
    if (block.readUInt16LE(0) === 6) {
      lvd = block;
      lvdSector = n;
    }
    if (block.readUInt16LE(0) === 5) pd = block;
  }
  if (lvd === null || pd === null) throw new Error('no LVD/PD in the main VDS');
  const partitionNumber = pd.readUInt16LE(22);
  const start = pd.readUInt32LE(188);
  const length = pd.readUInt32LE(192);
  const isFree = (lbn: number): boolean => sector(image, start + lbn).every((b) => b === 0);
  const free: number[] = [];
  for (let lbn = length - 1; lbn > 3 && free.length < 2; lbn -= 1) if (isFree(lbn)) free.push(lbn);
  const [fileLbn, mirrorLbn] = free;
  if (fileLbn === undefined || mirrorLbn === undefined) throw new Error('no free blocks for the metadata files');
  const extents: Array<[number, number]> = [[0, 1], [1, 2], [3, length - 3]];
  metadataFile(250, fileLbn, extents).copy(image, (start + fileLbn) * BS);
  metadataFile(251, mirrorLbn, extents).copy(image, (start + mirrorLbn) * BS);

  const tableLength = lvd.readUInt32LE(264);
  const map = lvd.subarray(440 + tableLength, 440 + tableLength + 64);
  map.fill(0);
  map[0] = 2;
  map[1] = 64;
  map.write('*UDF Metadata Partition', 5, 'latin1');
  map.writeUInt16LE(0x0250, 4 + 24);
  map.writeUInt16LE(1, 36);
  map.writeUInt16LE(partitionNumber, 38);
  map.writeUInt32LE(fileLbn, 40);
  map.writeUInt32LE(mirrorLbn, 44);
  map.writeUInt32LE(0xffff_ffff, 48);
  map.writeUInt32LE(32, 52);
  map.writeUInt16LE(1, 56);
  lvd.writeUInt32LE(tableLength + 64, 264);
  lvd.writeUInt32LE(2, 268);
  lvd.writeUInt16LE(0x0250, 216 + 24); // domain: UDF 2.50
  lvd.writeUInt16LE(1, 248 + 8); // file set descriptor now in partition reference 1
  finishTag(lvd, 6, lvdSector, 440 + tableLength + 64 - 16);

  const fsdLbn = lvd.readUInt32LE(248 + 4);
  const fsd = sector(image, start + fsdLbn);
  fsd.writeUInt16LE(1, 400 + 8); // root directory ICB through the metadata partition
  finishTag(fsd, 256, fsdLbn, fsd.readUInt16LE(10));
  return image;
}

/** Zeroes the metadata file and its mirror of an image made by `addMetadataPartition`. */
export function breakMetadataFiles(patched: Buffer): Buffer {
  const image = Buffer.from(patched);
  for (let n = 0; n < image.length / BS; n += 1) {
    const block = sector(image, n);
    const tag = block.readUInt16LE(0);
    if ((tag === 261 || tag === 266) && (block[27] === 250 || block[27] === 251)) block.fill(0);
  }
  return image;
}
