import { cleanText } from '../util/clean-text.js';

/** A disc number at the end (`DISC 1`, `D2`, `CD1`): never part of the film's title. */
const DISC_NUMBER = /(?:\s+(?:disc|disk|dvd|cd|bd|d|part|side)\s*\d{1,2})+$/i;
/** Words of a volume label that name the medium or edition, not the film: dropped from the end. */
const TRAILING_NOISE = /(?:\s+(?:disc|disk|dvd|cd|bd|d|part|side)\s*\d{1,2}|\s+(?:dvd|bd|bluray|blu ray|ws|fs|widescreen|fullscreen|pal|ntsc|r\d|se|ce|uk|us|de|fr))+$/i;
/** Labels authoring tools write when nobody named the disc. */
const GENERIC = /^(?:dvd ?video|dvd ?rom|dvdvolume|bdrom|bdmv|bd ?video|video ?ts|disc|disk|volume|untitled|cdrom|new|\d+)$/i;

/**
 * The title a video disc's label stands for, to search TMDB with: `MY_MOVIE_DISC_1` → "My Movie",
 * `The.Matrix.1999` → "The Matrix 1999"; a Blu-ray's bdmt title (already the label) stays as it
 * is. Null for labels that name no film (`DVD_VIDEO`, `BDROM`, digits).
 */
export function titleFromLabel(label: string | null): string | null {
  const text = cleanText(label);
  if (text === null) return null;
  const spaced = text.replace(/[_.]+/g, ' ').replace(/\s+/g, ' ').trim();
  // Only a label in capitals or with underscores (what authoring tools write) carries disc words;
  // a real title (a Blu-ray's bdmt name, "Made in US") is kept whole.
  const labelLike = !/\p{Ll}/u.test(text) || text.includes('_');
  const stripped = spaced.replace(labelLike ? TRAILING_NOISE : DISC_NUMBER, '').trim();
  if (stripped === '' || GENERIC.test(stripped)) return null;
  // A label in capitals (ISO 9660 allows no others) reads better in title case.
  const cased = /\p{Ll}/u.test(stripped) ? stripped : stripped.toLowerCase().replace(/(^|\s)(\p{L})/gu, (_m, space: string, letter: string) => space + letter.toUpperCase());
  return cleanText(cased, 200);
}
