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

/** Untrusted text made fit for tags, cue sheets and file names (shared with the metadata lookups). */
export { cleanText } from '../../util/clean-text.js';

/** The metadata of track `number`, if any. */
export function trackMetadata(metadata: AlbumMetadata | null, number: number): TrackMetadata | null {
  return metadata?.tracks.find((t) => t.number === number) ?? null;
}
