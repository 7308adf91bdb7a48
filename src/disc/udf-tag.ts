import { u16, u32 } from './bytes.js';

/** ECMA-167 descriptor tag identifiers used here. */
export const TAG = {
  primaryVolume: 1,
  anchor: 2,
  volumePointer: 3,
  partition: 5,
  logicalVolume: 6,
  terminating: 8,
  fileSet: 256,
  fileIdentifier: 257,
  allocationExtent: 258,
  indirectEntry: 259,
  fileEntry: 261,
  extendedFileEntry: 266,
} as const;

const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n += 1) {
    let crc = n << 8;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[n] = crc;
  }
  return table;
})();

/** CRC-ITU-T (CCITT, polynomial 0x1021, initial 0), as ECMA-167 7.2.6 specifies. */
export function crcItuT(data: Buffer): number {
  let crc = 0;
  for (const byte of data) crc = ((crc << 8) & 0xffff) ^ (CRC_TABLE[((crc >> 8) ^ byte) & 0xff] ?? 0);
  return crc;
}

/**
 * The tag identifier of the descriptor at `offset` when its checksum, CRC and (if given) recorded
 * location are right, else null. Like the Linux driver, a CRC length beyond the buffer is not checked.
 */
export function verifyTag(buf: Buffer, offset: number, location: number | null): number | null {
  if (offset < 0 || offset + 16 > buf.length) return null;
  let sum = 0;
  for (let i = 0; i < 16; i += 1) if (i !== 4) sum += buf[offset + i] ?? 0;
  if ((sum & 0xff) !== buf[offset + 4]) return null;
  const id = u16(buf, offset);
  const version = u16(buf, offset + 2);
  if (id === 0 || (version !== 2 && version !== 3)) return null;
  if (location !== null && u32(buf, offset + 12) !== location) return null;
  const crcLength = u16(buf, offset + 10);
  const end = offset + 16 + crcLength;
  if (end <= buf.length && crcItuT(buf.subarray(offset + 16, end)) !== u16(buf, offset + 8)) return null;
  return id;
}
