import { createHash } from 'node:crypto';
import type { Toc } from '../../drive/index.js';
import { LEAD_IN_SECTORS, SESSION_GAP_SECTORS } from './tracks.js';

const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');

/**
 * The MusicBrainz disc id of a TOC (https://musicbrainz.org/doc/Disc_ID_Calculation): SHA-1 over
 * the first and last track numbers (`%02X`) and 100 frame offsets (`%08X`: the lead-out, then
 * tracks 1–99, 0 when absent), each LBA + 150; base64 with `+/=` written as `._-`. An Enhanced CD
 * (audio, then a data track in a second session) counts its audio session only, with the
 * lead-out 11400 sectors before the data track, as libdiscid does.
 */
export function musicbrainzDiscId(toc: Toc): string {
  const tracks = [...toc.tracks].sort((a, b) => a.number - b.number);
  let last = toc.lastTrack;
  let leadOut = toc.leadOut;
  const final = tracks.at(-1);
  const beforeFinal = tracks.at(-2);
  if (final?.type === 'data' && beforeFinal?.type === 'audio') {
    last = beforeFinal.number;
    leadOut = final.start - SESSION_GAP_SECTORS;
  }
  const offsets = new Array<number>(100).fill(0);
  offsets[0] = leadOut + LEAD_IN_SECTORS;
  for (const track of tracks) {
    if (track.number >= 1 && track.number <= 99 && track.number <= last) offsets[track.number] = track.start + LEAD_IN_SECTORS;
  }
  const text = hex(toc.firstTrack, 2) + hex(last, 2) + offsets.map((o) => hex(o, 8)).join('');
  return createHash('sha1').update(text, 'ascii').digest('base64').replace(/\+/g, '.').replace(/\//g, '_').replace(/=/g, '-');
}
