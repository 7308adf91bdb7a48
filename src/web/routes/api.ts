import { Hono } from 'hono';
import type { LogBuffer } from '../../log/index.js';
import type { ContractReader } from '../contract-reader.js';
import { filterHistory, parseHistoryFilter, parseLogLevel, recentLogs, systemView } from '../queries.js';
import type { WebEnv } from '../types.js';

export interface ApiRouteDeps {
  reader: ContractReader;
  logs: LogBuffer;
  version: string;
  outputDir: string;
  driveIds: () => readonly string[];
}

/** Read-only REST JSON: everything the pages show. */
export function apiRoutes(deps: ApiRouteDeps): Hono<WebEnv> {
  const { reader } = deps;
  const app = new Hono<WebEnv>();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/api/status', async (c) => c.json(await reader.snapshot()));

  app.get('/api/drives', async (c) => c.json({ drives: await reader.drives() }));

  app.get('/api/drives/:id', async (c) => {
    const id = c.req.param('id');
    if (!reader.knownDrive(id)) return c.json({ ok: false, error: `unknown drive "${id}"` }, 404);
    return c.json(await reader.drive(id));
  });

  app.get('/api/history', async (c) => {
    const filter = parseHistoryFilter(c.req.query(), deps.driveIds());
    return c.json(filterHistory(await reader.history(), filter));
  });

  app.get('/api/logs', (c) => {
    const limit = Number(c.req.query('limit'));
    const level = parseLogLevel(c.req.query('level'));
    return c.json({ level, lines: recentLogs(deps.logs, level, Number.isInteger(limit) && limit > 0 ? Math.min(limit, 1000) : 300) });
  });

  app.get('/api/system', async (c) => c.json(await systemView(reader, deps.version, deps.outputDir)));

  return app;
}
