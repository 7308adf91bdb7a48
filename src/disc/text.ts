/** Text helpers shared by the ISO 9660, UDF and Blu-ray metadata readers. */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Replaces unpaired surrogates (possible in raw UCS-2 from a disc) so the string is valid UTF-16. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\ufffd');
}

/** Decodes big-endian UCS-2/UTF-16 (Joliet, OSTA CS0 16-bit); an odd trailing byte is dropped. */
export function decodeUtf16be(bytes: Buffer): string {
  const even = bytes.length - (bytes.length % 2);
  const swapped = Buffer.alloc(even);
  for (let i = 0; i < even; i += 2) {
    swapped[i] = bytes[i + 1] ?? 0;
    swapped[i + 1] = bytes[i] ?? 0;
  }
  return wellFormed(swapped.toString('utf16le'));
}

/** C0 and C1 control characters (NUL included) become spaces. */
export function withoutControls(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) ? ' ' : char;
  }
  return out;
}

/**
 * A disc string made fit for a label: control characters dropped, whitespace collapsed, trimmed,
 * bounded; `null` when nothing is left.
 */
export function cleanText(text: string, maxLength = 256): string | null {
  const cleaned = withoutControls(wellFormed(text)).replace(/\s+/g, ' ').trim();
  if (cleaned === '') return null;
  const points = Array.from(cleaned);
  return points.length > maxLength ? points.slice(0, maxLength).join('').trimEnd() : cleaned;
}

/** An ISO 8601 UTC timestamp from broken-down local time and its offset east of UTC in minutes; `null` when out of range. */
export function isoTimestamp(
  parts: { year: number; month: number; day: number; hour: number; minute: number; second: number; millis: number },
  offsetMinutes: number,
): string | null {
  const { year, month, day, hour, minute, second, millis } = parts;
  const valid =
    year >= 1900 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
    hour <= 23 && minute <= 59 && second <= 60 && millis >= 0 && millis <= 999 &&
    Math.abs(offsetMinutes) <= 16 * 60;
  if (!valid) return null;
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, millis));
  date.setUTCFullYear(year);
  if (date.getUTCDate() !== day) return null; // 31 February and friends
  return new Date(date.getTime() - offsetMinutes * 60_000).toISOString();
}
