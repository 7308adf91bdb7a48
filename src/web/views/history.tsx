import type { FC } from 'hono/jsx';
import { DISC_TYPES, JOB_RESULTS, type HistoryEntry } from '../../contract/index.js';
import { fmtBytes, fmtDate, fmtDuration, fmtSpeed } from '../format.js';
import type { Lang, Translate } from '../i18n/index.js';
import { messageText } from '../i18n/message.js';
import type { HistoryFilter, HistoryView } from '../queries.js';
import { AudioTracks, ResultBadge, typeLabel } from './job-parts.js';
import { FilterActions, Pager, SearchAndSort, Select } from './pager.js';

interface HistoryProps {
  view: HistoryView;
  filter: HistoryFilter;
  driveIds: readonly string[];
  t: Translate;
  lang: Lang;
}

const Detail: FC<{ label: string; children: unknown; wide?: boolean }> = ({ label, children, wide }) => (
  <div class={wide ? 'fact wide' : 'fact'}>
    <dt>{label}</dt>
    <dd>{children}</dd>
  </div>
);

const Entry: FC<{ entry: HistoryEntry; t: Translate; lang: Lang }> = ({ entry: e, t, lang }) => (
  <li class="history-item" data-result={e.result}>
    <details>
      <summary>
        <span class="job-row-main">
          <span class="job-row-label">{e.disc_label ?? '—'}</span>
          <span class="muted small">{`${typeLabel(e.disc_type, t)} · ${fmtBytes(e.bytes, lang)} · ${e.drive_id}`}</span>
        </span>
        <span class="job-row-side">
          <ResultBadge result={e.result} t={t} />
          <time class="muted small" datetime={e.finished}>
            {fmtDate(e.finished, lang)}
          </time>
        </span>
      </summary>
      <dl class="facts details-grid">
        <Detail label={t('started')}>
          <time datetime={e.started}>{fmtDate(e.started, lang)}</time>
        </Detail>
        <Detail label={t('duration')}>{fmtDuration(e.duration_s)}</Detail>
        <Detail label={t('avg_speed')}>{fmtSpeed(e.avg_speed_bytes_per_s, lang)}</Detail>
        <Detail label={t('bad_sectors')}>{String(e.bad_sectors)}</Detail>
        <Detail label={t('method')}>{e.method ?? '—'}</Detail>
        <Detail label={t('image')} wide>
          <code>{e.image_path ?? '—'}</code>
        </Detail>
        {e.checksums.sha256 ? (
          <Detail label="SHA-256" wide>
            <code class="hash">{e.checksums.sha256}</code>
          </Detail>
        ) : null}
        {e.checksums.md5 ? (
          <Detail label="MD5" wide>
            <code class="hash">{e.checksums.md5}</code>
          </Detail>
        ) : null}
        {e.audio_tracks && e.audio_tracks.length > 0 ? (
          <Detail label={t('audio_tracks')} wide>
            <AudioTracks tracks={e.audio_tracks} t={t} />
          </Detail>
        ) : null}
        {e.bad_ranges.length > 0 ? (
          <Detail label={t('bad_sector_map')} wide>
            <code>{e.bad_ranges.slice(0, 50).map(([s, end]) => `${s}–${end}`).join(', ') + (e.bad_ranges.length > 50 ? ' …' : '')}</code>
          </Detail>
        ) : null}
        {e.error_message ? (
          <Detail label={t('error')} wide>
            <span class="error-text">{messageText(lang, { code: e.error_code, params: e.error_params, text: e.error_message })}</span>
          </Detail>
        ) : null}
      </dl>
    </details>
  </li>
);

/** History: search, sort, filter by drive / type / result, in pages; every entry opens to its details. */
export const HistoryPage: FC<HistoryProps> = ({ view, filter, driveIds, t, lang }) => (
  <>
    <div class="page-head">
      <h1>{t('history_title')}</h1>
      <p class="muted" data-field="history-count" data-updated={view.updated ?? ''}>
        {view.matched === view.total
          ? t('jobs_shown', { n: view.entries.length, total: view.total })
          : t('jobs_matched', { n: view.entries.length, matched: view.matched, total: view.total })}
      </p>
    </div>
    <p class="banner" data-field="history-changed" hidden>
      <span>{t('history_changed')}</span>{' '}
      <button type="button" class="btn btn-outline btn-small" data-action="reload">
        {t('refresh')}
      </button>
    </p>
    <form class="card filters" method="get" action="history" role="search">
      <SearchAndSort q={filter.q} sort={filter.sort} hint={t('history_search_hint')} t={t} />
      <Select name="drive" label={t('drive')} value={filter.drive} all={t('all')} options={driveIds.map((id) => ({ value: id, label: id }))} />
      <Select name="type" label={t('type')} value={filter.type} all={t('all')} options={DISC_TYPES.map((d) => ({ value: d, label: typeLabel(d, t) }))} />
      <Select name="result" label={t('result')} value={filter.result} all={t('all')} options={JOB_RESULTS.map((r) => ({ value: r, label: t(`result_${r}`) }))} />
      <FilterActions submit={t('filter')} reset="history" t={t} />
    </form>
    {view.entries.length === 0 ? (
      <p class="card empty">{view.total === 0 ? t('no_history') : t('no_matches')}</p>
    ) : (
      <ul class="card history-list">
        {view.entries.map((entry) => (
          <Entry entry={entry} t={t} lang={lang} />
        ))}
      </ul>
    )}
    <Pager
      base="history"
      params={{ q: filter.q, sort: filter.sort === 'date' ? '' : filter.sort, drive: filter.drive, type: filter.type, result: filter.result }}
      offset={view.offset}
      limit={view.limit}
      matched={view.matched}
      t={t}
    />
  </>
);
