import { mkdir, open, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Toc, TocTrack } from '../drive/index.js';

/** Bytes of one CD sector as a BIN image stores it (audio: 588 stereo 16-bit samples). */
const RAW_SECTOR = 2352;
const SECTORS_PER_SECOND = 75;
/** The 2 s between an Enhanced CD's audio session and its data track (lead-out, lead-in, pregap). */
const ENHANCED_GAP_SECTORS = 11_400;
/** Sectors generated and written at a time: 1 MiB-ish writes, bounded memory for an hour of audio. */
const CHUNK_SECTORS = 450;

export interface SampleAudioTrack {
  /** Length from INDEX 01 to the next track's INDEX 00 (or the end), in sectors. */
  readonly sectors: number;
  readonly title?: string;
  readonly performer?: string;
  /** Audio between INDEX 00 and INDEX 01, stored in the BIN (a gap; before track 1 a hidden track). */
  readonly pregapSectors?: number;
  /** The pregap is digital silence (default: it carries the track's tone, like a hidden track). */
  readonly silentPregap?: boolean;
  /** A MODE1/2352 data track; default audio. */
  readonly data?: boolean;
}

export interface SampleAudioSpec {
  readonly title?: string;
  readonly performer?: string;
  readonly tracks: readonly SampleAudioTrack[];
  /**
   * A last data track in a second session (Enhanced CD): the simulated drive reports it 11400
   * sectors after the audio, as drives do; the BIN holds no gap.
   */
  readonly enhancedData?: { readonly sectors: number };
}

export interface SampleAudioCd {
  readonly cuePath: string;
  readonly binPath: string;
  /** The TOC a drive (and `cd-paranoia -Q`) reports for the image. */
  readonly toc: Toc;
  /** Per track: byte range of its PCM in the BIN (INDEX 01 to the next track's start), audio tracks only. */
  readonly audio: ReadonlyArray<{ readonly number: number; readonly binOffset: number; readonly bytes: number }>;
}

/** Sample `i` (0-based from the disc start) of a tone: a different pitch per track, left and right apart. */
function toneSector(buffer: Buffer, at: number, sector: number, track: number): void {
  const frequency = 220 * (1 + (track % 7) * 0.25);
  for (let s = 0; s < RAW_SECTOR / 4; s++) {
    const t = (sector * (RAW_SECTOR / 4) + s) / 44_100;
    const left = Math.round(9000 * Math.sin(2 * Math.PI * frequency * t));
    const right = Math.round(7000 * Math.sin(2 * Math.PI * frequency * 1.5 * t));
    buffer.writeInt16LE(left, at + s * 4);
    buffer.writeInt16LE(right, at + s * 4 + 2);
  }
}

const bcd = (n: number): number => ((Math.floor(n / 10) << 4) | n % 10) & 0xff;

/** A MODE1/2352 sector: sync, BCD MSF header (+150), mode 1, 2048 bytes of a pattern; EDC/ECC left zero. */
function dataSector(buffer: Buffer, at: number, lba: number): void {
  buffer.fill(0, at, at + RAW_SECTOR);
  buffer.fill(0xff, at + 1, at + 11);
  const abs = lba + 150;
  buffer[at + 12] = bcd(Math.floor(abs / (60 * SECTORS_PER_SECOND)));
  buffer[at + 13] = bcd(Math.floor(abs / SECTORS_PER_SECOND) % 60);
  buffer[at + 14] = bcd(abs % SECTORS_PER_SECOND);
  buffer[at + 15] = 1;
  for (let i = 0; i < 2048; i += 4) buffer.writeUInt32LE((lba * 2048 + i) >>> 0, at + 16 + i);
}

/** `mm:ss:ff` as cue sheets write positions. */
function msf(sectors: number): string {
  const mm = Math.floor(sectors / (60 * SECTORS_PER_SECOND));
  const ss = Math.floor(sectors / SECTORS_PER_SECOND) % 60;
  const ff = sectors % SECTORS_PER_SECOND;
  return [mm, ss, ff].map((n) => String(n).padStart(2, '0')).join(':');
}

/** Cue sheets cannot escape `"`. */
const quoted = (text: string): string => `"${text.replace(/"/g, "'")}"`;

/**
 * Writes a BIN/CUE pair libcdio reads like a drive (`cd-paranoia -d disc.cue`, `cd-info --cue-file`):
 * tones per audio track, CD-TEXT as cue TITLE/PERFORMER, pregaps (INDEX 00) and a hidden track
 * before track 1, MODE1/2352 data tracks (mixed mode) and an Enhanced-CD-like last data track.
 * `cuePath`'s folder must exist or is made; the BIN is written next to it.
 */
