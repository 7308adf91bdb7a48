import {
  audioDiscBytes,
  audioRipSpaceBytes,
  dvdBackupMethod,
  libdvdcssAvailable,
  lookupMusicBrainz,
  musicbrainzDiscId,
  readCdText,
  runAudioRip,
  runCopy,
  runDvdVideoBackup,
  type AlbumMetadata,
  type CopyResult,
  type MediaProgressSample,
} from '../copy/index.js';
import type { DiscReader, Drive, Toc } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import type { MachineOptions } from './options.js';

/** How a disc is copied (SPEC §5.1); `name` is what history and attributes record. */
export type CopyMethod =
  | { readonly kind: 'block'; readonly name: string }
  | { readonly kind: 'dvdbackup'; readonly name: string; readonly devicePath: string }
  | { readonly kind: 'audio'; readonly name: string; readonly devicePath: string; readonly toc: Toc };

export interface MethodDisc {
  readonly type: string;
  readonly label: string | null;
  readonly sizeBytes: number;
  readonly toc: Toc | null;
  readonly album: AlbumMetadata | null;
}

/**
 * Picks the method: audio CDs are ripped (a real drive is needed), DVD-Video is backed up
 * decrypted when asked and libdvdcss is there, everything else is an exact block copy.
 */
export async function chooseMethod(
  disc: MethodDisc,
  options: MachineOptions,
  devicePath: string | null,
): Promise<CopyMethod | { error: string }> {
  if (disc.type === 'audio-cd') {
    if (!devicePath || !disc.toc) return { error: 'Audio CDs can only be ripped from a real drive (cdparanoia reads the device)' };
    const encoder = options.audioFormat === 'flac' ? 'flac' : 'lame (mp3)';
    return { kind: 'audio', name: `cdparanoia + ${encoder}`, devicePath, toc: disc.toc };
  }
  if (disc.type === 'dvd-video') {
    if (options.dvdVideoMode === 'decrypt' && devicePath && (await libdvdcssAvailable())) {
      return { kind: 'dvdbackup', name: dvdBackupMethod(true), devicePath };
    }
    const why = options.dvdVideoMode === 'raw' ? 'raw' : 'raw (libdvdcss not available)';
    return { kind: 'block', name: why };
  }
  if (disc.type === 'bd-video') return { kind: 'block', name: 'raw' };
  return { kind: 'block', name: 'block-copy' };
}

/** File extension of the output: an audio rip kept as a folder has none. */
export function outputExtension(method: CopyMethod, options: MachineOptions): string {
  return method.kind === 'audio' && options.audioOutput === 'folder' ? '' : '.iso';
}

/** Bytes the copy needs on the output disk, before the margin. */
export function spaceNeeded(method: CopyMethod, disc: MethodDisc, options: MachineOptions): number {
  switch (method.kind) {
    case 'audio':
      return audioRipSpaceBytes(method.toc, options.audioOutput);
    case 'dvdbackup':
      // The mirror and the new image exist side by side until the mirror is removed.
      return 2 * disc.sizeBytes;
    case 'block':
      return disc.sizeBytes;
  }
}

/** Size shown for the disc: audio CDs count 2352-byte sectors. */
export function discBytes(disc: { type: string; sizeBytes: number; toc: Toc | null }): number {
  return disc.type === 'audio-cd' && disc.toc ? audioDiscBytes(disc.toc) : disc.sizeBytes;
}

export interface MethodRun {
  readonly drive: Drive;
  readonly reader: DiscReader | null;
  readonly disc: MethodDisc;
  readonly targetPath: string;
  readonly resume: boolean;
  readonly options: MachineOptions;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly onProgress: (sample: MediaProgressSample) => void;
}

/** Runs the chosen method; like runCopy, never rejects for a failed copy. */
export async function runMethod(method: CopyMethod, run: MethodRun): Promise<CopyResult> {
  const { options, disc } = run;
  const common = { checksums: options.checksums, signal: run.signal, stallTimeoutMs: options.stallTimeoutMs, logger: run.logger };
  switch (method.kind) {
    case 'audio':
      return runAudioRip({
        ...common,
        devicePath: method.devicePath,
        toc: method.toc,
        format: options.audioFormat,
        output: options.audioOutput,
        targetPath: run.targetPath,
        metadata: disc.album,
        verify: options.verify,
        label: disc.label,
        onProgress: run.onProgress,
      });
    case 'dvdbackup':
      return runDvdVideoBackup({
        ...common,
        devicePath: method.devicePath,
        label: disc.label,
        targetPath: run.targetPath,
        verify: options.verify,
        sizeBytes: disc.sizeBytes,
        onProgress: run.onProgress,
      });
    case 'block':
      if (!run.reader) throw new Error('a block copy needs an open reader');
      return runCopy({
        ...common,
        reader: run.reader,
        sizeBytes: disc.sizeBytes,
        targetPath: run.targetPath,
        verify: options.verify,
        readRetries: options.readRetries,
        onReadError: options.onReadError,
        resume: run.resume,
        device: run.drive.path,
        // A shutdown keeps `.part` + mapfile so the next start resumes the same disc.
        keepPartialOnAbort: (reason) => reason === 'shutdown',
        onProgress: run.onProgress,
      });
  }
}

/**
 * Album and track names for an audio CD: MusicBrainz (when enabled), else CD-TEXT, else null
 * ("Track NN"). Never takes longer than about `timeoutMs` per source.
 */
export async function lookupAlbum(
  toc: Toc,
  devicePath: string,
  options: { metadataLookup: boolean; userAgent: string; timeoutMs: number; signal?: AbortSignal; logger: Logger },
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
  return readCdText({ devicePath }, { timeoutMs: options.timeoutMs, signal: options.signal, logger: options.logger });
}

/** "Artist - Album", or the album alone, or null. */
export function albumLabel(album: AlbumMetadata | null): string | null {
  if (!album?.album) return null;
  return album.artist ? `${album.artist} - ${album.album}` : album.album;
}
