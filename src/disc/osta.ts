import { u16, u8 } from './bytes.js';
import { decodeUtf16be, isoTimestamp, wellFormed } from './text.js';

/**
 * OSTA Compressed Unicode (UDF 2.1.1): the first byte says 8 bits per character (8, and 254 in
 * UDF 2.50+) or 16 bits big-endian (16, 255). Anything else is not a valid CS0 string.
 */
export function decodeCs0(bytes: Buffer): string | null {
  if (bytes.length === 0) return '';
  const id = bytes[0];
  const body = bytes.subarray(1);
  if (id === 8 || id === 254) return wellFormed(body.toString('latin1'));
  if (id === 16 || id === 255) return decodeUtf16be(body);
  return null;
}

/** A `dstring` field: the last byte holds the used length (including the compression id byte). */
export function decodeDString(field: Buffer): string | null {
  if (field.length < 2) return null;
  const used = field[field.length - 1] ?? 0;
  if (used === 0) return '';
  if (used > field.length - 1) return null;
  return decodeCs0(field.subarray(0, used));
}

/** The identifier of an entity `regid` (ECMA-167 1/7.4) at `offset`, NULs dropped. */
export function regidIdentifier(buf: Buffer, offset: number): string {
  const raw = buf.subarray(Math.min(offset + 1, buf.length), Math.min(offset + 24, buf.length));
  const end = raw.indexOf(0);
  return (end === -1 ? raw : raw.subarray(0, end)).toString('latin1');
}

/** An ECMA-167 `timestamp` (1/7.3) as ISO 8601 UTC, or null when unset or invalid. */
export function decodeUdfTimestamp(buf: Buffer, offset: number): string | null {
  if (offset < 0 || offset + 12 > buf.length) return null;
  const typeAndZone = u16(buf, offset);
  const type = typeAndZone >> 12;
  if (type !== 1) return null;
  let zone = typeAndZone & 0x0fff;
  if (zone & 0x0800) zone -= 0x1000;
  const offsetMinutes = zone === -2047 ? 0 : zone;
  const year = buf.readInt16LE(offset + 2);
  const centis = u8(buf, offset + 9);
  return isoTimestamp(
    {
      year,
      month: u8(buf, offset + 4),
      day: u8(buf, offset + 5),
      hour: u8(buf, offset + 6),
      minute: u8(buf, offset + 7),
      second: u8(buf, offset + 8),
      millis: centis <= 99 ? centis * 10 : 0,
    },
    offsetMinutes,
  );
}