export async function writeSampleAudioCd(cuePath: string, spec: SampleAudioSpec): Promise<SampleAudioCd> {
  const binPath = cuePath.replace(/\.cue$/i, '') + '.bin';
  await mkdir(dirname(cuePath), { recursive: true });
  const lines: string[] = ['REM COMMENT "disk2iso sample audio CD"'];
  if (spec.performer) lines.push(`PERFORMER ${quoted(spec.performer)}`);
  if (spec.title) lines.push(`TITLE ${quoted(spec.title)}`);
  lines.push(`FILE ${quoted(basename(binPath))} BINARY`);

  const tocTracks: TocTrack[] = [];
  const audio: { number: number; binOffset: number; bytes: number }[] = [];
  // Runs of sectors to write: [track number, first file sector, count, data?].
  const runs: Array<{ track: number; first: number; count: number; data: boolean; silent?: boolean }> = [];
  let fileSector = 0;
  spec.tracks.forEach((track, i) => {
    const number = i + 1;
    const data = track.data === true;
    const gap = track.pregapSectors ?? 0;
    lines.push(`  TRACK ${String(number).padStart(2, '0')} ${data ? 'MODE1/2352' : 'AUDIO'}`);
    if (track.title) lines.push(`    TITLE ${quoted(track.title)}`);
    if (track.performer) lines.push(`    PERFORMER ${quoted(track.performer)}`);
    if (gap > 0) lines.push(`    INDEX 00 ${msf(fileSector)}`);
    if (gap > 0 && track.silentPregap === true && !data) {
      runs.push({ track: number, first: fileSector, count: gap, data, silent: true });
      runs.push({ track: number, first: fileSector + gap, count: track.sectors, data });
    } else runs.push({ track: number, first: fileSector, count: gap + track.sectors, data });
    fileSector += gap;
    lines.push(`    INDEX 01 ${msf(fileSector)}`);
    tocTracks.push({ number, start: fileSector, type: data ? 'data' : 'audio' });
    fileSector += track.sectors;
  });
  let leadOut = fileSector;
  if (spec.enhancedData) {
    const number = spec.tracks.length + 1;
    // libcdio ignores PREGAP positions; `REM SESSION 02` (as EAC writes it) tells the simulated
    // drive to report the track where a drive reports an Enhanced CD's second session.
    lines.push('REM SESSION 02', `  TRACK ${String(number).padStart(2, '0')} MODE1/2352`, `    INDEX 01 ${msf(fileSector)}`);
    runs.push({ track: number, first: fileSector, count: spec.enhancedData.sectors, data: true });
    tocTracks.push({ number, start: fileSector + ENHANCED_GAP_SECTORS, type: 'data' });
    leadOut = fileSector + ENHANCED_GAP_SECTORS + spec.enhancedData.sectors;
  }
  // A track's audio as cd-paranoia reads it: from its INDEX 01 to the next track's INDEX 01.
  tocTracks.forEach((track, i) => {
    if (track.type !== 'audio') return;
    const next = tocTracks[i + 1];
    const end = next === undefined ? leadOut : spec.enhancedData && next.number === tocTracks.length ? next.start - ENHANCED_GAP_SECTORS : next.start;
    audio.push({ number: track.number, binOffset: track.start * RAW_SECTOR, bytes: (end - track.start) * RAW_SECTOR });
  });

  const file = await open(binPath, 'w');
  try {
    const buffer = Buffer.alloc(CHUNK_SECTORS * RAW_SECTOR);
    for (const run of runs) {
      for (let done = 0; done < run.count; done += CHUNK_SECTORS) {
        const count = Math.min(CHUNK_SECTORS, run.count - done);
        for (let s = 0; s < count; s++) {
          const sector = run.first + done + s;
          // The TOC position of a data sector after the Enhanced-CD gap is 11400 further.
          const lba = run.data && spec.enhancedData && run.track > spec.tracks.length ? sector + ENHANCED_GAP_SECTORS : sector;
          if (run.data) dataSector(buffer, s * RAW_SECTOR, lba);
          else if (run.silent === true) buffer.fill(0, s * RAW_SECTOR, (s + 1) * RAW_SECTOR);
          else toneSector(buffer, s * RAW_SECTOR, sector, run.track);
        }
        await file.write(buffer, 0, count * RAW_SECTOR, (run.first + done) * RAW_SECTOR);
      }
    }
  } finally {
    await file.close();
  }
  await writeFile(cuePath, `${lines.join('\n')}\n`);
  const toc: Toc = { firstTrack: 1, lastTrack: tocTracks.length, tracks: tocTracks, leadOut };
  return { cuePath, binPath, toc, audio };
}

/** The demo's sample audio CD: a few seconds of tones in three tracks, named by CD-TEXT. */
export const SAMPLE_AUDIO_SPEC: SampleAudioSpec = {
  title: 'disk2iso Demo Tones',
  performer: 'The Sine Waves',
  tracks: [
    { sectors: 4 * SECTORS_PER_SECOND, title: 'A Above Middle C', pregapSectors: 0 },
    { sectors: 3 * SECTORS_PER_SECOND, title: 'Fifths', pregapSectors: SECTORS_PER_SECOND },
    { sectors: 5 * SECTORS_PER_SECOND, title: 'Coda', performer: 'The Sine Waves feat. Square' },
  ],
};
