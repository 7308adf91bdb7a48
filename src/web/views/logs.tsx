import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n/index.js';
import { LOG_LEVELS, type LogLevelName, type LogLineView } from '../queries.js';

/** Logs: the most recent lines of the core, newest first, filtered by level. */
export const LogsPage: FC<{ lines: LogLineView[]; level: LogLevelName | null; t: Translate }> = ({ lines, level, t }) => (
  <>
    <div class="page-head">
      <h1>{t('logs_title')}</h1>
      <form class="inline-form" method="get" action="logs">
        <label class="field">
          <span>{t('level')}</span>
          <select name="level" data-autosubmit="" id="log-level">
            <option value="">{t('level_all')}</option>
            {(Object.keys(LOG_LEVELS) as LogLevelName[]).map((name) => (
              <option value={name} selected={name === level}>
                {t(`loglevel_${name}`)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" class="btn btn-outline btn-small noscript-only">
          {t('filter')}
        </button>
      </form>
    </div>
    <section class="card logs" aria-label={t('logs_title')}>
      <p class="empty" data-field="logs-empty" hidden={lines.length > 0}>
        {t('no_logs')}
      </p>
      <ol class="log-lines" data-field="log-lines">
        {lines.map((line) => (
          <li class="log-line" data-level={line.level}>
            <time datetime={line.time} data-fmt="time">
              {line.time.slice(11, 19)}
            </time>
            <span class="log-level">{t(`loglevel_${line.level}`)}</span>
            <span class="log-ns">{line.ns ?? ''}</span>
            <span class="log-msg">{line.msg}</span>
          </li>
        ))}
      </ol>
    </section>
  </>
);
