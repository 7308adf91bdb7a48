import type { Toc } from '../../drive/index.js';

/** Bytes of one audio sector (CD-DA frame of 1/75 s). */
export const AUDIO_SECTOR_BYTES = 2352;
/** Sectors per second of CD audio. */
export const SECTORS_PER_SECOND = 75;
/** Red Book offset of LBA 0 (the 2 s lead-in pregap). */
export const LEAD_IN_SECTORS = 150;
/** Gap between the audio session and the data session of an Enhanced CD (lead-out + lead-in + pregap). */
export const SESSION_GAP_SECTORS = 11_400;

export interface AudioTrack {
  readonly number: number;
  /** First sector (LBA). */
  readonly start: number;
  readonly sectors: number;
}

/**
 * The audio tracks with their lengths. An audio track followed by a data track (Enhanced CD)
 * ends 11400 sectors before it: that gap holds the first session's lead-out and the second
 * session's lead-in. Tracks with a non-positive length (corrupt TOC) are dropped.
 */
export function audioTracks(toc: Toc): AudioTrack[] {
  const sorted = [...toc.tracks].sort((a, b) => a.number - b.number);
  const out: AudioTrack[] = [];
  sorted.forEach((track, i) => {
    if (track.type !== 'audio') return;
    const next = sorted[i + 1];
    const end = next === undefined ? toc.leadOut : next.type === 'data' ? next.start - SESSION_GAP_SECTORS : next.start;
    if (end > track.start) out.push({ number: track.number, start: track.start, sectors: end - track.start });
  });
  return out;
}

/** PCM bytes of every audio track (cdparanoia's WAV data): the disc size for free-space checks and progress. */
export function audioDiscBytes(toc: Toc): number {
  return audioTracks(toc).reduce((sum, t) => sum + t.sectors * AUDIO_SECTOR_BYTES, 0);
}

/**
 * Free space to ask for before a rip: the PCM size (every encoded file is smaller than its WAV,
 * and only one WAV exists at a time) — twice that for ISO output, where the folder and the image
 * exist together before the folder is removed.
 */
export function audioRipSpaceBytes(toc: Toc, output: 'folder' | 'iso'): number {
  return audioDiscBytes(toc) * (output === 'iso' ? 2 : 1);
}

/** `mm:ss:ff` (75 frames a second), as cue sheets write positions. */
export function msf(sectors: number): string {
  const frames = Math.max(0, Math.floor(sectors));
  const mm = Math.floor(frames / (60 * SECTORS_PER_SECOND));
  const ss = Math.floor(frames / SECTORS_PER_SECOND) % 60;
  const ff = frames % SECTORS_PER_SECOND;
  return [mm, ss, ff].map((n) => String(n).padStart(2, '0')).join(':');
}
