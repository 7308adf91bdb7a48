import type { DiscType } from '../contract/index.js';
import type { DiscKind, Toc } from '../drive/index.js';

/** Media above this are not CDs: 900 MiB leaves room for 99-minute discs (912 MB). */
export const CD_MAX_BYTES = 900 * 1024 * 1024;
/** Media above this are not DVDs: 9 GiB leaves room for dual-layer DVD±R (8.5 GB). */
export const DVD_MAX_BYTES = 9 * 1024 * 1024 * 1024;

export interface ClassifyInput {
  /** The disc has audio tracks (see `hasAudioTracks`): it is ripped as an album. */
  readonly audio: boolean;
  readonly hasVideoTs: boolean;
  readonly hasBdmv: boolean;
  /** Some filesystem (ISO 9660 or UDF) was recognised. */
  readonly filesystem: boolean;
  /** Size of the medium, else of the filesystem; null when neither is known. */
  readonly bytes: number | null;
}

/** Whether the disc is audio only: the drive says so, or every TOC track is audio. */
export function isAudioOnly(discKind: DiscKind, toc: Toc | null): boolean {
  if (toc !== null && toc.tracks.length > 0) return toc.tracks.every((track) => track.type === 'audio');
  return discKind === 'audio';
}

/**
 * Whether the disc has audio tracks: the drive says audio, or some TOC track is audio. An Enhanced
 * CD (audio session + data session) or a mixed-mode CD (data track 1 + audio) counts: its owner
 * wants the album ripped, and the ripper skips the data tracks.
 */
export function hasAudioTracks(discKind: DiscKind, toc: Toc | null): boolean {
  if (toc !== null && toc.tracks.length > 0) return toc.tracks.some((track) => track.type === 'audio');
  return discKind === 'audio';
}

/** LBA where the data session's filesystem starts: the first data track of a mixed/enhanced CD, else 0. */
export function dataStart(toc: Toc | null): number {
  const first = toc?.tracks.find((track) => track.type === 'data');
  return first === undefined || first.start < 0 ? 0 : first.start;
}

/**
 * The disc type. Audio tracks (also beside a data session) → audio-cd; VIDEO_TS → dvd-video; BDMV → bd-video; another recognised
 * filesystem → cd-rom / dvd-rom / bd-rom by size, or `data` when the size is unknown; nothing
 * recognised → unknown.
 */
export function classify(input: ClassifyInput): DiscType {
  if (input.audio) return 'audio-cd';
  if (input.hasBdmv) return 'bd-video';
  if (input.hasVideoTs) return 'dvd-video';
  if (!input.filesystem) return 'unknown';
  if (input.bytes === null || input.bytes <= 0) return 'data';
  if (input.bytes <= CD_MAX_BYTES) return 'cd-rom';
  if (input.bytes <= DVD_MAX_BYTES) return 'dvd-rom';
  return 'bd-rom';
}
