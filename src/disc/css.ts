import { SECTOR } from './source.js';
import { findPath, normalizeName, type FsTree } from './tree.js';

/** MPEG-2 program stream pack start code. */
const PACK_START = [0x00, 0x00, 0x01, 0xba] as const;
/** Streams whose header has no PES scrambling bits: system header, padding, private stream 2 (DVD navigation). */
const UNSCRAMBLABLE = new Set([0xbb, 0xbe, 0xbf]);
/** Sectors sampled from the start of the first title VOB (a VOBU is a navigation pack then video packs). */
const CSS_SAMPLE_SECTORS = 64;

/**
 * True when a 2048-byte DVD sector is CSS-scrambled, the test libdvdcss makes: an MPEG-2 pack
 * (`00 00 01 BA`) whose PES header has non-zero scrambling control bits (`0x30` of the byte at
 * 0x14 when the pack has no stuffing). Navigation, padding and system-header packs are never
 * scrambled and count as clear.
 */
export function isScrambledSector(sector: Uint8Array): boolean {
  if (sector.length < SECTOR || PACK_START.some((byte, i) => sector[i] !== byte)) return false;
  const pes = 0x0e + ((sector[0x0d] ?? 0) & 0x07);
  if (sector[pes] !== 0x00 || sector[pes + 1] !== 0x00 || sector[pes + 2] !== 0x01) return false;
  if (UNSCRAMBLABLE.has(sector[pes + 3] ?? 0)) return false;
  return ((sector[pes + 6] ?? 0) & 0x30) !== 0;
}

/** True when any whole sector of `data` is scrambled. */
function anyScrambled(data: Uint8Array): boolean {
  for (let offset = 0; offset + SECTOR <= data.length; offset += SECTOR) {
    if (isScrambledSector(data.subarray(offset, offset + SECTOR))) return true;
  }
  return false;
}

const TITLE_VOB = /^VTS_(\d\d)_([1-9])\.VOB$/;

/**
 * Whether the DVD-Video in `trees` may be CSS-encrypted: samples the first sectors of its first
 * title VOB (`VTS_01_1.VOB`, else the lowest-numbered one). A read error, a missing title VOB or
 * a scrambled sector all answer true ("possibly encrypted"); only readable clear sectors answer false.
 */
export async function videoMayBeEncrypted(trees: readonly FsTree[]): Promise<boolean> {
  for (const tree of trees) {
    const dir = await findPath(tree, ['VIDEO_TS']);
    if (!dir?.isDir) continue;
    const vobs = (await dir.list())
      .filter((node) => !node.isDir && TITLE_VOB.test(normalizeName(node.name)))
      .sort((a, b) => normalizeName(a.name).localeCompare(normalizeName(b.name)));
    const first = vobs[0];
    if (first === undefined) continue;
    const data = await first.read(CSS_SAMPLE_SECTORS * SECTOR);
    if (data === null || data.length < SECTOR) return true;
    return anyScrambled(data);
  }
  return true;
}
