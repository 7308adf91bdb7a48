import type { FC } from 'hono/jsx';
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

/** The dashboard: one card per drive, the latest jobs, totals. */
export const Dashboard: FC<DashboardProps> = ({ snapshot, t, lang }) => {
  const { history, system } = snapshot;
  const archived = Object.values(history.archived_total).reduce((sum, n) => sum + n, 0);
  return (
    <>
      <h1 class="visually-hidden">{t('nav_dashboard')}</h1>
      <div class="drives">
        {snapshot.drives.map((view) => (
          <DriveCard view={view} t={t} lang={lang} />
        ))}
      </div>
      <div class="lower">
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
        <section class="card totals" aria-labelledby="totals-title">
          <h2 id="totals-title" class="visually-hidden">
            {t('archived_total')}
          </h2>
          <div class="total">
            <span class="total-value" data-field="archived-total">{String(archived)}</span>
            <span class="muted">{t('archived_total')}</span>
          </div>
          <div class="total">
            <span class="total-value" data-field="free-space">{fmtBytes(system?.output_free_bytes, lang)}</span>
            <span class="muted">{t('free_space')}</span>
          </div>
        </section>
      </div>
    </>
  );
};
