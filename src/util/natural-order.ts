/**
 * Name order for lists people read ("Disc 2" before "Disc 10", "émile" beside "Emile"), without
 * Intl: an `Intl.Collator` maps ICU's collation tables (~1.6 MiB of the node binary's pages) into
 * the core for good, and the core sorts only file names and disc labels. The order follows the
 * collator's `{ numeric: true, sensitivity: 'base' }` for such names: case and accents ignored,
 * digit runs compared as numbers, spaces and punctuation before digits before letters.
 */

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const MARKS = /\p{M}+/gu;

/** Lower case without accents: what "base" sensitivity compares. */
function fold(text: string): string {
  return ASCII.test(text) ? text.toLowerCase() : text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

const isDigit = (code: number): boolean => code >= 48 && code <= 57;

/** ASCII space, punctuation and symbols in the collator's order (they all sort before digits). */
const PUNCTUATION = ` _-,;:!?.'"()[]{}@*/\\&#%\`^+<=>|~$`;

/** Sort weight of one folded character: punctuation by the table, then digits, then letters and the rest by code. */
function weight(code: number): number {
  const punctuation = code < 128 ? PUNCTUATION.indexOf(String.fromCharCode(code)) : -1;
  if (punctuation >= 0) return punctuation;
  if (code < 32) return -1; // control characters first
  return 100 + code;
}

/** The folded form of a name: compute it once per name when sorting many (see `compareNaturalKeys`). */
export function naturalKey(name: string): string {
  return fold(name);
}

/** Negative, zero or positive, like `Intl.Collator.compare`; zero for names that differ only in case or accents. */
export function naturalCompare(left: string, right: string): number {
  return compareNaturalKeys(fold(left), fold(right));
}

/** `naturalCompare` of two folded names; allocates nothing (a sort of 10,000 names calls it ~130,000 times). */
export function compareNaturalKeys(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      // Digit runs by value: leading zeros skipped, then the longer run is the bigger number, then digit by digit.
      while (i < a.length - 1 && a.charCodeAt(i) === 48 && isDigit(a.charCodeAt(i + 1))) i++;
      while (j < b.length - 1 && b.charCodeAt(j) === 48 && isDigit(b.charCodeAt(j + 1))) j++;
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++;
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++;
      if (ei - i !== ej - j) return ei - i - (ej - j);
      for (; i < ei; i++, j++) {
        const d = a.charCodeAt(i) - b.charCodeAt(j);
        if (d !== 0) return d;
      }
      continue;
    }
    if (ca !== cb) return weight(ca) - weight(cb);
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}
