import type { FC } from 'hono/jsx';
import type { SystemInfo } from '../../contract/index.js';
import type { Snapshot } from '../contract-reader.js';
import { fmtBytes } from '../format.js';
import type { Lang, Translate } from '../i18n/index.js';
import { DriveCard } from './drive-card.js';
import { RecentJob } from './job-parts.js';

interface DashboardProps {
  snapshot: Snapshot;
  t: Translate;
  lang: Lang;
}

const Space: FC<{ system: SystemInfo | null; t: Translate; lang: Lang }> = ({ system, t, lang }) => {
  const free = system?.output_free_bytes ?? null;
  const total = system?.output_total_bytes ?? null;
  const known = free !== null && Boolean(total);
  const used = known && total ? ((total - (free ?? 0)) / total) * 100 : 0;
  return (
    <>
      <div class="total">
        <span class="total-value" data-field="free-space">{fmtBytes(free, lang)}</span>
        <span class="muted">{t('free_space')}</span>
      </div>
      <div class="space-row" data-field="space-row" hidden={!known}>
        <progress class="space" data-field="space-bar" max="100" value={used.toFixed(1)} aria-label={t('free_space')} />
        <span class="muted small" data-field="space-text">
          {known && total ? t('used_of', { used: fmtBytes(total - (free ?? 0), lang), total: fmtBytes(total, lang) }) : ''}
        </span>
      </div>
    </>
  );
};

/** The dashboard: one card per drive, and beside them the latest jobs and totals. */
export const Dashboard: FC<DashboardProps> = ({ snapshot, t, lang }) => {
  const { history, system } = snapshot;
  const archived = Object.values(history.archived_total).reduce((sum, n) => sum + n, 0);
  return (
    <>
      <h1 class="visually-hidden">{t('nav_dashboard')}</h1>
      <div class="dash">
        <div class="drives">
          {snapshot.drives.map((view) => (
            <DriveCard view={view} t={t} lang={lang} />
          ))}
        </div>
        <aside class="side">
          <section class="card totals" aria-labelledby="totals-title">
            <h2 id="totals-title" class="visually-hidden">
              {t('archived_total')}
            </h2>
            <div class="total">
              <span class="total-value" data-field="archived-total">{String(archived)}</span>
              <span class="muted">{t('archived_total')}</span>
            </div>
            <div class="total" data-field="archive-total" hidden={snapshot.archive === null}>
              <a class="total-value" data-field="archive-images" href="archive">
                {String(snapshot.archive?.images ?? 0)}
              </a>
              <span class="muted">{t('archive_images')}</span>
              <a class="chip ck-chip" data-status="mismatch" data-field="archive-corrupt" href="archive?check=corrupt" hidden={!snapshot.archive?.corrupt}>
                {t('archive_corrupt', { n: snapshot.archive?.corrupt ?? 0 })}
              </a>
            </div>
            <Space system={system} t={t} lang={lang} />
          </section>
          <section class="card recent" aria-labelledby="recent-title">
            <header class="card-head">
              <h2 id="recent-title">{t('recent_jobs')}</h2>
              <a class="link" href="history">
                {t('show_all')}
              </a>
            </header>
            <p class="empty" data-field="recent-empty" hidden={history.recent.length > 0}>
              {t('no_history')}
            </p>
            <ul class="job-list" data-field="recent">
              {history.recent.map((entry) => (
                <RecentJob entry={entry} t={t} lang={lang} />
              ))}
            </ul>
          </section>
        </aside>
      </div>
    </>
  );
};
