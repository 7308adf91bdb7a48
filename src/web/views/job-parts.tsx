import type { FC } from 'hono/jsx';
import type { AudioTrackResult, HistoryEntry } from '../../contract/index.js';
import { fmtBytes, fmtShortDate } from '../format.js';
import type { Lang, MessageKey, Translate } from '../i18n/index.js';

export const ResultBadge: FC<{ result: HistoryEntry['result']; t: Translate }> = ({ result, t }) => (
  <span class="chip result-chip" data-result={result}>
    {t(`result_${result}`)}
  </span>
);

export function typeLabel(type: string | null, t: Translate): string {
  return type ? t(`type_${type}` as MessageKey) : '—';
}

/** One line of "recent jobs" on the dashboard (the client builds the same markup with textContent). */
export const RecentJob: FC<{ entry: HistoryEntry; t: Translate; lang: Lang }> = ({ entry, t, lang }) => (
  <li class="job-row">
    <span class="job-row-main">
      {/* The name it was archived under (chosen metadata), else its label. */}
      <span class="job-row-label">{entry.metadata?.title ?? entry.disc_label ?? '—'}</span>
      <span class="muted small">
        {`${typeLabel(entry.disc_type, t)} · ${fmtBytes(entry.bytes, lang)} · ${entry.drive_id}`}
      </span>
    </span>
    <span class="job-row-side">
      <ResultBadge result={entry.result} t={t} />
      <time class="muted small" datetime={entry.finished} data-fmt="short">
        {fmtShortDate(entry.finished, lang)}
      </time>
    </span>
  </li>
);

/** The AccurateRip verdict of one track, as the log words it. */
function accurateRipLabel(track: AudioTrackResult, t: Translate): string {
  if (track.accuraterip === 'match') return t('ar_match', { n: track.accuraterip_confidence });
  return t(`ar_${track.accuraterip}`);
}

/** Audio CD rips: per track its file, Copy CRC, AccurateRip verdict and unreadable sectors. */
export const AudioTracks: FC<{ tracks: readonly AudioTrackResult[]; t: Translate }> = ({ tracks, t }) => (
  <ol class="audio-tracks">
    {tracks.map((track) => (
      <li data-accuraterip={track.accuraterip}>
        <span>{track.file}</span> <code class="hash">{track.crc32.toUpperCase()}</code>{' '}
        <span class="chip" data-accuraterip={track.accuraterip}>
          {accurateRipLabel(track, t)}
        </span>
        {track.bad_sectors > 0 ? <span class="error-text"> {t('track_unreadable', { n: track.bad_sectors })}</span> : null}
      </li>
    ))}
  </ol>
);
