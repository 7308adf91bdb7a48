import { AUDIO_SECTOR_BYTES } from './tracks.js';

/** cdparanoia's positions are in 16-bit words: 1176 per sector. */
const WORDS_PER_SECTOR = AUDIO_SECTOR_BYTES / 2;
/** `cdparanoia -e` callback line: `##: <function> [<name>] @ <position in words>`. */
const CALLBACK = /^##: (-?\d+) \[([a-z ]*)\] @ (\d+)\s*$/;
/** Distinct skipped sectors remembered; a disc this damaged is reported as such either way. */
const MAX_SKIPS = 100_000;

/**
 * The programs that rip: libcdio's `cd-paranoia` (preferred) and cdparanoia 10.2 take the same
 * `-e -d -w` arguments and print the same `-e` callbacks.
 */
export type Ripper = 'cd-paranoia' | 'cdparanoia';

/** `cdparanoia -e -d <device> -w <track> <out.wav>`: one whole track as WAV, progress callbacks on stderr. */
export function paranoiaArgs(devicePath: string, track: number, wavPath: string): string[] {
  return ['-e', '-d', devicePath, '-w', String(track), wavPath];
}

/**
 * `cdparanoia -e -d <device> -w '[00:00.00]-[mm:ss.ff]' <out.wav>`: the audio before track 1
 * (a hidden track), sectors 0 to `sectors − 1`, addressed by time from the disc's start.
 */
export function paranoiaPregapArgs(devicePath: string, sectors: number, wavPath: string): string[] {
  const last = Math.max(0, sectors - 1);
  const time = `${String(Math.floor(last / 4500)).padStart(2, '0')}:${String(Math.floor(last / 75) % 60).padStart(2, '0')}.${String(last % 75).padStart(2, '0')}`;
  return ['-e', '-d', devicePath, '-w', '--', `[00:00.00]-[${time}]`, wavPath];
}

/**
 * Follows cdparanoia's `-e` callbacks for one track: sectors written so far (from `wrote`) and
 * sectors it had to skip (unreadable after all retries: the rip is degraded there).
 */
export class ParanoiaProgress {
  written = 0;
  readonly skipped = new Set<number>();

  constructor(
    private readonly start: number,
    private readonly sectors: number,
  ) {}

  /** Feeds one stderr line; true when it was a callback (the drive is working). */
  line(text: string): boolean {
    const match = CALLBACK.exec(text);
    if (!match) return false;
    const name = match[2] ?? '';
    const sector = Math.floor(Number(match[3]) / WORDS_PER_SECTOR);
    if (name === 'wrote') {
      // `wrote` reports the last word written: the next sector to write is the count done.
      const done = Math.floor((Number(match[3]) + 1) / WORDS_PER_SECTOR) - this.start;
      this.written = Math.min(this.sectors, Math.max(this.written, done));
    } else if (name === 'skip' && this.skipped.size < MAX_SKIPS) {
      this.skipped.add(sector);
    }
    return true;
  }
}
