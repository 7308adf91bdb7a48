import { lookupMusicBrainz, musicbrainzDiscId, readCdText, type AlbumMetadata } from '../copy/index.js';
import type { Toc } from '../drive/index.js';
import type { Logger } from '../log/index.js';

/**
 * Album and track names for an audio CD: MusicBrainz (when enabled), else CD-TEXT (when cd-info
 * is installed), else null ("Track NN"). Never takes longer than about `timeoutMs` per source.
 */
export async function lookupAlbum(
  toc: Toc,
  devicePath: string,
  options: { metadataLookup: boolean; cdInfo: boolean; userAgent: string; timeoutMs: number; signal?: AbortSignal; logger: Logger },
): Promise<AlbumMetadata | null> {
  if (options.metadataLookup) {
    const found = await lookupMusicBrainz(musicbrainzDiscId(toc), toc, {
      userAgent: options.userAgent,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
      logger: options.logger,
      baseUrl: process.env.DISK2ISO_MUSICBRAINZ_URL,
    });
    if (found) return found;
  }
  if (!options.cdInfo) return null;
  // A simulated disc's device is its cue sheet, which cd-info reads with --cue-file.
  const source = /\.cue$/i.test(devicePath) ? { cueFile: devicePath } : { devicePath };
  return readCdText(source, { timeoutMs: options.timeoutMs, signal: options.signal, logger: options.logger });
}

/** "Artist - Album", or the album alone, or null. */
export function albumLabel(album: AlbumMetadata | null): string | null {
  if (!album?.album) return null;
  return album.artist ? `${album.artist} - ${album.album}` : album.album;
}
