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

/** A slice that never reaches outside `buf` (possibly shorter than asked). */
export function slice(buf: Buffer, offset: number, length: number): Buffer {
  const start = Math.max(0, Math.min(offset, buf.length));
  return buf.subarray(start, Math.max(start, Math.min(start + Math.max(0, length), buf.length)));
}
