import { cleanText, trackMetadata, type AlbumMetadata } from './metadata.js';
import type { AudioFormat } from './naming.js';

export interface EncodeJob {
  readonly format: AudioFormat;
  readonly wavPath: string;
  readonly outPath: string;
  readonly number: number;
  readonly tracks: number;
  readonly metadata: AlbumMetadata | null;
}

/** Tags of one track; values are cleaned text, passed to the encoder as single arguments only. */
function trackTags(metadata: AlbumMetadata | null, number: number, tracks: number): Record<string, string> {
  const track = trackMetadata(metadata, number);
  const tags: Record<string, string> = { TRACKNUMBER: String(number), TRACKTOTAL: String(tracks) };
  const put = (key: string, value: unknown): void => {
    const text = cleanText(value);
    if (text !== null) tags[key] = text;
  };
  // Without a name from MusicBrainz or CD-TEXT a player still shows something: the generic title.
  put('TITLE', track?.title ?? `Track ${String(number).padStart(2, '0')}`);
  put('ARTIST', track?.artist ?? metadata?.artist);
  put('ALBUM', metadata?.album);
  put('ALBUMARTIST', metadata?.artist);
  if (metadata?.year) put('DATE', String(metadata.year));
  put('MUSICBRAINZ_ALBUMID', metadata?.releaseId);
  put('MUSICBRAINZ_DISCID', metadata?.discId);
  return tags;
}

/**
 * The encoder and its arguments: `flac --best` with Vorbis comments, or `lame -V2` with ID3v2
 * (UTF-16); null for `wav`, which keeps the ripped file as it is (no tags).
 */
export function encoderCommand(job: EncodeJob): { tool: string; args: string[] } | null {
  if (job.format === 'wav') return null;
  const tags = trackTags(job.metadata, job.number, job.tracks);
  if (job.format === 'flac') {
    const tagArgs = Object.entries(tags).flatMap(([key, value]) => ['-T', `${key}=${value}`]);
    return { tool: 'flac', args: ['--best', '--silent', '--force', ...tagArgs, '-o', job.outPath, job.wavPath] };
  }
  const id3: string[] = ['--tn', `${job.number}/${job.tracks}`];
  const add = (flag: string, value: string | undefined): void => {
    if (value !== undefined) id3.push(flag, value);
  };
  add('--tt', tags.TITLE);
  add('--ta', tags.ARTIST);
  add('--tl', tags.ALBUM);
  add('--ty', tags.DATE);
  return { tool: 'lame', args: ['--quiet', '-V2', '--id3v2-only', '--id3v2-utf16', ...id3, job.wavPath, job.outPath] };
}
