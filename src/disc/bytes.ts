/*
 * Bounds-checked little-endian readers: disc structures are untrusted, so an offset past the
 * end reads as 0 instead of throwing a RangeError in the middle of a parse.
 */

export function u8(buf: Buffer, offset: number): number {
  return offset >= 0 && offset < buf.length ? (buf[offset] ?? 0) : 0;
}

export function u16(buf: Buffer, offset: number): number {
  return offset >= 0 && offset + 2 <= buf.length ? buf.readUInt16LE(offset) : 0;
}

export function u32(buf: Buffer, offset: number): number {
  return offset >= 0 && offset + 4 <= buf.length ? buf.readUInt32LE(offset) : 0;
}

export function u32be(buf: Buffer, offset: number): number {
  return offset >= 0 && offset + 4 <= buf.length ? buf.readUInt32BE(offset) : 0;
}

/** A 64-bit length as a Number, saturated at MAX_SAFE_INTEGER (callers bound it far below anyway). */
export function u64(buf: Buffer, offset: number): number {
  if (offset < 0 || offset + 8 > buf.length) return 0;
  const value = buf.readBigUInt64LE(offset);
  return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value);
}
