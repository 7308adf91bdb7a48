import { execa } from 'execa';
import type { Logger } from '../../log/index.js';
import { errorMessage } from '../../util/errors.js';
import { cleanText, type AlbumMetadata, type TrackMetadata } from './metadata.js';

/** Where cd-info reads: the drive, or a cue sheet (tests, images). */
export type CdTextSource = { devicePath: string } | { cueFile: string };

export interface CdTextOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  logger: Logger;
}

/** cd-info's output is bounded: a CD has at most 99 tracks and 8 CD-TEXT blocks. */
const MAX_OUTPUT = 1024 * 1024;

/**
 * Album and track titles from the disc's CD-TEXT, read by `cd-info` (libcdio-utils); null when
 * the disc has none or cd-info is missing, fails or takes longer than `timeoutMs`.
 */
export async function readCdText(source: CdTextSource, opts: CdTextOptions): Promise<AlbumMetadata | null> {
  const where = 'devicePath' in source ? ['-C', source.devicePath] : ['--cue-file', source.cueFile];
  try {
    const result = await execa('cd-info', ['--no-header', '--no-device-info', '--no-disc-mode', '--no-ioctl', '--no-vcd', ...where], {
      reject: false,
      stdin: 'ignore',
      timeout: opts.timeoutMs,
      cancelSignal: opts.signal,
      forceKillAfterDelay: 2000,
      maxBuffer: MAX_OUTPUT,
      stripFinalNewline: false,
    });
    if (result.failed) {
      opts.logger.info({ source, reason: result.shortMessage }, 'no CD-TEXT: cd-info failed');
      return null;
    }
    return parseCdInfoCdText(String(result.stdout));
  } catch (error) {
    opts.logger.info({ source, err: errorMessage(error) }, 'no CD-TEXT: cd-info failed');
    return null;
  }
}

const BLOCK = /^CD-TEXT for (Disc|Track +(\d{1,2})):\s*$/;
const FIELD = /^\t(TITLE|PERFORMER): (.*)$/;

/**
 * The first language block of cd-info's "CD-TEXT for Disc/Track N" sections as metadata;
 * null when there is no title at all.
 */
export function parseCdInfoCdText(output: string): AlbumMetadata | null {
  const album: { title: string | null; performer: string | null } = { title: null, performer: null };
  const tracks = new Map<number, TrackMetadata>();
  let current: { title: string | null; performer: string | null } | TrackMetadata | null = null;
  let languages = 0;
  for (const line of output.split('\n')) {
    if (/^Language \d+ /.test(line) && ++languages > 1) break;
    const block = BLOCK.exec(line);
    if (block) {
      const number = block[2] === undefined ? null : Number(block[2]);
      if (number === null) current = album;
      else if (number >= 1 && number <= 99) {
        const track: TrackMetadata = tracks.get(number) ?? { number, title: null, artist: null };
        tracks.set(number, track);
        current = track;
      } else current = null;
      continue;
    }
    const field = FIELD.exec(line);
    if (!field || !current) {
      if (!line.startsWith('\t')) current = null;
      continue;
    }
    const value = cleanText(field[2]);
    if ('number' in current) {
      if (field[1] === 'TITLE') current.title = value;
      else current.artist = value;
    } else if (field[1] === 'TITLE') current.title = value;
    else current.performer = value;
  }
  const list = [...tracks.values()].sort((a, b) => a.number - b.number);
  if (album.title === null && list.every((t) => t.title === null)) return null;
  return {
    album: album.title,
    artist: album.performer,
    year: null,
    tracks: list.map((t) => ({ ...t, artist: t.artist ?? album.performer })),
  };
}
