// What a chosen copy method needs and does: its output extension, the space it takes, and the
// run itself. Which method a disc gets is decided in method-choice.ts; album names in album.ts.
import { albumFolderNames, audioDiscBytes, audioRipSpaceBytes, runAudioRip, runCopy, runDvdVideoBackup, type CopyResult, type MediaProgressSample } from '../copy/index.js';
import { safeFileName } from '../disc/index.js';
import type { DiscReader, Drive, Toc } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import type { CopyMethod, MethodDisc } from './method-choice.js';
import { videoBaseName } from './metadata-choice.js';
import type { MachineOptions } from './options.js';

/** File extension of the output: an audio rip kept as a folder has none. */
export function outputExtension(method: CopyMethod): string {
  return method.kind === 'audio' && method.output === 'folder' ? '' : '.iso';
}

/**
 * The name of the output inside its disc type's folder: a film's `Title (Year)` when metadata named
 * it, else the label made safe (`fallback` without one); for an album kept as a folder the
 * Jellyfin/Plex `Artist/Album (Year)`, for an album ISO `Artist - Album` (its label).
 */
export function outputName(method: CopyMethod, disc: MethodDisc, fallback: string): { baseName: string; subfolder?: string } {
  if (method.kind !== 'audio') return { baseName: videoBaseName(disc.metadata ?? null) ?? safeFileName(disc.label, fallback) };
  if (method.output !== 'folder') return { baseName: safeFileName(disc.label, fallback) };
  const { artist, album } = albumFolderNames(disc.album, safeFileName(disc.label, fallback));
  return { baseName: album, subfolder: artist };
}

/** Bytes the copy needs on the output disk, before the margin. */
export function spaceNeeded(method: CopyMethod, disc: MethodDisc): number {
  switch (method.kind) {
    case 'audio':
      return audioRipSpaceBytes(method.toc, method.output);
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
        ripper: method.ripper,
        toc: method.toc,
        format: method.format,
        output: method.output,
        targetPath: run.targetPath,
        metadata: disc.album,
        verify: method.verify,
        label: disc.label,
        onProgress: run.onProgress,
        // Network lookups follow metadata_lookup; the base URL is overridable for tests.
        accurateRip: options.metadataLookup ? { baseUrl: process.env.DISK2ISO_ACCURATERIP_URL, timeoutMs: 10_000 } : null,
      });
    case 'dvdbackup':
      return runDvdVideoBackup({
        ...common,
        devicePath: method.devicePath,
        label: disc.label,
        targetPath: run.targetPath,
        verify: method.verify,
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

/** The device external tools read: the drive's node, or a simulated disc's image (a BIN/CUE's cue). */
export async function devicePathOf(drive: Drive): Promise<string | null> {
  if (drive.path.startsWith('/')) return drive.path;
  try {
    const reader = await drive.open();
    await reader.close();
    return reader.devicePath;
  } catch {
    return null;
  }
}
