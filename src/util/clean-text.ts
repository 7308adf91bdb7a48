/** Longest text kept from a metadata source by default. */
const MAX_TEXT = 200;

/**
 * Text from an untrusted source (MusicBrainz, TMDB, CD-TEXT) made fit for tags, cue sheets, file
 * names and XML: well-formed Unicode in NFC, no control or bidi-override characters, whitespace
 * collapsed, at most `max` characters (never splitting one); null when nothing is left.
 */
export function cleanText(value: unknown, max = MAX_TEXT): string | null {
  if (typeof value !== 'string') return null;
  const text = value
    .replace(/\p{Cs}/gu, '\uFFFD')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return null;
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max).join('').trimEnd();
}
