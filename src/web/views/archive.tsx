import type { FC } from 'hono/jsx';
import { ARCHIVE_ITEM_GROUPS, type ArchiveQuery } from '../../contract/archive-index.js';
import type { ArchiveEntry, ArchiveView } from '../archive-service.js';
import { fmtBytes, fmtDate } from '../format.js';
import type { Lang, MessageKey, Translate } from '../i18n/index.js';
import { IconSprite, UseIcon } from './icons.js';
import { typeLabel } from './job-parts.js';
import { FilterActions, Pager, SearchAndSort, Select } from './pager.js';
import { checksumWords } from './checksum-words.js';

const Item: FC<{ item: ArchiveEntry; t: Translate; lang: Lang }> = ({ item, t, lang }) => {
  const href = `api/archive/download?path=${encodeURIComponent(item.path)}`;
  const label = item.metadata?.disc_label;
  const meta = [
    t(`group_${item.group}` as MessageKey),
    fmtBytes(item.size, lang),
    item.kind === 'folder' ? t('folder_files', { n: item.files ?? 0 }) : null,
    item.metadata?.disc_type ? typeLabel(item.metadata.disc_type, t) : null,
    label && label !== item.name.replace(/\.iso$/i, '') ? label : null,
  ].filter((part): part is string => part !== null);
  const detail = 'detail' in item.checksum ? (item.checksum.detail ?? '') : '';
  const checkedAt = 'checked_at' in item.checksum ? item.checksum.checked_at : null;
  const date = item.metadata?.finished ?? item.mtime;
  return (
    <li class="archive-item" data-path={item.path}>
      <UseIcon id="disc" class="archive-art" />
      <div class="archive-main">
        <span class="archive-name">
          {item.name}
          {item.metadata?.result === 'degraded' ? (
            <>
              {' '}
              <span class="chip result-chip archive-degraded" data-result="degraded" title={t('archive_degraded_hint')}>
                {t('result_degraded')}
              </span>
            </>
          ) : null}
        </span>
        <span class="muted small">
          {meta.join(' · ')} · <time datetime={date}>{fmtDate(date, lang)}</time>
        </span>
        <span class="muted small" data-field="verified-at" hidden={checkedAt === null}>
          {t('last_verified')}: <time datetime={checkedAt ?? ''}>{checkedAt ? fmtDate(checkedAt, lang) : ''}</time>
        </span>
      </div>
      <span class="chip ck-chip" data-field="checksum" data-status={item.checksum.status} title={detail}>
        {t(...checksumWords(item.checksum))}
      </span>
      <div class="archive-actions">
        {item.present ? (
          <>
            <button type="button" class="btn btn-outline btn-small" data-action="verify" disabled={item.checksum.status === 'none'} aria-label={`${t('verify')}: ${item.name}`}>
              <UseIcon id="check" />
              <span>{t('verify')}</span>
            </button>
            {item.kind === 'image' ? (
              <a class="btn btn-outline btn-small" href={href} download={item.name} aria-label={`${t('download')}: ${item.name}`}>
                <UseIcon id="download" />
                <span>{t('download')}</span>
              </a>
            ) : null}
            <button type="button" class="btn btn-text-danger btn-small" data-action="delete" data-name={item.name} aria-label={`${t('delete')}: ${item.name}`}>
              <UseIcon id="trash" />
              <span>{t('delete')}</span>
            </button>
          </>
        ) : null}
      </div>
    </li>
  );
};

/** The scrub's last run (or the one running now), and the buttons to rescan and check now. */
const ScrubLine: FC<{ view: ArchiveView; t: Translate; lang: Lang }> = ({ view, t, lang }) => {
  const running = view.scrub?.scrub ?? null;
  const last = view.scrub?.last_scrub ?? null;
  let text: string;
  if (running) text = t(running.paused ? 'scrub_paused' : 'scrub_running', { n: running.checked, total: running.total });
  else if (last?.finished) text = t('scrub_last', { t: fmtDate(last.finished, lang), n: last.corrupt + last.missing });
  else text = t('scrub_never');
  return (
    <p class="archive-scrub" data-field="scrub">
      <span class="muted" data-field="scrub-text">
        {text}
      </span>
      {view.corrupt > 0 ? (
        <a class="chip ck-chip" data-status="mismatch" data-field="corrupt" href="archive?check=corrupt">
          {t('archive_corrupt', { n: view.corrupt })}
        </a>
      ) : null}
      <button type="button" class="btn btn-outline btn-small" data-action="scrub" disabled={running !== null}>
        {t('scrub_now')}
      </button>
      <button type="button" class="btn btn-outline btn-small" data-action="rescan">
        {t('rescan')}
      </button>
    </p>
  );
};

/** Archive: one page of the index, searchable and sortable, with checksum status and actions. */
export const ArchivePage: FC<{ view: ArchiveView; query: ArchiveQuery; t: Translate; lang: Lang }> = ({ view, query, t, lang }) => {
  const params = { q: query.q, sort: query.sort === 'date' ? '' : query.sort, group: query.group, type: query.type, result: query.result, check: query.check };
  const filtered = query.q !== '' || query.group !== null || query.type !== null || query.result !== null || query.check !== null;
  const from = view.matched === 0 ? 0 : view.offset + 1;
  return (
    <>
      <IconSprite />
      <div class="page-head">
        <h1>{t('archive_title')}</h1>
        <p class="muted">
          <code>{view.output_dir}</code> · {t('archive_summary', { n: view.total, size: fmtBytes(view.total_bytes_used, lang) })}
          {view.free_bytes !== null && view.total_bytes !== null
            ? ` · ${t('free_of', { free: fmtBytes(view.free_bytes, lang), total: fmtBytes(view.total_bytes, lang) })}`
            : ''}
        </p>
        <ScrubLine view={view} t={t} lang={lang} />
      </div>
      <form class="card filters" method="get" action="archive" role="search">
        <SearchAndSort q={query.q} sort={query.sort} hint={t('archive_search_hint')} t={t} />
        <Select name="group" label={t('type')} value={query.group} all={t('all')} options={ARCHIVE_ITEM_GROUPS.map((g) => ({ value: g, label: t(`group_${g}` as MessageKey) }))} />
        <Select
          name="check"
          label={t('checksum')}
          value={query.check}
          all={t('all')}
          options={[
            { value: 'ok', label: t('ck_ok') },
            { value: 'corrupt', label: t('check_corrupt') },
            { value: 'unverified', label: t('ck_unverified') },
          ]}
        />
        <FilterActions submit={t('search')} reset="archive" t={t} />
      </form>
      {view.matched === 0 ? (
        <p class="card empty" data-field="archive-empty">
          {view.total === 0 ? t('archive_empty') : t('no_matches_archive')}
        </p>
      ) : (
        <section class="card archive-group" aria-labelledby="archive-list-title">
          <header class="card-head">
            <h2 id="archive-list-title" data-field="archive-range">
              {t(filtered ? 'archive_range_matched' : 'archive_range', { from, to: view.offset + view.items.length, n: view.matched })}
            </h2>
          </header>
          <ul class="archive-list">
            {view.items.map((item) => (
              <Item item={item} t={t} lang={lang} />
            ))}
          </ul>
        </section>
      )}
      <Pager base="archive" params={params} offset={view.offset} limit={view.limit} matched={view.matched} t={t} />
    </>
  );
};
