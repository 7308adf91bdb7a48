import { safeFileName } from '../../disc/index.js';
import { cleanText, trackMetadata, type AlbumMetadata } from './metadata.js';
import { msf, type AudioTrack } from './tracks.js';

/** `wav` is what a rip falls back to when the chosen encoder is missing: the ripped PCM as it is. */
export type AudioFormat = 'flac' | 'mp3' | 'wav';

/** Title part of a file name; with "NN - " and ".flac" the name stays ≤ 100 characters (Joliet long names allow 103). */
const MAX_TITLE_IN_NAME = 88;

const two = (n: number): string => String(n).padStart(2, '0');

/** `NN - Title.flac` (title made a safe file name), or `Track NN.flac` without a title. */
export function trackFileName(number: number, title: string | null, format: AudioFormat): string {
  // A title with a letter or digit always keeps one through safeFileName; anything else has no name.
  const safe = title !== null && /[\p{L}\p{N}]/u.test(title) ? safeFileName(title, 'track') : '';
  const cut = Array.from(safe)
    .slice(0, MAX_TITLE_IN_NAME)
    .join('')
    .replace(/[._-]+$/, '');
  return cut === '' ? `Track ${two(number)}.${format}` : `${two(number)} - ${cut}.${format}`;
}

/** The artist folder when no artist is known (MusicBrainz, CD-TEXT). */
const UNKNOWN_ARTIST = 'Unknown_Artist';

/** Album part of a folder name, room left for ` (YYYY)` and suffixes like `_12`. */
const MAX_ALBUM_IN_NAME = 90;

/**
 * The Jellyfin/Plex folders of an album rip, `Artist/Album (Year)` (`Artist/Album` without a
 * year): each part a safe file name (no separators, no `..`), `fallback` for a missing album.
 */
export function albumFolderNames(metadata: AlbumMetadata | null, fallback: string): { artist: string; album: string } {
  const artist = safeFileName(cleanText(metadata?.artist ?? null), UNKNOWN_ARTIST);
  const album = Array.from(safeFileName(cleanText(metadata?.album ?? null), fallback))
    .slice(0, MAX_ALBUM_IN_NAME)
    .join('')
    .replace(/[._-]+$/, '');
  const year = metadata?.year;
  const dated = typeof year === 'number' && Number.isInteger(year) && year >= 1000 && year <= 9999 ? `${album} (${year})` : album;
  return { artist, album: dated };
}

/** `<Album>.cue`, the album made a safe file name (`fallback` without one). */
export function cueFileName(metadata: AlbumMetadata | null, fallback: string): string {
  const name = Array.from(safeFileName(metadata?.album ?? null, fallback)).slice(0, 96).join('');
  return `${name}.cue`;
}

/** A cue sheet string: quotes cannot be escaped in the format, so `"` becomes `'`. */
function quoted(text: string): string {
  return `"${text.replace(/"/g, "'")}"`;
}

export interface CueTrack {
  readonly track: AudioTrack;
  readonly fileName: string;
}

/**
 * A cue sheet for one file per track: each FILE holds one TRACK from its INDEX 01 (the TOC's
 * track start) to the next track's start, so every INDEX 01 is at 00:00:00 of its file. Audio
 * before track 1 is the first track's INDEX 00 in `hiddenFile` when it was ripped (a hidden
 * track), else a PREGAP (silence). Titles and performers are cleaned.
 */
export function cueSheet(metadata: AlbumMetadata | null, tracks: readonly CueTrack[], format: AudioFormat, hiddenFile: string | null = null): string {
  const lines: string[] = [];
  if (metadata?.year) lines.push(`REM DATE ${metadata.year}`);
  const discId = cleanText(metadata?.discId ?? null);
  if (discId && /^[A-Za-z0-9._-]{28}$/.test(discId)) lines.push(`REM MUSICBRAINZ_DISCID ${discId}`);
  lines.push('REM COMMENT "disk2iso"');
  const artist = cleanText(metadata?.artist ?? null);
  const album = cleanText(metadata?.album ?? null);
  if (artist) lines.push(`PERFORMER ${quoted(artist)}`);
  if (album) lines.push(`TITLE ${quoted(album)}`);
  const fileType = format === 'mp3' ? 'MP3' : 'WAVE';
  tracks.forEach(({ track, fileName }, i) => {
    const meta = trackMetadata(metadata, track.number);
    const hidden = i === 0 && track.start > 0 && hiddenFile !== null;
    // A hidden track: the first TRACK starts in its file (INDEX 00), INDEX 01 opens the next FILE.
    lines.push(`FILE ${quoted(hidden ? hiddenFile : fileName)} ${fileType}`);
    lines.push(`  TRACK ${two(track.number)} AUDIO`);
    const title = cleanText(meta?.title ?? null);
    const performer = cleanText(meta?.artist ?? null);
    if (title) lines.push(`    TITLE ${quoted(title)}`);
    if (performer) lines.push(`    PERFORMER ${quoted(performer)}`);
    if (hidden) lines.push('    INDEX 00 00:00:00', `FILE ${quoted(fileName)} ${fileType}`);
    else if (i === 0 && track.start > 0) lines.push(`    PREGAP ${msf(track.start)}`);
    lines.push('    INDEX 01 00:00:00');
  });
  return `${lines.join('\n')}\n`;
}
