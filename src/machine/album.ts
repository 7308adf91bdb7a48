import { readCdText, type AlbumMetadata } from '../copy/index.js';
import type { Toc } from '../drive/index.js';
import type { Logger } from '../log/index.js';

/**
 * Album and track names from the disc's CD-TEXT (when cd-info is installed), for an audio CD
 * MusicBrainz did not name (no match, offline, skipped); null: "Track NN".
 */
export async function cdTextAlbum(toc: Toc | null, devicePath: string | null, options: { cdInfo: boolean; timeoutMs: number; signal?: AbortSignal; logger: Logger }): Promise<AlbumMetadata | null> {
  if (!options.cdInfo || toc === null || devicePath === null) return null;
  // A simulated disc's device is its cue sheet, which cd-info reads with --cue-file.
  const source = /\.cue$/i.test(devicePath) ? { cueFile: devicePath } : { devicePath };
  return readCdText(source, { timeoutMs: options.timeoutMs, signal: options.signal, logger: options.logger });
}

/** "Artist - Album", or the album alone, or null. */
export function albumLabel(album: AlbumMetadata | null): string | null {
  if (!album?.album) return null;
  return album.artist ? `${album.artist} - ${album.album}` : album.album;
}
