import type { Toc } from '../../drive/index.js';
import type { AudioTrackReport } from '../types.js';
import type { AccurateRipDiscIds } from './accuraterip.js';
import { cleanText, type AlbumMetadata } from './metadata.js';
import { msf } from './tracks.js';

export interface RipLogInput {
  readonly version: string;
  readonly date: Date;
  readonly ripper: string;
  readonly device: string;
  readonly toc: Toc;
  readonly metadata: AlbumMetadata | null;
  readonly musicbrainzDiscId: string;
  readonly accurateRip: AccurateRipDiscIds;
  /** Whether the AccurateRip database was asked and answered (404 included). */
  readonly accurateRipLookup: 'answered' | 'failed' | 'off';
  readonly tracks: readonly AudioTrackReport[];
  /** Audio before track 1, when it was ripped. */
  readonly hidden?: { readonly file: string; readonly sectors: number; readonly crc32: string } | null;
}

const VERDICT: Record<AudioTrackReport['accuraterip'], (t: AudioTrackReport) => string> = {
  match: (t) => `Accurately ripped (confidence ${t.accuraterip_confidence})`,
  mismatch: () => 'Not accurately ripped: the database has other checksums (mismatch)',
  not_found: () => 'Not in the AccurateRip database',
  unavailable: () => 'AccurateRip not checked',
};

/** The verdict line of one track, as the log and the UI word it. */
function accurateRipText(track: AudioTrackReport): string {
  return VERDICT[track.accuraterip](track);
}

/**
 * A rip log in the spirit of EAC's and CUETools': the disc (TOC, ids), per track its file, range,
 * Copy CRC (CRC32 of the PCM), AccurateRip v1/v2 and verdict, and the sectors the ripper could
 * not read; then a summary. Untrusted names are cleaned.
 */
export function ripLog(input: RipLogInput): string {
  const lines: string[] = [];
  const album = cleanText(input.metadata?.album ?? null);
  const artist = cleanText(input.metadata?.artist ?? null);
  lines.push(`disk2iso ${input.version} audio rip log, ${input.date.toISOString()}`, '');
  lines.push(`${artist ?? 'Unknown artist'} / ${album ?? 'Unknown album'}`, '');
  lines.push(`Ripper           : ${input.ripper} (paranoia, full verification)`);
  lines.push(`Device           : ${input.device}`);
  lines.push(`MusicBrainz disc : ${input.musicbrainzDiscId}`);
  const ar = input.accurateRip;
  lines.push(`AccurateRip id   : ${String(ar.tracks).padStart(3, '0')}-${ar.id1}-${ar.id2}-${ar.freedbId}`);
  lines.push('', 'TOC of the extracted CD', '', '     Track |   Start  |  Length  | Start sector | Type');
  const sorted = [...input.toc.tracks].sort((a, b) => a.number - b.number);
  sorted.forEach((t, i) => {
    const end = sorted[i + 1]?.start ?? input.toc.leadOut;
    lines.push(`      ${String(t.number).padStart(2)}  | ${msf(t.start)} | ${msf(end - t.start)} | ${String(t.start).padStart(12)} | ${t.type}`);
  });
  lines.push(`      lead-out            | ${String(input.toc.leadOut).padStart(12)}`, '');
  if (input.hidden) {
    const h = input.hidden;
    lines.push('Hidden track (before track 1)', '', `     Filename ${h.file}`, `     Length ${msf(h.sectors)} (${h.sectors} sectors)`, `     Copy CRC ${h.crc32.toUpperCase()}`, '');
  }
  for (const t of input.tracks) {
    lines.push(`Track ${String(t.number).padStart(2, '0')}`, '');
    lines.push(`     Filename ${t.file}`);
    lines.push(`     Length ${msf(t.sectors)} (${t.sectors} sectors)`);
    lines.push(`     Copy CRC ${t.crc32.toUpperCase()}`);
    lines.push(`     AccurateRip v1 ${t.ar_v1.toUpperCase()}, v2 ${t.ar_v2.toUpperCase()}: ${accurateRipText(t)}`);
    lines.push(t.bad_sectors > 0 ? `     Suspicious: ${t.bad_sectors} sector(s) could not be read` : '     Copy OK', '');
  }
  const matched = input.tracks.filter((t) => t.accuraterip === 'match').length;
  const bad = input.tracks.filter((t) => t.bad_sectors > 0).length;
  if (input.accurateRipLookup === 'off') lines.push('AccurateRip: not looked up');
  else if (input.accurateRipLookup === 'failed') lines.push('AccurateRip: the database could not be reached');
  else lines.push(`AccurateRip: ${matched} of ${input.tracks.length} track(s) accurately ripped`);
  lines.push(bad === 0 ? 'No errors occurred' : `${bad} track(s) with unreadable sectors: the rip is degraded`, '', 'End of status report');
  return `${lines.join('\n')}\n`;
}
