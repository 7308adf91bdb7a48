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

/**
 * Bidirectional controls (embeddings, overrides, isolates, marks: U+202E turns `abc‮txt.exe`
 * around on screen) and invisible characters (zero-width space, word joiner, BOM, soft hyphen).
 * ZWJ/ZWNJ stay: scripts and emoji sequences need them.
 */
const INVISIBLE = /[\u00ad\u061c\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g;

/** Removes bidi controls and invisible characters (see INVISIBLE). */
export function withoutInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** C0 and C1 control characters (NUL included) and line/paragraph separators become spaces. */
function withoutControls(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    out += code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 ? ' ' : char;
  }
  return out;
}

/** Length of the UTF-8 sequence a lead byte starts, 0 for a continuation or invalid byte. */
function utf8SequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 0;
}

/** A fixed-size field cut mid-character: the bytes without that last, incomplete sequence. */
function withoutCutSequence(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const at = bytes.length - back;
    const need = utf8SequenceLength(bytes[at] ?? 0);
    if (need > 1) return need > back ? bytes.subarray(0, at) : bytes;
    if (need === 1) return bytes;
  }
  return bytes;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An 8-bit disc string (ISO 9660 volume id and friends): officially ASCII d-characters, in
 * practice UTF-8 (genisoimage and xorriso store `-V` as given) or Latin-1 (older Windows tools).
 * UTF-8 when the bytes are valid UTF-8 (a last character cut by the field's end is dropped),
 * else Latin-1, which decodes any byte.
 */
export function decodeByteText(bytes: Buffer): string {
  const end = bytes.length - (bytes.toString('latin1').match(/[\0 ]*$/)?.[0].length ?? 0);
  const used = bytes.subarray(0, end);
  for (const candidate of end === bytes.length ? [used, withoutCutSequence(used)] : [used]) {
    try {
      const text = strictUtf8.decode(candidate);
      // A cut only counts as UTF-8 when the rest shows UTF-8 too: a lone Latin-1 `é` at the end is not.
      if (candidate === used || /[^\0-\x7f]/.test(text)) return text;
    } catch {
      // not UTF-8 (as a whole, or after the cut)
    }
  }
  return used.toString('latin1');
}

/**
 * A disc string made fit for a label: control characters dropped, bidi controls and invisible
 * characters removed, whitespace collapsed, trimmed, bounded; `null` when nothing is left.
 */
export function cleanText(text: string, maxLength = 256): string | null {
  const cleaned = withoutControls(withoutInvisible(wellFormed(text))).replace(/\s+/g, ' ').trim();
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
