import type { Toc, TocTrack } from './types.js';

/** Bytes of a raw CD sector in a BIN image. */
export const RAW_SECTOR_BYTES = 2352;
/** What a drive puts between the audio session and the data session of an Enhanced CD. */
const SESSION_GAP_SECTORS = 11_400;
const MODE1_USER_OFFSET = 16;
const MODE2_FORM1_USER_OFFSET = 24;

/** A data track of a BIN/CUE as 2048-byte sectors: TOC LBAs [start, end) at `binSector` in the BIN. */
export interface CueDataExtent {
  readonly start: number;
  readonly end: number;
  readonly binSector: number;
  /** Where the 2048 user bytes start inside each raw sector. */
  readonly userOffset: number;
}

export interface CueLayout {
  /** The BIN file named by the cue's (first) FILE line. */
  readonly binFile: string;
  readonly toc: Toc;
  readonly data: readonly CueDataExtent[];
}

/** `mm:ss:ff` → sectors. */
function sectorsOf(msf: string): number | null {
  const match = /^(\d{1,3}):(\d{2}):(\d{2})$/.exec(msf);
  if (!match) return null;
  return (Number(match[1]) * 60 + Number(match[2])) * 75 + Number(match[3]);
}

/**
 * The TOC a drive would report for a single-BIN cue sheet (`FILE … BINARY`, `TRACK NN AUDIO |
 * MODE1/2352 | MODE2/2352`, `INDEX 01`), as libcdio reads it: track starts are INDEX 01 in the
 * BIN, the lead-out its end. Tracks after `REM SESSION 02` (an Enhanced CD's data session) are
 * reported 11400 sectors later, like a drive does; libcdio reads the same BIN sectors for them.
 * Null when the text is not such a cue sheet.
 */
export function parseCueLayout(text: string, binBytes: number): CueLayout | null {
  let binFile: string | null = null;
  let sessionShift = 0;
  const tracks: Array<TocTrack & { binSector: number; mode: string; shift: number }> = [];
  let pending: { number: number; mode: string; shift: number } | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const file = /^FILE\s+(?:"([^"]*)"|(\S+))\s+(\S+)$/i.exec(line);
    if (file) {
      if (binFile !== null) return null;
      if ((file[3] ?? '').toUpperCase() !== 'BINARY') return null;
      binFile = file[1] ?? file[2] ?? null;
      continue;
    }
    const session = /^REM\s+SESSION\s+(\d+)$/i.exec(line);
    if (session && Number(session[1]) > 1) sessionShift = SESSION_GAP_SECTORS;
    const track = /^TRACK\s+(\d{1,2})\s+(\S+)$/i.exec(line);
    if (track) {
      pending = { number: Number(track[1]), mode: (track[2] ?? '').toUpperCase(), shift: sessionShift };
      continue;
    }
    const index = /^INDEX\s+01\s+(\S+)$/i.exec(line);
    if (index && pending) {
      const at = sectorsOf(index[1] ?? '');
      if (at === null) return null;
      const type = pending.mode === 'AUDIO' ? 'audio' : 'data';
      tracks.push({ number: pending.number, start: at + pending.shift, type, binSector: at, mode: pending.mode, shift: pending.shift });
      pending = null;
    }
  }
  const first = tracks[0];
  const last = tracks.at(-1);
  if (binFile === null || first === undefined || last === undefined) return null;
  const binSectors = Math.floor(binBytes / RAW_SECTOR_BYTES);
  const leadOut = binSectors + last.shift;
  const data: CueDataExtent[] = [];
  tracks.forEach((t, i) => {
    if (t.type !== 'data') return;
    const end = (tracks[i + 1]?.start ?? leadOut) - ((tracks[i + 1]?.shift ?? t.shift) - t.shift);
    data.push({ start: t.start, end, binSector: t.binSector, userOffset: t.mode === 'MODE2/2352' ? MODE2_FORM1_USER_OFFSET : MODE1_USER_OFFSET });
  });
  return {
    binFile,
    toc: { firstTrack: first.number, lastTrack: last.number, tracks: tracks.map(({ number, start, type }) => ({ number, start, type })), leadOut },
    data,
  };
}

/** Whether an image in the simulated tray is a cue sheet. */
export function isCuePath(path: string): boolean {
  return /\.cue$/i.test(path);
}
