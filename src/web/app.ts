import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { apiPaths } from '../contract/index.js';
import { errorMessage, isDisk2isoError } from '../util/errors.js';
import { ArchiveService } from './archive-service.js';
import { ContractHub } from './contract-hub.js';
import { ContractReader } from './contract-reader.js';
import { ArchivePathError } from './errors.js';
import { csrfGuard } from './middleware/csrf.js';
import { ingressContext } from './middleware/ingress.js';
import { defaultPeerPolicy, peerGuard } from './middleware/peer-guard.js';
import { securityHeaders } from './middleware/security-headers.js';
import { apiRoutes } from './routes/api.js';
import { archiveRoutes } from './routes/archive.js';
import { assetRoutes } from './routes/assets.js';
import { controlRoutes } from './routes/control.js';
import { metadataRoutes } from './routes/metadata.js';
import { pageRoutes } from './routes/pages.js';
import { sseRoutes } from './routes/sse.js';
import type { WebEnv, WebServerDeps } from './types.js';
import { webLogger } from './web-logger.js';
import { notFoundPage } from './views/not-found.js';

/** The app plus the parts with a lifecycle, which the server stops on shutdown. */
export interface WebApp {
  app: Hono<WebEnv>;
  hub: ContractHub;
  archive: ArchiveService;
}

const DEFAULT_HEARTBEAT_MS = 10_000;

/** Wires middleware and routes; nothing starts until a request (or an SSE client) arrives. */
export function buildWebApp(deps: WebServerDeps): WebApp {
  const logger = webLogger(deps.logger);
  const driveIds = (): readonly string[] => deps.control.driveIds();
  const reader = new ContractReader(apiPaths(deps.config.api_dir), driveIds, logger);
  const hub = new ContractHub(reader, logger);
  const archive = new ArchiveService(deps.config.output_dir, deps.config.api_dir, logger, deps.archive ?? null);
  const outputDir = deps.config.output_dir;

  const app = new Hono<WebEnv>();
  app.use('*', securityHeaders());
  app.use('*', peerGuard({ allowed: deps.allowedPeers ?? defaultPeerPolicy(deps.config.web_allow_all_peers) }));
  app.use('*', ingressContext());
  app.use('*', csrfGuard());

  app.route('/', apiRoutes({ reader, logs: deps.logs, version: deps.version, outputDir, driveIds }));
  app.route('/', controlRoutes(deps.control, logger));
  app.route('/', archiveRoutes(archive));
  app.route('/', metadataRoutes(reader));
  app.route('/', sseRoutes({ hub, reader, logger, heartbeatMs: deps.sseHeartbeatMs ?? DEFAULT_HEARTBEAT_MS }));
  app.route('/', assetRoutes(logger));
  app.route('/', pageRoutes({ reader, archive, logs: deps.logs, version: deps.version, outputDir, driveIds }));

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/')) return c.json({ ok: false, error: 'not found' }, 404);
    return notFoundPage(c, deps.version);
  });

  // The one error funnel: typed errors keep their status and message, anything else is a logged 500.
  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (error instanceof ArchivePathError) return c.json({ ok: false, error: error.message }, error.status);
    if (isDisk2isoError(error)) {
      logger.warn({ err: error.message, context: error.context, path: c.req.path }, 'request failed');
      return c.json({ ok: false, error: error.message }, 500);
    }
    logger.error({ err: errorMessage(error), path: c.req.path }, 'unexpected error in a web request');
    return c.json({ ok: false, error: 'internal error' }, 500);
  });

  return { app, hub, archive };
}

/** The Hono app (for `app.request()` in tests; `startWebServer` serves it). */
export function createApp(deps: WebServerDeps): Hono<WebEnv> {
  return buildWebApp(deps).app;
}
