/** Title and artist of one track; `number` is the track number on the disc. */
export interface TrackMetadata {
  number: number;
  title: string | null;
  artist: string | null;
}

/** What names and tags an audio rip (MusicBrainz, CD-TEXT); every text is untrusted until cleaned. */
export interface AlbumMetadata {
  album: string | null;
  artist: string | null;
  year: number | null;
  tracks: TrackMetadata[];
  /** MusicBrainz release id, written as a tag when known. */
  releaseId?: string | null;
  /** MusicBrainz disc id, written as a tag and into the cue sheet when known. */
  discId?: string | null;
}

/** Longest text kept from a metadata source. */
const MAX_TEXT = 200;

/**
 * Text from an untrusted source made fit for tags, cue sheets and file names: well-formed
 * Unicode in NFC, no control or bidi-override characters, whitespace collapsed, at most 200
 * characters (never splitting one); null when nothing is left.
 */
export function cleanText(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value
    .replace(/\p{Cs}/gu, '\uFFFD')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}\u2028\u2029]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (text === '') return null;
  const chars = Array.from(text);
  return chars.length <= MAX_TEXT ? text : chars.slice(0, MAX_TEXT).join('').trimEnd();
}

/** The metadata of track `number`, if any. */
export function trackMetadata(metadata: AlbumMetadata | null, number: number): TrackMetadata | null {
  return metadata?.tracks.find((t) => t.number === number) ?? null;
}
