import { wellFormed, withoutInvisible } from './text.js';

/** Longest name returned, in UTF-16 code units; also kept ≤ `MAX_NAME_UTF8` bytes so suffixes fit NAME_MAX (255). */
export const MAX_NAME_LENGTH = 100;
const MAX_NAME_UTF8 = 200;

/** Every name `safeFileName` returns matches this (and never contains `..`). */
export const SAFE_NAME_PATTERN = /^[\p{L}\p{N}(][\p{L}\p{M}\p{N}._()+,-]*$/u;

const ALLOWED = /^[\p{L}\p{M}\p{N}._()+,-]$/u;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

function utf8Length(char: string): number {
  return Buffer.byteLength(char, 'utf8');
}

function sanitize(input: string): string {
  const mapped = Array.from(withoutInvisible(wellFormed(input)).normalize('NFC'), (char) => (ALLOWED.test(char) ? char : '_')).join('');
  let name = mapped
    .replace(/_+/g, '_')
    .replace(/\.+/g, '.')
    .replace(/^[^\p{L}\p{N}(]+/u, '')
    .replace(/[._-]+$/, '');
  let units = 0;
  let bytes = 0;
  const kept: string[] = [];
  for (const char of name) {
    if (units + char.length > MAX_NAME_LENGTH || bytes + utf8Length(char) > MAX_NAME_UTF8) break;
    units += char.length;
    bytes += utf8Length(char);
    kept.push(char);
  }
  name = kept.join('').replace(/[._-]+$/, '');
  if (WINDOWS_RESERVED.test(name)) {
    // Windows clients of a Samba share cannot open CON, NUL.iso…: mark the stem.
    const points = Array.from(name);
    while (points.length > 0 && (points.join('').length >= MAX_NAME_LENGTH || Buffer.byteLength(points.join('')) >= MAX_NAME_UTF8)) points.pop();
    name = points.join('').replace(/[._-]+$/, '').replace(/^[^.]*/, (stem) => `${stem}_`);
  }
  return name;
}

/**
 * A disc label made into a safe file name (without extension): letters, marks and digits of any
 * script are kept; `.` `_` `-` `(` `)` `+` `,` are kept; bidi controls and invisible characters
 * are dropped; everything else — spaces included, so names need no quoting in shells and Samba
 * shares — becomes `_`, runs collapsed. No path separators, no `..`, no control characters, no
 * leading dot or dash, at most 100 UTF-16 units / 200 UTF-8 bytes without splitting a
 * character. An empty result falls back to `fallback` (sanitised the same way), then to `disc`.
 */
export function safeFileName(label: string | null, fallback: string): string {
  const fromLabel = label === null ? '' : sanitize(label);
  if (fromLabel !== '') return fromLabel;
  const fromFallback = sanitize(fallback);
  return fromFallback === '' ? 'disc' : fromFallback;
}
