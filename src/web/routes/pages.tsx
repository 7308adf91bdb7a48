import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { parseArchiveQuery } from '../../contract/archive-index.js';
import type { ArchiveService } from '../archive-service.js';
import type { ContractReader } from '../contract-reader.js';
import type { LogBuffer } from '../../log/index.js';
import { filterHistory, HISTORY_PAGE, parseHistoryFilter, parseLogLevel, recentLogs, systemView } from '../queries.js';
import type { WebEnv } from '../types.js';
import { ArchivePage } from '../views/archive.js';
import { Dashboard } from '../views/dashboard.js';
import { HistoryPage } from '../views/history.js';
import { layoutRenderer } from '../views/layout.js';
import { LogsPage } from '../views/logs.js';
import { SystemPage } from '../views/system.js';

export interface PageRouteDeps {
  reader: ContractReader;
  archive: ArchiveService;
  logs: LogBuffer;
  version: string;
  outputDir: string;
  driveIds: () => readonly string[];
}

/** Server-rendered pages; the client script only updates them. */
export function pageRoutes(deps: PageRouteDeps): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  // Per route, not app.use('*'): a sub-app's wildcard middleware would run for every path once mounted.
  const renderer = layoutRenderer(deps.version);
  const noStore = createMiddleware<WebEnv>(async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  const page = [noStore, renderer] as const;

  app.get('/', ...page, async (c) => {
    const snapshot = await deps.reader.snapshot();
    return c.render(<Dashboard snapshot={snapshot} t={c.get('t')} lang={c.get('lang')} />, {
      title: c.get('t')('nav_dashboard'),
      page: 'dashboard',
    });
  });

  app.get('/history', ...page, async (c) => {
    const filter = parseHistoryFilter(c.req.query(), deps.driveIds(), HISTORY_PAGE);
    const view = filterHistory(await deps.reader.history(), { ...filter, limit: Math.min(filter.limit, 200) });
    const t = c.get('t');
    return c.render(<HistoryPage view={view} filter={filter} driveIds={deps.driveIds()} t={t} lang={c.get('lang')} />, {
      title: t('history_title'),
      page: 'history',
    });
  });

  app.get('/archive', ...page, async (c) => {
    const t = c.get('t');
    const query = parseArchiveQuery(c.req.query());
    return c.render(<ArchivePage view={await deps.archive.list(query)} query={query} t={t} lang={c.get('lang')} />, {
      title: t('archive_title'),
      page: 'archive',
    });
  });

  app.get('/logs', ...page, (c) => {
    const level = parseLogLevel(c.req.query('level'));
    const t = c.get('t');
    return c.render(<LogsPage lines={recentLogs(deps.logs, level)} level={level} t={t} />, { title: t('logs_title'), page: 'logs' });
  });

  app.get('/system', ...page, async (c) => {
    const t = c.get('t');
    const view = await systemView(deps.reader, deps.version, deps.outputDir);
    return c.render(<SystemPage view={view} t={t} lang={c.get('lang')} />, { title: t('system_title'), page: 'system' });
  });

  return app;
}
