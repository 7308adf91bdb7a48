import type { FC } from 'hono/jsx';
import type { ArchiveEntry, ArchiveView } from '../archive-service.js';
import type { ArchiveGroup } from '../archive-fs.js';
import type { ChecksumState } from '../archive-verify.js';
import { fmtBytes, fmtDate } from '../format.js';
import type { Lang, MessageKey, Translate } from '../i18n/index.js';
import { CheckIcon, DiscIcon, DownloadIcon, TrashIcon } from './icons.js';
import { typeLabel } from './job-parts.js';

const GROUP_ORDER: ArchiveGroup[] = ['data', 'dvd', 'bluray', 'audio', 'other'];

/** The words for a checksum state (the client script uses the same keys). */
export function checksumText(state: ChecksumState, t: Translate): string {
  switch (state.status) {
    case 'none':
      return t('ck_none');
    case 'unverified':
      return t('ck_unverified');
    case 'queued':
      return t('ck_queued');
    case 'verifying':
      return t('ck_verifying', { p: Math.floor(state.percent) });
    case 'ok':
      return t('ck_ok');
    case 'mismatch':
      return t('ck_mismatch');
    case 'error':
      return t('ck_error');
  }
}

const Item: FC<{ item: ArchiveEntry; t: Translate; lang: Lang }> = ({ item, t, lang }) => {
  const href = `api/archive/download?path=${encodeURIComponent(item.path)}`;
  const label = item.metadata?.disc_label;
  const meta = [
    fmtBytes(item.size, lang),
    item.kind === 'folder' ? t('folder_files', { n: item.files ?? 0 }) : null,
    item.metadata?.disc_type ? typeLabel(item.metadata.disc_type, t) : null,
    label && label !== item.name.replace(/\.iso$/i, '') ? label : null,
  ].filter((part): part is string => part !== null);
  const detail = 'detail' in item.checksum ? (item.checksum.detail ?? '') : '';
  return (
    <li class="archive-item" data-path={item.path}>
      <DiscIcon class="archive-art" />
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
          {meta.join(' · ')} · <time datetime={item.mtime}>{fmtDate(item.mtime, lang)}</time>
        </span>
      </div>
      <span class="chip ck-chip" data-field="checksum" data-status={item.checksum.status} title={detail}>
        {checksumText(item.checksum, t)}
      </span>
      <div class="archive-actions">
        {item.kind === 'image' ? (
          <>
            <button type="button" class="btn btn-outline btn-small" data-action="verify" disabled={item.checksum.status === 'none'} aria-label={`${t('verify')}: ${item.name}`}>
              <CheckIcon />
              <span>{t('verify')}</span>
            </button>
            <a class="btn btn-outline btn-small" href={href} download={item.name} aria-label={`${t('download')}: ${item.name}`}>
              <DownloadIcon />
              <span>{t('download')}</span>
            </a>
          </>
        ) : null}
        <button type="button" class="btn btn-text-danger btn-small" data-action="delete" data-name={item.name} aria-label={`${t('delete')}: ${item.name}`}>
          <TrashIcon />
          <span>{t('delete')}</span>
        </button>
      </div>
    </li>
  );
};

/** Archive: the output folder's images by disc family, with checksum status and actions. */
export const ArchivePage: FC<{ view: ArchiveView; t: Translate; lang: Lang }> = ({ view, t, lang }) => (
  <>
    <div class="page-head">
      <h1>{t('archive_title')}</h1>
      <p class="muted">
        <code>{view.output_dir}</code> · {t('archive_summary', { n: view.items.length, size: fmtBytes(view.total_bytes_used, lang) })}
        {view.free_bytes !== null && view.total_bytes !== null
          ? ` · ${t('free_of', { free: fmtBytes(view.free_bytes, lang), total: fmtBytes(view.total_bytes, lang) })}`
          : ''}
      </p>
    </div>
    {view.items.length === 0 ? <p class="card empty">{t('archive_empty')}</p> : null}
    {GROUP_ORDER.map((group) => {
      const items = view.items.filter((item) => item.group === group);
      if (items.length === 0) return null;
      return (
        <section class="card archive-group" aria-labelledby={`group-${group}`}>
          <header class="card-head">
            <h2 id={`group-${group}`}>{t(`group_${group}` as MessageKey)}</h2>
            <span class="muted small">{fmtBytes(items.reduce((sum, i) => sum + i.size, 0), lang)}</span>
          </header>
          <ul class="archive-list">
            {items.map((item) => (
              <Item item={item} t={t} lang={lang} />
            ))}
          </ul>
        </section>
      );
    })}
  </>
);
